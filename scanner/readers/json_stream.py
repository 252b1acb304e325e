"""JSON in every framing Cato data comes in, as a generator of records.

One reader covers the JSON shapes of the reference because they differ in framing, not in
what a record is:

- one object per line (eventsFeed.py / catocli output, push NDJSON, auditFeed.py lines,
  legacy Log Exporter JSON); lines are parsed with orjson, the fast path;
- objects concatenated with no separator (eventsFeed.py TCP output) and pretty-printed
  multi-line objects: the slow path collects lines until brackets balance, then decodes
  every value in them;
- documents whose records sit inside: GraphQL eventsFeed/auditFeed pages
  (``data.<feed>.accounts[].records[]``, fields from ``fieldsMap``), SCIM ListResponse
  envelopes (``Resources``), JSON arrays of records; their records have no line number.

A value that does not parse is reported with its line and the reader goes on with the next.
"""

from __future__ import annotations

import codecs
import itertools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO

import orjson

from scanner.flatten import NestingTooDeep, flatten, take_fields, too_deep
from scanner.readers import eventtime
from scanner.readers.textio import ReadOptions, iter_raw_lines, utf8_from_utf16
from scanner.record import ReadProblem, Record

_DECODER = json.JSONDecoder()
# Strings (which cannot span lines in JSON) or one bracket; used to track nesting depth.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]]')
_API_ENTITIES = ("admin", "apiKey", "object", "account")
_SURROGATE = re.compile("[\ud800-\udfff]")


