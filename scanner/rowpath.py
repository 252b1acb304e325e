"""The row path: a chunk of records detected record by record, field by field.

Scans do not use it: every reader's records are detected a block at a time
(:mod:`scanner.columnar`). It is the plain statement of what the columnar path must write,
row for row, which ``tests/test_columnar.py`` and ``bench/fuzz.py`` compare it with
(:func:`detect_records` stands in for :meth:`SourceScanner._detect
<scanner.worker.SourceScanner._detect>`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.config import FieldRule
from scanner.dataset import FindingRow
from scanner.embedded import embed_record
from scanner.record import Record

if TYPE_CHECKING:
    from scanner.worker import SourceScanner


def detect_records(
    scanner: SourceScanner, path: str, fmt: str, records: list[Record], result: Any = None
) -> None:
    """Detect and write one chunk of records (after the blocks read before them).

    Documents inside values become fields (``embed_record``). Two passes: the first
    routes every field and decides it from the cache where it can, collecting the
    free-text values that need NER; those go through spaCy as one batch; the second pass
    emits the rows in record and field order.
    """
    for record in records:
        embed_record(record, scanner.opts)
    scanner.blocks.detect(scanner.sink)  # rows stay in reading order
    detector = scanner.detector
    cached = scanner.cache.cached
    finding_values = scanner.cache.finding_values
    pending: dict[tuple[int, str], tuple[FieldRule, str]] = {}
    plan: list[list[tuple]] = []
    for record in records:
        entries: list[tuple] = []
        for fpath, value, rule in detector.routed(record.fields):
            found = cached(rule, value)
            if found is None:
                if detector.needs_ner(rule, value):
                    pending[(id(rule), value)] = (rule, value)
                    entries.append((fpath, None, rule, value))
                    continue
                found = finding_values(rule, value)
            if found:
                entries.append((fpath, found, rule, value))
        plan.append(entries)
    if pending:
        detector.prefetch(list(pending.values()))
    rows: list[FindingRow] = []
    append = rows.append
    for record, entries in zip(records, plan, strict=True):
        rec = (path, fmt, record.line, record.index, record.event_time)
        for fpath, found, rule, value in entries:
            if found is None:
                found = finding_values(rule, value)
            for fv in found:
                append((rec, fpath, fv))
        if len(rows) >= 4096:
            scanner.sink.add_findings(rows)
            rows = []
            append = rows.append
    if rows:
        scanner.sink.add_findings(rows)
