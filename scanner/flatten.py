"""Turn parsed JSON-like values into the ``(key path, text)`` pairs of a :class:`Record`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import Any

from scanner.record import ReadProblem

#: Joins a field holding an embedded document and the document's own field paths:
#: ``event.original>user_name`` (:mod:`scanner.embedded`).
EMBEDDED = ">"
#: Nesting deeper than this is refused unless a caller passes its own limit.
DEFAULT_MAX_DEPTH = 64

Pair = tuple[str | None, str]


class NestingTooDeep(ValueError):
    """A value nests containers deeper than the limit (hostile or broken data)."""


def flatten(
    obj: Any, prefix: str | None = None, *, max_depth: int = DEFAULT_MAX_DEPTH
) -> Iterator[Pair]:
    """Yield ``(path, text)`` for every scalar leaf of ``obj``.

    Nested keys are joined with ``.``; list items add their 0-based index as a segment
    (``emails.0.value``). Booleans, None and empty strings carry no personal data and are
    skipped; numbers become their decimal text (``1000033``), so typed push records and
    string-typed API records yield the same text.

    Raises:
        NestingTooDeep: when containers nest deeper than ``max_depth``.
    """
    out: list[Pair] = []
    _flatten_into(obj, prefix, max_depth, out)
    return iter(out)


def _flatten_into(obj: Any, prefix: str | None, budget: int, out: list[Pair]) -> None:
    # Hot path of every JSON reader: exact type checks for the JSON types first (an
    # isinstance against an ABC costs ten times more), the general cases after.
    t = type(obj)
    if t is dict or t is list or t is tuple or isinstance(obj, Mapping | list | tuple):
        if budget <= 0:
            raise NestingTooDeep
        items = obj.items() if t is dict or isinstance(obj, Mapping) else enumerate(obj)
        for key, value in items:
            path = (key if type(key) is str else str(key)) if prefix is None else f"{prefix}.{key}"
            vt = type(value)
            if vt is str:
                if value:
                    out.append((path, value))
            elif vt is int:
                out.append((path, str(value)))
            elif value is None or vt is bool:
                continue
            else:
                _flatten_into(value, path, budget - 1, out)
    elif t is str:
        if obj:
            out.append((prefix, obj))
    elif obj is None or t is bool:
        return
    elif isinstance(obj, int | float):
        out.append((prefix, repr(obj) if isinstance(obj, float) else str(obj)))
    else:
        text = str(obj)
        if text:
            out.append((prefix, text))


def take_fields(
    pairs: Iterable[Pair], max_fields: int, line: int | None, index: int
) -> tuple[list[Pair], ReadProblem | None]:
    """Keep the first ``max_fields`` pairs; past that, count the rest and say so."""
    if isinstance(pairs, list) and len(pairs) <= max_fields:
        return pairs, None  # the usual case: the list as it is
    it = iter(pairs)
    kept = list(islice(it, max_fields))
    extra = sum(1 for _ in it)
    if not extra:
        return kept, None
    reason = (
        f"record has {max_fields + extra} fields, over the {max_fields}-field limit "
        f"(limits.max_fields_per_record); the first {max_fields} were read"
    )
    return kept, ReadProblem(line, index, reason)


def too_deep(line: int | None, index: int | None, max_depth: int) -> ReadProblem:
    """The problem reported for a record or JSON value nested past the limit."""
    reason = f"JSON nested deeper than {max_depth} levels (limits.max_json_depth); skipped"
    return ReadProblem(line, index, reason)


def field_key(path: str | None) -> str | None:
    """Return the path used to match field rules: list indexes dropped (``emails.value``)."""
    if path is None or "." not in path:
        return path
    return ".".join(part for part in path.split(".") if not part.isdigit())
