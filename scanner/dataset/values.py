"""What a finding takes from its (rule, value): :class:`FindingValue`, and their Arrow store.

The scanner builds one :class:`FindingValue` per (rule, value) and reuses it for every
finding of that value; :class:`ValueStore` converts each to Arrow once per process and
gives every stored value integer codes for the ``fields`` statistics
(:mod:`scanner.dataset.stats`).
"""

from __future__ import annotations

from hashlib import blake2b
from typing import NamedTuple

import numpy as np
import pyarrow as pa

from scanner.dataset.schema import findings_schema

#: FindingValues a store keeps in Arrow form before it starts afresh.
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
    """FindingValues in Arrow form, kept across the parts one process writes.

    The scanner reuses one FindingValue per (rule, value), so most of a block's values
    were converted for an earlier block, or an earlier task: a store per part converted
    every value again in each 8 MB range (about a sixth of a warm range's time). Holds at
    most :data:`STORE_MAX` values, then starts afresh (memory stays bounded).
    """

    def __init__(self, include_values: bool):
        self.include_values = include_values
        self._types = {f.name: f.type for f in findings_schema(True)}
        self._names = VALUE_COLUMNS + (("value",) if include_values else ())
        self._pos: dict[int, int] = {}  # id(FindingValue) -> row of _table
        self._keep: list[FindingValue] = []  # keeps those ids from being reused
        self._table: pa.Table | None = None
        #: (entity, element) -> (categories, declared) of every value ever stored
        self.tags: dict[tuple[str, str], tuple[tuple[str, ...], bool]] = {}
        #: integer codes of each stored value's (entity, element) and detector, for
        #: folding statistics on integers (:func:`scanner.dataset.stats.fold`); codes are
        #: never reused
        self.tag_codes: dict[tuple[str, str], int] = {}
        self.detector_codes: dict[str | None, int] = {}
        #: per row of the table: its tag's code, its detector's code, its value hash
        self.tag_of = np.empty(0, np.int64)
        self.detector_of = np.empty(0, np.int64)
        #: per row: 64 bits of its value hash (:func:`digest64`), and whether it has one
        self.digest_of = np.empty(0, np.uint64)
        self.has_hash = np.empty(0, np.bool_)

    def rows(self, vals: list[FindingValue]) -> tuple[pa.Table, np.ndarray]:
        """The value columns as a table, and the row of each of ``vals`` in it."""
        pos, keep = self._pos, self._keep
        if len(keep) + len(vals) > STORE_MAX:
            pos.clear()
            keep.clear()
            self._table = None
            self.tag_of = self.detector_of = np.empty(0, np.int64)
            self.digest_of = np.empty(0, np.uint64)
            self.has_hash = np.empty(0, np.bool_)
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
            self._table = self._append(new)
        return self._table, rows

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
