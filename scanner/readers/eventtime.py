"""Pick a record's event time from its fields, in the configured order of authority."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
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
    """Like :func:`from_mapping` for flattened pairs, matching names case-insensitively."""
    lookup: dict[str, str] = {}
    for key, value in pairs:
        if key is not None:
            lookup.setdefault(key.lower(), value)
    for name in time_fields:
        found = lookup.get(name.lower())
        if found is not None:
            parsed = parse_time(found)
            if parsed is not None:
                return parsed
    return None


def _dig(obj: Mapping[str, Any], path: str) -> Any:
    node: Any = obj
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node
