"""Compare a scan's findings with a labels file: precision, recall and F1 per entity type.

A label is ``{"source_path", "line", "record_index", "field", "entity_type", "value"}``. A
finding matches a label when source path, record index, field and entity type agree and its
``value_hash`` equals the labelled value's hash under the same key: so the comparison needs
no raw values in the dataset. As labels name a value once per field (tests/labels/README.md),
both sides are compared as sets: a value found twice in one field is one true positive.
Findings come from a real scan (:func:`scan_rows`). Used by the pipeline test,
``tests/test_quality.py`` and ``bench/eval.py``.
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
    def precision(self) -> float:
        """Share of the findings that match a label (1.0 without findings)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of the labels that a finding matches (1.0 without labels)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall (0.0 when both are 0)."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    """Per-entity scores and the unmatched findings and labels."""

    by_entity: dict[str, Scores]
    micro: Scores
    false_positives: list[dict[str, Any]] = field(default_factory=list)
    false_negatives: list[dict[str, Any]] = field(default_factory=list)
    #: the same counts per source file (a shape: ``siem/elastic_cato_networks.ndjson``)
    by_source: dict[str, Scores] = field(default_factory=dict)
    #: the same counts per kind of evidence (``free text``, ``field rules``) and per kind
    #: and entity (``free text PERSON``), when ``evaluate`` was told how to tell them
    by_evidence: dict[str, Scores] = field(default_factory=dict)

    def shapes(self, prefix: str = "siem/") -> str:
        """A table per source file under ``prefix``, and one line for all other files."""
        lines = [f"{'source':<40} {'tp':>6} {'fp':>5} {'fn':>5} {'prec':>6} {'rec':>6} {'f1':>6}"]
        rest = Scores()
        for name, sc in sorted(self.by_source.items()):
            if name.startswith(prefix):
                lines.append(_row(name, sc, 40))
            else:
                rest.tp, rest.fp, rest.fn = rest.tp + sc.tp, rest.fp + sc.fp, rest.fn + sc.fn
        lines.append(_row("every other file", rest, 40))
        return "\n".join(lines)

    def table(self) -> str:
        """A plain-text table: entity, TP, FP, FN, precision, recall, F1."""
        lines = [f"{'entity':<14} {'tp':>6} {'fp':>5} {'fn':>5} {'prec':>6} {'rec':>6} {'f1':>6}"]
        for name, s in sorted(self.by_entity.items()):
            lines.append(_row(name, s))
        lines.append(_row("MICRO", self.micro))
        return "\n".join(lines)


def _row(name: str, s: Scores, width: int = 14) -> str:
    rates = f"{s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}"
    return f"{name:<{width}} {s.tp:>6} {s.fp:>5} {s.fn:>5} {rates}"


def load_labels(path: Path) -> list[dict[str, Any]]:
    """Read a JSON-lines labels file."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def evaluate(
    findings: Iterable[dict[str, Any]],
    labels: Iterable[dict[str, Any]],
    key: bytes,
    evidence: Any = None,
) -> Evaluation:
    """Match findings (rows of the findings table) against labels.

    ``evidence``, when given, names the kind of evidence a field's values are decided by
    (``field`` -> ``"field rules"`` or ``"free text"``, see :func:`evidence_of`); the
    counts are then also kept per kind in ``Evaluation.by_evidence``, so a loss in free text
    cannot hide behind the field rules.
    """
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
        f = result.by_source.setdefault(k[0], Scores())
        f.tp, f.fp, f.fn = f.tp + tp, f.fp + fp, f.fn + fn
        if evidence is not None:
            kind = evidence(k[2])
            for name in (kind, f"{kind} {k[3]}"):
                e = result.by_evidence.setdefault(name, Scores())
                e.tp, e.fp, e.fn = e.tp + tp, e.fp + fp, e.fn + fn
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


def evidence_of(detector: Any) -> Any:
    """``field -> kind`` by the detector's routing.

    ``"free text"`` for text lines and fields read as text (unmapped ones included),
    ``"field rules"`` for fields a rule maps to an entity type.
    """
    from scanner.detect.detector import CONDITIONAL

    def kind(path: str | None) -> str:
        rule = detector.route(path)
        if rule is CONDITIONAL or (rule is not None and rule.detect != "text"):
            return "field rules"
        return "free text"

    return kind


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
    from scanner.embedded import embed_record
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
                # Source.open is typed BinaryIO, but its streams are the raw ones a
                # BufferedReader takes (typing.BinaryIO has no readinto).
                stream = io.BufferedReader(raw, buffer_size=1 << 20)  # type: ignore[type-var]
                head = stream.peek(SNIFF_BYTES)[:SNIFF_BYTES]
                if not head:
                    continue
                try:
                    fmt = sniff(head, src.name)
                except BinaryData:
                    continue
                for rec in reader_for(fmt)(stream, head, opts):
                    if isinstance(rec, Record):
                        embed_record(rec, opts)  # documents inside values, as a scan does
                        yield src.path, rec


