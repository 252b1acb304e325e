"""Free text that NER reads: spaCy, and messages decided per template.

:class:`FreeText` is the part of :class:`~scanner.detect.detector.Detector` that decides
the values of rules with ``detect: text`` and NER: :meth:`FreeText.prefetch` places a batch
of messages in their templates (:mod:`scanner.detect.templates`), runs spaCy
(:mod:`scanner.detect.nlp`) over the messages that teach a template and those no trusted
template decides, and :meth:`FreeText._scan_text` turns one message into spans: the
recognizers, spaCy's entities or the template's slots, then spaCy's PERSON spans given a
name's ends (:mod:`scanner.detect.name_spans`). These decisions belong to the task
(:meth:`FreeText.begin_task`): they depend on the messages before them.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from recognizers.base import EntityRecognizer, RecognizerResult
from scanner.config import FieldRule, ScannerFile
from scanner.detect import values
from scanner.detect.gates import possible_entities
from scanner.detect.name_spans import mend_name_ends, prefer_longer_names, trim_leading_words
from scanner.detect.nlp import ModelInfo, build_analyzer, check_model, load_model
from scanner.detect.not_person import NER_TEMPLATE_DETECTOR
from scanner.detect.resolve import Resolver, Span, span_of
from scanner.detect.templates import Fit, TemplateMiner, free_slots_may_hold_names, tokenize
from scanner.entities import ENTITY_TYPES, NER_ENTITY_TYPES

if TYPE_CHECKING:  # presidio is imported when the analyzer is first needed
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpArtifacts

log = logging.getLogger(__name__)

_HAS_LETTER = re.compile(r"[^\W\d_]")
_WINDOW = 100_000  # characters of free text analysed at once (spaCy's limit is 1,000,000)
_OVERLAP = 256

#: The entities NER does not report, as ENTITY_TYPES orders them.
_STRUCTURED = tuple(e for e in ENTITY_TYPES if e not in NER_ENTITY_TYPES)

#: What NER reports besides people: a trusted template's message is searched for them always.
_PLACES = tuple(e for e in NER_ENTITY_TYPES if e != "PERSON")


class FreeText:
    """The free text and NER part of the :class:`~scanner.detect.detector.Detector`."""

    # The detector's, which these methods use.
    resolver: Resolver
    recognizers: list
    min_score: float
    _rules: list
    _cache: dict[tuple[int, str], list[Span]]
    _absent: dict[str, set]

    if TYPE_CHECKING:

        def spans(self, rule: FieldRule, value: str) -> list[Span]:
            """The detector's cached decision of one value (Detector.spans)."""

        def _pattern_spans(self, value: str, entities: tuple[str, ...]) -> list[Span]: ...
        def _scan_patterns(self, value: str, entities: tuple[str, ...]) -> list[Span]: ...
        def _note_gates(self, texts: list[str]) -> None: ...

    def _init_free_text(self, settings: ScannerFile, nlp: str) -> None:
        """The free text state; ``nlp`` is the scan's NER mode (``spacy`` or ``none``)."""
        self.nlp_mode = nlp
        self._nlp_settings = settings.nlp
        self._artifacts: dict[str, NlpArtifacts] = {}  # text -> its NlpArtifacts, see prefetch
        self._text_recognizers: dict[tuple[str, ...], list] = {}  # entities -> recognizers
        self._analyzer: AnalyzerEngine | None = None
        self.model: ModelInfo | None = None
        self.ner_loaded = False
        #: free text per template (see scanner/detect/templates.py); None: NER on every text
        self.templates: TemplateMiner | None = None
        # Decisions of free text that NER would read: they depend on the task's earlier
        # messages (its templates), so they are kept per task and never shared.
        self._task_cache: dict[tuple[int, str], list[Span]] = {}
        # value -> its slots' NER spans, and whether another slot may hold a name
        self._planned: dict[str, tuple[list[Span], bool]] = {}
        self._patterns: dict[str, list[Span]] = {}  # value -> its spans besides names
        #: messages decided by their template, and by spaCy, since the detector was made
        self.template_counts = [0, 0]
        if nlp == "spacy":
            # Fail before any file is read; the pipeline itself is loaded on first use.
            self.model = check_model(settings.nlp)
            templates = settings.nlp.templates
            if templates.exemplars:
                self.templates = TemplateMiner(templates.exemplars, templates.similarity)

    def begin_task(self) -> None:
        """Start a task: free text is decided afresh, from this task's own templates.

        A message's findings then depend only on the task it is in, never on which tasks
        the same process ran before, so every engine and number of workers agree.
        """
        if self.templates is not None:
            self.templates.reset()
            self._task_cache.clear()

    def task_scoped_rules(self) -> frozenset[int]:
        """The ids of the rules whose decisions belong to the task (:meth:`task_scoped`)."""
        return frozenset(id(r) for r in self._rules if r is not None and self.task_scoped(r))

    def task_scoped(self, rule: FieldRule) -> bool:
        """Whether a rule's decisions belong to the task (free text read per template)."""
        return self.templates is not None and rule.detect == "text" and rule.ner

    def needs_ner(self, rule: FieldRule, value: str) -> bool:
        """Whether deciding this value needs the NER model (and it is not cached yet)."""
        return (
            rule.detect == "text"
            and rule.ner
            and self.nlp_mode == "spacy"
            and (id(rule), value) not in (self._task_cache if self.templates else self._cache)
            and len(value) <= _WINDOW
            and len(value.strip()) >= 3
            and _HAS_LETTER.search(value) is not None
        )

    def prefetch(self, pairs: list[tuple[FieldRule, str]], batch_size: int = 256) -> None:
        """Decide many NER values at once: spaCy runs over them as one ``nlp.pipe`` batch.

        With templates, every message is first placed in its template; the messages that
        teach templates (and those that fit none) go through spaCy first, then the rest are
        decided by their template where it is trusted, and by spaCy where not. A template's
        first two exemplars go through spaCy before any more of its messages do: when they
        agree, they conclude it (:func:`~scanner.detect.templates._conclude_early`).
        """
        if not pairs:
            return
        if self.templates is None:
            self._ner_batch(pairs, batch_size)
            return
        miner = self.templates
        fits: list[Fit | None] = []
        try:
            self._note_gates([value for _rule, value in pairs])
            for _rule, value in pairs:
                # What the recognizers find besides names and places: the tokens that never
                # split a template. The name recognizers wait until a message is known to be
                # decided by its template: spaCy's messages run them in _analyze anyway.
                found = self._patterns[value] = self._pattern_spans(value, _STRUCTURED)
                fits.append(miner.fit(tokenize(value, self.resolver.resolve(found))))
            first: list[tuple[FieldRule, str]] = []
            teach: list[tuple[int, Fit]] = []
            later: list[int] = []
            for i, fit in enumerate(fits):
                if fit is None or fit.template.trusted is False:
                    first.append(pairs[i])
                elif miner.wants_exemplar(fit, first=True):
                    teach.append((len(first), fit))
                    first.append(pairs[i])
                else:
                    later.append(i)
            self._teach(miner, first, teach, batch_size)
            # The templates whose first exemplars did not conclude them: more of their
            # messages teach them, in order, as they would have in one round.
            more: list[tuple[FieldRule, str]] = []
            teach, waiting, later = [], later, []
            for i in waiting:
                fit = fits[i]
                if fit is not None and miner.wants_exemplar(fit):
                    teach.append((len(more), fit))
                    more.append(pairs[i])
                else:
                    later.append(i)
            self._teach(miner, more, teach, batch_size)
            rest: list[tuple[FieldRule, str]] = []
            for i in later:
                fit, (rule, value) = fits[i], pairs[i]
                plan = miner.plan(fit) if fit is not None else None
                if fit is None or plan is None:
                    rest.append(pairs[i])
                else:
                    self._planned[value] = (plan, free_slots_may_hold_names(fit))
                    self.spans(rule, value)
                    self.template_counts[0] += 1
            self._ner_batch(rest, batch_size)
            self.template_counts[1] += len(first) + len(more) + len(rest)
        finally:
            self._planned.clear()
            self._patterns.clear()
            self._absent = {}

    def _teach(
        self,
        miner: TemplateMiner,
        pairs: list[tuple[FieldRule, str]],
        teach: list[tuple[int, Fit]],
        batch_size: int,
    ) -> None:
        """Decide ``pairs`` with spaCy, and teach each exemplar's template.

        ``teach``: the position of each exemplar among ``pairs``, and its fit.
        """
        self._ner_batch(pairs, batch_size)
        for at, fit in teach:
            rule, value = pairs[at]
            miner.observe(fit, self.spans(rule, value))

    def _ner_batch(self, pairs: list[tuple[FieldRule, str]], batch_size: int) -> None:
        """Decide values with spaCy's NER, its texts run as one ``nlp.pipe`` batch."""
        if not pairs:
            return
        analyzer = self._get_analyzer()
        texts = list(dict.fromkeys(values.nfkc_map(value)[0] for _rule, value in pairs))
        language = self._nlp_settings.language
        for text, artifacts in analyzer.nlp_engine.process_batch(
            texts, language, batch_size=batch_size
        ):
            self._artifacts[text] = artifacts
        try:
            for rule, value in pairs:
                self.spans(rule, value)
        finally:
            self._artifacts.clear()

    def _scan_text(self, value: str, *, ner: bool) -> list[Span]:
        if len(value.strip()) < 3:
            return []
        text, offsets = values.nfkc_map(value)
        if not (ner and self.nlp_mode == "spacy" and _HAS_LETTER.search(text)):
            return self._scan_patterns(value, ENTITY_TYPES)
        planned = self._planned.get(value)
        if planned is not None:
            # A message of a trusted template: what the recognizers find (names included
            # when a slot that held none in the exemplars has a word a name could start
            # with), and the slots the template's exemplars found to hold a name or place.
            plan, names = planned
            score = self._nlp_settings.score
            more = NER_ENTITY_TYPES if names else _PLACES
            found = self._patterns[value] + self._pattern_spans(value, more)
            found = self.resolver.resolve(found) + [
                Span(p.start, p.end, p.entity, score, NER_TEMPLATE_DETECTOR) for p in plan
            ]
            return self.resolver.resolve(
                prefer_longer_names(trim_leading_words(mend_name_ends(found, value), value), value)
            )
        spans: list[Span] = []
        for base in range(0, max(len(text), 1), _WINDOW):
            chunk = text[base : base + _WINDOW + _OVERLAP]
            artifacts = self._artifacts.get(chunk) if base == 0 else None
            for r in self._analyze(chunk, possible_entities(chunk, ENTITY_TYPES), artifacts):
                if base and r.end <= _OVERLAP:
                    continue  # already found in the previous window
                name = (r.recognition_metadata or {}).get("recognizer_name", "presidio")
                spans.append(span_of(r, name, offsets, base))
        return self.resolver.resolve(
            prefer_longer_names(trim_leading_words(mend_name_ends(spans, value), value), value)
        )

    def _analyze(
        self, text: str, entities: tuple[str, ...], artifacts: NlpArtifacts | None
    ) -> list[RecognizerResult]:
        """What ``AnalyzerEngine.analyze`` does, without its context enhancement.

        The same recognizers (the registry's choice for ``entities``, spaCy's among them),
        score threshold and de-duplication, in the same order. The lemma-based enhancer
        is left out: the pipeline loads no lemmatizer, so it can never find a context
        word (catoscan's recognizers weigh their own), yet it deep-copied every result
        and cost about a fifth of the free-text time.
        """
        analyzer = self._get_analyzer()
        if artifacts is None:
            artifacts = analyzer.nlp_engine.process_text(text, self._nlp_settings.language)
        recognizers = self._text_recognizers.get(entities)
        if recognizers is None:
            # presidio's registry's choice (the recognizers of the language that report one
            # of the entities), in one fixed order: catoscan's as built, then spaCy's.
            # Results that tie (a name both name recognizers find) keep the first, so the
            # detector column is the same whichever worker decided a message.
            language, asked = self._nlp_settings.language, set(entities)
            recognizers = [
                r
                for r in (*self.recognizers, *analyzer.registry.recognizers)
                if r.supported_language == language and asked.intersection(r.supported_entities)
            ]
            self._text_recognizers[entities] = recognizers
        wanted = list(entities)
        results = []
        for recognizer in recognizers:
            found = recognizer.analyze(text=text, entities=wanted, nlp_artifacts=artifacts)
            for r in found or ():
                if r.score < self.min_score:
                    continue
                if not r.recognition_metadata:
                    r.recognition_metadata = {}
                r.recognition_metadata.setdefault(
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY, recognizer.id
                )
                r.recognition_metadata.setdefault(
                    RecognizerResult.RECOGNIZER_NAME_KEY, recognizer.name
                )
                results.append(r)
        return EntityRecognizer.remove_duplicates(results)

    def _get_analyzer(self) -> AnalyzerEngine:
        if self._analyzer is None:
            nlp = load_model(self._nlp_settings)
            self._analyzer = build_analyzer(self._nlp_settings, nlp)
            self.ner_loaded = True
            log.info("loaded spaCy model %s", self._nlp_settings.model)
        return self._analyzer
