"""The fast path for logs and exports: blocks of records detected column by column.

Line-oriented JSON logs (eventsFeed, auditFeed, push NDJSON), CEF and CSV exports repeat
the same field names on every line and the same values on many. A block's records are
grouped by their field names (one group per "shape", usually one), each group turned into
one column per field path, and routing done once per column, deciding once per distinct
(rule, value) of a column through the scanner's cache; the finding rows are produced with
NumPy index arithmetic for :meth:`~scanner.dataset.FindingsSink.add_indexed` instead of a
Python tuple per finding. JSON lines are read here too, a block of lines parsed with
orjson (:func:`read_blocks`); CEF and CSV records come from their readers
(:func:`block_of`).

Rows are exactly those of the row path (:mod:`scanner.readers.json_stream` then
``SourceScanner._records``), in the same order: record by record, fields in the record's
order, spans in the decision's order. A block the fast path cannot read exactly (a line
that is not one JSON object, a JSON document, an over-long line, a record over the field
or depth limits) goes line by line through the row reader's
:class:`~scanner.readers.json_stream.LineDecoder`, which keeps the reader's state (record
index, a multi-line value still open) across blocks.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any, BinaryIO

import numpy as np
import orjson
import pyarrow as pa

from scanner.config import FieldRule
from scanner.dataset import FindingValue, RecordKey
from scanner.detect.engine import CONDITIONAL, Detector
from scanner.readers import json_stream
from scanner.readers.textio import ReadOptions, iter_raw_lines
from scanner.record import ReadProblem, Record
from scanner.timeparse import MAX_EPOCH_S, MIN_EPOCH_S, parse_time

#: Format labels read by :func:`read_blocks` (every other one goes through its reader).
FORMATS = frozenset({"eventsfeed-jsonl", "auditfeed-jsonl", "push-ndjson"})
#: Format labels whose readers' records are detected in blocks (:func:`block_of`).
RECORD_FORMATS = frozenset({"cef", "cma-events-csv", "cma-users-csv", "scim-csv", "csv"})
#: A block ends after this many lines (or records) or bytes, whichever comes first.
BLOCK_RECORDS = 4096
_BLOCK_BYTES = 4 << 20
_SCALARS = frozenset({str, int, float, bool, type(None)})

#: Decides columns' distinct values: per (rule, values), the findings of each value.
Decide = Callable[
    [list[tuple[FieldRule, list[str]]]], list[list[tuple[FindingValue, ...]]]
]


@dataclass
class _Group:
    """Records of a block with the same field paths, one column per path.

    ``raw`` columns hold the JSON values of flat objects, turned into the texts
    :func:`scanner.flatten.flatten` would give by :meth:`texts`; other groups hold texts.
    """

    positions: list[int]
    paths: tuple[str | None, ...]
    columns: list[Sequence[Any]]
    raw: bool
    #: the value types of each raw column, when already known
    kinds: list[set[type] | frozenset[type]] | None = None

    def texts(self, i: int) -> Sequence[str | None]:
        """Column ``i`` as field texts; None where the record has no pair for it."""
        column = self.columns[i]
        if not self.raw:
            return column
        kinds = set(map(type, column)) if self.kinds is None else self.kinds[i]
        if kinds == {str}:
            return [v or None for v in column] if "" in column else column
        return [_text(v) for v in column]


@dataclass
class Block:
    """Consecutive records, read by :func:`read_blocks` or gathered by :func:`block_of`.

    Attributes:
        indexes: record index of each record.
        lines: line number of each record (in the stream read), or None.
        times: event time of each record: a UTC datetime, or microseconds since the epoch
            (an int: epoch-millisecond columns, see :func:`_epoch_millis`), or None.
        groups: the records by field paths; together they hold every record once.
    """

    indexes: Sequence[int]
    lines: Sequence[int | None]
    times: list[datetime | int | None]
    groups: list[_Group]

    @property
    def size(self) -> int:
        """Number of records in the block."""
        return len(self.lines)


@dataclass
class Origin:
    """Where a run of a block's records comes from.

    Their ``source_path`` and ``source_format``, and what to add to their line numbers and
    record indexes (a range of a split file).
    """

    path: str
    fmt: str
    line_offset: int = 0
    index_offset: int = 0


def merge(blocks: Sequence[tuple[Block, Origin]]) -> tuple[Block, list[tuple[int, Origin]]]:
    """One block of the records of several (small files' blocks, detected together).

    Groups with the same field paths become one group, so a column is routed and looked up
    once for all of them.

    Returns:
        The block, and the position of the first record of each origin in it.
    """
    indexes: list[int] = []
    lines: list[int | None] = []
    times: list[datetime | int | None] = []
    runs: list[tuple[int, Origin]] = []
    merged: dict[tuple[tuple[str | None, ...], bool], _Group] = {}
    for block, origin in blocks:
        base = len(lines)
        runs.append((base, origin))
        indexes.extend(block.indexes)
        lines.extend(block.lines)
        times.extend(block.times)
        for group in block.groups:
            positions = [base + p for p in group.positions]
            into = merged.get((group.paths, group.raw))
            if into is None:
                merged[(group.paths, group.raw)] = _Group(
                    positions,
                    group.paths,
                    [list(column) for column in group.columns],
                    group.raw,
                    None if group.kinds is None else [set(k) for k in group.kinds],
                )
                continue
            into.positions.extend(positions)
            for column, more in zip(into.columns, group.columns, strict=True):
                column.extend(more)  # type: ignore[attr-defined]
            if into.kinds is not None and group.kinds is not None:
                for kinds, more_kinds in zip(into.kinds, group.kinds, strict=True):
                    kinds |= more_kinds
            else:
                into.kinds = None
    return Block(indexes, lines, times, list(merged.values())), runs


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
            if len(items) >= BLOCK_RECORDS or size >= _BLOCK_BYTES:
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
    groups: list[_Group] = []
    nested: list[int] = []
    for keys, positions in shapes.items():
        columns = list(zip(*(objs[p].values() for p in positions), strict=True))
        if len(keys) > opts.max_fields or opts.max_json_depth < 1:
            nested.extend(positions)
            continue
        kinds = list(map(_kinds, columns))
        if all(k <= _SCALARS for k in kinds):
            groups.append(_Group(positions, keys, columns, raw=True, kinds=kinds))
            _event_times(keys, columns, positions, times, opts.time_fields)
        else:
            nested.extend(positions)
    if nested and not _read_nested(sorted(nested), objs, lines, index, opts, times, groups):
        return None
    return Block(range(index, index + len(objs)), lines, times, groups)


_STR = frozenset({str})


def _kinds(column: Sequence[Any]) -> frozenset[type] | set[type]:
    """The types of a column's values; a column of strings (the usual) at C speed."""
    try:
        "".join(column)  # fails on the first value that is not a string
    except TypeError:
        return set(map(type, column))
    return _STR


def block_of(records: list[Record]) -> Block:
    """A block of records a reader made (their fields are already texts)."""
    shapes: dict[tuple[str | None, ...], tuple[list[int], list[tuple[str, ...]]]] = {}
    for pos, record in enumerate(records):
        paths, texts = zip(*record.fields, strict=True) if record.fields else ((), ())
        shape = shapes.get(paths)
        if shape is None:
            shape = shapes[paths] = ([], [])
        shape[0].append(pos)
        shape[1].append(texts)
    groups = [
        _Group(positions, paths, list(zip(*texts, strict=True)), raw=False)
        for paths, (positions, texts) in shapes.items()
    ]
    return Block(
        [r.index for r in records],
        [r.line for r in records],
        [r.event_time for r in records],
        groups,
    )


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
                t = parsed.get(key, parsed)
                if t is parsed:
                    t = parsed[key] = parse_time(value)
                times[pos] = t


_MIN_MS, _MAX_MS = MIN_EPOCH_S * 1000, MAX_EPOCH_S * 1000


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
    groups: list[_Group],
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
        groups.append(_Group(members, paths, list(zip(*values, strict=True)), raw=False))
    return True


def _text(value: Any) -> str | None:
    """The text :func:`scanner.flatten.flatten` gives a scalar JSON value (None: no pair)."""
    t = type(value)
    if t is str:
        return value or None
    if t is int:
        return str(value)
    if t is float:
        return repr(value)
    return None  # None and booleans


@dataclass
class Findings:
    """The finding rows of a block, column-wise, for ``FindingsSink.add_indexed``."""

    recs: list[RecordKey]
    vals: list[FindingValue]
    fields: pa.Array
    rec_index: np.ndarray
    val_index: np.ndarray
    field_index: np.ndarray


def findings(
    block: Block,
    origins: list[tuple[int, Origin]],
    detector: Detector,
    decide: Decide,
) -> Findings | None:
    """Route, decide and expand a block's findings (None when it has none).

    Args:
        block: the records.
        origins: (first position, origin) of each run of the block's records, in order
            from position 0: their ``source_path`` and ``source_format``, and what to add to
            their line numbers and record indexes (a range of a split file read by
            :func:`read_blocks`; records the scanner has already shifted come with 0s).
        detector: routes field paths and picks conditional rules.
        decide: the findings of each column's distinct values, through the value cache.
    """
    # Each scanned column of each group becomes one "job": a rule (or, for a field whose
    # rule depends on other fields, one job per rule met) and the column's distinct
    # values. Cell codes index the jobs' decisions laid end to end.
    jobs: list[tuple[FieldRule, list[str]]] = []
    size = 0  # decisions so far

    def job(rule: FieldRule, distinct: list[str]) -> int:
        nonlocal size
        jobs.append((rule, distinct))
        base, size = size, size + len(distinct)
        return base

    field_ids: dict[str | None, int] = {}
    cells: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for group in block.groups:
        routed = _routed(group, detector)
        if not routed:
            continue
        matrix = np.empty((len(group.positions), len(routed)), np.int64)
        conditions: list[tuple[str | None, ...]] | None = None
        for c, (i, rule) in enumerate(routed):
            texts = group.texts(i)
            if rule is CONDITIONAL:
                if conditions is None:
                    conditions = _conditions(group, detector)
                keys = list(zip(conditions, texts, strict=True))
                rule_of = _conditional_rules(group.paths[i], set(conditions), group, detector)
                by_rule: dict[int, tuple[FieldRule, dict[str, int]]] = {}
                codes: dict[tuple, int] = {}
                for key in dict.fromkeys(keys):
                    met, value = rule_of[key[0]], key[1]
                    if met is None or value is None:
                        codes[key] = -1
                    else:
                        distinct = by_rule.setdefault(id(met), (met, {}))[1]
                        codes[key] = distinct.setdefault(value, len(distinct))
                bases = {k: job(met, list(d)) for k, (met, d) in by_rule.items()}
                for key, k in codes.items():
                    if k >= 0:
                        codes[key] = bases[id(rule_of[key[0]])] + k
                matrix[:, c] = list(map(codes.__getitem__, keys))
            else:
                seen = dict.fromkeys(texts)
                absent = None in seen
                if absent:
                    del seen[None]
                base = job(rule, list(seen))
                codes_of = {value: base + j for j, value in enumerate(seen)}
                if absent:
                    codes_of[None] = -1
                matrix[:, c] = list(map(codes_of.__getitem__, texts))
        ids = [field_ids.setdefault(group.paths[i], len(field_ids)) for i, _ in routed]
        cells.append((np.asarray(group.positions, np.int64), np.asarray(ids, np.int64), matrix))
    if not size:
        return None
    decided = [found for column in decide(jobs) for found in column]
    counts = np.zeros(size + 1, np.int64)  # the extra 0 serves code -1
    counts[:size] = np.fromiter(map(len, decided), np.int64, size)
    if not counts.any():
        return None
    offsets = np.zeros(size + 1, np.int64)
    offsets[1:size] = np.cumsum(counts[: size - 1])
    vals: list[FindingValue] = list(chain.from_iterable(decided))
    parts = [_expand(positions, ids, matrix, offsets, counts) for positions, ids, matrix in cells]
    rec_index, val_index, field_index = (np.concatenate(p) for p in zip(*parts, strict=True))
    if len(parts) > 1:  # groups interleave: back to record order, each record's rows kept
        order = np.argsort(rec_index, kind="stable")
        rec_index, val_index, field_index = rec_index[order], val_index[order], field_index[order]
    recs: list[RecordKey] = []
    ends = [start for start, _origin in origins[1:]] + [block.size]
    for (start, origin), end in zip(origins, ends, strict=True):
        path, fmt = origin.path, origin.fmt
        line_offset, index_offset = origin.line_offset, origin.index_offset
        recs.extend(
            (path, fmt, None if line is None else line + line_offset, index + index_offset, t)
            for line, index, t in zip(
                block.lines[start:end], block.indexes[start:end], block.times[start:end],
                strict=True,
            )
        )
    fields = pa.array(list(field_ids), pa.string())
    return Findings(recs, vals, fields, rec_index, val_index, field_index)


def _routed(group: _Group, detector: Detector) -> list[tuple[int, Any]]:
    """(column, rule or CONDITIONAL) of the group's scanned columns, in field order."""
    routes, route = detector.routes, detector.route
    routed = []
    for i, path in enumerate(group.paths):
        rule = routes.get(path, route)
        if rule is route:
            rule = route(path)
        if rule is not None:
            routed.append((i, rule))
    return routed


def _conditions(group: _Group, detector: Detector) -> list[tuple[str | None, ...]]:
    """Per record, the texts of the fields ``when`` conditions look at (None: absent).

    Ordered as :meth:`_condition_names` gives the names; a path found twice in a record
    counts with its last value, as in ``Detector.condition_lookup``.
    """
    columns = {
        path: group.texts(i)
        for i, path in enumerate(group.paths)
        if path in detector.condition_fields
    }
    if not columns:
        return [()] * len(group.positions)
    return list(zip(*columns.values(), strict=True))


def _condition_names(group: _Group, detector: Detector) -> list[str | None]:
    names = dict.fromkeys(p for p in group.paths if p in detector.condition_fields)
    return list(names)


def _conditional_rules(
    path: str | None,
    conditions: set[tuple[str | None, ...]],
    group: _Group,
    detector: Detector,
) -> dict[tuple[str | None, ...], FieldRule | None]:
    """The rule of field ``path`` for each distinct combination of condition texts."""
    names = _condition_names(group, detector)
    rules = {}
    for values in conditions:
        lookup = {n: v for n, v in zip(names, values, strict=True) if v is not None}
        rules[values] = detector.conditional_rule(path, lookup)  # type: ignore[arg-type]
    return rules


def _expand(
    positions: np.ndarray,
    ids: np.ndarray,
    matrix: np.ndarray,
    offsets: np.ndarray,
    counts: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One group's rows: per (record, column) cell in row-major order, its findings.

    Returns the rows' record positions, indexes into the block's FindingValues and
    field ids.
    """
    flat = matrix.ravel()
    per_cell = counts[flat]
    cell = np.repeat(np.arange(flat.size), per_cell)
    first_row = np.cumsum(per_cell) - per_cell
    nth = np.arange(cell.size) - first_row[cell]
    width = matrix.shape[1]
    return positions[cell // width], offsets[flat][cell] + nth, ids[cell % width]
