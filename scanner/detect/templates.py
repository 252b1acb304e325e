"""Free text per template: learn once what a log message's slots hold, then spare spaCy.

Log messages come from few templates with variable slots (``User <name> connected from
<ip>``). spaCy's NER costs about 1 ms a message; the pattern recognizers a fraction of that.
A :class:`TemplateMiner` groups the messages of one task the way Drain does (messages of
the same number of tokens whose words are at least half the template's, in place, share
it; the positions where they differ become slots), lets the first messages of each template
go through the full analysis (NER and every recognizer) as *exemplars*, and reads from
their findings what each slot holds: a PERSON, a LOCATION or none of them. Once enough
exemplars agree (all but one of ``exemplars``, or the first two entirely, when spaCy did not
pass over a slot whose words have a name's shape), a new message of the template is
decided by the pattern recognizers
alone, plus the NER entities of its slots, provided each slot's words have the shape of a
name (capitalised words, or words of an uncased script); any other message still goes
through spaCy. E-mails, IPs, URLs and other pattern findings are collapsed to one token
before the messages are compared, and numbers and identifiers that mix letters and digits
(a file name, a ticket number) are one token each, so they never split a template.

The miner's state belongs to one task (:meth:`Detector.begin_task` starts a new one) and a
message's decision depends only on the messages before it in its task: the findings of a
scan do not depend on the number of workers or the engine that ran its tasks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import regex

from scanner.detect.resolve import Span
from scanner.entities import NER_ENTITY_TYPES

#: Entities that NER finds in free text: what a slot can be learned to hold.
NER_ENTITIES = frozenset(NER_ENTITY_TYPES)

# A token: a run of one script (kanji, hiragana, katakana and hangul runs apart from each
# other and from other letters, for messages without spaces), a number (with its dots,
# colons and separators: versions, times), a word of other letters (with inner
# apostrophes, hyphens and dots: O'Brien, Jean-Luc), or any other single character.
_CJK = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}ー"
_TOKEN = regex.compile(
    rf"[\p{{Han}}々〆]+|\p{{Hiragana}}+|[\p{{Katakana}}ー]+|\p{{Hangul}}+"
    r"|\d+(?:[.:,/\-]\d+)*"
    rf"|(?:(?![{_CJK}])[\p{{L}}\p{{M}}])+(?:['’.\-](?:(?![{_CJK}])[\p{{L}}\p{{M}}])+)*"
    r"|\S"
)
#: :data:`_TOKEN` on ASCII texts, in ``re``, its groups telling a number (1) and a word (2):
#: less than half the time, and most log lines are ASCII. Its space is the ``regex``
#: module's (``re``'s ``\s`` also holds ``\x1c``-``\x1f``).
_ASCII_TOKEN = re.compile(
    r"([0-9]+(?:[.:,/\-][0-9]+)*)|([A-Za-z]+(?:['.\-][A-Za-z]+)*)|[^\t\n\x0b\x0c\r\x20]"
)
_WORD, _NUMBER, _OTHER, _MASKED = 0, 1, 2, 3


class Token(NamedTuple):
    """One token of a message: its kind, the text templates compare, where it is.

    A named tuple: a message has tens of tokens, and a frozen dataclass's ``__init__``
    cost three times as much to build.
    """

    kind: int
    key: str
    start: int
    end: int


def tokenize(value: str, masks: Sequence[Span]) -> list[Token]:
    """The tokens of ``value``; each span of ``masks`` (ordered, disjoint) is one token.

    A masked token's key is its entity type, a number's key is ``"0"``: neither splits a
    template, and the recognizers decide what they hold. An identifier that mixes Latin
    letters and digits (``report-b9d1ad.xlsx``, ``INC-0042``, ``x64``) is one number too
    (:func:`_identifiers`), as Drain masks the tokens that hold digits: otherwise each way
    its letters and digits fall would make a template of its own.
    """
    tokens: list[Token] = []
    at = 0
    ascii = value.isascii()
    for span in (*masks, None):
        end = len(value) if span is None else span.start
        first = len(tokens)
        if ascii:
            _ascii_tokens(value, at, end, tokens)
        else:
            _tokens(value, at, end, tokens)
        if len(tokens) - first > 1 and _MIXED.search(value, at, end):
            _identifiers(tokens, first)
        if span is not None:
            tokens.append(Token(_MASKED, "\x00" + span.entity, span.start, span.end))
            at = span.end
    return tokens


#: Marks that join the parts of an identifier (``report-b9d1ad.xlsx``, ``user_2``).
_JOINERS = frozenset("._-")
#: What an identifier holds somewhere: a letter or an underscore next to a digit, maybe
#: with joiners between (a necessary condition, searched before the tokens are read).
_MIXED = re.compile(r"[A-Za-z_][._\-]*\d|\d[._\-]*[A-Za-z_]")


def _part(token: Token) -> bool:
    """Whether a token can be a part of an identifier: a number, a Latin word, a joiner."""
    kind = token.kind
    return (
        kind == _NUMBER
        or (kind == _WORD and token.key.isascii())
        or (kind == _OTHER and token.key in _JOINERS)
    )


def _identifiers(tokens: list[Token], first: int) -> None:
    """Make each identifier among ``tokens[first:]`` one number token, in place.

    An identifier is a run of tokens with nothing between them, of numbers, Latin words
    and the marks of :data:`_JOINERS`, that begins and ends with a number or a word and
    holds a number and a word or an underscore. A name is never one: names hold no digits.
    """
    out: list[Token] = []
    i, n = first, len(tokens)
    changed = False
    while i < n:
        if not _part(tokens[i]):
            out.append(tokens[i])
            i += 1
            continue
        j = i + 1
        while j < n and tokens[j].start == tokens[j - 1].end and _part(tokens[j]):
            j += 1
        a, b = i, j  # the run's joiners at either end are not the identifier's
        while a < b and tokens[a].kind == _OTHER:
            a += 1
        while b > a and tokens[b - 1].kind == _OTHER:
            b -= 1
        run = tokens[a:b]
        if len(run) > 1 and any(t.kind == _NUMBER for t in run) and any(
            t.kind == _WORD or t.key == "_" for t in run
        ):
            out.extend(tokens[i:a])
            out.append(Token(_NUMBER, "0", run[0].start, run[-1].end))
            out.extend(tokens[b:j])
            changed = True
        else:
            out.extend(tokens[i:j])
        i = j
    if changed:
        tokens[first:] = out


def _ascii_tokens(value: str, at: int, end: int, tokens: list[Token]) -> None:
    """The tokens of ``value[at:end]``, an ASCII text (:data:`_ASCII_TOKEN`)."""
    append, make = tokens.append, tuple.__new__  # Token's own __new__ is Python: slower
    for m in _ASCII_TOKEN.finditer(value, at, end):
        kind = m.lastindex
        start, stop = m.span()
        if kind == 1:
            append(make(Token, (_NUMBER, "0", start, stop)))
        else:
            append(make(Token, (_WORD if kind == 2 else _OTHER, m.group(), start, stop)))


def _tokens(value: str, at: int, end: int, tokens: list[Token]) -> None:
    """The tokens of ``value[at:end]`` (:data:`_TOKEN`)."""
    append, make = tokens.append, tuple.__new__
    for m in _TOKEN.finditer(value, at, end):
        text = m.group()
        first = text[0]
        start, stop = m.span()
        if first.isdigit():
            append(make(Token, (_NUMBER, "0", start, stop)))
        else:
            append(make(Token, (_WORD if first.isalpha() else _OTHER, text, start, stop)))


def name_shaped(tokens: Sequence[Token]) -> bool:
    """Whether a slot's tokens could be a name: words, each capitalised where case exists."""
    for token in tokens:
        if token.kind != _WORD:
            return False
        first = token.key[0]
        if first.lower() != first.upper() and not first.isupper():
            return False
    return True


