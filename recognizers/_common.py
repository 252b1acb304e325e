"""Small helpers shared by the code recognizers: result building and context boosting.

Presidio boosts scores from context words only inside ``AnalyzerEngine`` and only with
spaCy ``nlp_artifacts``. catoscan calls ``recognizer.analyze`` directly on field values
and text lines, so recognizers that need context apply it themselves with a plain
character window (Japanese text has no spaces, so a token window would not work).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from importlib.resources import files
from typing import ClassVar

from recognizers.base import Pattern, PatternRecognizer, RecognizerResult, only_pattern_matches

#: Characters looked at on each side of a match for a context word.
CONTEXT_WINDOW = 40


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
            if result.recognition_metadata is None:
                result.recognition_metadata = {}
            result.recognition_metadata[RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY] = True
    return results


class DataPatternRecognizer(PatternRecognizer):
    """A ``PatternRecognizer`` declared by class data, for recognizers that need code hooks.

    Subclasses set ``ENTITY``, ``PATTERNS`` (``(name, regex, score)`` tuples, copied into
    fresh ``Pattern`` objects per instance) and optionally ``CONTEXT`` with
    ``CONTEXT_SCORE``, then add ``validate_result``/``invalidate_result``. When
    ``CONTEXT_SCORE`` is set, a result with a context word nearby gets at least that score.
    ``PREFILTERS`` (pattern name -> regex) are the patterns' necessary conditions, as the
    ``prefilters:`` of ``recognizers.yaml``: each without lookarounds or anchors, so that
    many texts can be searched for it at once (:meth:`gate`).
    """

    ENTITY: ClassVar[str]
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]]
    PREFILTERS: ClassVar[dict[str, str]] = {}
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
        self.prefilters = dict(self.PREFILTERS)

    @only_pattern_matches
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
