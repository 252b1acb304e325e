"""The recognizer API catoscan's recognizers implement, without importing presidio.

presidio's recognizer classes live in a package whose ``__init__`` imports its NLP engines,
and with them spaCy: about 0.6 s before the first record of every scan, and 100 MiB or so in
every process, though a scan of structured records never runs NER. These classes keep the
part of presidio's API that catoscan uses (the same names, arguments, attributes and
results), so a scan imports presidio and spaCy only when free text needs them
(``scanner.detect.nlp``). Each behaves as presidio's does; ``tests/recognizers`` compares
the pattern search and :meth:`EntityRecognizer.remove_duplicates` with presidio's own.

What is left out: presidio's analysis explanations (nothing reads them; building one per
match cost a third of a pattern search), country codes and per-entity score thresholds.
"""

from __future__ import annotations

import logging
import os
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from typing import Any, TypeVar

import regex

_F = TypeVar("_F", bound=Callable[..., Any])

log = logging.getLogger(__name__)

#: presidio's bound on one regex search, in seconds (its ``REGEX_TIMEOUT_SECONDS``, read from
#: the same environment variable); a search that runs longer is skipped with a warning.
REGEX_TIMEOUT = int(os.environ.get("REGEX_TIMEOUT_SECONDS", 60))

#: The flags presidio's ``PatternRecognizer`` and ``RecognizerRegistry`` use by default.
REGEX_FLAGS = regex.DOTALL | regex.MULTILINE | regex.IGNORECASE

#: ``regex`` flags that ``re`` has with the same meaning and value (VERSION0 is ``re``'s).
_TWIN_FLAGS = {
    int(regex.IGNORECASE): re.IGNORECASE,
    int(regex.MULTILINE): re.MULTILINE,
    int(regex.DOTALL): re.DOTALL,
    int(regex.VERBOSE): re.VERBOSE,
    int(regex.UNICODE): re.UNICODE,
    int(regex.VERSION0): 0,
}
# A fuzzy match's constraint (``{e<=1}``): ``re`` would read it as a literal brace.
_FUZZY = re.compile(r"\{[^}]*[<=>]")
# What ``re`` and ``regex`` read apart in an ASCII text: ``re``'s ``\s`` matches the
# information separators, ``regex``'s does not.
_SEPARATORS = re.compile(r"[\x1c-\x1f]")


def ascii_twin(pattern: str, flags: int) -> re.Pattern[str] | None:
    r"""``pattern`` compiled by ``re``, where ``re`` reads it as ``regex`` does (None: not).

    On a text of ASCII characters without information separators (:func:`plain_ascii`)
    the twin finds the same matches as ``regex`` at about a third of the cost:
    ``regex``'s VERSION0 is ``re``'s syntax and meaning, and on such texts Unicode and
    case folding change nothing. A pattern with syntax of ``regex``'s own makes ``re``
    fail or warn (a nested set, a variable-length look-behind, ``\p{L}``), or is
    ruled out by name (a fuzzy constraint), and keeps ``regex`` and its timeout;
    ``tests/recognizers/test_ascii_twins.py`` holds every built-in pattern's twin to it.
    """
    wanted = 0
    for bit in (1 << i for i in range(int(flags).bit_length())):
        if flags & bit:
            if bit not in _TWIN_FLAGS:
                return None
            wanted |= _TWIN_FLAGS[bit]
    if _FUZZY.search(pattern):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return re.compile(pattern, wanted)
    except (re.error, Warning, OverflowError, RecursionError):
        return None


def plain_ascii(text: str) -> bool:
    """Whether ``text`` is one that :func:`ascii_twin`'s twins search as ``regex`` does."""
    return text.isascii() and _SEPARATORS.search(text) is None