#: A slot's label when its exemplars disagree, or a finding crosses its edges.
_UNSURE = "?"
#: This many first exemplars that agree entirely conclude a template (:func:`_conclude_early`)
#: when it has more: spaCy reads half the messages it would to teach the templates of a
#: task, which it learns afresh.
EARLY = 2


@dataclass(slots=True)
class Template:
    """Tokens with slots (None), and what the exemplars say the slots hold."""

    keys: list[str | None]
    #: per exemplar: label of each slot group (None, "PERSON", "LOCATION" or "?"), the NER
    #: entities that lie on fixed tokens, as (first token, last token, entity), and whether
    #: each slot group's words have a name's shape
    exemplars: list[tuple[tuple[str | None, ...], frozenset, tuple[bool, ...]]] = field(
        default_factory=list
    )
    #: exemplars handed out to spaCy but not observed yet
    pending: int = 0
    #: None while learning; then True (decided by the template) or False (always NER)
    trusted: bool | None = None
    #: slot groups as (first token, last token) positions, and their labels once trusted
    groups: tuple[tuple[int, int], ...] = ()
    labels: tuple[str | None, ...] = ()
    fixed: frozenset = frozenset()
    resets: int = 0
    #: the fixed tokens' positions and keys, and those of its fixed words
    at_fixed: tuple[tuple[int, str], ...] = ()
    at_words: tuple[tuple[int, str], ...] = ()

    @classmethod
    def of(cls, tokens: Sequence[Token]) -> Template:
        """A template of one message, every token fixed."""
        template = cls(keys=[t.key for t in tokens])
        template._index(tokens)
        return template

    def similarity(self, keys: Sequence[str], words: int) -> float:
        """Share of a message's words that are the template's fixed words, in place.

        ``keys`` are the message's token keys, ``words`` how many of its tokens are words.
        Words only: timestamps, levels' brackets and punctuation are alike in every line
        of a log and would make unrelated messages one template. (A key equal to a word's
        is a word's: numbers, masked values and marks have keys no word has.)
        """
        if not words:
            return 0.0
        return sum(keys[i] == k for i, k in self.at_words) / words

    def covers(self, tokens: Sequence[Token]) -> bool:
        """Whether the message fits the template as it is (every fixed token equal)."""
        return all(tokens[i].key == k for i, k in self.at_fixed)

    def widen(self, tokens: Sequence[Token]) -> None:
        """Make every position where the message differs a slot; learning starts again."""
        self.keys = [k if k == t.key else None for k, t in zip(self.keys, tokens, strict=True)]
        self.exemplars = []
        self.pending = 0
        self.trusted = None
        self.resets += 1
        self._index(tokens)

    def _index(self, tokens: Sequence[Token]) -> None:
        """Slot groups and fixed positions, after ``keys`` changed (``tokens`` fit them)."""
        self.groups = _groups(self.keys)
        self.at_fixed = tuple((i, k) for i, k in enumerate(self.keys) if k is not None)
        self.at_words = tuple((i, k) for i, k in self.at_fixed if tokens[i].kind == _WORD)


