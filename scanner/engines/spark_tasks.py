"""What runs on Spark's executors: each task scanned by a SourceScanner in ``mapInArrow``.

:func:`scan_tasks` makes the DataFrame of a scan's tasks (local tasks numbered, one per
partition, the tasks themselves broadcast; files under URIs as Spark's ``binaryFile`` rows,
read by the executors) and maps it, a partition at a time, to one row per task of its
pickled :class:`~scanner.tasks.TaskResult` (``META`` set, ``SEQ`` the task's). Where the
findings go:

- into ``parts``, a folder the driver and every executor see at the same path (the scan's
  staging area): each task writes its findings file there, as a local worker does, and its
  result names it; the driver adopts the files as the local engine's (``catoscan scan``);
- or else into the DataFrame itself: every task's findings rows come before its result row
  (``META`` null), for PySpark jobs of one's own (:mod:`~scanner.engines.spark_dataframes`).

The model and configuration are loaded once per Python worker (:func:`executor_scanner`).
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from scanner.config import ScanConfig
from scanner.dataset import PRIVATE_UMASK, FindingsSink
from scanner.sources import InputFile
from scanner.tasks import Task
from scanner.tuning import scanning
from scanner.worker import SourceScanner

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

#: The columns the scan adds to the findings': the task's seq, and its pickled result on
#: the task's result row (null on findings rows).
SEQ, META = "_seq", "_meta"
#: Rows of the task DataFrame per Arrow batch: a remote task's row carries the whole file.
_TASKS_PER_BATCH = 4


def scan_tasks(
    spark: SparkSession,
    tasks: list[Task],
    config: ScanConfig,
    schema: pa.Schema,
    parts: Path | None = None,
) -> DataFrame:
    """The DataFrame of one result row per task, after the task's findings rows if no ``parts``.

    Its input has one row per task: local tasks carry the pickled task, remote files their
    URI and bytes (Spark's ``binaryFile`` source), looked up by URI on the executor. With
    ``parts`` (an absolute folder every executor can write at that path), each task writes
    its findings file there and its result's ``part`` names the file.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema
    from pyspark.sql.types import BinaryType, LongType, StringType

    local = [t for t in tasks if t.item.uri is None]
    remote = {t.item.uri: t for t in tasks if t.item.uri is not None}
    # Local tasks are numbered by a JVM range of one row per partition: Spark hands each
    # to the next free core (partitions of several tasks left cores idle at the end), and
    # no Python worker has to turn Python rows into the JVM's first.
    frame = spark.range(0, len(local), 1, max(len(local), 1)).select(
        F.col("id").alias("local"),
        F.lit(None).cast(StringType()).alias("uri"),
        F.lit(None).cast(BinaryType()).alias("content"),
    )
    if remote:
        contents = (
            spark.read.format("binaryFile")
            .load(sorted(remote))
            .select(
                F.lit(None).cast(LongType()).alias("local"), F.col("path").alias("uri"), "content"
            )
        )
        frame = contents if not local else frame.unionByName(contents)
    config_blob = spark.sparkContext.broadcast(pickle.dumps(config))
    tasks_blob = spark.sparkContext.broadcast(pickle.dumps((local, remote)))
    out = output_schema(schema, parts)
    # A remote task's row holds its whole file: few rows per Arrow batch bound the memory.
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(_TASKS_PER_BATCH))

    def scan_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        yield from _run_partition(batches, config_blob.value, tasks_blob.value, schema, parts)

    return frame.mapInArrow(scan_partition, from_arrow_schema(out))


def output_schema(findings: pa.Schema, parts: Path | None) -> pa.Schema:
    """The columns of :func:`scan_tasks`' DataFrame: the findings' only without ``parts``."""
    tags = [pa.field(SEQ, pa.int64()), pa.field(META, pa.binary())]
    return pa.schema(tags if parts is not None else [*findings, *tags])


#: One SourceScanner per Python worker process and configuration: the model loads once.
_SCANNERS: dict[bytes, SourceScanner] = {}


