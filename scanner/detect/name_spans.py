"""spaCy's PERSON spans in free text given the ends a name has, before overlaps are resolved.

spaCy's small model runs a name on into what follows, stops a Dutch or Portuguese name at
its particle, and takes a sentence's capitalised first word into the name; the name list
finds part of a name spaCy found whole. :func:`mend_name_ends`, :func:`trim_leading_words`
and :func:`prefer_longer_names` rewrite those spans; the detections that are no names at
all are dropped later by the rules of :mod:`scanner.detect.not_person`.
"""

from __future__ import annotations

import re

from scanner.detect.not_person import (
    _NER_DETECTORS,
    ROLE_WORDS,
    THING_WORDS,
    _known_names,
    _text_of,
)
from scanner.detect.resolve import Span

_TITLE_WORDS = re.compile(r"(?:\s+|\A)(?:[A-Z][a-z]+(?:-[A-Z][a-z]+)?|[A-Z]\.)(?=\s|\Z)")


def _name_words(extra: str) -> bool:
    """``extra`` is only capitalised words that could be part of a name (``Nixon``, ``J.``)."""
    at = 0
    for m in _TITLE_WORDS.finditer(extra):
        if m.start() != at or m.group().strip().casefold() in THING_WORDS:
            return False
        at = m.end()
    return at == len(extra.rstrip()) and bool(extra.strip())


def prefer_longer_names(spans: list[Span], value: str) -> list[Span]:
    """Let spaCy's longer PERSON span win over a name-list span inside it when both agree.

    The name list finds ``Richard Milhous`` (a known given name and a capitalised word)
    and spaCy ``Richard Milhous Nixon``; the longer one is the name when the extra words
    are capitalised words that are no names of things. A name-list span whose words are
    all known names is complete (``Ichiro Suzuki`` of ``Ichiro Suzuki Terraform key``),
    and spaCy's run-ons (``David Lee SIEM``) keep the name list's span.
    """
    ner = [s for s in spans if s.entity == "PERSON" and s.detector in _NER_DETECTORS]
    if not ner:
        return spans
    out = []
    known = _known_names()
    for span in spans:
        if (
            span.entity == "PERSON"
            and span.detector not in _NER_DETECTORS
            and not all(w.capitalize() in known for w in _text_of(span, value).split())
        ):
            for longer in ner:
                if (
                    longer.start <= span.start
                    and span.end <= longer.end
                    and longer.end - longer.start > span.end - span.start
                    and all(
                        not part.strip() or _name_words(part)
                        for part in (value[longer.start : span.start], value[span.end : longer.end])
                    )
                ):
                    span = Span(longer.start, longer.end, "PERSON", span.score, span.detector)
                    break
        out.append(span)
    return out


def trim_leading_words(spans: list[Span], value: str) -> list[Span]:
    """SpaCy's PERSON without a frequent English word that starts it.

    ``Ping Guillaume Foucher``, ``Contractor Hayley Williams``: a sentence's first word is
    capitalised, and spaCy's small model takes it into the name. At least two words stay.
    """
    from recognizers._common import common_english

    out = []
    for span in spans:
        if span.entity == "PERSON" and span.detector in _NER_DETECTORS:
            text = value[span.start : span.end]
            head, _, rest = text.partition(" ")
            if (
                " " in rest
                and rest[:1].isupper()  # not 'Puck' of 'Puck van der Laan'
                and (head.casefold() in common_english() or head.casefold() in ROLE_WORDS)
                and head.capitalize() not in _known_names()
            ):
                start = span.start + len(head) + 1
                span = Span(start, span.end, span.entity, span.score, span.detector)
        out.append(span)
    return out


#: Lower-case words inside a name (``Dina van Rijthoven``, ``Ana dos Santos``).
NAME_PARTICLES = frozenset(
    "van von der den de del della di da das dos du le la ter ten zu bin ibn al el".split()
)
_PARTICLES_AND_NAME = re.compile(r"\A(?: [a-z]+)*? [A-Z][\w'’-]+")
_NAME_AND_PARTICLES = re.compile(r"[A-Z][\w'’-]+(?: [a-z]+)*? \Z")


def mend_name_ends(spans: list[Span], value: str) -> list[Span]:
    """SpaCy's PERSON spans with ends that a name has.

    spaCy's small model runs a name on into what follows (``Ann Lee - on leave``) and
    stops or starts a Dutch or Portuguese name at its particle (``Stijn van``, ``van
    Nus``, ``De Sousa`` of ``Éléonore De Sousa``). Lower-case words and dashes at the end
    are cut off, and a span that ends or starts with a particle takes the capitalised word
    that completes it.
    """
    out = []
    for span in spans:
        if span.entity == "PERSON" and span.detector in _NER_DETECTORS:
            words = [
                (m.start(), m.end()) for m in re.finditer(r"\S+", value[span.start : span.end])
            ]
            text = [value[span.start + a : span.start + b] for a, b in words]
            while len(words) > 1 and (
                text[-1] in ("-", "–", "—")
                or (text[-1].islower() and text[-1] not in NAME_PARTICLES)
            ):
                words.pop()
                text.pop()
            start, end = span.start, span.start + words[-1][1] if words else span.end
            if text and text[-1] in NAME_PARTICLES:
                m = _PARTICLES_AND_NAME.match(value[end:])
                if m and all(w in NAME_PARTICLES for w in m.group().split()[:-1]):
                    end += m.end()
                else:
                    while len(words) > 1 and text[-1] in NAME_PARTICLES:
                        words.pop()
                        text.pop()
                    end = span.start + words[-1][1]
            if text and text[0].casefold() in NAME_PARTICLES and len(text) > 1:
                m = _NAME_AND_PARTICLES.search(value[max(0, start - 40) : start])
                if m and all(w in NAME_PARTICLES for w in m.group().split()[1:]):
                    start -= len(m.group())
            if (start, end) != (span.start, span.end):
                span = Span(start, end, span.entity, span.score, span.detector)
        out.append(span)
    return out
