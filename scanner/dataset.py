"""The inventory dataset on disk: schemas, the transactional writer, and reading it back.

Layout of ``DIR``::

    findings/scan_id=<id>/part-00000.parquet   one row per finding
    fields/scan_id=<id>/part-00000.parquet     one row per file x field x entity (stewards)
    errors/scan_id=<id>/part-00000.parquet     one row per file or record not read
    manifest.json                              every committed scan, newest last

A scan is written to ``DIR/.staging-<id>/`` (hidden from Parquet readers) and committed
like a database transaction: once everything is staged, a journal file is written (the
commit point), the three partitions are renamed into place and the manifest is replaced
atomically, then the journal is removed. A scan that dies before the journal leaves only a
staging directory, removed on the next open; one that dies after it is rolled forward on
the next open. A lock file keeps two scans from writing one dataset at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from scanner import SCHEMA_VERSION, __version__
from scanner.errors import ConfigError

TABLES = ("findings", "fields", "errors")
_TS = pa.timestamp("us", tz="UTC")

FINDINGS_SCHEMA = pa.schema(
    [
        ("source_path", pa.string()),
        ("source_format", pa.string()),
        ("line", pa.int64()),
        ("record_index", pa.int64()),
        ("field", pa.string()),
        ("start", pa.int32()),
        ("end", pa.int32()),
        ("entity_type", pa.string()),
        ("ccpa_categories", pa.list_(pa.string())),
        ("policy_element", pa.string()),
        ("policy_declared", pa.bool_()),
        ("score", pa.float32()),
        ("detector", pa.string()),
        ("value_hash", pa.string()),
        ("key_id", pa.string()),
        ("value_masked", pa.string()),
        ("ip_class", pa.string()),
        ("event_time", _TS),
    ]
)
VALUE_FIELD = pa.field("value", pa.string())

FIELDS_SCHEMA = pa.schema(
    [
        ("source_path", pa.string()),
        ("source_format", pa.string()),
        ("field", pa.string()),
        ("entity_type", pa.string()),
        ("ccpa_categories", pa.list_(pa.string())),
        ("policy_element", pa.string()),
        ("policy_declared", pa.bool_()),
        ("findings", pa.int64()),
        ("records", pa.int64()),
        ("distinct_values", pa.int64()),
        ("first_event_time", _TS),
        ("last_event_time", _TS),
        ("detectors", pa.list_(pa.string())),
    ]
)

ERRORS_SCHEMA = pa.schema(
    [
        ("source_path", pa.string()),
        ("source_format", pa.string()),
        ("scope", pa.string()),
        ("line", pa.int64()),
        ("record_index", pa.int64()),
        ("reason", pa.string()),
    ]
)
_SCHEMAS = {"findings": FINDINGS_SCHEMA, "fields": FIELDS_SCHEMA, "errors": ERRORS_SCHEMA}


@dataclass
class _FieldStats:
    categories: tuple[str, ...]
    declared: bool
    findings: int = 0
    records: set[int] = field(default_factory=set)
    hashes: set[str] = field(default_factory=set)
    first: datetime | None = None
    last: datetime | None = None
    detectors: set[str] = field(default_factory=set)


class DatasetWriter:
    """Writes one scan into a dataset directory, all or nothing.

    Use as a context manager; call :meth:`commit` at the end. Leaving the block without
    a commit (an exception, Ctrl-C) removes everything this scan staged.
    """

    def __init__(
        self,
        out: Path,
        scan_id: str,
        metadata: dict[str, Any],
        *,
        include_values: bool = False,
        batch_rows: int = 65536,
    ):
        self.out = out
        self.scan_id = scan_id
        self.include_values = include_values
        self.batch_rows = batch_rows
        schema = FINDINGS_SCHEMA.append(VALUE_FIELD) if include_values else FINDINGS_SCHEMA
        meta = {b"catoscan": json.dumps(metadata, sort_keys=True).encode()}
        self._schemas = {
            "findings": schema.with_metadata(meta),
            "fields": FIELDS_SCHEMA.with_metadata(meta),
            "errors": ERRORS_SCHEMA.with_metadata(meta),
        }
        self._stage = out / f".staging-{scan_id}"
        self._rows: dict[str, dict[str, list[Any]]] = {}
        self._writers: dict[str, pq.ParquetWriter] = {}
        self._stats: dict[tuple[str, str, str | None, str, str], _FieldStats] = {}
        self._lock_fh: Any = None
        self.counts = {"findings": 0, "fields": 0, "errors": 0}
        self._committed = False

    # -- lifecycle -------------------------------------------------------------------
    def __enter__(self) -> DatasetWriter:
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"--out {self.out}: cannot create: {exc.strerror}") from None
        self._lock_fh = open(self.out / ".lock", "w")  # noqa: SIM115 - held for the scan
        try:
            fcntl.flock(self._lock_fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_fh.close()
            raise ConfigError(f"--out {self.out}: another scan is writing this dataset") from None
        recover(self.out)
        for table in TABLES:
            (self._stage / table).mkdir(parents=True, exist_ok=True)
            self._rows[table] = {name: [] for name in self._schemas[table].names}
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if not self._committed:
                for writer in self._writers.values():
                    with contextlib.suppress(Exception):
                        writer.close()
                shutil.rmtree(self._stage, ignore_errors=True)
        finally:
            if self._lock_fh is not None:
                self._lock_fh.close()

    # -- rows ------------------------------------------------------------------------
    def add_finding(self, row: dict[str, Any]) -> None:
        """Buffer one finding (keys: the findings columns) and update the field stats."""
        columns = self._rows["findings"]
        for name, values in columns.items():
            values.append(row.get(name))
        self.counts["findings"] += 1
        key = (
            row["source_path"],
            row["source_format"],
            row["field"],
            row["entity_type"],
            row["policy_element"],
        )
        stats = self._stats.get(key)
        if stats is None:
            stats = self._stats[key] = _FieldStats(
                tuple(row["ccpa_categories"]), row["policy_declared"]
            )
        stats.findings += 1
        stats.records.add(row["record_index"])
        stats.hashes.add(row["value_hash"])
        stats.detectors.add(row["detector"])
        t = row["event_time"]
        if t is not None:
            if stats.first is None or t < stats.first:
                stats.first = t
            if stats.last is None or t > stats.last:
                stats.last = t
        if len(columns["source_path"]) >= self.batch_rows:
            self._flush("findings")

    def end_source(self) -> None:
        """Turn the stats of the source just finished into ``fields`` rows (bounded memory)."""
        for (path, fmt, fld, entity, element), s in self._stats.items():
            self._append(
                "fields",
                {
                    "source_path": path,
                    "source_format": fmt,
                    "field": fld,
                    "entity_type": entity,
                    "ccpa_categories": list(s.categories),
                    "policy_element": element,
                    "policy_declared": s.declared,
                    "findings": s.findings,
                    "records": len(s.records),
                    "distinct_values": len(s.hashes),
                    "first_event_time": s.first,
                    "last_event_time": s.last,
                    "detectors": sorted(s.detectors),
                },
            )
        self._stats.clear()

    def add_error(
        self,
        source_path: str,
        source_format: str | None,
        line: int | None,
        record_index: int | None,
        reason: str,
    ) -> None:
        """Record a file or record that could not be read."""
        scope = "file" if line is None and record_index is None else "record"
        self._append(
            "errors",
            {
                "source_path": source_path,
                "source_format": source_format,
                "scope": scope,
                "line": line,
                "record_index": record_index,
                "reason": reason,
            },
        )

    def _append(self, table: str, row: dict[str, Any]) -> None:
        columns = self._rows[table]
        for name, values in columns.items():
            values.append(row.get(name))
        self.counts[table] += 1
        if len(columns["source_path"]) >= self.batch_rows:
            self._flush(table)

    def _flush(self, table: str) -> None:
        columns = self._rows[table]
        if not columns["source_path"] and table in self._writers:
            return
        schema = self._schemas[table]
        batch = pa.RecordBatch.from_pydict(columns, schema=schema)
        writer = self._writers.get(table)
        if writer is None:
            writer = pq.ParquetWriter(
                self._stage / table / "part-00000.parquet", schema, compression="zstd"
            )
            self._writers[table] = writer
        writer.write_batch(batch)
        for values in columns.values():
            values.clear()

    # -- commit ----------------------------------------------------------------------
    def commit(self, manifest_entry: dict[str, Any]) -> None:
        """Make the scan visible: all three tables and the manifest entry, or nothing."""
        self.end_source()
        for table in TABLES:
            self._flush(table)  # also creates an empty file for empty tables
            self._writers.pop(table).close()
        journal = {"scan_id": self.scan_id, "staging": self._stage.name, "entry": manifest_entry}
        _write_atomic(self.out / f"_journal-{self.scan_id}.json", journal)
        _roll_forward(self.out, journal)
        self._committed = True


def recover(out: Path) -> None:
    """Finish commits a crash interrupted and drop scans that never reached their commit."""
    for journal_path in sorted(out.glob("_journal-*.json")):
        try:
            journal = json.loads(journal_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            journal_path.unlink(missing_ok=True)  # torn journal write: commit never happened
            continue
        _roll_forward(out, journal)
    for stage in out.glob(".staging-*"):
        shutil.rmtree(stage, ignore_errors=True)


def _roll_forward(out: Path, journal: dict[str, Any]) -> None:
    scan_id = journal["scan_id"]
    stage = out / journal["staging"]
    for table in TABLES:
        src = stage / table
        dst = out / table / f"scan_id={scan_id}"
        if src.exists() and not dst.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
    manifest = read_manifest(out)
    if not any(s.get("scan_id") == scan_id for s in manifest["scans"]):
        manifest["scans"].append(journal["entry"])
        manifest["tool_version"] = __version__
        _write_atomic(out / "manifest.json", manifest)
    shutil.rmtree(stage, ignore_errors=True)
    (out / f"_journal-{scan_id}.json").unlink(missing_ok=True)


def read_manifest(out: Path) -> dict[str, Any]:
    """The dataset's manifest (an empty one for a new dataset)."""
    path = out / "manifest.json"
    if not path.exists():
        return {"dataset": "catoscan data inventory", "schema_version": SCHEMA_VERSION, "scans": []}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: not a readable catoscan manifest: {exc}") from None


def _write_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2, default=str)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def read_table(out: Path, table: str, scan_id: str | None = None) -> pa.Table:
    """Read a table of the dataset (all committed scans, or one), with its ``scan_id``."""
    committed = [s["scan_id"] for s in read_manifest(out)["scans"]]
    if scan_id is not None:
        committed = [s for s in committed if s == scan_id]
    root = out / table
    schema = _SCHEMAS[table]
    if not committed or not root.exists():
        return schema.empty_table().append_column("scan_id", pa.array([], pa.string()))
    partitioning = ds.partitioning(pa.schema([("scan_id", pa.string())]), flavor="hive")
    dataset = ds.dataset(root, format="parquet", partitioning=partitioning)
    return dataset.to_table(filter=ds.field("scan_id").isin(committed))


def iter_scan_ids(out: Path) -> Iterator[str]:
    """Committed scan ids, oldest first."""
    for scan in read_manifest(out)["scans"]:
        yield scan["scan_id"]
