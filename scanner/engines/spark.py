"""The Spark engine, and findings DataFrames for users' own PySpark jobs.

``catoscan scan --engine spark`` plans the same tasks as the local engine (files, and 8 MB
line ranges of large plain files), runs each with :meth:`SourceScanner.run_task` inside
``mapInArrow`` (the model and configuration are loaded once per Python worker), writes the
findings with Spark's Parquet writer into the scan's staging area, and hands the small
per-task results (record counts, ``fields`` statistics, read problems) back to the
pipeline, which writes ``fields/``, ``errors/`` and the manifest exactly as for a local
scan. Inputs given as URIs (``s3a://``, ``abfss://``, ``hdfs://``, ``file://``) are listed
with the Hadoop FileSystem of the Spark deployment and read by the executors as whole
files (Spark's ``binaryFile`` source: at most 2 GiB each).

The output directory must be a filesystem the driver sees as local and every executor can
write at the same path: the machine itself under ``local[N]``, or a shared mount (NFS,
``/dbfs``) on a cluster.

For a PySpark job of one's own, :func:`findings_from_files` and
:func:`findings_from_records` return the findings as a DataFrame with the dataset's
findings columns; :func:`scan_config` builds the configuration they take.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from scanner.config import ScanConfig
from scanner.dataset import FINDINGS_SCHEMA, VALUE_FIELD, DatasetWriter, FindingsSink
from scanner.engines import is_uri
from scanner.errors import CatoscanError, ConfigError, EngineError
from scanner.record import Record
from scanner.sources import InputFile, printable
from scanner.worker import SourceScanner, Task, TaskResult

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from scanner.detect.engine import Detector

SEQ, META = "_seq", "_meta"
#: Rows of the task DataFrame per Arrow batch: a remote task's row carries the whole file.
_TASKS_PER_BATCH = 4
#: Spark tasks per core: enough to even out files of different sizes.
_SLICES_PER_CORE = 4
#: Records of a DataFrame scanned (and handed back) together.
_RECORDS_PER_PART = 16384


# -- the engine ---------------------------------------------------------------------------
def execute(
    tasks: list[Task],
    config: ScanConfig,
    writer: DatasetWriter,
    detector: Detector,
    workers: int,
) -> Iterator[TaskResult]:
    """Run the tasks as Spark tasks; findings land in the writer's staging area.

    Yields the task results in task order, each with ``part=None``: the findings files are
    already added to ``writer`` (in Spark's partition order) when the first one comes.
    """
    del detector, workers  # the executors build their own; Spark decides parallelism
    if not tasks:
        return
    spark = session(config.spark_master)
    schema = writer.findings_schema.remove_metadata()
    scanned = _scan_tasks(spark, tasks, config, schema)
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    # Two actions read the scan (the task results, then the findings): keep it once.
    scanned = scanned.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        metas = _collect_results(scanned, len(tasks))
        found = scanned.where(F.col(META).isNull())
        offsets = record_offsets(tasks, metas)
        if offsets:
            # A range whose earlier lines did not hold one record each.
            shift = F.create_map(*[F.lit(x) for pair in offsets.items() for x in pair])
            found = found.withColumn(
                "record_index",
                F.col("record_index") + F.coalesce(F.element_at(shift, F.col(SEQ)), F.lit(0)),
            )
        target = writer.stage / "spark-findings"
        found.drop(SEQ, META).write.option("compression", "zstd").parquet(target.as_uri())
    except Exception as exc:
        raise _job_failed(exc) from None
    finally:
        scanned.unpersist()
    for part in sorted(target.glob("part-*.parquet")):
        if pq.ParquetFile(part).metadata.num_rows:
            writer.add_part(part, 0)
    shutil.rmtree(target, ignore_errors=True)
    for task in tasks:
        yield metas[task.seq]


def record_offsets(tasks: list[Task], results: dict[int, TaskResult]) -> dict[int, int]:
    """``record_index`` shift per ranged task whose index did not start where it assumed.

    A range counts records from its ``first_index`` (one record per earlier line); the
    records of the file's earlier ranges say where it really starts.
    """
    offsets: dict[int, int] = {}
    running = 0
    for task in tasks:
        if task.start is None:
            continue
        if running != task.first_index:
            offsets[task.seq] = running - task.first_index
        running += sum(s.records for s in results[task.seq].sources)
        if task.last:
            running = 0
    return offsets


def session(master: str | None = None) -> SparkSession:
    """The active Spark session, or a new one (``master`` None: spark-submit's or local).

    Settings this engine relies on are set on the session: Parquet timestamps as
    microseconds with a time zone, as the local engine writes them.
    """
    # PySpark warns that it does not fully support pandas >= 3; this engine uses Arrow only.
    warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigError(
            "--engine spark needs PySpark: pip install 'catoscan[spark]' (and Java 17 or 21)"
        ) from None
    builder = SparkSession.builder.appName("catoscan")
    if master is not None:
        builder = builder.master(master)
    local = (master or "local").startswith("local") and "PYSPARK_GATEWAY_PORT" not in os.environ
    if local and "PYSPARK_PYTHON" not in os.environ:
        # Python workers must run this interpreter (this venv), not whatever python3 is first
        # on PATH; on a cluster, spark-submit's settings decide.
        os.environ["PYSPARK_PYTHON"] = sys.executable
    if local:
        logging_conf = Path(__file__).with_name("log4j2.properties")
        builder = builder.config("spark.ui.showConsoleProgress", "false").config(
            "spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={logging_conf.as_uri()}"
        )
    try:
        spark = builder.getOrCreate()
    except Exception as exc:
        raise ConfigError(
            f"Spark did not start ({_java_reason(exc)}); it needs Java 17 or 21 "
            "(java on the PATH or JAVA_HOME)"
        ) from None
    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    return spark


def list_uris(spark: SparkSession, uris: Iterable[str]) -> list[tuple[str, str, int, int]]:
    """Every file under ``uris``, through the Hadoop FileSystem of the Spark deployment.

    Returns ``(uri, display, size, mtime_ns)`` per file, sorted like a local walk: the
    display name is relative to a directory argument (the file name for a file argument),
    and hidden files and directories (``.name``, ``_name``) are skipped.

    Raises:
        ConfigError: when an argument does not exist or cannot be listed.
    """
    jvm = spark.sparkContext._jvm  # noqa: SLF001 - the documented way to reach Hadoop FS
    conf = spark.sparkContext._jsc.hadoopConfiguration()  # noqa: SLF001
    found: list[tuple[str, str, int, int]] = []
    for uri in uris:
        path = jvm.org.apache.hadoop.fs.Path(uri)
        try:
            fs = path.getFileSystem(conf)
            status = fs.getFileStatus(path)
        except Exception as exc:
            raise ConfigError(f"{uri}: cannot be listed ({_java_reason(exc)})") from None
        root = fs.makeQualified(path).toString().rstrip("/")
        if not status.isDirectory():
            name = root.rsplit("/", 1)[-1]
            found.append((root, printable(name), status.getLen(), _ns(status)))
            continue
        entries = []
        files = fs.listFiles(path, True)
        while files.hasNext():
            status = files.next()
            full = status.getPath().toString()
            relative = full[len(root) + 1 :]
            if any(part.startswith((".", "_")) for part in relative.split("/")):
                continue
            entries.append((full, printable(relative), status.getLen(), _ns(status)))
        found.extend(sorted(entries, key=lambda e: e[1]))
    return found


def _ns(status: Any) -> int:
    return int(status.getModificationTime()) * 1_000_000


# -- what runs on the executors -----------------------------------------------------------
def _scan_tasks(
    spark: SparkSession, tasks: list[Task], config: ScanConfig, schema: pa.Schema
) -> DataFrame:
    """The DataFrame of every task's findings rows and one result row per task.

    Its input has one row per task: local tasks carry the pickled task, remote files their
    URI and bytes (Spark's ``binaryFile`` source), looked up by URI on the executor.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema
    from pyspark.sql.types import BinaryType, LongType, StringType, StructField, StructType

    task_type = StructType(
        [
            StructField("seq", LongType(), True),
            StructField("task", BinaryType(), True),
            StructField("uri", StringType(), True),
            StructField("content", BinaryType(), True),
        ]
    )
    local = [(t.seq, pickle.dumps(t), None, None) for t in tasks if t.item.uri is None]
    remote = {t.item.uri: t for t in tasks if t.item.uri is not None}
    cores = spark.sparkContext.defaultParallelism
    frame = None
    if local:
        slices = max(1, min(len(local), cores * _SLICES_PER_CORE))
        frame = spark.createDataFrame(spark.sparkContext.parallelize(local, slices), task_type)
    if remote:
        contents = (
            spark.read.format("binaryFile")
            .load(sorted(remote))
            .select(
                F.lit(None).cast(LongType()).alias("seq"),
                F.lit(None).cast(BinaryType()).alias("task"),
                F.col("path").alias("uri"),
                "content",
            )
        )
        frame = contents if frame is None else frame.unionByName(contents)
    assert frame is not None  # noqa: S101 - execute() returns early without tasks
    config_blob = spark.sparkContext.broadcast(pickle.dumps(config))
    remote_blob = spark.sparkContext.broadcast(pickle.dumps(remote))
    out = _output_schema(schema)
    # A remote task's row holds its whole file: few rows per Arrow batch bound the memory.
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(_TASKS_PER_BATCH))

    def scan_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        yield from _run_partition(batches, config_blob.value, remote_blob.value, out)

    return frame.mapInArrow(scan_partition, from_arrow_schema(out))


def _output_schema(findings: pa.Schema) -> pa.Schema:
    return findings.append(pa.field(SEQ, pa.int64())).append(pa.field(META, pa.binary()))


#: One SourceScanner per Python worker process and configuration: the model loads once.
_SCANNERS: dict[bytes, SourceScanner] = {}


def _executor_scanner(config_blob: bytes) -> tuple[ScanConfig, SourceScanner]:
    key = hashlib.sha256(config_blob).digest()
    scanner = _SCANNERS.get(key)
    if scanner is None:
        config: ScanConfig = pickle.loads(config_blob)  # noqa: S301 - our own driver's bytes
        configs = config.configs
        if not configs.recognizers_path.exists():  # another machine: rebuild the files
            configs = configs.portable(Path(tempfile.mkdtemp(prefix="catoscan-configs-")))
        scanner = _SCANNERS[key] = SourceScanner(replace(config, configs=configs))
    return scanner.config, scanner


def _run_partition(
    batches: Iterator[pa.RecordBatch], config_blob: bytes, remote_blob: bytes, out: pa.Schema
) -> Iterator[pa.RecordBatch]:
    config, scanner = _executor_scanner(config_blob)
    remote: dict[str, Task] = pickle.loads(remote_blob)  # noqa: S301 - our own driver's bytes
    findings = pa.schema(list(out)[:-2])
    workdir = Path(tempfile.mkdtemp(prefix="catoscan-task-"))
    try:
        for batch in batches:
            for row in batch.to_pylist():
                digest = None
                if row["uri"] is None:
                    task: Task = pickle.loads(row["task"])  # noqa: S301 - as above
                else:
                    # A remote file: scan a local copy under its own display name.
                    task, data = remote[row["uri"]], row["content"]
                    digest = hashlib.sha256(data).hexdigest()
                    local = workdir / "input"
                    local.write_bytes(data)
                    item = InputFile(local, task.item.display, task.item.uri)
                    task = replace(task, item=item)
                sink = FindingsSink(
                    workdir / f"task-{task.seq}.parquet",
                    findings,
                    key_id=config.key_id,
                    include_values=config.include_values,
                    batch_rows=config.configs.scanner.batch_rows,
                    values=scanner.values,
                )
                result = scanner.run_task(task, sink)
                rows = 0
                if result.part is not None:
                    for found in pq.ParquetFile(result.part).iter_batches(batch_size=65536):
                        yield _tagged(found, out, task.seq)
                        rows += found.num_rows
                    result.part.unlink()
                result = replace(result, part=None, digest=digest, rows=rows)
                yield _result_row(out, task.seq, pickle.dumps(result))
                (workdir / "input").unlink(missing_ok=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _tagged(found: pa.RecordBatch, out: pa.Schema, seq: int) -> pa.RecordBatch:
    n = found.num_rows
    extra = [pa.repeat(pa.scalar(seq, pa.int64()), n), pa.nulls(n, pa.binary())]
    return pa.RecordBatch.from_arrays([*found.columns, *extra], schema=out)


def _result_row(out: pa.Schema, seq: int, blob: bytes) -> pa.RecordBatch:
    columns = [pa.nulls(1, f.type) for f in list(out)[:-2]]
    columns += [pa.array([seq], pa.int64()), pa.array([blob], pa.binary())]
    return pa.RecordBatch.from_arrays(columns, schema=out)


def _collect_results(scanned: DataFrame, expected: int) -> dict[int, TaskResult]:
    from pyspark.sql import functions as F

    results: dict[int, TaskResult] = {}
    for row in scanned.where(F.col(META).isNotNull()).select(SEQ, META).toLocalIterator():
        results[row[0]] = pickle.loads(row[1])  # noqa: S301 - written by our executors
    if len(results) != expected:
        raise EngineError(f"Spark returned {len(results)} task results for {expected} tasks")
    return results


def _job_failed(exc: Exception) -> Exception:
    if isinstance(exc, CatoscanError):
        return exc
    return EngineError(f"the Spark job failed: {_java_reason(exc)}")


def _java_reason(exc: Exception) -> str:
    """The first line of a (Java) exception: its class and message, never a stack."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    return first[:300]


# -- for users' own PySpark jobs ----------------------------------------------------------
def scan_config(
    *,
    key_file: Path | str | None = None,
    config_dir: Path | str | None = None,
    nlp: str = "spacy",
    include_values: bool = False,
    min_score: float | None = None,
    format: str | None = None,  # noqa: A002 - the CLI's option name
) -> ScanConfig:
    """The configuration :func:`findings_from_files` and :func:`findings_from_records` take.

    The same files, key and settings as ``catoscan scan``'s options of the same names;
    the key file is read on the driver and travels to the executors inside the job (turn
    on ``spark.network.crypto.enabled`` on a shared cluster).
    """
    from scanner.config import build_scan_config

    return build_scan_config(
        key_file=Path(key_file) if key_file is not None else None,
        config_dir=Path(config_dir) if config_dir is not None else None,
        paths=(),
        out=Path(),
        nlp=nlp,
        format=format,
        include_values=include_values,
        min_score=min_score,
        progress=False,
    )


def findings_from_files(
    spark: SparkSession, uris: Iterable[str] | DataFrame, config: ScanConfig
) -> DataFrame:
    """Scan files (URIs or local paths every executor can read) into a findings DataFrame.

    ``uris`` is a list of files and directories, or a DataFrame with a ``path`` column
    (e.g. the output of a listing job), collected on the driver. Each file is one Spark
    task (archives and compressed files are read as by ``catoscan scan``). The columns are
    the dataset's findings columns; ``record_index`` counts from 0 in each file; read
    problems are not part of the result (use ``catoscan scan --engine spark`` for the full
    inventory with ``errors/`` and ``fields/``).
    """
    if hasattr(uris, "select"):  # a DataFrame of paths
        uris = [row[0] for row in uris.select("path").toLocalIterator()]
    uris = [u if is_uri(u) else Path(u).resolve().as_uri() for u in uris]
    tasks = [
        Task(seq, InputFile(Path(display), display, uri))
        for seq, (uri, display, _size, _mtime) in enumerate(list_uris(spark, uris))
    ]
    schema = FINDINGS_SCHEMA.append(VALUE_FIELD) if config.include_values else FINDINGS_SCHEMA
    scanned = _scan_tasks(spark, tasks, config, schema)
    from pyspark.sql import functions as F

    return scanned.where(F.col(META).isNull()).drop(SEQ, META)


def findings_from_records(
    frame: DataFrame,
    config: ScanConfig,
    *,
    source_path: str = "dataframe",
    source_format: str = "records",
    index_column: str | None = None,
) -> DataFrame:
    """Scan a DataFrame whose rows are log records into a findings DataFrame.

    Every column is a field (nested structs and arrays are flattened as JSON records are:
    ``dest.ip``, ``emails.0.value``); event times come from ``fields.yaml``'s
    ``time_fields``. ``record_index`` is the value of ``index_column`` (a long column
    excluded from scanning) or else the row's position within its Spark partition, which is
    stable only for a fixed partitioning: give an index column to join findings back.
    """
    from pyspark.sql.pandas.types import from_arrow_schema

    from scanner.readers import eventtime
    from scanner.readers.json_stream import record_pairs

    schema = FINDINGS_SCHEMA.append(VALUE_FIELD) if config.include_values else FINDINGS_SCHEMA
    schema = schema.remove_metadata()
    blob = frame.sparkSession.sparkContext.broadcast(pickle.dumps(config))
    path, fmt = printable(source_path), source_format

    def scan_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        config, scanner = _executor_scanner(blob.value)
        opts = scanner.opts
        workdir = Path(tempfile.mkdtemp(prefix="catoscan-records-"))

        def records() -> Iterator[Record]:
            position = 0
            for batch in batches:
                # Map columns (Spark infers them for Python dicts) become dicts, as JSON.
                for row in batch.to_pylist(maps_as_pydicts="lossy"):
                    index = row.pop(index_column) if index_column is not None else position
                    position += 1
                    pairs, _problem, source = record_pairs(row, opts, None, index)
                    when = eventtime.from_mapping(source, opts.time_fields)
                    yield Record(index, None, pairs, when)

        pending = records()
        try:
            while True:
                chunk = list(islice(pending, _RECORDS_PER_PART))
                if not chunk:
                    return
                sink = FindingsSink(
                    workdir / "records.parquet",
                    schema,
                    key_id=config.key_id,
                    include_values=config.include_values,
                    batch_rows=config.configs.scanner.batch_rows,
                    values=scanner.values,
                )
                scanner.scan_records(path, fmt, chunk, sink)
                part, _stats = sink.close()
                if part is not None:
                    yield from pq.ParquetFile(part).iter_batches(batch_size=65536)
                    part.unlink()
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    return frame.mapInArrow(scan_partition, from_arrow_schema(schema))
