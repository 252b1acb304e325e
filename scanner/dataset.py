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
staging directory; one that dies after it is rolled forward on the next open. A lock file
keeps two scans from writing one dataset at once.

While it scans, the writer appends a line per finished input file to the stage's
``checkpoint.jsonl``. A scan stopped before its commit (Ctrl-C, an exception, or SIGKILL,
seen on the next open) that finished some input files is kept as
``DIR/.interrupted-<id>/``, for ``scan --resume`` to adopt them; only the newest one is
kept, and a stage without a finished input is removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import signal
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from scanner import SCHEMA_VERSION, __version__
from scanner.errors import ConfigError

TABLES = ("findings", "fields", "errors")


def _arrow_without_pandas() -> None:
    """Keep pyarrow from importing pandas (0.3 to 0.5 s of start-up) on a scan's path.

    The first time pyarrow builds any array it imports pandas, only to check whether its
    input is a pandas object, and ``pyarrow.dataset`` (which ``group_by`` loads) imports
    it again; catoscan's writer never hands pyarrow a pandas object. Letting those probes
    find no pandas makes pyarrow treat inputs as the plain sequences they are. pandas is
    not lost: pyarrow's explicit conversions (``to_pandas``, ``from_pandas``, used by the
    inventory commands) retry the import and then behave as usual.
    """
    if "pandas" in sys.modules:
        return
    sys.meta_path.insert(0, _NoPandas)
    try:
        pa.array([], pa.int8())
        import pyarrow.acero  # noqa: F401 - group_by's engine, imported here without pandas
    finally:
        sys.meta_path.remove(_NoPandas)