def iter_records(
    stream: BinaryIO, head: bytes, opts: ReadOptions
) -> Iterator[Record | ReadProblem]:
    """Yield the records of a JSON lines / concatenated / pretty-printed / document file."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        stream = utf8_from_utf16(stream)
    decoder = LineDecoder(opts)
    first = True
    for item in iter_raw_lines(stream, opts):
        if first and not isinstance(item, ReadProblem):
            first = False
            item = (item[0], item[1].removeprefix(b"\xef\xbb\xbf"))
        yield from decoder.feed(item)
    yield from decoder.finish()


class LineDecoder:
    """The line loop of :func:`iter_records`, fed one raw line at a time.

    Holds what spans lines: the next record index and the lines of a value still open.
    ``idle`` says no value is open, so a caller may decode the next lines itself
    (:mod:`scanner.columnar` does, advancing ``index`` by the records it read).
    """

    def __init__(self, opts: ReadOptions, index: int = 0):
        self.opts = opts
        self.index = index
        self._pending: list[str] = []  # lines of a value that spans lines or shares one
        self._line = 0
        self._bytes = 0
        self._depth = 0
        self._deepest = 0

    @property
    def idle(self) -> bool:
        """Whether no multi-line value is open."""
        return not self._pending

    def feed(self, item: tuple[int, bytes] | ReadProblem) -> Iterator[Record | ReadProblem]:
        """Decode one ``(line number, bytes)`` item of ``iter_raw_lines`` (problems pass)."""
        if isinstance(item, ReadProblem):
            yield item
            return
        opts = self.opts
        lineno, raw = item
        if not self._pending:
            stripped = raw.strip()
            if not stripped:
                return
            try:
                value = orjson.loads(stripped)
            except orjson.JSONDecodeError:
                pass
            else:
                for record in records_of(value, lineno, self.index, opts):
                    self.index = _next_index(record, self.index)
                    yield record
                return
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", errors="replace")
            yield ReadProblem(lineno, None, "invalid UTF-8 bytes; read with replacements")
        pending = self._pending
        if (
            pending
            and self._depth > 0
            and text.startswith("{")
            and pending[0].lstrip().startswith("{")
        ):
            # A new top-level object starts while the previous one is still open: that one
            # was broken (one-object-per-line data); report it and resynchronise here.
            yield ReadProblem(self._line, None, "invalid JSON value (unbalanced brackets)")
            self._reset()
        if not self._pending:
            self._line = lineno
        self._pending.append(text)
        self._bytes += len(raw)
        self._depth, self._deepest = _depth_after(text, self._depth, self._deepest)
        if self._bytes > opts.max_document_bytes:
            yield ReadProblem(
                self._line,
                None,
                f"JSON value over {opts.max_document_bytes} bytes "
                "(limits.max_document_bytes); skipped",
            )
            self._reset()
            return
        if self._depth > 0:
            return
        if self._deepest > opts.max_json_depth:
            # Never handed to a parser: the standard library's recursion would give out.
            yield too_deep(self._line, None, opts.max_json_depth)
        else:
            for produced in _decode_all(self._pending, self._line):
                if isinstance(produced, ReadProblem):
                    yield produced
                    continue
                value, line = produced
                for record in records_of(value, line, self.index, opts):
                    self.index = _next_index(record, self.index)
                    yield record
        self._reset()

    def finish(self) -> Iterator[ReadProblem]:
        """Report a value still open at the end of the file."""
        if self._pending and "".join(self._pending).strip():
            yield ReadProblem(self._line, None, "truncated JSON at end of file")
        self._reset()

    def _reset(self) -> None:
        self._pending = []
        self._depth = self._deepest = self._bytes = 0


def _next_index(item: Record | ReadProblem, index: int) -> int:
    return index if item.index is None else max(index, item.index + 1)


def _depth_after(text: str, depth: int, deepest: int) -> tuple[int, int]:
    """Bracket depth after ``text`` (strings skipped) and the deepest point reached."""
    for token in _TOKENS.findall(text):
        if token in "{[":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif token in "}]":
            depth -= 1
    return depth, deepest


def _decode_all(lines: list[str], first_line: int) -> Iterator[tuple[Any, int] | ReadProblem]:
    buf = "\n".join(lines)
    pos = 0
    end = len(buf)
    while True:
        while pos < end and buf[pos] in " \t\r\n":
            pos += 1
        if pos >= end:
            return
        line = first_line + buf.count("\n", 0, pos)
        start = pos
        try:
            value, pos = _DECODER.raw_decode(buf, pos)
        except json.JSONDecodeError as exc:
            bad_line = first_line + buf.count("\n", 0, exc.pos)
            yield ReadProblem(bad_line, None, f"invalid JSON: {exc.msg}")
            return
        except RecursionError:  # nesting the bracket count did not see (defensive)
            yield ReadProblem(line, None, "JSON nested too deeply to parse; skipped")
            return
        if "\\u" in buf[start:pos] and _has_surrogate(value):
            # JSON may escape half of a UTF-16 pair ("\\ud800"); Python keeps it as a lone
            # surrogate, which no UTF-8 output (hash, Parquet) can hold. Like invalid UTF-8
            # bytes, it is replaced and the record is read.
            value = _replace_surrogates(value)
            yield ReadProblem(line, None, "lone UTF-16 surrogate escape; read with replacements")
        yield value, line


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


def _replace_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_replace_surrogates(k): _replace_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_surrogates(v) for v in value]
    return value


def records_of(
    value: Any, line: int, index: int, opts: ReadOptions
) -> Iterator[Record | ReadProblem]:
    """Expand one top-level JSON value into records (a document holds many).

    Every record, read or refused, takes the next index; problems carry its index.
    """
    for obj, in_document in _objects(value):
        record_line = None if in_document else line
        try:
            pairs, problem, time_source = record_pairs(obj, opts, line, index)
        except NestingTooDeep:
            yield too_deep(line, index, opts.max_json_depth)
            index += 1
            continue
        if problem is not None:
            yield problem
        record_time = eventtime.from_mapping(time_source, opts.time_fields)
        if record_time is None and time_source is not obj and isinstance(obj, Mapping):
            record_time = eventtime.from_mapping(obj, opts.time_fields)
        yield Record(index, record_line, pairs, record_time)
        index += 1


def _objects(value: Any) -> Iterator[tuple[Any, bool]]:
    if isinstance(value, list):
        for item in value:
            yield item, True
        return
    if not isinstance(value, Mapping):
        yield value, False
        return
    data = value.get("data")
    if isinstance(data, Mapping):
        feed = data.get("eventsFeed") or data.get("auditFeed")
        if isinstance(feed, Mapping):
            for account in feed.get("accounts") or []:
                if isinstance(account, Mapping):
                    for record in account.get("records") or []:
                        yield record, True
            return
    resources = value.get("Resources")
    if isinstance(resources, list) and "schemas" in value:
        for item in resources:
            yield item, True
        return
    yield value, False


def record_pairs(
    obj: Any, opts: ReadOptions, line: int | None, index: int
) -> tuple[list[tuple[str | None, str]], ReadProblem | None, Mapping[str, Any]]:
    """Flatten one record; API records and push wrappers contribute their ``fieldsMap``.

    Returns the pairs (at most ``max_fields``), the problem of a record with more, and the
    mapping the event time is taken from.
    """
    depth = opts.max_json_depth
    pairs: Iterable[tuple[str | None, str]]
    time_source: Mapping[str, Any]
    if not isinstance(obj, Mapping):
        pairs, time_source = flatten(obj, "value", max_depth=depth), {}
    elif isinstance(fields_map := obj.get("fieldsMap"), Mapping):
        parts = [flatten(fields_map, max_depth=depth)]
        for name in _API_ENTITIES:
            entity = obj.get(name)
            if isinstance(entity, Mapping):
                parts.append(flatten(entity, name, max_depth=depth))
        pairs = itertools.chain.from_iterable(parts)
        time_source = fields_map  # the record's own ``time`` is the fallback
    else:
        pairs, time_source = flatten(obj, max_depth=depth), obj
    kept, problem = take_fields(pairs, opts.max_fields, line, index)
    return kept, problem, time_source
