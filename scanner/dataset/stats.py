"""The ``fields`` table's statistics: what a row accumulates, the one fold, and the rows.

A ``fields`` row describes one source x field x entity x element: how many findings and
records, how many distinct values, which detectors, and the event-time range.
:class:`FieldStats` is the row in the making and :meth:`FieldStats.add` the only way it
grows; :func:`fold` computes a batch of findings' contributions, and :func:`fields_rows`
turns the statistics into rows. Nulls count as Arrow's aggregations count them: a finding
without a record index is no finding or record, and a null hash, detector or time is no
distinct value, detector or time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa

from scanner.dataset.values import ValueStore

#: A ``fields`` row's key: (source_path, source_format, field, entity_type, policy_element).
StatsKey = tuple[str, str, str | None, str, str]


class DistinctDigests:
    """A set of 64-bit value digests (:func:`~scanner.dataset.values.digest64`), 8 bytes each.

    New digests wait in chunks and are merged into one sorted array when they outnumber
    it, so adding costs O(n log n) in all; an instance pickles as one array.
    """

    __slots__ = ("_sorted", "_pending", "_waiting")

    def __init__(self) -> None:
        self._sorted = np.empty(0, np.uint64)
        self._pending: list[np.ndarray] = []
        self._waiting = 0

    def update(self, digests: np.ndarray | DistinctDigests) -> None:
        """Add digests (an array, or another set's)."""
        chunk = digests.array() if isinstance(digests, DistinctDigests) else digests
        if not len(chunk):
            return
        self._pending.append(chunk)
        self._waiting += len(chunk)
        if self._waiting > max(len(self._sorted), 4096):
            self._merge()

    def array(self) -> np.ndarray:
        """The distinct digests, sorted."""
        self._merge()
        return self._sorted

    def __len__(self) -> int:
        return len(self.array())

    def _merge(self) -> None:
        if self._pending:
            self._sorted = _distinct(np.concatenate([self._sorted, *self._pending]))
            self._pending, self._waiting = [], 0

    def __getstate__(self) -> np.ndarray:
        return self.array()

    def __setstate__(self, state: np.ndarray) -> None:
        self._sorted, self._pending, self._waiting = state, [], 0


@dataclass
class FieldStats:
    """Statistics of one source x field x entity x element: a ``fields`` row in the making."""

    categories: tuple[str, ...]
    declared: bool
    findings: int = 0
    records: int = 0
    #: the distinct values' digests: len() is the row's distinct_values
    hashes: DistinctDigests = field(default_factory=DistinctDigests)
    first: datetime | None = None
    last: datetime | None = None
    detectors: set[str] = field(default_factory=set)

    def add(
        self,
        findings: int,
        records: int,
        hashes: np.ndarray | DistinctDigests,
        detectors: Iterable[str],
        first: datetime | None,
        last: datetime | None,
    ) -> None:
        """Add the findings of another batch or chunk of the same source.

        Records are added, not united: all findings of a record must come in one batch.
        """
        self.findings += findings
        self.records += records
        self.hashes.update(hashes)
        self.detectors.update(detectors)
        self.see(first)
        self.see(last)

    def merge(self, other: FieldStats) -> None:
        """Add the statistics of another chunk of the same source."""
        self.add(
            other.findings, other.records, other.hashes, other.detectors, other.first, other.last
        )

    def see(self, t: datetime | None) -> None:
        """Widen the event-time range to include ``t``."""
        if t is not None:
            self.first = t if self.first is None or t < self.first else self.first
            self.last = t if self.last is None or t > self.last else self.last


def fold(
    stats: dict[StatsKey, FieldStats],
    store: ValueStore,
    recs: pa.Table,
    fields: pa.Array,
    rec_index: Any,
    field_index: Any,
    values: np.ndarray,
) -> None:
    """Fold a batch of findings, given by indexes, into ``stats``.

    Finding ``i`` is of record ``recs[rec_index[i]]`` (``recs`` holds the distinct
    records' columns, :data:`~scanner.dataset.schema.RECORD_COLUMNS`), of field
    ``fields[field_index[i]]``, and of value ``values[i]``, a row of ``store``.

    Hashing five string keys and every value hash per finding (Arrow's group_by) cost a
    tenth of a warm range's time; here a finding's group is an integer made of its
    source's, field's and (entity, element)'s codes, and distinct records, values and
    detectors are distinct integer pairs, so only each distinct (group, value) pair
    touches a Python object.
    """
    rec_index = np.asarray(rec_index, np.int64)
    field_index = np.asarray(field_index, np.int64)
    if not rec_index.size:
        return
    # A record's source: its path's and format's dictionary codes, made in Arrow.
    paths = recs.column("source_path").combine_chunks().dictionary_encode()
    formats = recs.column("source_format").combine_chunks().dictionary_encode()
    n_formats = len(formats.dictionary)
    rec_source = paths.indices.to_numpy(zero_copy_only=False).astype(
        np.int64
    ) * n_formats + formats.indices.to_numpy(zero_copy_only=False)
    path_names, format_names = paths.dictionary.to_pylist(), formats.dictionary.to_pylist()
    names: dict[str | None, int] = {}
    field_code = np.fromiter(
        (names.setdefault(n, len(names)) for n in fields.to_pylist()), np.int64, len(fields)
    )
    tags = len(store.tag_codes)
    width = len(names) * tags
    key = rec_source[rec_index] * width + field_code[field_index] * tags + store.tag_of[values]
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
    record = record[has_record]
    if record.size:
        record = record - record.min()  # a batch's records are near each other: a small range
    span = int(record.max()) + 1 if record.size else 1
    records = np.bincount(_distinct(group[has_record] * span + record) // span, minlength=size)
    hashes = _digests_per_group(group, size, values, store)
    found_by = per_group(store.detector_of[values], list(store.detector_codes))
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
    for g, k in enumerate(keys.tolist()):
        source, rest = divmod(k, width)
        name, tag = divmod(rest, tags)
        path, fmt = path_names[source // n_formats], format_names[source % n_formats]
        entity, element = tag_keys[tag]
        group_key = (path, fmt, name_keys[name], entity, element)
        found = stats.get(group_key)
        if found is None:
            categories, declared = store.tags[(entity, element)]
            found = stats[group_key] = FieldStats(tuple(categories), declared)
        found.add(int(findings[g]), int(records[g]), hashes[g], found_by[g], firsts[g], lasts[g])


def _digests_per_group(
    group: np.ndarray, size: int, values: np.ndarray, store: ValueStore
) -> list[np.ndarray]:
    """Each group's distinct value digests, sorted (values without a hash left out)."""
    values = np.asarray(values, np.int64)
    has = store.has_hash[values]
    groups, rows = group[has], values[has]
    if len(rows):  # each (group, value) once: findings repeat them, sorting two keys is slow
        span = int(rows.max()) + 1
        pairs = _distinct(groups * span + rows)
        groups, rows = pairs // span, pairs % span
    digests = store.digest_of[rows]
    order = np.lexsort((digests, groups))
    groups, digests = groups[order], digests[order]
    if len(groups):
        new = np.concatenate(([True], (groups[1:] != groups[:-1]) | (digests[1:] != digests[:-1])))
        groups, digests = groups[new], digests[new]
    bounds = np.searchsorted(groups, np.arange(size + 1)).tolist()
    return [digests[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def _distinct(a: np.ndarray) -> np.ndarray:
    """The sorted distinct values of an integer array (np.unique: several times slower).

    Codes made of a few groups' and names' numbers span a range not much wider than the
    array: their distinct values are marked in a table of that range, without a sort (a
    batch's group keys: 0.16 instead of 2.3 ms).
    """
    if not a.size:
        return a
    low = a.min()  # of a's own type: uint64 digests do not fit an int64
    width = int(a.max()) - int(low) + 1
    if width <= 4 * a.size + 1024:
        seen = np.zeros(width, np.bool_)
        seen[a - low] = True
        out = np.flatnonzero(seen).astype(a.dtype)
        out += low
        return out
    s = np.sort(a)
    return s[np.concatenate(([True], s[1:] != s[:-1]))]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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
