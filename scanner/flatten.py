"""Turn parsed JSON-like values into the ``(key path, text)`` pairs of a :class:`Record`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


def flatten(obj: Any, prefix: str | None = None) -> Iterator[tuple[str | None, str]]:
    """Yield ``(path, text)`` for every scalar leaf of ``obj``.

    Nested keys are joined with ``.``; list items add their 0-based index as a segment
    (``emails.0.value``). Booleans, None and empty strings carry no personal data and are
    skipped; numbers become their decimal text (``1000033``), so typed push records and
    string-typed API records yield the same text.
    """
    if isinstance(obj, Mapping):
        for key, value in obj.items():
            path = str(key) if prefix is None else f"{prefix}.{key}"
            yield from flatten(value, path)
    elif isinstance(obj, list | tuple):
        for i, value in enumerate(obj):
            path = str(i) if prefix is None else f"{prefix}.{i}"
            yield from flatten(value, path)
    elif isinstance(obj, str):
        if obj:
            yield prefix, obj
    elif isinstance(obj, bool) or obj is None:
        return
    elif isinstance(obj, int | float):
        yield prefix, repr(obj) if isinstance(obj, float) else str(obj)
    else:
        text = str(obj)
        if text:
            yield prefix, text


def field_key(path: str | None) -> str | None:
    """Return the path used to match field rules: list indexes dropped (``emails.value``)."""
    if path is None or "." not in path:
        return path
    return ".".join(part for part in path.split(".") if not part.isdigit())