class RecognizerResult:
    """One entity a recognizer found: presidio's ``RecognizerResult`` without explanation.

    Equality and hashing use the type, span and score, as presidio's do.
    """

    __slots__ = ("analysis_explanation", "end", "entity_type", "recognition_metadata", "score",
                 "start")  # fmt: skip

    #: Keys of ``recognition_metadata``, as presidio names them.
    RECOGNIZER_NAME_KEY = "recognizer_name"
    RECOGNIZER_IDENTIFIER_KEY = "recognizer_identifier"
    IS_SCORE_ENHANCED_BY_CONTEXT_KEY = "is_score_enhanced_by_context"

    def __init__(
        self,
        entity_type: str,
        start: int,
        end: int,
        score: float,
        analysis_explanation: Any = None,
        recognition_metadata: dict | None = None,
    ):
        self.entity_type = entity_type
        self.start = start
        self.end = end
        self.score = score
        self.analysis_explanation = analysis_explanation
        self.recognition_metadata = recognition_metadata

    def to_dict(self) -> dict[str, Any]:
        """The result's fields."""
        return {name: getattr(self, name) for name in self.__slots__}

    def intersects(self, other: RecognizerResult) -> int:
        """How many characters the two spans share (0 when they do not overlap)."""
        if self.end < other.start or other.end < self.start:
            return 0
        return min(self.end, other.end) - max(self.start, other.start)

    def contained_in(self, other: RecognizerResult) -> bool:
        """Whether this span lies within ``other``'s (or equals it)."""
        return self.start >= other.start and self.end <= other.end

    def contains(self, other: RecognizerResult) -> bool:
        """Whether ``other``'s span lies within this one (or equals it)."""
        return self.start <= other.start and self.end >= other.end

    def equal_indices(self, other: RecognizerResult) -> bool:
        """Whether the two spans are the same."""
        return self.start == other.start and self.end == other.end

    def has_conflict(self, other: RecognizerResult) -> bool:
        """Presidio's test: same span and no higher score, or contained in ``other``."""
        if self.equal_indices(other):
            return self.score <= other.score
        return other.contains(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RecognizerResult):
            return NotImplemented
        return (self.entity_type, self.start, self.end, self.score) == (
            other.entity_type, other.start, other.end, other.score,
        )  # fmt: skip

    def __hash__(self) -> int:
        return hash((self.entity_type, self.start, self.end, self.score))

    def __gt__(self, other: RecognizerResult) -> bool:
        if self.start == other.start:
            return self.end > other.end
        return self.start > other.start

    def __repr__(self) -> str:
        return (
            f"type: {self.entity_type}, start: {self.start}, end: {self.end}, "
            f"score: {self.score}"
        )


@dataclass(frozen=True, slots=True)
class Pattern:
    """A named regex and the score of its matches (presidio's ``Pattern``).

    The regex is compiled by the recognizer that runs it, on first use, with that
    recognizer's flags; the YAML loader compiles each one up front to report a bad one.
    """

    name: str
    regex: str
    score: float

    def __post_init__(self) -> None:
        if not 0 <= self.score <= 1:
            raise ValueError(f"Invalid score: {self.score}. Score should be between 0 and 1")

    def to_dict(self) -> dict[str, Any]:
        """The pattern as presidio's YAML and dictionaries write it."""
        return {"name": self.name, "score": self.score, "regex": self.regex}


