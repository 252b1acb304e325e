"""Compare a scan's findings with a labels file: precision, recall and F1 per entity type.

A label is ``{"source_path", "line", "record_index", "field", "entity_type", "value"}``. A
finding matches a label when source path, record index, field and entity type agree and its
``value_hash`` equals the labelled value's hash under the same key: so the comparison needs
no raw values in the dataset. As labels name a value once per field (tests/labels/README.md),
both sides are compared as sets: a value found twice in one field is one true positive.
Used by the pipeline test, ``tests/test_quality.py`` and ``bench/eval.py``.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.config import Configs
from scanner.hashing import Hasher, mask
from scanner.record import Record

Key = tuple[str, int, str | None, str, str]  # path, record_index, field, entity, value_hash


@dataclass
class Scores:
    """Counts and rates for one entity type (or all, micro-averaged)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:  # noqa: D102
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:  # noqa: D102
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:  # noqa: D102
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    """Per-entity scores and the unmatched findings and labels."""

    by_entity: dict[str, Scores]
    micro: Scores
    false_positives: list[dict[str, Any]] = field(default_factory=list)
    false_negatives: list[dict[str, Any]] = field(default_factory=list)

    def table(self) -> str:
        """A plain-text table: entity, TP, FP, FN, precision, recall, F1."""
        lines = [f"{'entity':<14} {'tp':>6} {'fp':>5} {'fn':>5} {'prec':>6} {'rec':>6} {'f1':>6}"]
        for name, s in sorted(self.by_entity.items()):
            lines.append(_row(name, s))
        lines.append(_row("MICRO", self.micro))
        return "\n".join(lines)


def _row(name: str, s: Scores) -> str:
    rates = f"{s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}"
    return f"{name:<14} {s.tp:>6} {s.fp:>5} {s.fn:>5} {rates}"


def load_labels(path: Path) -> list[dict[str, Any]]:
    """Read a JSON-lines labels file."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def evaluate(
    findings: Iterable[dict[str, Any]], labels: Iterable[dict[str, Any]], key: bytes
) -> Evaluation:
    """Match findings (rows of the findings table) against labels."""
    hasher = Hasher(key)
    wanted: Counter[Key] = Counter()
    label_info: dict[Key, dict[str, Any]] = {}
    for label in labels:
        k = (
            label["source_path"],
            label["record_index"],
            label["field"],
            label["entity_type"],
            hasher.hash(label["entity_type"], label["value"]),
        )
        wanted[k] = 1
        label_info[k] = label
    got: Counter[Key] = Counter()
    finding_info: dict[Key, dict[str, Any]] = {}
    for row in findings:
        k = (
            row["source_path"],
            row["record_index"],
            row["field"],
            row["entity_type"],
            row["value_hash"],
        )
        got[k] = 1
        finding_info.setdefault(k, row)
    by_entity: dict[str, Scores] = {}
    result = Evaluation(by_entity, Scores())
    for k in wanted.keys() | got.keys():
        s = by_entity.setdefault(k[3], Scores())
        tp = min(wanted[k], got[k])
        fp = got[k] - tp
        fn = wanted[k] - tp
        s.tp, s.fp, s.fn = s.tp + tp, s.fp + fp, s.fn + fn
        if fp:
            r = finding_info[k]
            result.false_positives.append(
                {
                    "source_path": k[0],
                    "record_index": k[1],
                    "field": k[2],
                    "entity_type": k[3],
                    "detector": r["detector"],
                    "value_masked": r["value_masked"],
                }
            )
        if fn:
            lab = label_info[k]
            result.false_negatives.append(
                {
                    "source_path": k[0],
                    "record_index": k[1],
                    "field": k[2],
                    "entity_type": k[3],
                    "value_masked": mask(k[3], lab["value"]),
                }
            )
    for s in by_entity.values():
        result.micro.tp += s.tp
        result.micro.fp += s.fp
        result.micro.fn += s.fn
    return result


def side_by_side(left: Evaluation, right: Evaluation, names: tuple[str, str]) -> str:
    """Two evaluations as one table: precision, recall and F1 of each, per entity type."""
    head = f"{'':<14} {names[0]:^27} | {names[1]:^27}"
    cols = f"{'entity':<14} " + " | ".join([f"{'prec':>6} {'rec':>6} {'f1':>6} {'fp':>5}"] * 2)
    lines = [head, cols]
    for name in sorted(left.by_entity.keys() | right.by_entity.keys()):
        a, b = left.by_entity.get(name, Scores()), right.by_entity.get(name, Scores())
        lines.append(f"{name:<14} {_rates(a)} | {_rates(b)}")
    lines.append(f"{'MICRO':<14} {_rates(left.micro)} | {_rates(right.micro)}")
    return "\n".join(lines)


def _rates(s: Scores) -> str:
    return f"{s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f} {s.fp:>5}"


def iter_records(paths: Iterable[Path], configs: Configs) -> Iterator[tuple[str, Record]]:
    """Every record under ``paths`` with its source path, read as a scan reads it.

    Files, archive members and formats are found by the scan's own code (walk, archive
    layer, sniffing, readers); unreadable sources and records are skipped here (the scan
    reports them). Yields ``(source_path, record)``.
    """
    from scanner.readers import reader_for
    from scanner.readers.textio import ReadOptions
    from scanner.sniff import SNIFF_BYTES, BinaryData, sniff
    from scanner.sources import Limits, sources, walk

    lim = configs.scanner.limits
    limits = Limits(lim.max_archive_depth, lim.max_member_bytes, lim.max_nested_archive_bytes)
    opts = ReadOptions(
        time_fields=configs.fields.time_fields,
        max_line_bytes=lim.max_line_bytes,
        max_document_bytes=lim.max_document_bytes,
    )
    for item in walk(list(paths), []):
        for src in sources(item, limits):
            if isinstance(src, tuple):
                continue
            with src.open() as raw:
                stream = io.BufferedReader(raw, buffer_size=1 << 20)  # type: ignore[arg-type]
                head = stream.peek(SNIFF_BYTES)[:SNIFF_BYTES]
                if not head:
                    continue
                try:
                    fmt = sniff(head, src.name)
                except BinaryData:
                    continue
                for rec in reader_for(fmt)(stream, head, opts):
                    if isinstance(rec, Record):
                        yield src.path, rec


def detect_rows(
    detector: Any, records: Iterable[tuple[str, Record]], hasher: Hasher
) -> Iterator[dict[str, Any]]:
    """Findings of a :class:`~scanner.detect.engine.Detector` as rows :func:`evaluate` reads."""
    for path, record in records:
        for det in detector.detect(record):
            text = det.value[det.span.start : det.span.end]
            yield {
                "source_path": path,
                "record_index": record.index,
                "field": det.field,
                "entity_type": det.span.entity,
                "value_hash": hasher.hash(det.span.entity, text),
                "value_masked": mask(det.span.entity, text),
                "detector": det.span.detector,
                "score": det.span.score,
            }