def scan_rows(
    paths: Iterable[Path],
    configs: Configs,
    key: bytes,
    *,
    nlp: str = "spacy",
    min_score: float | None = None,
    workers: int = 1,
    records: int | None = None,
) -> list[dict[str, Any]]:
    """The findings of a real scan of ``paths`` (``pipeline.run`` into a temporary dataset).

    What is evaluated is what a user's scan writes: the same readers, blocks, value cache,
    templates of free text and task boundaries (``workers`` processes; one, as a scan
    under 16 MB runs, by default). ``records``: how many the scan must read (a corpus read
    short is no evaluation: RuntimeError).
    """
    import tempfile

    from scanner.config import ScanConfig
    from scanner.dataset import read_table
    from scanner.hashing import key_id
    from scanner.pipeline import run

    with tempfile.TemporaryDirectory(prefix="catoscan-evaluation-") as tmp:
        config = ScanConfig(
            paths=tuple(paths),
            out=Path(tmp),
            configs=configs,
            key=key,
            key_id=key_id(key),
            key_source="evaluation",
            nlp=nlp,
            min_score=min_score,
            workers=workers,
            progress=False,
        )
        result = run(config)
        if records is not None and result.records != records:
            raise RuntimeError(f"the scan read {result.records} records of {records}")
        return read_table(Path(tmp), "findings").to_pylist()


# --------------------------------------------------------------------------- span cases
#: Quotes a recognizer's expected span may include around a quoted value; catoscan reports
#: the value inside them (presidio's URL pattern takes ``"https://..."`` with its quotes).
_QUOTES = "\"'"


@dataclass(frozen=True)
class SpanCase:
    """One text with the spans of one entity type a recognizer must find in it.

    ``spans`` None: only ``expected_count`` is known. ``params`` are the test's recognizer
    arguments (``supported_regions``, ``leniency`` for phones). ``source`` cites the case.
    """

    source: str
    entity: str
    text: str
    spans: tuple[tuple[int, int], ...] | None
    expected_count: int
    params: dict[str, Any] = field(default_factory=dict)


def load_span_cases(path: Path) -> list[SpanCase]:
    """Read span cases, one JSON object per line.

    Each has ``file``, ``line``, ``entity``, ``text``, ``spans``, ``expected_count`` and
    optionally ``params``.
    """
    cases = []
    for row in load_labels(path):
        spans = row.get("spans")
        cases.append(
            SpanCase(
                source=f"{row['file']}:{row['line']}",
                entity=row["entity"],
                text=row["text"],
                spans=None if spans is None else tuple(tuple(s) for s in spans),
                expected_count=int(row["expected_count"]),
                params=row.get("params") or {},
            )
        )
    return cases


def unquoted(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """``span`` without the quotes around it (``"https://x.org/"`` -> ``https://x.org/``)."""
    start, end = span
    while end - start >= 2 and text[start] in _QUOTES and text[end - 1] == text[start]:
        start, end = start + 1, end - 1
    return start, end


@dataclass
class SpanEvaluation:
    """Scores of span cases per entity type, with each case that was not exactly right."""

    by_entity: dict[str, Scores]
    micro: Scores
    misses: list[tuple[SpanCase, list[tuple[int, int]]]] = field(default_factory=list)

    def table(self) -> str:
        """A plain-text table: entity, TP, FP, FN, precision, recall, F1."""
        return Evaluation(self.by_entity, self.micro).table()


def score_span_cases(cases: Iterable[SpanCase], find: Any) -> SpanEvaluation:
    """Score ``find(case) -> [(start, end), ...]`` (spans of ``case.entity``) on the cases.

    A found span is a true positive when it equals an expected one, with or without the
    quotes around it; for cases with a count only, up to that many found spans are.
    """
    by_entity: dict[str, Scores] = {}
    micro = Scores()
    misses = []
    for case in cases:
        found = list(dict.fromkeys(find(case)))
        if case.spans is None:
            tp = min(len(found), case.expected_count)
            fp, fn = len(found) - tp, case.expected_count - tp
        else:
            forms = {s: {s, unquoted(case.text, s)} for s in case.spans}
            hit = {s for s, ok in forms.items() if ok & set(found)}
            allowed = set().union(*forms.values()) if forms else set()
            tp = len(hit)
            fp, fn = sum(1 for f in found if f not in allowed), len(forms) - tp
        scores = by_entity.setdefault(case.entity, Scores())
        for s in (scores, micro):
            s.tp, s.fp, s.fn = s.tp + tp, s.fp + fp, s.fn + fn
        if fp or fn:
            misses.append((case, found))
    return SpanEvaluation(by_entity, micro, misses)
