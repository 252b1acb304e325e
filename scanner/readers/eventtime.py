"""Pick a record's event time from its fields, in the configured order of authority."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from scanner.timeparse import parse_time


def from_mapping(obj: Mapping[str, Any], time_fields: tuple[str, ...]) -> datetime | None:
    """Return the first parseable time among ``time_fields`` (dotted paths allowed)."""
    for name in time_fields:
        value = obj.get(name)
        if value is None and "." in name:
            value = _dig(obj, name)
        if value is not None:
            parsed = parse_time(value)
            if parsed is not None:
                return parsed
    return None


def from_pairs(
    pairs: list[tuple[str | None, str]], time_fields: tuple[str, ...]
) -> datetime | None:
    """Like :func:`from_mapping` for flattened pairs, matching names case-insensitively.

    Each time field takes the first pair of its name; the first of them that parses wins.
    Records of one source mostly share their field names, so where the time fields are
    among them is worked out once per list of names (:data:`_SHAPES`).
    """
    names = tuple([key for key, _ in pairs])
    firsts = _SHAPES.get((names, time_fields))
    if firsts is None:
        if len(_SHAPES) >= _MAX_SHAPES:
            _SHAPES.clear()
        firsts = _SHAPES[(names, time_fields)] = tuple(
            indexes[0] for indexes in time_columns(names, time_fields)
        )
    for i in firsts:
        parsed = parse_time(pairs[i][1])
        if parsed is not None:
            return parsed
    return None


#: (field names of a record, time fields) -> the index of each time field's first pair, in
#: the order of authority; at most _MAX_SHAPES of them (the ones of the last records).
_SHAPES: dict[tuple[tuple[str | None, ...], tuple[str, ...]], tuple[int, ...]] = {}
_MAX_SHAPES = 4096


def time_columns(
    names: Sequence[str | None], time_fields: tuple[str, ...]
) -> tuple[tuple[int, ...], ...]:
    """For rows under a fixed header: each time field's columns, in the order of authority."""
    ranks = _ranks(time_fields)
    by_rank: dict[int, list[int]] = {}
    for i, name in enumerate(names):
        if name is not None and (rank := ranks.get(name.lower())) is not None:
            by_rank.setdefault(rank, []).append(i)
    return tuple(tuple(by_rank[rank]) for rank in sorted(by_rank))


def from_columns(cells: Sequence[str], columns: tuple[tuple[int, ...], ...]) -> datetime | None:
    """:func:`from_pairs` of a row's non-empty cells, ``columns`` from :func:`time_columns`."""
    for indexes in columns:
        for i in indexes:
            if i < len(cells) and cells[i]:
                parsed = parse_time(cells[i])
                if parsed is not None:
                    return parsed
                break  # a time field takes its first non-empty cell only
    return None


@lru_cache(maxsize=64)
def _ranks(time_fields: tuple[str, ...]) -> dict[str, int]:
    """Each time field's lower-case name -> its place in the order of authority."""
    ranks: dict[str, int] = {}
    for rank, name in enumerate(time_fields):
        ranks.setdefault(name.lower(), rank)
    return ranks


def _dig(obj: Mapping[str, Any], path: str) -> Any:
    node: Any = obj
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node