class EntityRecognizer:
    """A recognizer: ``analyze(text, entities, nlp_artifacts)`` returns its results.

    The constructor's arguments and the attributes it sets are presidio's; ``load`` runs at
    the end of it, as in presidio.
    """

    MIN_SCORE = 0
    MAX_SCORE = 1.0

    def __init__(
        self,
        supported_entities: list[str],
        name: str | None = None,
        supported_language: str = "en",
        version: str = "0.0.1",
        context: list[str] | None = None,
    ):
        self.supported_entities = supported_entities
        self.name = self.__class__.__name__ if name is None else name
        self._id = f"{self.name}_{id(self)}"
        self.supported_language = supported_language
        self.version = version
        self.is_loaded = False
        self.context = context if context else []
        self.load()
        self.is_loaded = True

    @property
    def id(self) -> str:
        """The instance's id, as presidio makes it (name and object id)."""
        return self._id

    def load(self) -> None:
        """Prepare what ``analyze`` needs; called once, from the constructor."""

    def analyze(self, text: str, entities: Any, nlp_artifacts: Any = None) -> list[Any]:
        """The entities found in ``text``."""
        raise NotImplementedError

    def gate(self) -> list[Any] | None:
        """Regexes one of which every text this recognizer finds anything in matches.

        None when the recognizer makes no such promise: it always runs. The detector
        searches many texts for them at once, and runs the recognizer only on the texts
        one of them matches (``scanner.detect.detector``). A gate that misses a text the
        recognizer finds something in hides that finding: each one is tested against its
        recognizer (``tests/recognizers/test_gates.py``).
        """
        return None

    def get_supported_entities(self) -> list[str]:
        """The entity types this recognizer reports."""
        return self.supported_entities

    def get_supported_language(self) -> str:
        """The language this recognizer is registered for."""
        return self.supported_language

    @staticmethod
    def remove_duplicates(results: list[Any]) -> list[Any]:
        """Drop zero scores, repeats, and results inside a same-type one that scores as high.

        presidio's algorithm, step for step, on anything with presidio's result attributes
        (spaCy's results are presidio's own class). Of results equal in type, span and score
        the first is kept; presidio goes through a ``set`` first, so among different results
        that tie on score and span, the final order here is the input order where presidio's
        is that of the set.
        """
        first: dict[tuple, Any] = {}
        for result in results:
            first.setdefault((result.entity_type, result.start, result.end, result.score), result)
        unique = list(first.values())
        unique.sort(key=lambda x: (str(x.entity_type), x.start, -(x.end - x.start), -x.score))
        kept = []
        for _entity, group in groupby(unique, key=lambda r: r.entity_type):
            active: list[Any] = []
            for result in group:
                if result.score == 0:
                    continue
                active = [other for other in active if other.end >= result.start]
                if any(
                    result.start >= other.start and result.end <= other.end
                    and result.score <= other.score
                    for other in active
                ):  # fmt: skip
                    continue
                kept.append(result)
                active.append(result)
        kept.sort(key=lambda x: (-x.score, x.start, -(x.end - x.start)))
        return kept


class LocalRecognizer(EntityRecognizer):
    """A recognizer that runs in the process (presidio's name for the same base)."""


def only_pattern_matches(analyze: _F) -> _F:
    """Mark an ``analyze`` that finds nothing but its patterns' matches.

    A ``PatternRecognizer`` subclass whose ``analyze`` only rescores, boosts or drops what
    the patterns find keeps its prefilters as its :meth:`~EntityRecognizer.gate`; an
    unmarked override loses the gate, so a recognizer that adds findings of its own is
    never skipped by mistake.
    """
    analyze.only_pattern_matches = True  # type: ignore[attr-defined]
    return analyze