class _NoPandas:
    """A meta path finder for which pandas does not exist."""

    @staticmethod
    def find_spec(name: str, path: Any = None, target: Any = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


_arrow_without_pandas()
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
# The schema a carried-forward table is read with (findings: as this scan writes them).
_SCHEMAS_FOR = {
    "findings": lambda w: w.findings_schema.remove_metadata(),
    "fields": lambda w: FIELDS_SCHEMA,
    "errors": lambda w: ERRORS_SCHEMA,
}


#: A staged scan's record of its finished input files: a header, then one line per input.
CHECKPOINT = "checkpoint.jsonl"
#: An input file with more ``fields`` and ``errors`` rows than this gets no checkpoint (it is
#: scanned again on ``--resume``): the rows of one input are held in memory until it is done.
CHECKPOINT_MAX_ROWS = 100_000
#: What identifies an input file (and its type); a checkpoint is reused only for an equal one.
_IDENTITY = {"path": str, "size": int, "mtime_ns": int, "sha256": str}
#: An input file's counts, in the manifest's ``inputs`` and in its checkpoint.
_COUNTS = ("records", "sources", "failed_sources")
#: The checkpoint file is synced to disk at most this often.
_SYNC_SECONDS = 1.0
#: FindingValues a sink keeps in Arrow form before it starts its store afresh.
_STORE_MAX = 200_000
_PART_NAME = re.compile(r"part-\d{6}\.parquet")
_FIELDS_TIMES = [f.name for f in FIELDS_SCHEMA if pa.types.is_timestamp(f.type)]


def input_identity(entry: dict[str, Any]) -> tuple:
    """What identifies an input file (a manifest ``inputs`` entry or a checkpointed one)."""
    return tuple(entry.get(k) for k in _IDENTITY)


class FindingValue(NamedTuple):
    """The columns of a finding that depend only on (rule, value): built once, reused."""

    start: int
    end: int
    entity_type: str
    ccpa_categories: tuple[str, ...]
    policy_element: str
    policy_declared: bool
    score: float
    detector: str
    value_hash: str
    value_masked: str
    ip_class: str | None
    value: str | None


#: What a finding shares with the other findings of its record.
#: (source_path, source_format, line, record_index, event_time); the time may be an int,
#: microseconds since the epoch (the columnar path's epoch-millisecond columns).
RecordKey = tuple[str, str, int | None, int, datetime | int | None]
_RECORD_COLUMNS = ("source_path", "source_format", "line", "record_index", "event_time")
#: Findings columns whose Parquet pages carry min/max statistics: those a reader filters
#: on by range (where, when). A keyed hash's or a mask's min and max prune nothing, and
#: computing them for every column cost about a fifth of the Parquet writing.
_STATISTICS = list(_RECORD_COLUMNS)
_VALUE_COLUMNS = (
    "start",
    "end",
    "entity_type",
    "ccpa_categories",
    "policy_element",
    "policy_declared",
    "score",
    "detector",
    "value_hash",
    "value_masked",
    "ip_class",
)
#: One finding: (RecordKey, field, FindingValue); the first and last are shared objects.
FindingRow = tuple[RecordKey, str | None, FindingValue]


@dataclass
class FieldStats:
    """Statistics of one source x field x entity x element: a ``fields`` row in the making."""

    categories: tuple[str, ...]
    declared: bool
    findings: int = 0
    records: int = 0
    hashes: set[str] = field(default_factory=set)
    first: datetime | None = None
    last: datetime | None = None
    detectors: set[str] = field(default_factory=set)

    def see(self, t: datetime | None) -> None:
        """Widen the event-time range to include ``t``."""
        if t is not None:
            self.first = t if self.first is None or t < self.first else self.first
            self.last = t if self.last is None or t > self.last else self.last

    def merge(self, other: FieldStats) -> None:
        """Add the statistics of another chunk of the same source."""
        self.findings += other.findings
        self.records += other.records
        self.hashes |= other.hashes
        self.detectors |= other.detectors
        self.see(other.first)
        self.see(other.last)


class ValueStore:
    """FindingValues in Arrow form, kept across the parts one process writes.

    The scanner reuses one FindingValue per (rule, value), so most of a block's values
    were converted for an earlier block, or an earlier task: a store per part converted
    every value again in each 8 MB range (about a sixth of a warm range's time). Holds at
    most ``_STORE_MAX`` values, then starts afresh (memory stays bounded).
    """

    def __init__(self, include_values: bool):
        self.include_values = include_values
        self._types = {f.name: f.type for f in FINDINGS_SCHEMA.append(VALUE_FIELD)}
        self._names = _VALUE_COLUMNS + (("value",) if include_values else ())
        self._pos: dict[int, int] = {}  # id(FindingValue) -> row of _table
        self._keep: list[FindingValue] = []  # keeps those ids from being reused
        self._table: pa.Table | None = None
        #: (entity, element) -> (categories, declared) of every value ever stored
        self.tags: dict[tuple[str, str], tuple[tuple[str, ...], bool]] = {}
        #: integer codes of each stored value's (entity, element) and detector, for
        #: folding statistics on integers (:func:`_fold_indexed`); codes are never reused
        self.tag_codes: dict[tuple[str, str], int] = {}
        self.detector_codes: dict[str | None, int] = {}
        self.tag_of = np.empty(0, np.int64)
        self.detector_of = np.empty(0, np.int64)
        self.hash_of: list[str | None] = []

    def rows(self, vals: list[FindingValue]) -> tuple[pa.Table, np.ndarray]:
        """The value columns as a table, and the row of each of ``vals`` in it."""
        pos, keep = self._pos, self._keep
        if len(keep) + len(vals) > _STORE_MAX:
            pos.clear()
            keep.clear()
            self._table = None
            self.tag_of = self.detector_of = np.empty(0, np.int64)
            self.hash_of = []
        new: list[FindingValue] = []
        found = list(map(pos.get, map(id, vals)))
        if None in found:
            for i, k in enumerate(found):
                if k is None:
                    x = vals[i]
                    k = pos.get(id(x))  # the same value may come twice
                    if k is None:
                        k = pos[id(x)] = len(keep)
                        keep.append(x)
                        new.append(x)
                    found[i] = k
        rows = np.array(found, np.int64)
        if new or self._table is None:
            types, names = self._types, self._names
            columns = list(zip(*new, strict=True)) if new else [()] * len(FindingValue._fields)
            table = pa.table(
                [pa.array(col, types[n]) for col, n in zip(columns, names, strict=False)],
                names=list(names),
            )
            self._table = (
                table if self._table is None else pa.concat_tables([self._table, table])
            )
            if self._table.column(0).num_chunks > 16:
                self._table = self._table.combine_chunks()
            self.tags.update(
                {
                    (x.entity_type, x.policy_element): (x.ccpa_categories, x.policy_declared)
                    for x in new
                }
            )
            tag_codes, detector_codes = self.tag_codes, self.detector_codes
            tag = [
                tag_codes.setdefault((x.entity_type, x.policy_element), len(tag_codes))
                for x in new
            ]
            det = [detector_codes.setdefault(x.detector, len(detector_codes)) for x in new]
            self.tag_of = np.concatenate([self.tag_of, np.array(tag, np.int64)])
            self.detector_of = np.concatenate([self.detector_of, np.array(det, np.int64)])
            self.hash_of.extend(x.value_hash for x in new)
        return self._table, rows


class FindingsSink:
    """Buffers findings and writes them to one Parquet part file in row groups.

    Used wherever findings are produced (the main process or a worker); the writer then
    adopts the part with :meth:`DatasetWriter.add_part`. Keeps per-source statistics for
    the ``fields`` table, folded from each batch with Arrow's group_by.
    """

    def __init__(
        self,
        path: Path,
        schema: pa.Schema,
        *,
        key_id: str,
        include_values: bool,
        batch_rows: int,
        values: ValueStore | None = None,
    ):
        self.path = path
        self.schema = schema
        self.include_values = include_values
        self.batch_rows = batch_rows
        self.rows = 0
        self._key_id = key_id
        self._buf: list[FindingRow] = []
        self._tables: list[_Findings] = []  # built, not yet written
        self._held = 0  # rows in _tables
        self._stats: dict[tuple[str, str, str | None, str, str], FieldStats] = {}
        self._writer: pq.ParquetWriter | None = None
        #: FindingValues already in Arrow form (the process's store, or this part's own)
        if values is not None and values.include_values != include_values:
            raise ValueError("a ValueStore of another --include-values setting")
        self.values = values if values is not None else ValueStore(include_values)

    def add_findings(self, rows: list[FindingRow]) -> None:
        """Buffer findings, each a :data:`FindingRow`.

        All rows of one record must come in one call: statistics count records per batch.
        """
        self._buf.extend(rows)
        self.rows += len(rows)
        if len(self._buf) + self._held >= self.batch_rows:
            self._flush()

    def add_indexed(
        self,
        recs: list[RecordKey],
        vals: list[FindingValue],
        fields: pa.Array,
        rec_index: Any,
        val_index: Any,
        field_index: Any,
    ) -> None:
        """Buffer findings given column-wise: row ``i`` is ``recs[rec_index[i]]``, etc.

        The index arguments are int32-convertible arrays of equal length (NumPy or Arrow);
        ``fields`` is a string array of field names. As with :meth:`add_findings`, all
        rows of a record must come in one call.
        """
        self._hold()
        table = self._table(
            recs, vals, rec_index, val_index, pa.array(field_index, pa.int32()), fields
        )
        self._fold(_fold_indexed(table, self.values, fields, rec_index, field_index))
        self._tables.append(table)
        self._held += table.table.num_rows
        self.rows += table.table.num_rows
        if self._held >= self.batch_rows:
            self._flush()

    def close(self) -> tuple[Path | None, dict[tuple, FieldStats]]:
        """Write what is buffered and finish the part.

        Returns:
            The part file (None when nothing was found) and the ``fields`` statistics of
            everything written, keyed by (source, format, field, entity, element).
        """
        self._flush()
        part = None
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            part = self.path
        stats, self._stats = self._stats, {}
        return part, stats

    def abort(self) -> None:
        """Drop the part file (the task failed)."""
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
            self._writer = None
        self.path.unlink(missing_ok=True)

    def _hold(self) -> None:
        """Turn the buffered rows into a table waiting for the next write.

        A record's (path, format, line, index, time) tuple and a value's FindingValue are
        shared by many rows, so the columns are built once per distinct object and
        expanded with ``take``: the per-row Python work is two dictionary look-ups.
        """
        rows, self._buf = self._buf, []
        if not rows:
            return
        rec_pos: dict[int, int] = {}
        val_pos: dict[int, int] = {}
        recs: list[RecordKey] = []
        vals: list[FindingValue] = []
        rec_index: list[int] = []
        val_index: list[int] = []
        fields: list[str | None] = []
        for rec, fld, val in rows:
            i = rec_pos.get(id(rec))
            if i is None:
                i = rec_pos[id(rec)] = len(recs)
                recs.append(rec)
            j = val_pos.get(id(val))
            if j is None:
                j = val_pos[id(val)] = len(vals)
                vals.append(val)
            rec_index.append(i)
            val_index.append(j)
            fields.append(fld)
        table = self._table(recs, vals, rec_index, val_index, None, pa.array(fields, pa.string()))
        small = table.table.num_rows <= _SMALL_BATCH
        self._fold(_fold_small(table.table) if small else _fold_arrow(table.table))
        self._tables.append(table)
        self._held += table.table.num_rows

    def _table(
        self,
        recs: list[RecordKey],
        vals: list[FindingValue],
        rec_index: Any,
        val_index: Any,
        field_index: pa.Array | None,
        fields: pa.Array,
    ) -> _Findings:
        """One findings table from distinct records and values and the rows' indexes."""
        r = list(zip(*recs, strict=True))
        types = {f.name: f.type for f in self.schema}
        distinct = pa.table(
            [pa.array(col, types[name]) for col, name in zip(r, _RECORD_COLUMNS, strict=True)],
            names=list(_RECORD_COLUMNS),
        )
        rec_table = distinct.take(pa.array(rec_index, pa.int32()))
        store, rows = self.values.rows(vals)
        rows = rows[np.asarray(val_index, np.int64)]  # each finding's row of the store
        val_table = store.take(pa.array(rows))
        columns = {name: rec_table.column(name) for name in _RECORD_COLUMNS}
        columns.update({name: val_table.column(name) for name in val_table.column_names})
        columns["field"] = fields if field_index is None else fields.take(field_index)
        columns["key_id"] = pa.repeat(pa.scalar(self._key_id, pa.string()), rec_table.num_rows)
        table = pa.Table.from_arrays(
            [columns[name] for name in self.schema.names], schema=self.schema
        )
        return _Findings(table, distinct, rows)

    def _flush(self) -> None:
        """Write what is buffered as one batch and fold it into the statistics."""
        self._hold()
        found, self._tables, self._held = self._tables, [], 0
        if not found:
            return
        tables = [f.table for f in found]
        batch = tables[0] if len(tables) == 1 else pa.concat_tables(tables)
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = _findings_writer(self.path, self.schema)
        self._writer.write_table(batch)

    def _fold(self, groups: _Folded) -> None:
        """Fold a table's statistics into the per-field statistics.

        Rows given by indexes (the fast path) are folded on integer codes with NumPy
        (:func:`_fold_indexed`); rows given one by one, with Arrow's group_by, or in Python
        for a few findings (one small input file), since an Acero plan costs over a
        millisecond to set up whatever its size. All count as Arrow does: nulls are not
        counted, not distinct values, and not in the time range (tests compare them).
        """
        for key, (count, records, hashes, detectors, first, last) in groups:
            stats = self._stats.get(key)
            if stats is None:
                categories, declared = self.values.tags[(key[3], key[4])]
                stats = self._stats[key] = FieldStats(tuple(categories), declared)
            stats.findings += count
            stats.records += records
            stats.hashes.update(hashes)
            stats.detectors.update(detectors)
            stats.see(first)
            stats.see(last)


class _Findings(NamedTuple):
    """A built findings table, and its distinct records' columns (what it took them from)."""

    table: pa.Table
    recs: pa.Table
    #: each row's value: its row in the ValueStore's table
    values: np.ndarray


def _fold_indexed(
    found: _Findings,
    store: ValueStore,
    fields: pa.Array,
    rec_index: Any,
    field_index: Any,
) -> _Folded:
    """The statistics of rows given by indexes, counted as :func:`_fold_arrow` counts them.

    Arrow's group_by hashed five string keys and every value hash per row (a tenth of a
    warm range's time); here a row's group is an integer made of its source's, field's and
    (entity, element)'s codes, and distinct records, values and detectors are distinct
    integer pairs, so only each distinct (group, value) pair touches a Python object.

    ``found.recs`` holds the distinct records' columns (``_RECORD_COLUMNS``) that
    ``rec_index`` points into, ``fields`` the names ``field_index`` points into, and
    ``found.values`` each row's value as a row of ``store``.
    """
    rec_index = np.asarray(rec_index, np.int64)
    field_index = np.asarray(field_index, np.int64)
    if not rec_index.size:
        return []
    recs, value = found.recs, found.values
    # A record's source: its path's and format's dictionary codes, made in Arrow.
    paths = recs.column("source_path").combine_chunks().dictionary_encode()
    formats = recs.column("source_format").combine_chunks().dictionary_encode()
    n_formats = len(formats.dictionary)
    rec_source = (
        paths.indices.to_numpy(zero_copy_only=False).astype(np.int64) * n_formats
        + formats.indices.to_numpy(zero_copy_only=False)
    )
    path_names, format_names = paths.dictionary.to_pylist(), formats.dictionary.to_pylist()
    names: dict[str | None, int] = {}
    field_code = np.fromiter(
        (names.setdefault(n, len(names)) for n in fields.to_pylist()), np.int64, len(fields)
    )
    tags = len(store.tag_codes)
    width = len(names) * tags
    key = rec_source[rec_index] * width + field_code[field_index] * tags + store.tag_of[value]
    keys = _distinct(key)
    group = np.searchsorted(keys, key)
    size = len(keys)

    def per_group(codes: np.ndarray, names: list[Any]) -> list[set[Any]]:
        """Each group's set of the distinct ``names[code]`` of its rows (None left out)."""
        span = len(names)
        pairs = _distinct(group * span + codes)
        bounds = np.searchsorted(pairs // span, np.arange(size + 1)).tolist()
        found = list(map(names.__getitem__, (pairs % span).tolist()))
        sets = [set(found[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
        for each in sets:
            each.discard(None)
        return sets

    index_column = recs.column("record_index")
    record = index_column.fill_null(0).to_numpy()[rec_index]
    has_record = np.asarray(index_column.is_valid())[rec_index]
    findings = np.bincount(group[has_record], minlength=size)
    span = int(record.max()) + 1 if has_record.any() else 1
    records = np.bincount(
        _distinct(group[has_record] * span + record[has_record]) // span, minlength=size
    )
    hashes = per_group(value, store.hash_of)
    found_by = per_group(store.detector_of[value], list(store.detector_codes))
    times = recs.column("event_time")
    when = times.cast(pa.int64()).fill_null(0).to_numpy()[rec_index]
    has_time = np.asarray(times.is_valid())[rec_index]
    first = np.full(size, np.iinfo(np.int64).max)
    last = np.full(size, np.iinfo(np.int64).min)
    np.minimum.at(first, group[has_time], when[has_time])
    np.maximum.at(last, group[has_time], when[has_time])
    timed = (np.bincount(group[has_time], minlength=size) > 0).tolist()
    firsts = _datetimes([t if ok else None for t, ok in zip(first.tolist(), timed, strict=True)])
    lasts = _datetimes([t if ok else None for t, ok in zip(last.tolist(), timed, strict=True)])
    tag_keys, name_keys = list(store.tag_codes), list(names)
    out: _Folded = []
    for g, k in enumerate(keys.tolist()):
        source, rest = divmod(k, width)
        name, tag = divmod(rest, tags)
        path, fmt = path_names[source // n_formats], format_names[source % n_formats]
        entity, element = tag_keys[tag]
        stats = (int(findings[g]), int(records[g]), hashes[g], found_by[g], firsts[g], lasts[g])
        out.append(((path, fmt, name_keys[name], entity, element), stats))
    return out


def _distinct(a: np.ndarray) -> np.ndarray:
    """The sorted distinct values of an integer array (np.unique: several times slower)."""
    if not a.size:
        return a
    s = np.sort(a)
    return s[np.concatenate(([True], s[1:] != s[:-1]))]


#: Batches of at most this many findings are folded into ``fields`` statistics in Python.
_SMALL_BATCH = 512
_STATS_KEYS = ["source_path", "source_format", "field", "entity_type", "policy_element"]

#: One group's statistics: (key, (findings, records, hashes, detectors, first, last)).
_Folded = list[tuple[tuple, tuple[int, int, Any, Any, Any, Any]]]


def _findings_writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    """A Parquet writer of findings: zstd, statistics on :data:`_STATISTICS` only."""
    names = [name for name in _STATISTICS if name in schema.names]
    return pq.ParquetWriter(path, schema, compression="zstd", write_statistics=names)


def fields_rows(stats: dict[tuple, FieldStats], order: list[str]) -> list[dict[str, Any]]:
    """``fields`` rows in a fixed order: by source as read, then field, entity, element.

    ``order`` lists the sources' paths as read. The order the statistics were folded in
    depends on how findings fell into batches (a batch may span several small files),
    which must not change the dataset. A task of whole files makes its rows in the worker,
    so that the main process only appends them.
    """
    rank = {path: i for i, path in enumerate(order)}

    def key(item: tuple[tuple, FieldStats]) -> tuple:
        path, _fmt, fld, entity, element = item[0]
        return (rank.get(path, len(rank)), path, fld is not None, fld or "", entity, element)

    return [
        {
            "source_path": path,
            "source_format": fmt,
            "field": fld,
            "entity_type": entity,
            "ccpa_categories": list(s.categories),
            "policy_element": element,
            "policy_declared": s.declared,
            "findings": s.findings,
            "records": s.records,
            "distinct_values": len(s.hashes),
            "first_event_time": s.first,
            "last_event_time": s.last,
            "detectors": sorted(s.detectors),
        }
        for (path, fmt, fld, entity, element), s in sorted(stats.items(), key=key)
    ]


def _fold_arrow(batch: pa.Table) -> _Folded:
    grouped = batch.group_by(_STATS_KEYS, use_threads=False).aggregate(
        [
            ("record_index", "count"),
            ("record_index", "count_distinct"),
            ("value_hash", "distinct"),
            ("detector", "distinct"),
            ("event_time", "min"),
            ("event_time", "max"),
        ]
    )

    def column(name: str) -> list[Any]:
        return grouped.column(name).to_pylist()

    # Column by column: a dict per group (Table.to_pylist) costs several times more.
    keys = zip(*(column(k) for k in _STATS_KEYS), strict=True)
    values = zip(
        column("record_index_count"),
        column("record_index_count_distinct"),
        column("value_hash_distinct"),
        column("detector_distinct"),
        _datetimes(_micros(grouped.column("event_time_min"))),
        _datetimes(_micros(grouped.column("event_time_max"))),
        strict=True,
    )
    return list(zip(keys, values, strict=True))


def _fold_small(batch: pa.Table) -> _Folded:
    keys = zip(*(batch.column(k).to_pylist() for k in _STATS_KEYS), strict=True)
    rows = zip(
        keys,
        batch.column("record_index").to_pylist(),
        batch.column("value_hash").to_pylist(),
        batch.column("detector").to_pylist(),
        _micros(batch.column("event_time")),
        strict=True,
    )
    groups: dict[tuple, tuple[list[int], set, set, set, list]] = {}
    for key, record, value_hash, detector, when in rows:
        g = groups.get(key)
        if g is None:
            g = groups[key] = ([0], set(), set(), set(), [])
        if record is not None:
            g[0][0] += 1
            g[1].add(record)
        if value_hash is not None:
            g[2].add(value_hash)
        if detector is not None:
            g[3].add(detector)
        if when is not None:
            g[4].append(when)
    values = list(groups.values())
    firsts = _datetimes([min(g[4], default=None) for g in values])
    lasts = _datetimes([max(g[4], default=None) for g in values])
    return [
        (key, (n[0], len(records), hashes, detectors, first, last))
        for key, (n, records, hashes, detectors, _), first, last in zip(
            groups, values, firsts, lasts, strict=True
        )
    ]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(times: pa.Array | pa.ChunkedArray) -> list[int | None]:
    """UTC timestamps as microseconds: pyarrow makes a zoneinfo datetime in about 9 us."""
    return times.cast(pa.int64()).to_pylist()


def _datetimes(micros: list[int | None]) -> list[datetime | None]:
    """Microseconds as UTC datetimes, each distinct value converted once."""
    seen: dict[int | None, datetime | None] = {None: None}
    out = []
    for m in micros:
        t = seen.get(m, _EPOCH)
        if t is _EPOCH:
            t = seen[m] = _EPOCH + timedelta(microseconds=m)  # type: ignore[arg-type]
        out.append(t)
    return out


class DatasetWriter:
    """Writes one scan into a dataset directory, all or nothing.

    Use as a context manager; call :meth:`commit` at the end. Leaving the block without
    a commit (an exception, Ctrl-C) commits nothing: the stage is kept for ``--resume`` as
    ``.interrupted-<id>`` when it has checkpointed input files (:meth:`checkpoint`), and
    removed otherwise.
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
        self._key_id = metadata.get("key_id")
        self._parts = 0
        self._part_rows: list[tuple[Path, int]] = []  # findings parts in order, with rows
        #: findings per (categories, element, entity, declared), for the closing summary
        self.by_tag: Counter[tuple[tuple[str, ...], str, str, bool]] = Counter()
        self._lock_fh: Any = None
        self.counts = {"findings": 0, "fields": 0, "errors": 0}
        self._committed = False
        self._journaled = False
        #: the checkpoint file, from start_checkpoints() on
        self._checkpoints: BinaryIO | None = None
        #: fields and errors rows, and (name, rows) of findings parts, of the current input
        self._since: dict[str, list[Any]] = {}
        self._overflow = False  # the current input has more than CHECKPOINT_MAX_ROWS rows
        self._next_input()
        self._synced = 0.0  # when the checkpoint file was last synced to disk
        #: finished input files kept for --resume when the scan ended without a commit
        self.kept = 0

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
        (self._stage / "parts").mkdir()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            # Past the journal (the commit point) the staged data belongs to the commit:
            # a crash there is rolled forward by recover(), so it must not be removed.
            if not self._committed and not self._journaled:
                for writer in self._writers.values():
                    with contextlib.suppress(Exception):
                        writer.close()
                if self._checkpoints is not None:
                    self._checkpoints.close()
                self.kept = _keep_interrupted(self._stage)
        finally:
            if self._lock_fh is not None:
                self._lock_fh.close()

    @property
    def findings_schema(self) -> pa.Schema:
        """The findings schema of this scan (with ``value`` under --include-values)."""
        return self._schemas["findings"]

    @property
    def stage(self) -> Path:
        """The staging directory of this scan (hidden from dataset readers)."""
        return self._stage

    # -- rows ------------------------------------------------------------------------
    def sink(self, name: str, values: ValueStore | None = None) -> FindingsSink:
        """A findings sink writing a part file into this scan's staging area.

        ``values``: the scanning process's store of converted FindingValues, if it has one.
        """
        return FindingsSink(
            self._stage / "parts" / f"{name}.parquet",
            self.findings_schema,
            key_id=self._key_id,
            include_values=self.include_values,
            batch_rows=self.batch_rows,
            values=values,
        )

    def add_part(self, part: Path, record_offset: int, rows: int | None = None) -> None:
        """Adopt a sink's part file as the next findings file (in call order).

        ``record_offset`` is added to ``record_index`` (chunks of one file are read by
        different workers, each counting from 0). ``rows`` is the part's row count when
        the sink that wrote it said so; otherwise it is read from the file's metadata
        (which costs about a millisecond per part: it adds up over many small files).
        """
        self._parts += 1
        target = self._stage / "findings" / f"part-{self._parts:06d}.parquet"
        if record_offset == 0:
            os.replace(part, target)
        else:
            # ParquetFile.read, not read_table: a third of the CPU (no dataset machinery),
            # and this runs once per range of every large file, in the main process.
            table = _read_part(part, self._schemas["findings"])
            index = table.schema.get_field_index("record_index")
            shifted = pc.add(table.column(index), pa.scalar(record_offset, pa.int64()))
            table = table.set_column(index, "record_index", shifted)
            with _findings_writer(target, table.schema) as out:
                out.write_table(table)
            part.unlink()
        if rows is None:
            rows = pq.ParquetFile(target).metadata.num_rows
        self.counts["findings"] += rows
        self._part_rows.append((target, rows))
        if self._checkpoints is not None:
            self._since["parts"].append((target.name, rows))

    def add_fields(self, stats: dict[tuple, FieldStats], order: list[str] | None = None) -> None:
        """Write the ``fields`` rows of finished sources (all their chunks merged).

        ``order``: the sources' paths as read (see :func:`fields_rows`).
        """
        self.add_fields_rows(fields_rows(stats, order or []))

    def add_fields_rows(self, rows: list[dict[str, Any]]) -> None:
        """Write ``fields`` rows made by :func:`fields_rows` (or read back from a scan)."""
        by_tag = self.by_tag
        for row in rows:
            key = (tuple(row["ccpa_categories"]), row["policy_element"], row["entity_type"])
            by_tag[(*key, row["policy_declared"])] += row["findings"]
        self._extend("fields", rows)

    def carry_forward(self, scan_id: str, tops: set[str]) -> dict[str, int]:
        """Copy the rows of input files ``tops`` from a committed scan into this one.

        Used by ``--incremental`` for files unchanged since that scan: findings (one part,
        read and written batch by batch), ``fields`` and ``errors`` rows, whose source path
        is a top-level file of ``tops`` or a member of one (``a.zip!member``).

        Returns:
            Rows carried per table.
        """
        wanted = pa.array(sorted(tops), pa.string())
        carried = {table: 0 for table in TABLES}
        for table in TABLES:
            root = self.out / table / f"scan_id={scan_id}"
            if not root.exists():
                continue
            import pyarrow.dataset as ds

            dataset = ds.dataset(root, format="parquet", schema=_SCHEMAS_FOR[table](self))
            part_writer = None
            part = self._stage / "parts" / f"carry-{table}.parquet"
            for batch in dataset.to_batches():
                paths = batch.column("source_path")
                top = pc.list_element(pc.split_pattern(paths, "!", max_splits=1), 0)
                keep = pc.or_(pc.is_in(paths, wanted), pc.is_in(top, wanted))
                rows = batch.filter(keep)
                if rows.num_rows == 0:
                    continue
                carried[table] += rows.num_rows
                if table == "findings":
                    if part_writer is None:
                        schema = self.findings_schema
                        part_writer = _findings_writer(part, schema)
                    part_writer.write_table(pa.Table.from_batches([rows]).cast(schema))
                elif table == "fields":
                    self.add_fields_rows(rows.to_pylist())
                else:
                    for row in rows.to_pylist():
                        self._append("errors", row)
            if part_writer is not None:
                part_writer.close()
                self.add_part(part, 0)
        return carried

    def resume_input(self, interrupted: Interrupted, line: dict[str, Any]) -> bool:
        """Adopt a finished input file of an interrupted scan, as if this scan had read it.

        ``line`` is its checkpoint (:meth:`Interrupted.take`). Its findings parts are
        rewritten batch by batch with this scan's schema (and metadata), and its ``fields``
        and ``errors`` rows are added. Nothing is adopted when a part is missing, unreadable
        or holds another number of rows than its checkpoint says.

        Returns:
            Whether the input was adopted (if not, it must be scanned).
        """
        schema = self.findings_schema
        staged: list[Path] = []
        try:
            for name, rows in line["parts"]:
                with pq.ParquetFile(interrupted.path / "findings" / name) as source:
                    if source.metadata.num_rows != rows:
                        raise ValueError(f"{name}: not the {rows} rows checkpointed")
                    staged.append(self._stage / "parts" / f"resumed-{len(staged):06d}.parquet")
                    with _findings_writer(staged[-1], schema) as part:
                        for batch in source.iter_batches(batch_size=self.batch_rows):
                            part.write_table(pa.Table.from_batches([batch]).cast(schema))
        except (OSError, ValueError, pa.ArrowException):
            for part_path in staged:
                part_path.unlink(missing_ok=True)
            return False
        for part_path in staged:
            self.add_part(part_path, 0)
        self.add_fields_rows(line["fields"])
        for row in line["errors"]:
            self._append("errors", row)
        return True

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
        self._extend(table, [row])

    def _extend(self, table: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        columns = self._rows[table]
        try:  # every row has every column (the usual): transpose in C
            transposed = zip(*map(itemgetter(*columns), rows), strict=True)
            for values, column in zip(columns.values(), transposed, strict=True):
                values.extend(column)
        except KeyError:
            for name, values in columns.items():
                values.extend([row.get(name) for row in rows])
        self.counts[table] += len(rows)
        if self._checkpoints is not None and not self._overflow:
            self._since[table].extend(rows)
            if len(self._since["fields"]) + len(self._since["errors"]) > CHECKPOINT_MAX_ROWS:
                self._overflow = True
                self._since["fields"], self._since["errors"] = [], []
        if len(columns["source_path"]) >= self.batch_rows:
            self._flush(table)

    def _flush(self, table: str) -> None:
        columns = self._rows[table]
        if not columns["source_path"] and table in self._writers:
            return
        batch = pa.RecordBatch.from_pydict(columns, schema=self._schemas[table])
        self._write(table, batch)
        for values in columns.values():
            values.clear()

    def _write(self, table: str, batch: pa.RecordBatch) -> None:
        schema = self._schemas[table]
        writer = self._writers.get(table)
        if writer is None:
            writer = pq.ParquetWriter(
                self._stage / table / "part-00000.parquet", schema, compression="zstd"
            )
            self._writers[table] = writer
        writer.write_batch(batch)

    # -- checkpoints -----------------------------------------------------------------
    def start_checkpoints(self, header: dict[str, Any]) -> None:
        """Begin recording finished input files, for ``--resume`` should the scan not finish.

        Args:
            header: the settings the rows depend on (the first line); an interrupted scan's
                checkpoints are reused only by a scan with the same header. Rows and parts
                added before this call (carried-forward files, walk problems) belong to no
                checkpoint.
        """
        self._checkpoints = open(self._stage / CHECKPOINT, "wb")  # noqa: SIM115 - until exit
        self._write_checkpoint({"header": header})
        self._next_input()

    def checkpoint(self, entries: list[dict[str, Any]], *, resumable: bool = True) -> None:
        """Record finished input files, read together: one line in the stage's checkpoint.

        The line holds the inputs' identities and counts (``entries``: path, size,
        mtime_ns, sha256, records, sources, failed_sources, as in the manifest's
        ``inputs``), and what they added since the previous checkpoint: their findings
        parts (names and row counts), ``fields`` and ``errors`` rows. That is everything
        ``--resume`` needs to adopt them without reading them again; ``fields`` and
        ``errors`` hold no values. Several inputs share a line when they share a part (a
        batch of small files); they are adopted together or not at all. Inputs of which
        one could not be hashed, or with more than CHECKPOINT_MAX_ROWS rows, or whose
        findings are not in parts of their own (``resumable`` False: Spark's findings
        files mix inputs), get no line: they are scanned again.
        """
        if (
            resumable
            and entries
            and all(entry.get("sha256") is not None for entry in entries)
            and not self._overflow
        ):
            finished = [{k: entry[k] for k in (*_IDENTITY, *_COUNTS)} for entry in entries]
            self._write_checkpoint({"inputs": finished, **self._since})
        self._next_input()

    def _next_input(self) -> None:
        self._since = {"fields": [], "errors": [], "parts": []}
        self._overflow = False

    def _write_checkpoint(self, line: dict[str, Any]) -> None:
        """Append a line; it survives a killed process at once, a power cut within a second.

        An fsync per line would cost a flush of every part written since (ext4 ordered
        mode): 15 ms per file, half an hour on 100,000 small files.
        """
        fh = self._checkpoints
        if fh is None:
            raise RuntimeError("start_checkpoints() was not called")
        fh.write(orjson.dumps(line) + b"\n")
        fh.flush()
        if time.monotonic() - self._synced >= _SYNC_SECONDS:
            os.fsync(fh.fileno())
            self._synced = time.monotonic()

    def _compact(self) -> None:
        """Merge runs of small findings parts into parts of up to ``batch_rows`` rows.

        Every input file gives at least one part; 100,000 small files would otherwise make
        100,000 Parquet files of a few rows each (8 KB apiece on disk, and slow to read).
        Consecutive parts are merged, so the row order is kept; the merged part takes the
        name of the first of its run. Runs only at commit: until then a part belongs to
        one input file's checkpoint, for ``--resume``.
        """
        schema = self._schemas["findings"]
        run: list[Path] = []
        total = 0  # rows in the run
        for part, rows in [*self._part_rows, (None, 0)]:
            if part is not None and total + rows <= self.batch_rows:
                run.append(part)
                total += rows
                continue
            if len(run) > 1:
                merged = run[0].with_suffix(".merging")
                tables = [_read_part(p, schema) for p in run]
                with _findings_writer(merged, schema) as out:
                    out.write_table(pa.concat_tables(tables))
                for p in run:
                    p.unlink()
                os.replace(merged, run[0])
            run, total = ([part], rows) if part is not None else ([], 0)
        self._part_rows = []

    # -- commit ----------------------------------------------------------------------
    def commit(self, manifest_entry: dict[str, Any]) -> None:
        """Make the scan visible: all three tables and the manifest entry, or nothing."""
        if self._checkpoints is not None:
            self._checkpoints.close()
        for table in ("fields", "errors"):
            self._flush(table)
            if table not in self._writers:  # an empty table still gets its (empty) file
                self._write(table, pa.RecordBatch.from_pylist([], schema=self._schemas[table]))
            self._writers.pop(table).close()
        if self._parts == 0:
            empty = self._schemas["findings"]
            pq.write_table(empty.empty_table(), self._stage / "findings" / "part-000000.parquet")
        self._compact()
        shutil.rmtree(self._stage / "parts", ignore_errors=True)
        journal = {"scan_id": self.scan_id, "staging": self._stage.name, "entry": manifest_entry}
        # Ctrl-C waits until the commit is done: the journal and the renames take
        # milliseconds, and an interrupt in between would be rolled forward anyway.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            _write_atomic(self.out / f"_journal-{self.scan_id}.json", journal)
            self._journaled = True
            _roll_forward(self.out, journal)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        self._committed = True


def _read_part(path: Path, schema: pa.Schema) -> pa.Table:
    """A findings part as ``schema`` (Spark's and resumed parts carry other metadata)."""
    table = pq.ParquetFile(path).read(use_threads=False)
    return table if table.schema.equals(schema, check_metadata=False) else table.cast(schema)


def recover(out: Path) -> None:
    """Finish commits a crash interrupted and drop scans that never reached their commit."""
    for journal_path in sorted(out.glob("_journal-*.json")):
        try:
            journal = json.loads(journal_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            journal_path.unlink(missing_ok=True)  # torn journal write: commit never happened
            continue
        _roll_forward(out, journal)
    for stage in sorted(out.glob(".staging-*")):  # scan ids sort by time
        _keep_interrupted(stage)
    for tmp in out.glob(".*.tmp"):  # a journal or manifest write killed before its rename
        tmp.unlink(missing_ok=True)


@dataclass
class Interrupted:
    """A scan stopped before its commit, kept as ``DIR/.interrupted-<id>/`` for ``--resume``."""

    scan_id: str
    path: Path
    #: the settings it was made with (:meth:`DatasetWriter.start_checkpoints`)
    header: dict[str, Any]
    #: identity (path, size, mtime_ns, sha256) -> offsets of its finished inputs' lines
    finished: dict[tuple, list[int]]
    files: int  # finished input files

    def take(self, entry: dict[str, Any]) -> dict[str, Any] | None:
        """The checkpoint line of the finished input equal to ``entry``, once per input.

        Equal: the same path, size, mtime_ns and sha256 (``entry`` is a manifest ``inputs``
        entry). The line may name other inputs too (``inputs``: a batch of small files).
        The times of its ``fields`` rows are datetimes again.
        """
        offsets = self.finished.get(input_identity(entry))
        if not offsets:
            return None
        with open(self.path / CHECKPOINT, "rb") as fh:
            fh.seek(offsets.pop(0))
            line = orjson.loads(fh.readline())
        for row in line["fields"]:
            for name in _FIELDS_TIMES:
                if row[name] is not None:
                    row[name] = datetime.fromisoformat(row[name])
        return line

    def discard(self) -> None:
        """Remove it from the dataset directory."""
        shutil.rmtree(self.path, ignore_errors=True)


def read_interrupted(out: Path) -> Interrupted | None:
    """The interrupted scan kept in dataset ``out``, if there is one with a finished input."""
    kept = sorted(out.glob(".interrupted-*"))
    if not kept:
        return None
    index = _read_checkpoints(kept[-1] / CHECKPOINT)
    if index.header is None or not index.finished:
        return None
    scan_id = kept[-1].name.removeprefix(".interrupted-")
    return Interrupted(scan_id, kept[-1], index.header, index.finished, index.files)


def _keep_interrupted(stage: Path) -> int:
    """Keep a stage that never reached its commit as ``.interrupted-<id>``, or remove it.

    It is kept when its checkpoint names at least one finished input file; then everything
    but the checkpoint (cut after its last whole line) and the findings parts it names is
    removed. It replaces any other interrupted scan: it is the newest, since every scan
    recovers the stages of the ones before it when it opens the dataset.

    Returns:
        The number of finished input files kept (0: the stage was removed, also when
        keeping it failed).
    """
    index = _read_checkpoints(stage / CHECKPOINT)
    kept = stage.with_name(".interrupted-" + stage.name.removeprefix(".staging-"))
    with contextlib.suppress(OSError):  # then it is removed
        if index.finished:
            for child in stage.iterdir():
                if child.name == "findings":
                    for part in child.iterdir():
                        if part.name not in index.parts:
                            part.unlink()
                elif child.name != CHECKPOINT:
                    shutil.rmtree(child)
            os.truncate(stage / CHECKPOINT, index.size)
            os.replace(stage, kept)
    if not kept.exists():
        shutil.rmtree(stage, ignore_errors=True)
        return 0
    for other in stage.parent.glob(".interrupted-*"):
        if other != kept:
            shutil.rmtree(other, ignore_errors=True)
    return index.files


@dataclass
class _Checkpoints:
    """What a checkpoint file holds up to its first torn or invalid line."""

    header: dict[str, Any] | None = None
    #: identity (path, size, mtime_ns, sha256) -> byte offsets of the inputs' lines
    finished: dict[tuple, list[int]] = field(default_factory=dict)
    parts: set[str] = field(default_factory=set)  # the findings parts the lines name
    size: int = 0  # bytes of the valid lines

    @property
    def files(self) -> int:
        """The number of finished input files."""
        return sum(len(offsets) for offsets in self.finished.values())


def _read_checkpoints(path: Path) -> _Checkpoints:
    """Index a checkpoint file; a torn or invalid line ends it (the lines before count)."""
    index = _Checkpoints()
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed by the with-block below
    except OSError:
        return index
    with fh:
        for line in fh:
            parsed = _checkpoint_line(line, header=index.header is None)
            if parsed is None:
                break
            if index.header is None:
                index.header = parsed["header"]
            else:
                for finished in parsed["inputs"]:
                    index.finished.setdefault(input_identity(finished), []).append(index.size)
                index.parts.update(name for name, _rows in parsed["parts"])
            index.size += len(line)
    return index


def _checkpoint_line(line: bytes, *, header: bool) -> dict[str, Any] | None:
    """A checkpoint line parsed and checked, or None when it is torn or not one."""
    if not line.endswith(b"\n"):
        return None
    try:
        parsed = orjson.loads(line)
        if header:
            valid = isinstance(parsed["header"], dict)
        else:
            inputs = parsed["inputs"]
            valid = (
                isinstance(inputs, list)
                and bool(inputs)
                and all(
                    isinstance(finished[k], t)
                    for finished in inputs
                    for k, t in (*_IDENTITY.items(), *((k, int) for k in _COUNTS))
                )
                and all(
                    _PART_NAME.fullmatch(name) and isinstance(rows, int)
                    for name, rows in parsed["parts"]
                )
                and all(
                    set(row) == set(_SCHEMAS[table].names)
                    for table in ("fields", "errors")
                    for row in parsed[table]
                )
            )
    except (KeyError, TypeError, ValueError):  # orjson.JSONDecodeError is a ValueError
        return None
    return parsed if valid else None


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
    # The text json.dump(indent=2, ensure_ascii=False, default=str) gives, from orjson:
    # the json module indents in pure Python (about 9 s for 100,000 inputs' entries).
    text = orjson.dumps(
        data, default=str, option=orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATETIME
    )
    with open(tmp, "wb") as fh:
        fh.write(text + b"\n")
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
    import pyarrow.dataset as ds

    partitioning = ds.partitioning(pa.schema([("scan_id", pa.string())]), flavor="hive")
    dataset = ds.dataset(root, format="parquet", partitioning=partitioning)
    return dataset.to_table(filter=ds.field("scan_id").isin(committed))


def iter_scan_ids(out: Path) -> Iterator[str]:
    """Committed scan ids, oldest first."""
    for scan in read_manifest(out)["scans"]:
        yield scan["scan_id"]
