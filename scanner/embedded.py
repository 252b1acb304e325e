"""Documents inside field values: a JSON object or array, a CEF line, a key=value list.

SIEM exports keep the raw Cato record as one string field (Elastic ``event.original``,
Sekoia ``message``, Splunk ``_raw``, Sentinel ``LogData``/``AdditionalExtensions``), and
syslog lines carry JSON or CEF bodies. Scanned as prose, such a value loses its structure: a
name comes out cut (``"user_name":"Pat Lee"`` gave ``Pat``) and device and client fields are
missed. So a value that holds a document is parsed, its fields join the record's, named
``<field>><path>`` (``event.original>user_name``; ``>user_name`` for a document in a plain
text line) after the record's own fields, and go through the field rules as any field:
rules match the document's own key, ``when`` conditions read the same document. The value
itself is then not scanned again. A value that does not parse is scanned as before, never
lost.

Bounded: a document of at most ``max_document_bytes``, nested at most :data:`DEPTH`
documents deep, flattened within ``max_json_depth``; the record's field limit still holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import datetime

import orjson

from scanner.flatten import EMBEDDED, NestingTooDeep, flatten
from scanner.readers import eventtime
from scanner.readers.cef import parse_line
from scanner.readers.textio import ReadOptions
from scanner.record import Record

#: Documents inside documents inside documents: and no deeper.
DEPTH = 3
#: A key=value list: two or more ``key=value`` (a value without spaces, or quoted),
#: separated by spaces or semicolons, and nothing else (prose with an ``a=b`` in it is not one).
_KV_PAIR = r'[A-Za-z_][\w.\[\]-]*=(?:"(?:[^"\\]|\\.)*"|[^\s;"]*)'
_KV = re.compile(rf"\s*(?:{_KV_PAIR}[\s;]*){{2,}}")
_KV_ITEM = re.compile(r'([A-Za-z_][\w.\[\]-]*)=("(?:[^"\\]|\\.)*"|[^\s;"]*)')
#: Where a JSON document starts after a syslog header (``<134>1 ... - {"a":...}``).
_JSON_START = re.compile(r'[{\[]\s*"')

Pair = tuple[str | None, str]


def candidate(text: str) -> bool:
    """A cheap first test: could this value hold a document?"""
    first = text[:1]
    return (
        first in "{["
        or text.endswith(("}", "]"))
        or "CEF:" in text
        or (first.isalpha() and "=" in text and _KV.fullmatch(text) is not None)
    )


def parse(text: str, opts: ReadOptions) -> list[Pair] | None:
    """The fields of the document in ``text`` (paths as in the document), or None."""
    if len(text) > opts.max_document_bytes:
        return None
    stripped = text.strip()
    if not stripped:
        return None
    if stripped[0] in "{[":
        found = _json(stripped, opts)
        if found is not None:
            return found
    elif stripped[-1] in "}]" and (m := _JSON_START.search(stripped)) is not None:
        found = _json(stripped[m.start() :], opts)  # after a syslog header
        if found is not None:
            syslog = stripped[: m.start()].strip()
            return [("syslog", syslog), *found] if syslog else found
    if "CEF:" in stripped:
        pairs = parse_line(stripped)
        if pairs and len(pairs) > 1:
            return pairs
    if _KV.fullmatch(stripped):
        pairs = [(k, v[1:-1] if v[:1] == '"' else v) for k, v in _KV_ITEM.findall(stripped)]
        pairs = [(k, v) for k, v in pairs if v]
        return pairs or None
    return None


def _json(text: str, opts: ReadOptions) -> list[Pair] | None:
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(obj, dict | list) or not obj:
        return None
    try:
        pairs = list(flatten(obj, max_depth=opts.max_json_depth))
    except NestingTooDeep:
        return None
    return pairs or None


def maybe(texts: Sequence[str | None]) -> bool:
    """Whether one of a column's values could hold a document (at C speed: one join)."""
    joined = "\x00".join(filter(None, texts))
    return "{" in joined or "[" in joined or "CEF:" in joined or "=" in joined


def embed_record(record: Record, opts: ReadOptions) -> None:
    """Move the documents embedded in a record's values into its fields (in place).

    A record without an event time takes the first document's.
    """
    expanded = expand(record.fields, opts)
    if expanded is None:
        return
    own, inner = expanded
    record.fields = own + inner
    if record.event_time is None:
        record.event_time = document_time(inner, opts.time_fields)


def document_time(pairs: Sequence[Pair], time_fields: tuple[str, ...]) -> datetime | None:
    """The event time of embedded documents' pairs (the first document that has one)."""
    keys = [(p.rpartition(EMBEDDED)[2] if p else p, v) for p, v in pairs]
    return eventtime.from_pairs(keys, time_fields)


def expand(
    pairs: Sequence[Pair], opts: ReadOptions, depth: int = DEPTH
) -> tuple[list[Pair], list[Pair]] | None:
    """Split a record's pairs into its own and those of the documents embedded in them.

    Returns None when no value holds a document (the usual case: nothing is copied), else
    ``(own, embedded)``: the pairs whose values are not documents, in order, and the
    documents' pairs named ``<field>><path>``, in the order of their fields.
    """
    own: list[Pair] | None = None
    embedded: list[Pair] = []
    for i, (path, value) in enumerate(pairs):
        inner = parse(value, opts) if candidate(value) else None
        if inner is None:
            if own is not None:
                own.append((path, value))
            continue
        if own is None:
            own = list(pairs[:i])
        embedded.extend(named(path, inner, opts, depth))
    return None if own is None else (own, embedded)


def named(
    container: str | None, inner: list[Pair], opts: ReadOptions, depth: int = DEPTH
) -> Iterator[Pair]:
    """A document's pairs under the name of the field holding it, documents in it too."""
    prefix = f"{container or ''}{EMBEDDED}"
    nested = expand(inner, opts, depth - 1) if depth > 1 else None
    own, deeper = nested if nested is not None else (inner, [])
    for path, value in (*own, *deeper):
        yield f"{prefix}{path}", value