class PatternRecognizer(LocalRecognizer):
    """Regex patterns for one entity: presidio's ``PatternRecognizer`` search, lean.

    The same searches (the same flags and matches; presidio's timeout, but for the plain
    ASCII texts that a pattern's ``re`` twin searches: :func:`ascii_twin`), ``validate_result`` and
    ``invalidate_result`` applied as presidio applies them, the same scores and metadata,
    de-duplicated as presidio does when there are two or more results. Without presidio's
    upkeep (two clock reads and a log line per pattern, an explanation per match, a
    de-duplication of every list, even an empty one), which was about 30 of its 37 us on a
    field value; ``tests/recognizers/test_yaml_recognizer.py`` compares the two.

    ``prefilters`` (pattern name -> regex) are necessary conditions: a pattern runs only
    on texts its prefilter matches (``prefilters:`` in ``recognizers.yaml``).
    """

    def __init__(
        self,
        supported_entity: str,
        name: str | None = None,
        supported_language: str = "en",
        patterns: list[Pattern] | None = None,
        context: list[str] | None = None,
        global_regex_flags: int = REGEX_FLAGS,
        version: str = "0.0.1",
    ):
        if not supported_entity:
            raise ValueError("Pattern recognizer should be initialized with entity")
        if not patterns:
            raise ValueError("Pattern recognizer should be initialized with patterns")
        super().__init__(
            supported_entities=[supported_entity],
            name=name,
            supported_language=supported_language,
            version=version,
            context=context,
        )
        self.patterns = list(patterns)
        self.global_regex_flags = global_regex_flags
        self.prefilters: dict[str, str] = {}
        self._by_flags: dict[int, list[tuple[Pattern, Any, Any]]] = {}
        self._twins: dict[int, list[re.Pattern[str] | None]] = {}

    def validate_result(self, pattern_text: str) -> bool | None:
        """True: the match is valid (score 1.0); False: it is not (dropped); None: unknown."""
        return None

    def invalidate_result(self, pattern_text: str) -> bool | None:
        """True: the match is invalid (dropped), whatever ``validate_result`` said."""
        return None

    @only_pattern_matches
    def analyze(
        self, text: str, entities: Any, nlp_artifacts: Any = None, regex_flags: int | None = None
    ) -> list[RecognizerResult]:
        """Every match of every pattern, validated and de-duplicated as presidio does.

        On a plain ASCII text a pattern's ``re`` twin searches (:func:`ascii_twin`). The
        prefilters stay in ``regex``, which rules a text out faster than ``re`` does.
        """
        flags = regex_flags or self.global_regex_flags
        results: list[RecognizerResult] = []
        fast: bool | None = None  # whether the text is plain ASCII, once a pattern asks
        twins = self._twinned(flags)
        for (pattern, compiled, prefilter), twin in zip(self._compiled(flags), twins, strict=True):
            if prefilter is not None and prefilter.search(text) is None:
                continue  # the pattern cannot match this text
            if twin is not None and (fast if fast is not None else (fast := plain_ascii(text))):
                matches = twin.finditer(text)
            else:
                matches = compiled.finditer(text, timeout=REGEX_TIMEOUT)
            try:
                for match in matches:
                    start, end = match.span()
                    if start == end:
                        continue
                    result = self._result(pattern, text[start:end], start, end)
                    if result is not None:
                        results.append(result)
            except TimeoutError:
                log.warning(
                    "Regex pattern '%s' timed out after %s seconds, skipping.",
                    pattern.name,
                    REGEX_TIMEOUT,
                )
        return self.remove_duplicates(results) if len(results) > 1 else results

    def gate(self) -> list[Any] | None:
        """Every pattern's prefilter (``search``), when each pattern has one.

        Only when ``analyze`` finds nothing but what the patterns match: this class's, or
        an override marked :func:`only_pattern_matches` (it rescores or drops the
        patterns' results).
        """
        if not getattr(type(self).analyze, "only_pattern_matches", False):
            return None
        gate = [pre for _p, _c, pre in self._compiled(self.global_regex_flags)]
        return None if any(pre is None for pre in gate) else gate

    def _twinned(self, flags: int) -> list[re.Pattern[str] | None]:
        """Per pattern, its ``re`` twin (None: it has none); compiled once per flags."""
        twins = self._twins.get(flags)
        if twins is None:
            twins = self._twins[flags] = [ascii_twin(p.regex, flags) for p in self.patterns]
        return twins

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

    def _result(
        self, pattern: Pattern, matched: str, start: int, end: int
    ) -> RecognizerResult | None:
        score = pattern.score
        validation = self.validate_result(matched)
        if validation is not None:
            score = self.MAX_SCORE if validation else self.MIN_SCORE
        if self.invalidate_result(matched):
            score = self.MIN_SCORE
        if score <= self.MIN_SCORE:
            return None
        return make_result(self, self.supported_entities[0], start, end, score)


def make_result(
    recognizer: EntityRecognizer, entity: str, start: int, end: int, score: float
) -> RecognizerResult:
    """A result carrying the recognizer's name and id, as presidio's recognizers make it."""
    return RecognizerResult(
        entity,
        start,
        end,
        score,
        None,
        {
            RecognizerResult.RECOGNIZER_NAME_KEY: recognizer.name,
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id,
        },
    )
