"""Blocks: consecutive records held column by column, grouped by their field names.

Line-oriented logs and exports repeat the same field names on every line and the same
values on many. A :class:`Block`'s records are grouped by their field paths (one
:class:`Group` per "shape", usually one), each group one column per field path, so that a
column is routed once and its distinct values decided once
(:mod:`scanner.columnar.detect`). Blocks come from JSON lines
(:func:`scanner.columnar.json_blocks.read_blocks`) or from the records of a reader
(:func:`block_of`); documents embedded in their values become groups of their own
(:func:`embed`); small files' blocks are detected together (:func:`merge`, one
:class:`Origin` per file).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scanner import embedded
from scanner.readers.textio import ReadOptions
from scanner.record import Record

#: A block ends after this many lines (or records) or bytes, whichever comes first; the
#: one setting of the block size (read at run time, so tests may shrink it).
BLOCK_RECORDS = 4096
BLOCK_BYTES = 4 << 20


@dataclass
class Group:
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
    """Consecutive records, read from JSON lines or gathered by :func:`block_of`.

    Attributes:
        indexes: record index of each record.
        lines: line number of each record (in the stream read), or None.
        times: event time of each record: a UTC datetime, or microseconds since the epoch
            (an int: epoch-millisecond columns, see
            :func:`scanner.columnar.json_blocks._epoch_millis`), or None.
        groups: the records by field paths; together they hold every record once.
    """

    indexes: Sequence[int]
    lines: Sequence[int | None]
    times: list[datetime | int | None]
    groups: list[Group]

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
    merged: dict[tuple[tuple[str | None, ...], bool], Group] = {}
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
                merged[(group.paths, group.raw)] = Group(
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


def embed(block: Block, opts: ReadOptions) -> None:
    """Move documents embedded in a block's values into fields of their own (in place).

    As :func:`scanner.embedded.embed_record` does for one record: a cell whose value parses
    as a document is emptied, and the document's fields, ``<field>><path>``, go into new
    groups of the same records, after the block's own groups (a record's rows come in its
    fields' order, then its documents'). Columns are first tested at once (one join per
    column), so a block without documents costs little.
    """
    found: dict[int, list[tuple[str | None, str]]] = {}
    for group in block.groups:
        for i, path in enumerate(group.paths):
            texts = group.texts(i)
            if not embedded.maybe(texts):
                continue
            emptied = None
            for j, value in enumerate(texts):
                if value is None or not embedded.candidate(value):
                    continue
                inner = embedded.parse(value, opts)
                if inner is None:
                    continue
                if emptied is None:
                    emptied = list(texts)
                emptied[j] = None
                found.setdefault(group.positions[j], []).extend(embedded.named(path, inner, opts))
            if emptied is not None:
                group.columns[i] = emptied
                if group.kinds is not None:
                    group.kinds[i] = {str, type(None)}
    if not found:
        return
    shapes: dict[tuple[str | None, ...], tuple[list[int], list[tuple[str, ...]]]] = {}
    for pos in sorted(found):
        pairs = found[pos][: opts.max_fields]
        if block.times[pos] is None:
            block.times[pos] = embedded.document_time(pairs, opts.time_fields)
        paths = tuple(p for p, _ in pairs)
        shape = shapes.setdefault(paths, ([], []))
        shape[0].append(pos)
        shape[1].append(tuple(v for _, v in pairs))
    for paths, (positions, values) in shapes.items():
        block.groups.append(Group(positions, paths, list(zip(*values, strict=True)), raw=False))


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
    if len(shapes) > _FEW_SHAPES:
        groups = _united(shapes)
    else:
        groups = [
            Group(positions, paths, list(zip(*texts, strict=True)), raw=False)
            for paths, (positions, texts) in shapes.items()
        ]
    return Block(
        [r.index for r in records],
        [r.line for r in records],
        [r.event_time for r in records],
        groups,
    )


#: Up to this many shapes, a block's records are grouped by shape; beyond it, shapes
#: whose field order agrees share one group (:func:`_united`).
_FEW_SHAPES = 8
#: The widest group :func:`_united` makes, in columns.
_UNITED_WIDTH = 256


def _united(
    shapes: dict[tuple[str | None, ...], tuple[list[int], list[tuple[str, ...]]]],
) -> list[Group]:
    """Groups of many shapes: records whose fields come in one common order share a group.

    Documents whose objects leave out different keys give a shape per record or nearly,
    and a group per shape costs its routing, look-ups and row expansion for one or two
    records. A shape joins the shared group when its paths are distinct and appear in
    the group's column order, new paths going in before the shape's next one; its
    records hold None (no pair) in the group's other columns. A record's rows still come
    in its fields' order. Other shapes (a path twice, another order) keep a group each.
    """
    order: list[str | None] = []
    at: dict[str | None, int] = {}  # path -> its column in ``order``
    members: list[tuple[tuple[str | None, ...], list[int], list[tuple[str, ...]]]] = []
    groups: list[Group] = []
    # The widest shapes first: they set most of the order, so that fewer paths are placed
    # without a known path on either side (at the end).
    for paths, (positions, texts) in sorted(shapes.items(), key=lambda s: -len(s[0])):
        known = [at[p] for p in paths if p in at]
        if (
            len(set(paths)) != len(paths)
            or known != sorted(known)  # distinct paths: sorted means increasing
            or len(order) + len(paths) - len(known) > _UNITED_WIDTH
        ):
            groups.append(Group(positions, paths, list(zip(*texts, strict=True)), raw=False))
            continue
        if len(known) < len(paths):  # new paths go in right before the shape's next one
            merged: list[str | None] = []
            new: list[str | None] = []
            taken = 0
            for path in paths:
                if path in at:
                    merged += order[taken : at[path]] + new + [path]
                    taken, new = at[path] + 1, []
                else:
                    new.append(path)
            order = merged + order[taken:] + new
            at = {path: i for i, path in enumerate(order)}
        members.append((paths, positions, texts))
    if members:
        positions = sorted(p for _paths, ps, _texts in members for p in ps)
        row = {pos: r for r, pos in enumerate(positions)}
        columns: list[list[str | None]] = [[None] * len(positions) for _ in order]
        for paths, ps, texts in members:
            cells = [columns[at[path]] for path in paths]
            for pos, values in zip(ps, texts, strict=True):
                r = row[pos]
                for column, value in zip(cells, values, strict=True):
                    column[r] = value
        groups.insert(0, Group(positions, tuple(order), list[Sequence[Any]](columns), raw=False))
    return groups


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
