"""JSON lines read as blocks: a block of lines parsed with orjson, grouped by field names.

Line-oriented JSON logs (eventsFeed, auditFeed, push NDJSON) and SIEM exports of one
document per line are read :data:`~scanner.columnar.blocks.BLOCK_RECORDS` lines at a time;
flat objects become :class:`~scanner.columnar.blocks.Group` columns of their JSON values as
they are, nested ones are flattened by the row reader's own code, and event times are found
per column.

The records are exactly those of the row reader (:mod:`scanner.readers.json_stream`), in
the same order. A block the fast path cannot read exactly (a line that is not one JSON
object, a JSON document, an over-long line, a record over the field or depth limits) goes
line by line through the row reader's :class:`~scanner.readers.json_stream.LineDecoder`,
which keeps the reader's state (record index, a multi-line value still open) across
blocks.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, BinaryIO

import numpy as np
import orjson

from scanner import readers
from scanner.columnar import blocks
from scanner.columnar.blocks import Block, Group
from scanner.readers import json_stream
from scanner.readers.textio import ReadOptions, iter_raw_lines
from scanner.record import ReadProblem, Record
from scanner.timeparse import MAX_EPOCH_S, MIN_EPOCH_S, parse_time

#: Format labels read by :func:`read_blocks` (every other one goes through its reader).
FORMATS = frozenset(f for f, spec in readers.FORMATS.items() if spec.fast_path == "lines")
_SCALARS = frozenset({str, int, float, bool, type(None)})
_STR = frozenset({str})
_MIN_MS, _MAX_MS = MIN_EPOCH_S * 1000, MAX_EPOCH_S * 1000
#: Stands for "not parsed yet" among a column's parsed times, which may be None.
_UNSEEN: Any = object()


def read_blocks(
    stream: BinaryIO, head: bytes, opts: ReadOptions
) -> Iterator[Block | Record | ReadProblem]:
    """Read JSON lines as blocks, or as the row reader's items where needed."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        yield from json_stream.iter_records(stream, head, opts)
        return
    decoder = json_stream.LineDecoder(opts)
    items: list[tuple[int, bytes] | ReadProblem] = []
    size = 0
    first = True
    try:
        for item in iter_raw_lines(stream, opts):
            if isinstance(item, ReadProblem):
                items.append(item)
                continue
            if first:
                first = False
                item = (item[0], item[1].removeprefix(codecs.BOM_UTF8))
            items.append(item)
            size += len(item[1])
            if len(items) >= blocks.BLOCK_RECORDS or size >= blocks.BLOCK_BYTES:
                yield from _block_or_rows(items, decoder, opts)
                items, size = [], 0
    except Exception:
        # A stream failing mid-way (a truncated gzip): what was read before still counts.
        yield from _block_or_rows(items, decoder, opts)
        raise
    yield from _block_or_rows(items, decoder, opts)
    yield from decoder.finish()


def _block_or_rows(
    items: list[tuple[int, bytes] | ReadProblem],
    decoder: json_stream.LineDecoder,
    opts: ReadOptions,
) -> Iterator[Block | Record | ReadProblem]:
    if not items:
        return
    if decoder.idle:
        block = _parse(items, decoder.index, opts)
        if block is not None:
            decoder.index += block.size
            yield block
            return
    for item in items:
        yield from decoder.feed(item)


def _parse(
    items: list[tuple[int, bytes] | ReadProblem], index: int, opts: ReadOptions
) -> Block | None:
    """The block of ``items``, or None when the row reader must read them."""
    loads = orjson.loads
    lines: list[int] = []
    objs: list[dict[str, Any]] = []
    for item in items:
        if type(item) is not tuple:
            return None  # an over-long line
        stripped = item[1].strip()
        if not stripped:
            continue
        try:
            obj = loads(stripped)
        except orjson.JSONDecodeError:
            return None
        if type(obj) is not dict:
            return None
        lines.append(item[0])
        objs.append(obj)
    shapes: dict[tuple[str, ...], list[int]] = {}
    for pos, obj in enumerate(objs):
        keys = tuple(obj)
        same = shapes.get(keys)
        if same is None:
            shapes[keys] = [pos]
        else:
            same.append(pos)
    times: list[datetime | int | None] = [None] * len(objs)
    groups: list[Group] = []
    nested: list[int] = []
    for keys, positions in shapes.items():
        columns: list[Sequence[Any]] = list(
            zip(*(objs[p].values() for p in positions), strict=True)
        )
        if len(keys) > opts.max_fields or opts.max_json_depth < 1:
            nested.extend(positions)
            continue
        kinds = list(map(_kinds, columns))
        if all(k <= _SCALARS for k in kinds):
            groups.append(Group(positions, keys, columns, raw=True, kinds=kinds))
            _event_times(keys, columns, positions, times, opts.time_fields)
        else:
            nested.extend(positions)
    if nested and not _read_nested(sorted(nested), objs, lines, index, opts, times, groups):
        return None
    return Block(range(index, index + len(objs)), lines, times, groups)


