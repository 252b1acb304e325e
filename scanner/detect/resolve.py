"""One entity per span: resolve overlapping detections in one value.

Precedence (scanner.yaml ``precedence``): when detections of one value overlap, the one
whose entity type comes first in the list wins; ties go to the higher score, then the
longer span. A detection entirely inside one of a container type (``containers``, e.g.
URL) does not conflict with it, so an e-mail in a URL's query string is kept beside the
URL finding, while a URL found inside an e-mail (its domain) loses to the e-mail.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from recognizers.base import RecognizerResult


class Span(NamedTuple):
    """One detection inside one value.

    A named tuple: every decision makes several, and a frozen dataclass cost 1.0 us each
    to build against 0.4.
    """

    start: int
    end: int
    entity: str
    score: float
    detector: str


class Resolver:
    """Applies the precedence and container rules of scanner.yaml."""

    def __init__(self, precedence: Iterable[str], containers: Iterable[str]):
        self._rank = {entity: i for i, entity in enumerate(precedence)}
        self._containers = frozenset(containers)

    def resolve(self, spans: list[Span]) -> list[Span]:
        """Return the non-conflicting spans, ordered by position."""
        if len(spans) < 2:
            return spans
        ordered = sorted(
            spans,
            key=lambda s: (self._rank.get(s.entity, 999), -s.score, s.start - s.end, s.start),
        )
        kept: list[Span] = []
        for span in ordered:
            if not any(self._conflict(span, other) for other in kept):
                kept.append(span)
        kept.sort(key=lambda s: (s.start, s.end))
        return kept

    def _conflict(self, a: Span, b: Span) -> bool:
        if a.end <= b.start or b.end <= a.start:
            return False
        if a.entity != b.entity:
            if b.entity in self._containers and b.start <= a.start and a.end <= b.end:
                return False
            if a.entity in self._containers and a.start <= b.start and b.end <= a.end:
                return False
        return True


def span_of(
    result: RecognizerResult, detector: str, offsets: list[int] | None, base: int = 0
) -> Span:
    """A recognizer's result as a Span of the original text.

    ``offsets`` maps the analysed (NFKC) text's positions to the original's
    (:func:`scanner.detect.values.nfkc_map`); ``base`` is where the analysed window starts.
    """
    start, end = result.start + base, result.end + base
    if offsets is not None:
        start, end = offsets[start], offsets[end - 1] + 1
    return Span(start, end, result.entity_type, float(result.score), detector)