def _groups(keys: Sequence[str | None]) -> tuple[tuple[int, int], ...]:
    """Maximal runs of adjacent slot positions, as (first, last) token positions."""
    out: list[tuple[int, int]] = []
    start = None
    for i, key in enumerate((*keys, "")):
        if key is None and start is None:
            start = i
        elif key is not None and start is not None:
            out.append((start, i - 1))
            start = None
    return tuple(out)


@dataclass(slots=True)
class Fit:
    """A message placed in a template."""

    template: Template
    tokens: list[Token]


class TemplateMiner:
    """The templates of one task's free text, and what their slots hold.

    Args:
        exemplars: messages of a template that go through the full analysis before its
            slots are trusted (the template is trusted when all but one of them agree on
            every slot's label; fewer agreeing makes it a template spaCy always reads).
        similarity: share of the message's words, equal and in place, from which it joins
            a template.
        max_templates: templates kept per task; messages past it that fit none go to spaCy.
        max_resets: a template widened more often than this is read by spaCy only.
    """

    def __init__(
        self,
        exemplars: int = 4,
        similarity: float = 0.5,
        max_templates: int = 5000,
        max_resets: int = 4,
    ):
        if exemplars < 2:
            raise ValueError("a template needs at least 2 exemplars")
        self.exemplars = exemplars
        self.similarity = similarity
        self.max_templates = max_templates
        self.max_resets = max_resets
        self._by_length: dict[int, list[Template]] = {}
        self._count = 0

    def reset(self) -> None:
        """Forget every template (a new task begins)."""
        self._by_length.clear()
        self._count = 0

    def fit(self, tokens: list[Token]) -> Fit | None:
        """The template of a message, widened or made for it (None: too short, or full)."""
        words = sum(1 for t in tokens if t.kind == _WORD)
        if len(tokens) < 3 or not words:
            return None
        group = self._by_length.setdefault(len(tokens), [])
        keys = [t.key for t in tokens]
        best, best_score = None, 0.0
        for template in group:
            score = template.similarity(keys, words)
            if score > best_score:
                best, best_score = template, score
                if score == 1.0 or template.covers(tokens):
                    break
        if best is not None and best_score >= self.similarity:
            if not best.covers(tokens):
                best.widen(tokens)
                if best.resets > self.max_resets:
                    best.trusted = False
            return Fit(best, tokens)
        if self._count >= self.max_templates:
            return None
        template = Template.of(tokens)
        group.append(template)
        self._count += 1
        return Fit(template, tokens)

    def wants_exemplar(self, fit: Fit, first: bool = False) -> bool:
        """Whether this message should go through spaCy to teach its template (counted).

        ``first``: only as one of the template's first :data:`EARLY` exemplars. The caller
        runs spaCy on those and observes them before it asks for more (``first=False``):
        two that agree may conclude the template (:func:`_conclude_early`), and its other
        messages then need no spaCy.
        """
        template = fit.template
        if template.trusted is not None:
            return False
        wanted = min(self.exemplars, EARLY) if first else self.exemplars
        if len(template.exemplars) + template.pending < wanted:
            template.pending += 1
            return True
        return False

    def observe(self, fit: Fit, spans: Sequence[Span]) -> None:
        """Learn from the full analysis of an exemplar (its final spans)."""
        template = fit.template
        if template.trusted is not None or not template.covers(fit.tokens):
            return  # widened since it was handed out; its labels would be of other slots
        template.pending = max(template.pending - 1, 0)
        template.exemplars.append(_labels(template, fit.tokens, spans))
        if len(template.exemplars) >= self.exemplars:
            _conclude(template)
        elif len(template.exemplars) == EARLY:
            _conclude_early(template)

    def plan(self, fit: Fit) -> list[Span] | None:
        """The NER spans of a message of a trusted template (None: ask spaCy).

        Args:
            fit: The message and its template.

        Returns:
            The spans of the slots learned to hold a PERSON or LOCATION and of the fixed
            tokens the exemplars' NER found, each with the score ``0`` (the caller sets
            it); None when the template is not trusted, the message no longer fits it, or
            a slot that holds a name has words that are no name's.
        """
        template = fit.template
        if not template.trusted or not template.covers(fit.tokens):
            return None
        tokens = fit.tokens
        found: list[Span] = []
        for (first, last), label in zip(template.groups, template.labels, strict=True):
            if label is None:
                continue
            words = tokens[first : last + 1]
            if not name_shaped(words):
                return None
            found.append(Span(words[0].start, words[-1].end, label, 0.0, ""))
        for first, last, entity in template.fixed:
            found.append(Span(tokens[first].start, tokens[last].end, entity, 0.0, ""))
        return found


