"""The detector: route each field of a record to the work its rule asks for.

Mapped fields need only their validator (an IP field is checked by the IP recognizer, a
name field is classified as e-mail, login or name); free text and unmapped fields go
through presidio's AnalyzerEngine with spaCy NER and every recognizer. Decisions are
cached per (rule, value) because logs repeat the same users, hosts and versions.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from scanner.config import ENTITY_TYPES, Configs, FieldRule
from scanner.detect import values
from scanner.detect.fieldmap import FieldMap
from scanner.detect.nlp import ModelInfo, build_analyzer, check_model, load_model
from scanner.detect.resolve import Resolver, Span
from scanner.record import Record

log = logging.getLogger(__name__)

#: Entities whose mapped fields are validated by that entity's recognizer.
VALIDATED = frozenset(
    {
        "IP_ADDRESS",
        "MAC_ADDRESS",
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "CREDIT_CARD",
        "JP_MY_NUMBER",
        "US_SSN",
    }
)
_HAS_LETTER = re.compile(r"[^\W\d_]")
_WINDOW = 100_000  # characters of free text analysed at once (spaCy's limit is 1,000,000)
_OVERLAP = 256


@dataclass(frozen=True, slots=True)
class Detection:
    """A resolved detection in one field of one record."""

    field: str | None
    value: str
    span: Span
    rule: FieldRule


class Detector:
    """Finds entities in records according to the configuration."""

    def __init__(self, configs: Configs, *, nlp: str = "spacy", min_score: float | None = None):
        from recognizers import build_recognizers

        settings = configs.scanner
        self.fieldmap = FieldMap(configs.fields)
        self.resolver = Resolver(settings.precedence, settings.containers)
        self.min_score = settings.min_score if min_score is None else min_score
        self.nlp_mode = nlp
        self._nlp_settings = settings.nlp
        self.recognizers = build_recognizers(
            configs.recognizers_path, phone_regions=tuple(settings.phone_regions)
        )
        self._by_entity: dict[str, list] = {e: [] for e in ENTITY_TYPES}
        for recognizer in self.recognizers:
            for entity in recognizer.supported_entities:
                self._by_entity.setdefault(entity, []).append(recognizer)
        self._cache: dict[tuple[int, str], list[Span]] = {}
        self._cache_size = settings.cache_size
        self._analyzer = None
        self.model: ModelInfo | None = None
        self.ner_loaded = False
        if nlp == "spacy":
            # Fail before any file is read; the pipeline itself is loaded on first use.
            self.model = check_model(settings.nlp)

    # -- public ------------------------------------------------------------------------
    def detect(self, record: Record) -> Iterator[Detection]:
        """Yield the resolved detections of every field of ``record``."""
        lookup: dict[str, str] | None = None
        fieldmap = self.fieldmap
        for path, value in record.fields:
            if lookup is None and fieldmap.needs_lookup(path):
                lookup = {k: v for k, v in record.fields if k is not None}
            rule = fieldmap.rule_for(path, lookup)
            if rule is None or rule.detect == "ignore":
                continue
            for span in self.spans(rule, value):
                yield Detection(path, value, span, rule)

    def spans(self, rule: FieldRule, value: str) -> list[Span]:
        """Resolved spans of one value under one rule (cached)."""
        key = (id(rule), value)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        spans = self._decide(rule, value)
        if len(self._cache) >= self._cache_size:
            self._cache.clear()
        if self._cache_size:
            self._cache[key] = spans
        return spans

    def warm_up(self) -> None:
        """Load the NER model now (it is otherwise loaded on the first free text)."""
        self._get_analyzer()

    # -- decisions -----------------------------------------------------------------------
    def _decide(self, rule: FieldRule, value: str) -> list[Span]:
        detect = rule.detect
        found: list[Span]
        if detect == "text":
            found = self._scan_text(value, ner=rule.ner)
        elif detect == "identity":
            found = self._identity(value, rule)
        elif detect in VALIDATED:
            found = [
                Span(s.start, s.end, s.entity, 1.0, f"field:{rule.rule_id}")
                for s in self._scan_patterns(value, (detect,))
            ]
        elif values.accepts_whole(detect, value):
            start, end = values.whole_span(value)
            found = [Span(start, end, detect, 1.0, f"field:{rule.rule_id}")]
        else:
            found = []
        if rule.scan_inside:
            found = found + self._scan_patterns(value, rule.scan_inside)
        return self.resolver.resolve(found)

    def _identity(self, value: str, rule: FieldRule) -> list[Span]:
        detector = f"field:{rule.rule_id}"
        start, end = values.whole_span(value)
        for entity in ("EMAIL_ADDRESS", "IP_ADDRESS"):
            hits = self._scan_patterns(value, (entity,))
            if hits:
                return [Span(h.start, h.end, entity, 1.0, detector) for h in hits]
        device = [
            s
            for s in self._scan_patterns(value, ("DEVICE_NAME",))
            if (s.start, s.end) == (start, end)
        ]
        if device:
            return [Span(start, end, "DEVICE_NAME", 1.0, detector)]
        kind = values.identity_kind(value)
        return [Span(start, end, kind, 1.0, detector)] if kind else []

    def _scan_patterns(self, value: str, entities: tuple[str, ...]) -> list[Span]:
        """Run the recognizers of ``entities`` directly (no NLP) on an NFKC view of value."""
        text, offsets = values.nfkc_map(value)
        wanted = list(entities)
        spans: list[Span] = []
        seen: set[int] = set()
        for entity in entities:
            for recognizer in self._by_entity.get(entity, ()):
                if id(recognizer) in seen:
                    continue
                seen.add(id(recognizer))
                for r in recognizer.analyze(text, wanted, None) or ():
                    if r.entity_type in entities and r.score >= self.min_score:
                        spans.append(_span(r, recognizer.name, offsets))
        return self.resolver.resolve(spans)

    def _scan_text(self, value: str, *, ner: bool) -> list[Span]:
        if len(value.strip()) < 3:
            return []
        text, offsets = values.nfkc_map(value)
        if not (ner and self.nlp_mode == "spacy" and _HAS_LETTER.search(text)):
            return self._scan_patterns(value, ENTITY_TYPES)
        analyzer = self._get_analyzer()
        spans: list[Span] = []
        for base in range(0, max(len(text), 1), _WINDOW):
            chunk = text[base : base + _WINDOW + _OVERLAP]
            for r in analyzer.analyze(
                chunk,
                language=self._nlp_settings.language,
                entities=list(ENTITY_TYPES),
                score_threshold=self.min_score,
            ):
                if base and r.end <= _OVERLAP:
                    continue  # already found in the previous window
                name = (r.recognition_metadata or {}).get("recognizer_name", "presidio")
                spans.append(_span(r, name, offsets, base))
        return self.resolver.resolve(spans)

    def _get_analyzer(self):  # noqa: ANN202 - presidio AnalyzerEngine
        if self._analyzer is None:
            nlp = load_model(self._nlp_settings)
            self._analyzer = build_analyzer(self._nlp_settings, nlp, self.recognizers)
            self.ner_loaded = True
            log.info("loaded spaCy model %s", self._nlp_settings.model)
        return self._analyzer


def _span(result, detector: str, offsets: list[int] | None, base: int = 0) -> Span:  # noqa: ANN001
    start, end = result.start + base, result.end + base
    if offsets is not None:
        start, end = offsets[start], offsets[end - 1] + 1
    return Span(start, end, result.entity_type, float(result.score), detector)
