"""What a finding takes from its (rule, value): :class:`FindingValue`, and their Arrow store.

The scanner builds one :class:`FindingValue` per (rule, value) and reuses it for every
finding of that value; :class:`ValueStore` converts each to Arrow once per process and
gives every stored value integer codes for the ``fields`` statistics
(:mod:`scanner.dataset.stats`).
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Sequence
from hashlib import blake2b
from typing import NamedTuple, cast

import numpy as np
import pyarrow as pa

from scanner.dataset.schema import findings_schema

_HEX64 = re.compile(r"[0-9a-f]{64}")

#: Rows a sink's own store (findings given as FindingValues) keeps before it starts afresh.
STORE_MAX = 200_000


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


#: The findings columns of a :class:`FindingValue`, in its order (``value`` left out).
VALUE_COLUMNS = (
    "span_start",
    "span_end",
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


def digest64(value_hash: str | None) -> int:
    """64 bits that stand for a value hash in distinct counts (0 for none).

    A ``fields`` row counts the distinct values of a source's field; a file of a million
    distinct values kept their 64-character hashes in a set, in every process the file's
    ranges passed through. A keyed hash (64 lower-case hex digits of HMAC-SHA256, uniform
    under the key) gives its first 64 bits; any other text, 64 bits of its BLAKE2b. Two of
    ten million distinct values collide with odds of about one in 370,000; the digest is the
    same in every process (no per-run string hashing).
    """
    if value_hash is None:
        return 0
    if len(value_hash) == 64 and _HEX64.fullmatch(value_hash):
        return int(value_hash[:16], 16)
    return int.from_bytes(blake2b(value_hash.encode(), digest_size=8).digest(), "little")


def digests64(value_hashes: Sequence[str | None]) -> np.ndarray:
    """:func:`digest64` of many hashes, as one array (keyed hashes' hex read at once).

    The one-hash function reads a keyed hash's digits as a number, this one their bytes
    (tests hold the two to each other).
    """
    n = len(value_hashes)
    if n and None not in value_hashes and set(map(len, value_hashes)) == {64}:  # type: ignore[arg-type]
        joined = "".join(value_hashes)  # type: ignore[arg-type]
        try:
            raw = bytes.fromhex(joined) if joined == joined.lower() else b""
        except ValueError:
            raw = b""
        if len(raw) == 32 * n:  # 64 hex digits each (white space would make it shorter)
            return np.frombuffer(raw, np.uint8).reshape(n, 32)[:, :8].copy().view(">u8")[
                :, 0
            ].astype(np.uint64)
    return np.array([digest64(h) for h in value_hashes], np.uint64)


class ValueStore:
    """The FindingValues a process decided, as rows of one Arrow table.

    The value cache (:class:`scanner.valuecache.ValueCache`) adds each decision's findings
    once, as consecutive rows, and keeps the first row's number for the (rule, value): a
    block's findings are then rows of this table (``FindingsSink.add_indexed`` takes them),
    with no Python object per finding or per value of a block. Rows come as a decision's
    FindingValues (:meth:`add`) or as columns of many decisions of one finding each, alike
    but for their spans, hashes, masks and IP classes (:meth:`add_alike`); those added
    since the last read of :attr:`table` wait, and are converted together.

    The store is cleared only between blocks, with the cache (:meth:`clear`), and each
    clearing starts a new :attr:`generation`: rows of an earlier one are refused.
    """

    def __init__(self, include_values: bool):
        self.include_values = include_values
        self._types = {f.name: f.type for f in findings_schema(True)}
        self._names = VALUE_COLUMNS + (("value",) if include_values else ())
        #: how many times the store was cleared: rows are valid within one generation
        self.generation = 0
        self._by_id: dict[int, int] = {}  # id(FindingValue) -> row, for rows_of only
        self._reset()

    def _reset(self) -> None:
        self.size = 0  # rows, converted or waiting
        #: each row's FindingValue, or None for a row of add_alike (see _alike)
        self._all: list[FindingValue | None] = []
        #: rows waiting for conversion: runs of FindingValues, and Alike columns
        self._pending: list[list[FindingValue] | Alike] = []
        #: the rows of add_alike: (first row, rows, score, categories) of each call
        self._alike: list[tuple[int, int, float, tuple[str, ...]]] = []
        self._table: pa.Table | None = None
        #: per row: how many findings of one decision start there (0 inside a decision)
        self._run = array("q")
        #: (entity, element) -> (categories, declared) of every value ever stored
        self.tags: dict[tuple[str, str], tuple[tuple[str, ...], bool]] = {}
        #: integer codes of each stored value's (entity, element) and detector, for
        #: folding statistics on integers (:func:`scanner.dataset.stats.fold`); codes are
        #: never reused
        self.tag_codes: dict[tuple[str, str], int] = {}
        self.detector_codes: dict[str | None, int] = {}
        #: per row of the table: its tag's code, its detector's code
        self.tag_of = np.empty(0, np.int64)
        self.detector_of = np.empty(0, np.int64)
        #: per row: 64 bits of its value hash (:func:`digest64`), and whether it has one
        self.digest_of = np.empty(0, np.uint64)
        self.has_hash = np.empty(0, np.bool_)

    def clear(self) -> None:
        """Drop every row (the value cache starts afresh): a new generation begins."""
        self.generation += 1
        self._by_id.clear()
        self._reset()

    def add(self, found: tuple[FindingValue, ...]) -> int:
        """Add one decision's findings as consecutive rows: the first one's number (-1: none)."""
        if not found:
            return -1
        row = self.size
        self._all.extend(found)
        pending = self._pending
        if pending and type(pending[-1]) is list:
            pending[-1].extend(found)
        else:
            pending.append(list(found))
        self._run.append(len(found))
        if len(found) > 1:
            self._run.extend([0] * (len(found) - 1))
        self.size += len(found)
        return row

    def add_alike(self, alike: Alike) -> int:
        """Add decisions of one finding each, as columns: the first one's row (then the next)."""
        n = len(alike.hashes)
        row = self.size
        self._all.extend([None] * n)
        self._pending.append(alike)
        self._alike.append((row, n, alike.score, tuple(alike.categories)))
        self._run.extend([1] * n)
        self.size += n
        return row

    def counts(self, rows: np.ndarray) -> np.ndarray:
        """How many findings each decision has, given its first row (-1: none, 0)."""
        if not self.size:
            return np.zeros(len(rows), np.int64)
        run = np.frombuffer(self._run, np.int64)  # a view: released before any append
        return np.where(rows >= 0, run[np.maximum(rows, 0)], 0)

    def findings_at(self, row: int) -> tuple[FindingValue, ...]:
        """The FindingValues of the decision whose first row is ``row`` (-1: none)."""
        if row < 0:
            return ()
        found = self._all[row : row + self._run[row]]
        if found[0] is not None:
            return tuple(cast("list[FindingValue]", found))
        # a row of add_alike: read back, with the score as it was given (not as float32)
        first, _n, score, categories = self._alike[
            bisect.bisect_right(self._alike, (row, float("inf"))) - 1
        ]
        values = self.table.slice(row, 1).to_pylist()[0]
        values.update(ccpa_categories=categories, score=score)
        names = (*VALUE_COLUMNS, "value")
        return (FindingValue(*(values.get(name) for name in names)),)

    @property
    def table(self) -> pa.Table:
        """Every row, in Arrow form (the rows waiting are converted first)."""
        if self._pending or self._table is None:
            new, self._pending = self._pending, []
            self._table = self._append(new)
        return self._table

    def rows_of(self, vals: list[FindingValue]) -> np.ndarray:
        """The row of each of ``vals``, added once per object.

        For findings given as FindingValues (``FindingsSink.add_findings``), in a store of
        their sink's own: the store starts afresh past :data:`STORE_MAX` rows.
        """
        pos = self._by_id  # the rows' FindingValues (_all) keep their ids from being reused
        if self.size + len(vals) > STORE_MAX:
            self.clear()
        found = list(map(pos.get, map(id, vals)))
        if None in found:
            for i, k in enumerate(found):
                if k is None:
                    x = vals[i]
                    k = pos.get(id(x))  # the same value may come twice
                    if k is None:
                        k = pos[id(x)] = self.add((x,))
                    found[i] = k
        return np.array(found, np.int64)

    def _append(self, new: list[list[FindingValue] | Alike]) -> pa.Table:
        """The store's table with the rows of ``new`` appended, their tags and codes recorded."""
        tables = [] if self._table is None else [self._table]
        tags, detectors, digests, has = [], [], [], []
        for part in new:
            if isinstance(part, Alike):
                table, tag, det, hashes, with_hash = self._alike_columns(part)
            else:
                table, tag, det, hashes, with_hash = self._value_columns(part)
            tables.append(table)
            tags.append(tag)
            detectors.append(det)
            digests.append(digests64(hashes))
            has.append(with_hash)
        if not tables:
            tables.append(self._value_columns([])[0])
        table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
        if table.column(0).num_chunks > 16:
            table = table.combine_chunks()
        self.tag_of = np.concatenate([self.tag_of, *tags])
        self.detector_of = np.concatenate([self.detector_of, *detectors])
        self.digest_of = np.concatenate([self.digest_of, *digests])
        self.has_hash = np.concatenate([self.has_hash, *has])
        return table

    def _value_columns(
        self, new: list[FindingValue]
    ) -> tuple[pa.Table, np.ndarray, np.ndarray, Sequence[str | None], np.ndarray]:
        """FindingValues as a table, their tag and detector codes, hashes, and which have one."""
        types, names = self._types, self._names
        columns = list(zip(*new, strict=True)) if new else [()] * len(FindingValue._fields)
        table = pa.table(
            [pa.array(col, types[n]) for col, n in zip(columns, names, strict=False)],
            names=list(names),
        )
        self.tags.update(
            {(x.entity_type, x.policy_element): (x.ccpa_categories, x.policy_declared) for x in new}
        )
        tag_codes, detector_codes = self.tag_codes, self.detector_codes
        tag = [tag_codes.setdefault((x.entity_type, x.policy_element), len(tag_codes)) for x in new]
        det = [detector_codes.setdefault(x.detector, len(detector_codes)) for x in new]
        hashes = [x.value_hash for x in new]
        has = np.fromiter((h is not None for h in hashes), np.bool_, len(new))
        return table, np.array(tag, np.int64), np.array(det, np.int64), hashes, has

    def _alike_columns(
        self, alike: Alike
    ) -> tuple[pa.Table, np.ndarray, np.ndarray, Sequence[str | None], np.ndarray]:
        """:meth:`_value_columns` of the rows of one :meth:`add_alike`."""
        types, n = self._types, len(alike.hashes)

        def same(value: object, name: str) -> pa.Array:
            return pa.repeat(pa.scalar(value, types[name]), n)

        columns = {
            "span_start": pa.array(alike.starts, types["span_start"]),
            "span_end": pa.array(alike.ends, types["span_end"]),
            "entity_type": same(alike.entity, "entity_type"),
            "ccpa_categories": same(list(alike.categories), "ccpa_categories"),
            "policy_element": same(alike.element, "policy_element"),
            "policy_declared": same(alike.declared, "policy_declared"),
            "score": same(alike.score, "score"),
            "detector": same(alike.detector, "detector"),
            "value_hash": pa.array(alike.hashes, types["value_hash"]),
            "value_masked": pa.array(alike.masks, types["value_masked"]),
            "ip_class": (
                same(None, "ip_class")
                if alike.ip_classes is None
                else pa.array(alike.ip_classes, types["ip_class"])
            ),
            "value": (
                same(None, "value") if alike.values is None else pa.array(alike.values, pa.string())
            ),
        }
        table = pa.table([columns[name] for name in self._names], names=list(self._names))
        key = (alike.entity, alike.element)
        self.tags[key] = (tuple(alike.categories), alike.declared)
        tag = self.tag_codes.setdefault(key, len(self.tag_codes))
        det = self.detector_codes.setdefault(alike.detector, len(self.detector_codes))
        return (
            table,
            np.full(n, tag, np.int64),
            np.full(n, det, np.int64),
            alike.hashes,
            np.ones(n, np.bool_),
        )


class Alike(NamedTuple):
    """Decisions of one finding each, alike but for their spans, hashes, masks, IP classes."""

    entity: str
    categories: tuple[str, ...]
    element: str
    declared: bool
    score: float
    detector: str
    starts: list[int]
    ends: list[int]
    hashes: list[str]
    masks: list[str]
    #: per finding (IP addresses), or None
    ip_classes: list[str] | None
    #: the values found (``--include-values``), or None
    values: list[str] | None