def free_slots_may_hold_names(fit: Fit) -> bool:
    """Whether a slot the exemplars found no name in has a word a name could start with.

    Every name recognizer needs a capitalised word or one of an uncased script (kanji,
    kana, hangul); a message whose other slots hold only numbers, masked values,
    punctuation and lower-case words cannot hold a name the template does not know of.
    """
    tokens = fit.tokens
    for (first, last), label in zip(fit.template.groups, fit.template.labels, strict=True):
        if label is None and any(name_shaped((t,)) for t in tokens[first : last + 1]):
            return True
    return False


def _labels(
    template: Template, tokens: Sequence[Token], spans: Sequence[Span]
) -> tuple[tuple[str | None, ...], frozenset, tuple[bool, ...]]:
    """What one exemplar's findings say of each slot group and of the fixed tokens.

    And which slot groups have a name's shape (:func:`_conclude_early` asks).
    """
    ner = [s for s in spans if s.entity in NER_ENTITIES]
    labels: list[str | None] = []
    for first, last in template.groups:
        start, end = tokens[first].start, tokens[last].end
        label: str | None = None
        for span in ner:
            if span.end <= start or end <= span.start:
                continue
            label = span.entity if (span.start, span.end) == (start, end) else _UNSURE
            break
        labels.append(label)
    shaped = tuple(name_shaped(tokens[first : last + 1]) for first, last in template.groups)
    fixed = set()
    for span in ner:
        inside = [i for i, t in enumerate(tokens) if t.start < span.end and span.start < t.end]
        if not inside:
            continue
        first, last = inside[0], inside[-1]
        if any(template.keys[i] is None for i in inside):
            continue  # a slot's: labelled above
        if (tokens[first].start, tokens[last].end) != (span.start, span.end):
            fixed.add((first, last, _UNSURE))
        else:
            fixed.add((first, last, span.entity))
    return tuple(labels), frozenset(fixed), shaped


