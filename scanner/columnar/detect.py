"""Findings of a block, column by column: routed once per column, decided once per value.

Each scanned column of a :class:`~scanner.columnar.blocks.Block`'s groups is routed once
(a rule, or for a field whose rule depends on other fields' values, the rule met by each
distinct combination of the ``when`` conditions' texts), its distinct values decided once
through the scanner's value cache (:class:`Decider`), and the finding rows produced with
NumPy index arithmetic, as rows of the cache's store, for
:meth:`~scanner.dataset.FindingsSink.add_indexed` instead of a Python tuple per finding.

Rows are exactly those of the row path (:mod:`scanner.rowpath`), in the same order:
record by record, fields in the record's order, spans in the decision's order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import chain
from typing import Any, Protocol, cast

import numpy as np
import pyarrow as pa

from scanner.columnar.blocks import Block, Group, Origin
from scanner.config import FieldRule
from scanner.dataset import RecordKey, ValueStore
from scanner.detect.detector import CONDITIONAL, Detector

#: Where a column is: its group's and its own index, the group's record positions, and
#: (when needed) its texts.
_Where = tuple[int, int, Sequence[int], Callable[[], Sequence[str | None]]]

class Decider(Protocol):
    """What decides columns' distinct values (:class:`scanner.valuecache.ValueCache`)."""

    #: the decided findings, as rows
    store: ValueStore

    def decide_columns(
        self,
        columns: list[tuple[FieldRule, list[str]]],
        firsts: dict[int, list[tuple[int, int, int]]],
    ) -> list[list[int]]:
        """Per (rule, values), the store row each value's findings start at (-1: none).

        ``firsts`` gives, for the columns whose values are decided in reading order (free
        text per template), where each value first occurs: (record position, group,
        column).
        """
        ...


@dataclass
class Findings:
    """The finding rows of a block, column-wise, for ``FindingsSink.add_indexed``.

    Row ``i`` is of record ``recs[rec_index[i]]``, field ``fields[field_index[i]]`` and
    value ``rows[i]``, a row of ``store`` valid in its ``generation``.
    """

    recs: list[RecordKey]
    store: ValueStore
    generation: int
    fields: pa.Array
    rec_index: np.ndarray
    rows: np.ndarray
    field_index: np.ndarray