def executor_scanner(config_blob: bytes) -> tuple[ScanConfig, SourceScanner]:
    """The scanner of ``config_blob`` (a pickled ScanConfig) in this process, and its config.

    Built once per Python worker and configuration; on another machine than the driver's
    the configuration files are written out anew.
    """
    key = hashlib.sha256(config_blob).digest()
    scanner = _SCANNERS.get(key)
    if scanner is None:
        config: ScanConfig = pickle.loads(config_blob)  # our own driver's bytes
        configs = config.configs
        if not configs.recognizers_path.exists():  # another machine: rebuild the files
            configs = configs.portable(Path(tempfile.mkdtemp(prefix="catoscan-configs-")))
        scanner = _SCANNERS[key] = SourceScanner(replace(config, configs=configs))
    return scanner.config, scanner


def _run_partition(
    batches: Iterator[pa.RecordBatch],
    config_blob: bytes,
    tasks_blob: bytes,
    findings: pa.Schema,
    parts: Path | None,
) -> Iterator[pa.RecordBatch]:
    config, scanner = executor_scanner(config_blob)
    local: list[Task]
    remote: dict[str, Task]
    local, remote = pickle.loads(tasks_blob)  # our own driver's bytes
    out = output_schema(findings, parts)
    workdir = Path(tempfile.mkdtemp(prefix="catoscan-task-"))
    with executor_partition(config):
        try:
            for batch in batches:
                for row in batch.to_pylist():
                    digest = None
                    if row["uri"] is None:
                        task = local[row["local"]]
                    else:
                        # A remote file: scan a local copy under its own display name.
                        task, data = remote[row["uri"]], row["content"]
                        digest = hashlib.sha256(data).hexdigest()
                        copy = workdir / "input"
                        copy.write_bytes(data)
                        task = replace(task, item=InputFile(copy, task.item.display, task.item.uri))
                    # A task attempt's own file: a retried or speculative attempt of the same
                    # task writes another, and the driver adopts the one whose result it got.
                    name = f"spark-{task.seq:06d}-{uuid.uuid4().hex[:12]}.parquet"
                    sink = FindingsSink(
                        (workdir if parts is None else parts) / name,
                        findings,
                        key_id=config.key_id,
                        include_values=config.include_values,
                        batch_rows=config.configs.scanner.batch_rows,
                    )
                    result = replace(scanner.run_task(task, sink), digest=digest)
                    if parts is None and result.part is not None:
                        for found in pq.ParquetFile(result.part).iter_batches(batch_size=65536):
                            yield _tagged(found, out, task.seq)
                        result.part.unlink()
                        result = replace(result, part=None)
                    yield _result_row(out, task.seq, pickle.dumps(result))
                    (workdir / "input").unlink(missing_ok=True)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def executor_partition(config: ScanConfig) -> Iterator[None]:
    """A partition's scan in Spark's Python worker: a local worker's settings meanwhile.

    - the memory settings of :func:`~scanner.tuning.scanning` (rare collections: without
      them a scan takes a tenth longer), as they were afterwards: the process is Spark's;
    - with raw values (``include_values``), files for the owner only;
    - afterwards, what the scanner keeps (the model, the value caches) leaves the garbage
      collector's walks: PySpark's daemon collects a reused worker's garbage after every
      task, and each walk over all of it took about 0.15 s (a tenth of an 8 MB task). In
      a PySpark job of one's own, what else the worker holds then is frozen too: a cycle
      among those objects is never collected afterwards.
    """
    private = config.include_values
    before = os.umask(PRIVATE_UMASK) if private else None
    try:
        with scanning():
            yield
    finally:
        if before is not None:
            os.umask(before)
        gc.collect(1)  # the task's young garbage: what is left lives on
        gc.freeze()


def _tagged(found: pa.RecordBatch, out: pa.Schema, seq: int) -> pa.RecordBatch:
    n = found.num_rows
    extra = [pa.repeat(pa.scalar(seq, pa.int64()), n), pa.nulls(n, pa.binary())]
    return pa.RecordBatch.from_arrays([*found.columns, *extra], schema=out)


def _result_row(out: pa.Schema, seq: int, blob: bytes) -> pa.RecordBatch:
    columns = [pa.nulls(1, f.type) for f in list(out)[:-2]]
    columns += [pa.array([seq], pa.int64()), pa.array([blob], pa.binary())]
    return pa.RecordBatch.from_arrays(columns, schema=out)