def _conclude_early(template: Template) -> None:
    """Trust the template when its first :data:`EARLY` exemplars agree on everything...

    ... every slot and fixed span, none unsure, and each slot whose words have a name's
    shape in either holds a name or a place: where spaCy missed a name in both, the next
    exemplars may find it, and the template must then stay spaCy's (:func:`_conclude`).
    Otherwise the template waits for all its exemplars. Two agreeing exemplars are what the
    full count concludes from in practice: on the bench's high-cardinality events, every one
    of 238 templates whose first two exemplars agreed was concluded the same from four.
    """
    (labels, fixed, shaped), *others = template.exemplars
    if any(other[:2] != (labels, fixed) for other in others):
        return
    if _UNSURE in labels or any(item[2] == _UNSURE for item in fixed):
        return
    for i, label in enumerate(labels):
        if label is None and (shaped[i] or any(other[2][i] for other in others)):
            return
    template.labels = labels
    template.fixed = fixed
    template.trusted = True


def _conclude(template: Template) -> None:
    """Trust the template when all but one exemplar agree on every slot and fixed span.

    A finding across a slot's edge (spaCy's ``Yevgenia`` and ``Halloran`` for one name)
    is a disagreeing vote.
    """
    n = len(template.exemplars)
    need = n - 1
    labels: list[str | None] = []
    for i in range(len(template.groups)):
        votes = [e[0][i] for e in template.exemplars]
        best = max(set(votes), key=lambda v: (votes.count(v), v is None))
        if best == _UNSURE or votes.count(best) < need:
            template.trusted = False
            return
        labels.append(best)
    fixed = set()
    every = set().union(*(e[1] for e in template.exemplars))
    for item in every:
        count = sum(1 for e in template.exemplars if item in e[1])
        if item[2] == _UNSURE or (need > count > n - need):
            template.trusted = False
            return
        if count >= need:
            fixed.add(item)
    template.labels = tuple(labels)
    template.fixed = frozenset(fixed)
    template.trusted = True
