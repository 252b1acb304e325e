"""What a finding takes from its (rule, value): :class:`FindingValue`, and their Arrow store.

The scanner builds one :class:`FindingValue` per (rule, value) and reuses it for every
finding of that value; :class:`ValueStore` converts each to Arrow once per process and
gives every stored value integer codes for the ``fields`` statistics
(:mod:`scanner.dataset.stats`).
"""

from __future__ import annotations

from array import array
from hashlib import blake2b
from typing import NamedTuple

import numpy as np
import pyarrow as pa

from scanner.dataset.schema import findings_schema

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
    ranges passed through. With 64 bits of BLAKE2b of the hash, two of ten million distinct
    values collide with odds of about one in 370,000; the digest is the same in every process
    (no per-run string hashing).
    """
    return int.from_bytes(_digest_bytes(value_hash), "little")


def digests64(value_hashes: list[str | None]) -> np.ndarray:
    """:func:`digest64` of many hashes, as one array (their bytes joined, read at once)."""
    joined = b"".join([_digest_bytes(h) for h in value_hashes])
    return np.frombuffer(joined, "<u8").astype(np.uint64)


def _digest_bytes(value_hash: str | None) -> bytes:
    """The 8 bytes of :func:`digest64`, little-endian (all zero for none)."""
    if value_hash is None:
        return bytes(8)
    return blake2b(value_hash.encode(), digest_size=8).digest()


class ValueStore:
    """The FindingValues a process decided, as rows of one Arrow table.

    The value cache (:class:`scanner.valuecache.ValueCache`) adds each decision's findings
    once, as consecutive rows, and keeps the first row's number for the (rule, value): a
    block's findings are then rows of this table (``FindingsSink.add_indexed`` takes them),
    with no Python object per finding or per value of a block. Rows added since the last
    read of :attr:`table` wait as FindingValues and are converted together.

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
        self._all: list[FindingValue] = []  # every row's
        self._pending: list[FindingValue] = []
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
        self._pending.extend(found)
        self._run.append(len(found))
        if len(found) > 1:
            self._run.extend([0] * (len(found) - 1))
        self.size += len(found)
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
        return tuple(self._all[row : row + self._run[row]])

    @property
    def table(self) -> pa.Table:
        """Every row, in Arrow form (the rows waiting are converted first)."""
        if self._pending or self._table is None:
            new, self._pending = self._pending, []
            self._table = self._append(new)
        return self._table

    def rows_of(self, vals: list[FindingValue]) -> tuple[pa.Table, np.ndarray]:
        """The table, and the row of each of ``vals``, added once per object.

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
        return self.table, np.array(found, np.int64)

    def _append(self, new: list[FindingValue]) -> pa.Table:
        """The store's table with ``new`` appended, their tags and codes recorded."""
        types, names = self._types, self._names
        columns = list(zip(*new, strict=True)) if new else [()] * len(FindingValue._fields)
        table = pa.table(
            [pa.array(col, types[n]) for col, n in zip(columns, names, strict=False)],
            names=list(names),
        )
        table = table if self._table is None else pa.concat_tables([self._table, table])
        if table.column(0).num_chunks > 16:
            table = table.combine_chunks()
        self.tags.update(
            {(x.entity_type, x.policy_element): (x.ccpa_categories, x.policy_declared) for x in new}
        )
        tag_codes, detector_codes = self.tag_codes, self.detector_codes
        tag = [tag_codes.setdefault((x.entity_type, x.policy_element), len(tag_codes)) for x in new]
        det = [detector_codes.setdefault(x.detector, len(detector_codes)) for x in new]
        self.tag_of = np.concatenate([self.tag_of, np.array(tag, np.int64)])
        self.detector_of = np.concatenate([self.detector_of, np.array(det, np.int64)])
        digests = digests64([x.value_hash for x in new])
        self.digest_of = np.concatenate([self.digest_of, digests])
        has = np.fromiter((x.value_hash is not None for x in new), np.bool_, len(new))
        self.has_hash = np.concatenate([self.has_hash, has])
        return table