def findings(
    block: Block,
    origins: list[tuple[int, Origin]],
    detector: Detector,
    cache: Decider,
) -> Findings | None:
    """Route, decide and expand a block's findings (None when it has none).

    Args:
        block: the records.
        origins: (first position, origin) of each run of the block's records, in order
            from position 0: their ``source_path`` and ``source_format``, and what to add to
            their line numbers and record indexes (a range of a split file read by
            :func:`read_blocks`; records the scanner has already shifted come with 0s).
        detector: routes field paths and picks conditional rules.
        cache: decides each column's distinct values, once per process.
    """
    # Each scanned column of each group becomes one "job": a rule (or, for a field whose
    # rule depends on other fields, one job per rule met) and the column's distinct
    # values. Cell codes index the jobs' decisions laid end to end.
    jobs: list[tuple[FieldRule, list[str]]] = []
    #: job -> where each of its values first occurs, for rules decided in reading order
    firsts: dict[int, list[tuple[int, int, int]]] = {}
    size = 0  # decisions so far

    def job(rule: FieldRule, distinct: list[str], where: _Where) -> int:
        nonlocal size
        if detector.task_scoped(rule):
            # Free text is decided per template, learnt from the messages before: they go
            # in reading order (record, then field), as a record-by-record scan reads them.
            g, i, positions, column = where
            at: dict[str, int] = {}
            for pos, value in zip(positions, column(), strict=True):
                if value is not None and value not in at:
                    at[value] = pos
            firsts[len(jobs)] = [(at[value], g, i) for value in distinct]
        jobs.append((rule, distinct))
        base, size = size, size + len(distinct)
        return base

    field_ids: dict[str | None, int] = {}
    cells: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for g, group in enumerate(block.groups):
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
                bases = {
                    k: job(
                        met,
                        list(d),
                        (g, i, group.positions, partial(_only, keys, texts, rule_of, k)),
                    )
                    for k, (met, d) in by_rule.items()
                }
                for key, k in codes.items():
                    if k >= 0:
                        codes[key] = bases[id(rule_of[key[0]])] + k
                matrix[:, c] = list(map(codes.__getitem__, keys))
            else:
                seen = dict.fromkeys(texts)
                absent = None in seen
                if absent:
                    del seen[None]
                base = job(
                    rule, cast(list[str], list(seen)), (g, i, group.positions, partial(list, texts))
                )
                codes_of = {value: base + j for j, value in enumerate(seen)}
                if absent:
                    codes_of[None] = -1
                matrix[:, c] = list(map(codes_of.__getitem__, texts))
        ids = [field_ids.setdefault(group.paths[i], len(field_ids)) for i, _ in routed]
        cells.append((np.asarray(group.positions, np.int64), np.asarray(ids, np.int64), matrix))
    if not size:
        return None
    store = cache.store
    starts = np.zeros(size + 1, np.int64)  # the extra one serves code -1, with no findings
    starts[:size] = np.fromiter(chain.from_iterable(cache.decide_columns(jobs, firsts)), np.int64)
    counts = np.zeros(size + 1, np.int64)
    counts[:size] = store.counts(starts[:size])
    if not counts.any():
        return None
    parts = [_expand(positions, ids, matrix, starts, counts) for positions, ids, matrix in cells]
    rec_index, rows, field_index = (np.concatenate(p) for p in zip(*parts, strict=True))
    if len(parts) > 1:  # groups interleave: back to record order, each record's rows kept
        order = np.argsort(rec_index, kind="stable")
        rec_index, rows, field_index = rec_index[order], rows[order], field_index[order]
    recs: list[RecordKey] = []
    ends = [start for start, _origin in origins[1:]] + [block.size]
    for (start, origin), end in zip(origins, ends, strict=True):
        path, fmt = origin.path, origin.fmt
        line_offset, index_offset = origin.line_offset, origin.index_offset
        recs.extend(
            (path, fmt, None if line is None else line + line_offset, index + index_offset, t)
            for line, index, t in zip(
                block.lines[start:end],
                block.indexes[start:end],
                block.times[start:end],
                strict=True,
            )
        )
    fields = pa.array(list(field_ids), pa.string())
    return Findings(recs, store, store.generation, fields, rec_index, rows, field_index)


def _only(
    keys: list[tuple], texts: Any, rule_of: dict[tuple, FieldRule | None], number: int
) -> list[str | None]:
    """A conditional column's texts where the rule met is the one of id ``number``."""
    return [
        value if (met := rule_of[key[0]]) is not None and id(met) == number else None
        for key, value in zip(keys, texts, strict=True)
    ]


def _routed(group: Group, detector: Detector) -> list[tuple[int, Any]]:
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


def _conditions(group: Group, detector: Detector) -> list[tuple[str | None, ...]]:
    """Per record, the texts of the fields ``when`` conditions look at (None: absent).

    Ordered as :func:`_condition_names` gives the names; a path found twice in a record
    counts with its last value, as in ``Detector.condition_lookup``.
    """
    columns = {
        path: group.texts(i) for i, path in enumerate(group.paths) if detector.is_condition(path)
    }
    if not columns:
        return [()] * len(group.positions)
    return list(zip(*columns.values(), strict=True))


def _condition_names(group: Group, detector: Detector) -> list[str | None]:
    names = dict.fromkeys(p for p in group.paths if detector.is_condition(p))
    return list(names)


def _conditional_rules(
    path: str | None,
    conditions: set[tuple[str | None, ...]],
    group: Group,
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
    starts: np.ndarray,
    counts: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One group's rows: per (record, column) cell in row-major order, its findings.

    ``starts`` and ``counts``: per cell code, its findings' first store row and number.
    Returns the rows' record positions, store rows and field ids.
    """
    flat = matrix.ravel()
    per_cell = counts[flat]
    cell = np.repeat(np.arange(flat.size), per_cell)
    first_row = np.cumsum(per_cell) - per_cell
    nth = np.arange(cell.size) - first_row[cell]
    width = matrix.shape[1]
    return positions[cell // width], starts[flat][cell] + nth, ids[cell % width]
