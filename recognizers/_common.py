"""Small helpers shared by the code recognizers: result building and context boosting.

Presidio boosts scores from context words only inside ``AnalyzerEngine`` and only with
spaCy ``nlp_artifacts``. catoscan calls ``recognizer.analyze`` directly on field values
and text lines, so recognizers that need context apply it themselves with a plain
character window (Japanese text has no spaces, so a token window would not work).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from importlib.resources import files
from typing import Any, ClassVar, Protocol

import regex
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer import pattern_recognizer as _presidio_patterns

log = logging.getLogger(__name__)

#: Characters looked at on each side of a match for a context word.
CONTEXT_WINDOW = 40


class Named(Protocol):
    """What a result records of the recognizer that found it (any ``EntityRecognizer``)."""

    @property
    def name(self) -> str:
        """The recognizer's name, which findings record as the detector."""

    @property
    def id(self) -> str:
        """Presidio's id of the recognizer instance."""


def make_result(
    recognizer: Named, entity: str, start: int, end: int, score: float
) -> RecognizerResult:
    """Build a result carrying the recognizer's name and id, as ``PatternRecognizer`` does.

    Args:
        recognizer: The recognizer that found the entity.
        entity: Entity type, e.g. ``"IP_ADDRESS"``.
        start: Start offset of the entity in the analyzed text.
        end: End offset (exclusive).
        score: Confidence between 0 and 1.

    Returns:
        The result.
    """
    return RecognizerResult(
        entity_type=entity,
        start=start,
        end=end,
        score=score,
        recognition_metadata={
            RecognizerResult.RECOGNIZER_NAME_KEY: recognizer.name,
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id,
        },
    )


def has_context(text: str, start: int, end: int, words: Iterable[str]) -> bool:
    """Tell whether a context word occurs within ``CONTEXT_WINDOW`` characters of a span.

    Args:
        text: The analyzed text.
        start: Start offset of the span.
        end: End offset of the span.
        words: Context words, already case-folded.

    Returns:
        True when one of the words occurs (case-insensitively, as a substring) just
        before or just after the span.
    """
    window = (
        text[max(0, start - CONTEXT_WINDOW) : start] + " " + text[end : end + CONTEXT_WINDOW]
    ).casefold()
    return any(word in window for word in words)


def boost_on_context(
    results: list[RecognizerResult], text: str, words: Iterable[str], score: float
) -> list[RecognizerResult]:
    """Raise the score of results that have a context word nearby.

    The result is marked as enhanced, so presidio's ``ContextAwareEnhancer`` does not
    boost it a second time when the recognizer runs inside an ``AnalyzerEngine``.

    Args:
        results: Results to update in place.
        text: The analyzed text.
        words: Context words, already case-folded.
        score: Score given to a result with context (never lowers a score).

    Returns:
        The same list, for chaining.
    """
    words = tuple(words)
    for result in results:
        if has_context(text, result.start, result.end, words):
            result.score = max(result.score, score)
            result.recognition_metadata[RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY] = True
    return results


#: presidio's bound on one regex search (seconds); a search that runs longer is skipped.
REGEX_TIMEOUT = getattr(_presidio_patterns, "REGEX_TIMEOUT_SECONDS", None)


