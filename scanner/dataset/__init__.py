"""The inventory dataset on disk: schemas, the transactional writer, and reading it back.

Layout of ``DIR``::

    findings/scan_id=<id>/part-00000.parquet   one row per finding
    fields/scan_id=<id>/part-00000.parquet     one row per file x field x entity (stewards)
    errors/scan_id=<id>/part-00000.parquet     one row per file or record not read
    manifest.json                              every committed scan, newest last

A scan is written to ``DIR/.staging-<id>/`` (hidden from Parquet readers) and committed
like a database transaction (:mod:`.journal`). While it scans, the writer appends a line
per finished input file to the stage's ``checkpoint.jsonl``; a scan stopped before its
commit that finished some input files is kept as ``DIR/.interrupted-<id>/`` for
``scan --resume`` (:mod:`.checkpoints`).

Modules, each owning one thing:

- :mod:`.schema`: the tables and their Arrow schemas (importing it keeps pyarrow from
  importing pandas: :func:`scanner.compat.arrow_without_pandas`)
- :mod:`.values`: :class:`FindingValue` and the process's :class:`ValueStore`
- :mod:`.stats`: the ``fields`` statistics (:class:`FieldStats`, the fold, the rows)
- :mod:`.sink`: :class:`FindingsSink`, findings into one part file
- :mod:`.parts`: how findings part files are written and read back
- :mod:`.rows`: the ``fields`` and ``errors`` rows a scan stages
- :mod:`.checkpoints`: the checkpoint file, interrupted scans
- :mod:`.journal`: commit, prune and recovery through the journal; the lock
- :mod:`.writer`: :class:`DatasetWriter`, one scan written all or nothing
- :mod:`.read`: :func:`read_manifest`, :func:`read_table`

This module re-exports what the rest of catoscan uses.
"""

from scanner.dataset.checkpoints import CHECKPOINT, input_identity, read_interrupted
from scanner.dataset.journal import lock_dataset, prune, recover
from scanner.dataset.read import read_manifest, read_table
from scanner.dataset.schema import (
    ERRORS_SCHEMA,
    FIELDS_SCHEMA,
    FINDINGS_SCHEMA,
    TABLES,
    VALUE_FIELD,
    RecordKey,
)
from scanner.dataset.sink import FindingRow, FindingsSink
from scanner.dataset.stats import FieldStats, fields_rows
from scanner.dataset.values import FindingValue, ValueStore
from scanner.dataset.writer import PRIVATE_UMASK, DatasetWriter

__all__ = [
    "CHECKPOINT",
    "ERRORS_SCHEMA",
    "FIELDS_SCHEMA",
    "FINDINGS_SCHEMA",
    "PRIVATE_UMASK",
    "TABLES",
    "VALUE_FIELD",
    "DatasetWriter",
    "FieldStats",
    "FindingRow",
    "FindingValue",
    "FindingsSink",
    "RecordKey",
    "ValueStore",
    "fields_rows",
    "input_identity",
    "lock_dataset",
    "prune",
    "read_interrupted",
    "read_manifest",
    "read_table",
    "recover",
]
