"""What runs on Spark's executors: each task of a scan scanned by a SourceScanner.

A scan's own job (``catoscan scan --engine spark``) is :func:`scan_rdd`: an RDD of one
partition per local task (remote files come from Spark's ``binaryFile`` source), mapped
to ``(seq, pickled TaskResult)`` pairs. Each task writes its findings file into ``parts``,
a folder the driver and every executor see at the same path (the scan's staging area), as
a local worker does, and its result names it; the driver adopts the files as the local
engine's. An RDD, not a DataFrame: the first SQL plan, and ``mapInArrow``'s start (Arrow
in the JVM and in each Python worker), cost every scan about 2 s before its first task.

:func:`scan_tasks` is the DataFrame form, for PySpark jobs of one's own
(:mod:`~scanner.engines.spark_dataframes`): ``mapInArrow`` over the tasks (local tasks
numbered, one per partition; files under URIs as ``binaryFile`` rows), each task's
findings rows before its result row (``META`` null on findings rows, ``SEQ`` the task's).

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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from scanner.config import ScanConfig
from scanner.dataset import PRIVATE_UMASK, FindingsSink
from scanner.sources import InputFile
from scanner.tasks import Task, TaskResult
from scanner.tuning import scanning
from scanner.worker import SourceScanner

if TYPE_CHECKING:
    from pyspark import RDD
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
    from pyspark.sql.types import BinaryType, StringType

    local, remote = _split(tasks)
    # Local tasks are numbered by a JVM range of one row per partition: Spark hands each
    # to the next free core (partitions of several tasks left cores idle at the end), and
    # no Python worker has to turn Python rows into the JVM's first.
    frame = spark.range(0, len(local), 1, max(len(local), 1)).select(
        F.col("id").alias("local"),
        F.lit(None).cast(StringType()).alias("uri"),
        F.lit(None).cast(BinaryType()).alias("content"),
    )
    if remote:
        contents = _contents(spark, remote)
        frame = contents if not local else frame.unionByName(contents)
    config_blob = spark.sparkContext.broadcast(pickle.dumps(config))
    tasks_blob = spark.sparkContext.broadcast(pickle.dumps((local, remote)))
    out = output_schema(schema, parts)
    # A remote task's row holds its whole file: few rows per Arrow batch bound the memory.
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(_TASKS_PER_BATCH))

    def scan_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        yield from _run_partition(batches, config_blob.value, tasks_blob.value, schema, parts)

    return frame.mapInArrow(scan_partition, from_arrow_schema(out))


def scan_rdd(
    spark: SparkSession, tasks: list[Task], config: ScanConfig, schema: pa.Schema, parts: Path
) -> RDD[tuple[int, bytes]]:
    """The RDD of one ``(seq, pickled TaskResult)`` pair per task, its findings in ``parts``.

    ``parts`` is an absolute folder every executor can write at that path. Local tasks are
    one partition each (Spark hands each to the next free core); remote files are Spark's
    ``binaryFile`` rows, a file's bytes scanned from a local copy on the executor.
    """
    sc = spark.sparkContext
    local, remote = _split(tasks)
    rows: list[RDD[_Row]] = []
    if local:
        rows.append(sc.parallelize([(n, None, None) for n in range(len(local))], len(local)))
    if remote:
        rows.append(_contents(spark, remote).rdd.map(tuple))
    config_blob = sc.broadcast(pickle.dumps(config))
    tasks_blob = sc.broadcast(pickle.dumps((local, remote)))

    def scan_partition(items: Iterable[_Row]) -> Iterator[tuple[int, bytes]]:
        for seq, result in _run_rows(items, config_blob.value, tasks_blob.value, schema, parts):
            yield seq, pickle.dumps(result)

    return (rows[0] if len(rows) == 1 else sc.union(rows)).mapPartitions(scan_partition)


#: A task as its partition's rows give it: ``(local task number, None, None)``, or
#: ``(None, uri, the file's bytes)`` for a remote file.
_Row = tuple[int | None, str | None, bytes | None]


def _split(tasks: list[Task]) -> tuple[list[Task], dict[str, Task]]:
    """A scan's local tasks, and its remote ones by URI."""
    local = [t for t in tasks if t.item.uri is None]
    remote = {t.item.uri: t for t in tasks if t.item.uri is not None}
    return local, remote


def _contents(spark: SparkSession, remote: dict[str, Task]) -> DataFrame:
    """The remote files' ``(local, uri, content)`` rows, ``local`` null (``binaryFile``)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import LongType

    return (
        spark.read.format("binaryFile")
        .load(sorted(remote))
        .select(F.lit(None).cast(LongType()).alias("local"), F.col("path").alias("uri"), "content")
    )


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
    """A partition of :func:`scan_tasks`: each task's result row, after its findings'.

    The findings' rows come only without ``parts``.
    """
    out = output_schema(findings, parts)
    rows = (
        (row["local"], row["uri"], row["content"]) for batch in batches for row in batch.to_pylist()
    )
    for seq, result in _run_rows(rows, config_blob, tasks_blob, findings, parts):
        if parts is None and result.part is not None:
            for found in pq.ParquetFile(result.part).iter_batches(batch_size=65536):
                yield _tagged(found, out, seq)
            result.part.unlink()
            result = replace(result, part=None)
        yield _result_row(out, seq, pickle.dumps(result))


def _run_rows(
    rows: Iterable[_Row],
    config_blob: bytes,
    tasks_blob: bytes,
    findings: pa.Schema,
    parts: Path | None,
) -> Iterator[tuple[int, TaskResult]]:
    """Scan each task a partition's rows name; yield its seq and result.

    A task's findings file is written into ``parts``, else into a folder of the partition's
    own, where it stays only until the caller's next step (the caller reads it first).
    """
    config, scanner = executor_scanner(config_blob)
    local: list[Task]
    remote: dict[str, Task]
    local, remote = pickle.loads(tasks_blob)  # our own driver's bytes
    workdir = Path(tempfile.mkdtemp(prefix="catoscan-task-"))
    with executor_partition(config):
        try:
            for number, uri, content in rows:
                digest = None
                if uri is None:
                    assert number is not None, "a local task's row has its number"
                    task = local[number]
                else:
                    # A remote file: scan a local copy under its own display name.
                    task, data = remote[uri], content or b""  # bytearray from a Row
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
                yield task.seq, replace(scanner.run_task(task, sink), digest=digest)
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
