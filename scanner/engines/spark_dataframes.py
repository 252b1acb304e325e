"""Findings DataFrames for PySpark jobs of one's own (documented in ``docs/spark.md``).

:func:`findings_from_files` scans files named by URI or local path, :func:`findings_from_records`
a DataFrame whose rows are log records; both return a DataFrame with the dataset's
findings columns, and take the configuration :func:`scan_config` builds. The scanning
itself is the Spark engine's (:mod:`~scanner.engines.spark_tasks`).
"""

from __future__ import annotations

import pickle
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from scanner.config import ScanConfig
from scanner.dataset import FINDINGS_SCHEMA, VALUE_FIELD, FindingsSink
from scanner.engines import is_uri
from scanner.engines.spark_session import list_uris
from scanner.engines.spark_tasks import (
    META,
    SEQ,
    executor_partition,
    executor_scanner,
    scan_tasks,
)
from scanner.escaping import printable
from scanner.record import Record
from scanner.sources import InputFile
from scanner.tasks import Task

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

#: Records of a DataFrame scanned (and handed back) together.
_RECORDS_PER_PART = 16384


def scan_config(
    *,
    key_file: Path | str | None = None,
    config_dir: Path | str | None = None,
    nlp: str = "spacy",
    include_values: bool = False,
    min_score: float | None = None,
    format: str | None = None,  # the CLI's option name
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
    scanned = scan_tasks(spark, tasks, config, schema)
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
        config, scanner = executor_scanner(blob.value)
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
        with executor_partition(config):
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
                    )
                    scanner.scan_records(path, fmt, chunk, sink)
                    part, _stats = sink.close()
                    if part is not None:
                        yield from pq.ParquetFile(part).iter_batches(batch_size=65536)
                        part.unlink()
            finally:
                shutil.rmtree(workdir, ignore_errors=True)

    return frame.mapInArrow(scan_partition, from_arrow_schema(schema))