class LeanPatternRecognizer(PatternRecognizer):
    """A ``PatternRecognizer`` whose ``analyze`` does presidio's work without its upkeep.

    presidio's ``PatternRecognizer.analyze`` reads the clock twice and logs per pattern,
    builds an explanation for every match and de-duplicates every list, even an empty one:
    on a field value such as an e-mail address that is about 30 of its 37 us. This runs
    the same searches (the same flags, presidio's timeout), applies ``validate_result`` and
    ``invalidate_result`` as presidio does, builds each result as presidio does (score,
    explanation, recognizer metadata) and de-duplicates when there are two or more;
    tests/recognizers/test_lean_patterns.py compares the two on every pattern recognizer.

    ``prefilters`` (pattern name -> regex) are necessary conditions: a pattern runs only
    on texts its prefilter matches (``prefilters:`` in ``recognizers.yaml``).
    """

    # presidio sets these in __init__ without annotations mypy can follow.
    name: str
    patterns: list[Pattern]
    #: never None here: presidio's default flags, or those given (REGEX_FLAGS for YAML)
    global_regex_flags: int

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prefilters: dict[str, str] = {}
        self._by_flags: dict[int, list[tuple[Pattern, Any, Any]]] = {}

    def analyze(
        self, text: str, entities: Any, nlp_artifacts: Any = None, regex_flags: int | None = None
    ) -> list[RecognizerResult]:
        """Every match of every pattern, validated and de-duplicated as presidio does."""
        flags = regex_flags or self.global_regex_flags
        results: list[RecognizerResult] = []
        for pattern, compiled, prefilter in self._compiled(flags):
            if prefilter is not None and prefilter.search(text) is None:
                continue  # the pattern cannot match this text
            try:
                for match in compiled.finditer(text, timeout=REGEX_TIMEOUT):
                    start, end = match.span()
                    if start == end:
                        continue
                    result = self._lean_result(pattern, text[start:end], start, end, flags)
                    if result is not None:
                        results.append(result)
            except TimeoutError:
                log.warning(
                    "Regex pattern '%s' timed out after %s seconds, skipping.",
                    pattern.name,
                    REGEX_TIMEOUT,
                )
        return EntityRecognizer.remove_duplicates(results) if len(results) > 1 else results

    def prefilter_gate(self) -> list[Any] | None:
        """Compiled regexes one of which every text this recognizer finds anything in matches.

        None when a pattern has no prefilter, or when a subclass's ``analyze`` may find
        more than its patterns do.
        """
        if type(self).analyze is not LeanPatternRecognizer.analyze:
            return None
        gate = [pre for _p, _c, pre in self._compiled(self.global_regex_flags)]
        return None if any(pre is None for pre in gate) else gate

    def _compiled(self, flags: int) -> list[tuple[Pattern, Any, Any]]:
        compiled = self._by_flags.get(flags)
        if compiled is None:
            prefilters = self.prefilters
            compiled = self._by_flags[flags] = [
                (
                    p,
                    regex.compile(p.regex, flags),
                    regex.compile(prefilters[p.name], flags) if p.name in prefilters else None,
                )
                for p in self.patterns
            ]
        return compiled

    def _lean_result(
        self, pattern: Pattern, matched: str, start: int, end: int, flags: int
    ) -> RecognizerResult | None:
        score = pattern.score
        validation = self.validate_result(matched)
        # presidio's own analyze passes validate_result's None too: the annotation is narrower.
        explanation = self.build_regex_explanation(
            self.name,
            pattern.name,
            pattern.regex,
            score,
            validation,  # type: ignore[arg-type]
            flags,
        )
        if validation is not None:
            score = EntityRecognizer.MAX_SCORE if validation else EntityRecognizer.MIN_SCORE
        if self.invalidate_result(matched):
            score = EntityRecognizer.MIN_SCORE
        if score <= EntityRecognizer.MIN_SCORE:
            return None
        explanation.score = score
        result = make_result(self, self.supported_entities[0], start, end, score)
        result.analysis_explanation = explanation
        return result


class DataPatternRecognizer(LeanPatternRecognizer):
    """A ``PatternRecognizer`` declared by class data, for recognizers that need code hooks.

    Subclasses set ``ENTITY``, ``PATTERNS`` (``(name, regex, score)`` tuples, copied into
    fresh ``Pattern`` objects per instance) and optionally ``CONTEXT`` with
    ``CONTEXT_SCORE``, then add ``validate_result``/``invalidate_result``. When
    ``CONTEXT_SCORE`` is set, a result with a context word nearby gets at least that score.
    """

    ENTITY: ClassVar[str]
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]]
    CONTEXT: ClassVar[tuple[str, ...]] = ()
    CONTEXT_SCORE: ClassVar[float | None] = None

    def __init__(self, supported_language: str = "en"):
        super().__init__(
            supported_entity=self.ENTITY,
            patterns=[Pattern(*pattern) for pattern in self.PATTERNS],
            context=list(self.CONTEXT),
            supported_language=supported_language,
        )
        self._context_words = tuple(word.casefold() for word in self.CONTEXT)

    def analyze(
        self, text: str, entities, nlp_artifacts=None, regex_flags=None
    ) -> list[RecognizerResult]:
        """Run the patterns, then apply the context boost if the class declares one.

        Args:
            text: A field value or a line of free text.
            entities: Unused; as in presidio's ``PatternRecognizer``, the caller chooses.
            nlp_artifacts: Unused.
            regex_flags: Overrides the recognizer's regex flags, as in presidio.

        Returns:
            The results.
        """
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        if self.CONTEXT_SCORE is not None:
            boost_on_context(results, text, self._context_words, self.CONTEXT_SCORE)
        return results


@functools.lru_cache(maxsize=1)
def common_english() -> frozenset[str]:
    """The most frequent lower-case English words (``recognizers/common_english.txt``).

    A phrase made only of them (``Legal Affairs``, ``Visual Studio Code``) names no person;
    a given name is almost never one of them (``jack`` and ``mark`` are the exceptions).
    """
    text = (files("recognizers") / "common_english.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))