def _kinds(column: Sequence[Any]) -> frozenset[type] | set[type]:
    """The types of a column's values; a column of strings (the usual) at C speed."""
    try:
        "".join(column)  # fails on the first value that is not a string
    except TypeError:
        return set(map(type, column))
    return _STR


def _event_times(
    keys: tuple[str, ...],
    columns: list[Sequence[Any]],
    positions: list[int],
    times: list[datetime | int | None],
    time_fields: tuple[str, ...],
) -> None:
    """Event times of flat objects, as :func:`scanner.readers.eventtime.from_mapping`.

    The first of ``time_fields`` present with a parseable value wins; a dotted name
    matches only a key spelled that way, since flat objects have nothing to dig into.
    """
    where = {key: i for i, key in enumerate(keys)}
    parsed: dict[Any, datetime | None] = {}
    for name in time_fields:
        i = where.get(name)
        if i is None:
            continue
        if _epoch_millis(columns[i], positions, times):
            continue
        for pos, value in zip(positions, columns[i], strict=True):
            if times[pos] is None and value is not None:
                key = (type(value), value)  # 1 and 1.0 and True are one dict key
                t = parsed.get(key, _UNSEEN)
                if t is _UNSEEN:
                    t = parsed[key] = parse_time(value)
                times[pos] = t


def _epoch_millis(
    column: Sequence[Any], positions: list[int], times: list[datetime | int | None]
) -> bool:
    """Times of a column of epoch-millisecond strings (eventsFeed ``time``), all at once.

    Only when every value is 13 ASCII digits in the range :func:`parse_time` accepts, which
    gives the same instants; they are kept as microseconds since the epoch (ints), which
    the findings' ``event_time`` column takes as they are, instead of a datetime apiece.
    Returns False, having set nothing, for any other column.
    """
    try:
        joined = "".join(column)
    except TypeError:  # not all strings
        return False
    if len(joined) != 13 * len(column) or not (joined.isascii() and joined.isdigit()):
        return False
    millis = np.frombuffer(joined.encode("ascii"), "S13").astype(np.int64)
    if not ((millis >= _MIN_MS) & (millis < _MAX_MS)).all():
        return False
    for pos, micros in zip(positions, (millis * 1000).tolist(), strict=True):
        if times[pos] is None:
            times[pos] = micros
    return True


def _read_nested(
    positions: list[int],
    objs: list[dict[str, Any]],
    lines: list[int],
    index: int,
    opts: ReadOptions,
    times: list[datetime | int | None],
    groups: list[Group],
) -> bool:
    """Flatten objects the flat groups cannot hold with the row reader's own code.

    Returns False when one of them is not exactly one record without a problem.
    """
    shapes: dict[tuple[str | None, ...], tuple[list[int], list[tuple[str, ...]]]] = {}
    for pos in positions:
        produced = list(json_stream.records_of(objs[pos], lines[pos], index + pos, opts))
        if len(produced) != 1 or not isinstance(record := produced[0], Record):
            return False
        if record.line is None:  # a JSON document: its records share the line
            return False
        times[pos] = record.event_time
        paths = tuple(path for path, _ in record.fields)
        shape = shapes.get(paths)
        if shape is None:
            shape = shapes[paths] = ([], [])
        shape[0].append(pos)
        shape[1].append(tuple(text for _, text in record.fields))
    for paths, (members, values) in shapes.items():
        groups.append(Group(members, paths, list(zip(*values, strict=True)), raw=False))
    return True
