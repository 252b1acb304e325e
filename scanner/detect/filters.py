"""Last word on a value's resolved detections: stewards' allow/deny lists and NOT-PERSON rules.

``configs/lists.yaml`` holds the stewards' lists:

- ``allow``: values that are never findings (an internal test account, a shared mailbox);
- ``deny``: values that are always findings of the entity they name (a code name
  that is a person, a host-name scheme the recognizers do not know).

Each entry matches ``exact`` strings or ``regex`` patterns, optionally only for one
``entity`` and only in some ``fields``. A field scope names fields as ``fields.yaml``
does (plus ``<text>`` for plain-text lines and ``<unmapped>`` for fields no rule
names) and applies to every value decided by the rule that names such a field.

Built-in rules (always on, for detections found in free text, not for field rules) drop
PERSON detections that are names of things: rule, site, PoP, ISP, application and
threat names, ``System User #40276``, MITRE ATT&CK tactic strings; and place names used
as adjectives (``US SSN``). Each is a small predicate in ``BUILTIN``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from scanner.config import ENTITY_TYPES, FieldRule, check_regexes, parse_yaml_model
from scanner.detect.resolve import Resolver, Span
from scanner.errors import ConfigError

DENY_DETECTOR = "denylist"
NER_DETECTOR = "SpacyRecognizer"
_NAMES: list[frozenset[str]] = []
_SPACES = re.compile(r"\s+")
_LETTER = re.compile(r"[^\W\d_]")
_LATIN = re.compile(r"[A-Za-z]")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


# --------------------------------------------------------------------------- lists.yaml


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ListEntry(_Strict):
    """One allow or deny entry."""

    entity: str | None = None
    fields: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()
    regex: tuple[str, ...] = ()
    ignore_case: bool = True

    @field_validator("entity")
    @classmethod
    def _entity(cls, value: str | None) -> str | None:
        if value is not None and value not in ENTITY_TYPES:
            raise ValueError(f"unknown entity {value!r}; valid: {', '.join(ENTITY_TYPES)}")
        return value

    @field_validator("regex")
    @classmethod
    def _regexes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return check_regexes(value)

    @model_validator(mode="after")
    def _something(self) -> ListEntry:
        if not self.exact and not self.regex:
            raise ValueError("an entry needs exact or regex values")
        return self


class DenyEntry(ListEntry):
    """A deny entry: the entity its matches become is required."""

    entity: str


class ListsFile(_Strict):
    """lists.yaml."""

    version: Literal[1]
    allow: tuple[ListEntry, ...]
    deny: tuple[DenyEntry, ...]


def load_lists(path: Path, source: str | None = None) -> ListsFile:
    """Read and validate lists.yaml.

    Args:
        path: The file.
        source: How to name it in errors (``package:configs/lists.yaml``); default the path.

    Returns:
        The validated lists.

    Raises:
        ConfigError: The file is unreadable, not YAML, or has a missing or invalid key;
            the message names the file and the key.
    """
    where = source or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read: {exc.strerror}") from None
    return parse_yaml_model(ListsFile, text, where)


def _norm(text: str, ignore_case: bool) -> str:
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    return text.casefold() if ignore_case else text


@dataclass(frozen=True)
class _Compiled:
    entity: str | None
    fields: frozenset[str]
    exact: frozenset[str]
    exact_raw: tuple[str, ...]
    regexes: tuple[re.Pattern[str], ...]
    ignore_case: bool

    @classmethod
    def of(cls, entry: ListEntry) -> _Compiled:
        flags = re.IGNORECASE if entry.ignore_case else 0
        return cls(
            entry.entity,
            frozenset(entry.fields),
            frozenset(_norm(e, entry.ignore_case) for e in entry.exact),
            entry.exact,
            tuple(re.compile(p, flags) for p in entry.regex),
            entry.ignore_case,
        )

    def applies(self, rule: FieldRule) -> bool:
        if not self.fields:
            return True
        if self.fields.intersection(rule.fields):
            return True
        return any(re.search(p, f) for p in rule.match for f in self.fields)

    def allows(self, span: Span, value: str) -> bool:
        if self.entity is not None and span.entity != self.entity:
            return False
        text = value[span.start : span.end]
        if _norm(text, self.ignore_case) in self.exact:
            return True
        plain = _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()
        return any(rx.fullmatch(plain) for rx in self.regexes)

    def hits(self, value: str) -> list[Span]:
        entity = self.entity or ""
        found = []
        haystack = value.casefold() if self.ignore_case else value
        for item in self.exact_raw:
            needle = item.casefold() if self.ignore_case else item
            start = haystack.find(needle)
            while needle and start >= 0:
                found.append(Span(start, start + len(needle), entity, 1.0, DENY_DETECTOR))
                start = haystack.find(needle, start + len(needle))
        for rx in self.regexes:
            for m in rx.finditer(value):
                if m.end() > m.start():
                    found.append(Span(m.start(), m.end(), entity, 1.0, DENY_DETECTOR))
        return found


# --------------------------------------------------------------------------- built-in rules

#: Words that make a capitalised phrase the name of a thing, not of a person.
THING_WORDS = frozenset(
    """
    hq branch office site sites rule rules policy firewall internet wan lan apps app
    application applications pc laptop desktop key keys inc llc ltd co corp k.k. kk gmbh
    broadband mobile fiber fibre cable wireless telecom network networks cloud server
    servers gateway pop isp threat threats malware phishing ransomware trojan botnet
    exploit activity malicious suspicious anomalous access control default allow block
    bypass monitor prompt notify deny permit helpdesk support soc vpn sdp client agent
    service services group groups team teams microsoft google apple amazon box zoom slack
    dropbox salesforce github anonymizers domain domains category categories exfiltration
    command reconnaissance persistence execution discovery collection impact evasion
    escalation lateral movement credential tactic technique signature profile socket
    account accounts tenant subnet tunnel report dashboard license licenses admin
    administrator operator system user users guest home info warn warning error debug
    trace fatal approved
    """.split()
)
_SYSTEM_ACTOR = re.compile(r"(?:System|API|Service|<[^>]+>|\w+) User #\d+")
_MITRE = re.compile(
    r"""(?x)
    [A-Z][A-Za-z-]* (?: \x20 (?: and | of | [A-Z][A-Za-z-]* ) ){0,4}  # Command and Control
    \x20? \( (?: TA\d{4} | T\d{4} (?: \.\d{3} )? ) \)                    # (TA0011), (T1059.001)
    """
)
# A word just before a name that says what kind of thing it names.
_LABEL_BEFORE = re.compile(
    r"""(?ix)
    (?: rule | policy | site | pop | isp | app | application | threat | signature | malware
      | category | tactic | technique | profile | key | socket | group | team | network
      | tenant | account | playbook | story | indication | ルール | 拠点 | サイト )
    \s* [:=]? \s* ["'“]? \Z
    """
)
_ADJECTIVE_AFTER = re.compile(
    r"(?i)\A\s*(?:ssn|social security|my number|passport|driver|dollars?|yen|phone|number"
    r"|national|resident|tax|id\b|time|standard time|region)"
)


def _known_names() -> frozenset[str]:
    """English given names and romanised Japanese names of the recognizers' lexicon."""
    if not _NAMES:
        from recognizers.name_lexicon import EN_GIVEN, japanese_forms

        forms = japanese_forms()
        _NAMES.append(EN_GIVEN | forms["given_roman"] | forms["surname_roman"])
    return _NAMES[0]


def _text_of(span: Span, value: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", value[span.start : span.end])).strip()


def is_system_actor(span: Span, value: str) -> bool:
    """A PERSON inside ``System User #40276`` (an automated actor, not a person)."""
    return span.entity == "PERSON" and any(
        m.start() <= span.start and span.end <= m.end() for m in _SYSTEM_ACTOR.finditer(value)
    )


def is_mitre_label(span: Span, value: str) -> bool:
    """A PERSON inside a MITRE ATT&CK string (``Command and Control (TA0011)``)."""
    return span.entity == "PERSON" and any(
        m.start() <= span.start and span.end <= m.end() for m in _MITRE.finditer(value)
    )


def is_named_thing(span: Span, value: str) -> bool:
    """A PERSON whose words name a thing (``Allow Business Apps``, ``Example Broadband``).

    Also a PERSON right after a word that says what it names (``rule Emily``,
    ``site Hanako``), one with digits or path characters, and one word in all
    lower case (NER noise).
    """
    if span.entity != "PERSON":
        return False
    text = _text_of(span, value)
    words = [w.strip(".,;:()'\"’").casefold() for w in text.split()]
    if any(w in THING_WORDS for w in words):
        return True
    if any(ch.isdigit() or ch in "#@/\\_=<>|:;()[]{}" for ch in text):
        return True
    if text.isascii() and text == text.lower():
        return True
    return bool(_LABEL_BEFORE.search(value[max(0, span.start - 24) : span.start]))


def is_not_a_name(span: Span, value: str) -> bool:
    """An NER PERSON or LOCATION without a letter (``02:19:10``), or mixing Latin and Japanese.

    spaCy's English model tags times and versions as places, and runs an English name on
    into the Japanese text after it (``David Leeさんが``); the name lexicon finds the name.
    """
    if span.detector != NER_DETECTOR or span.entity not in ("PERSON", "LOCATION"):
        return False
    text = _text_of(span, value)
    if not _LETTER.search(text):
        return True
    return bool(_LATIN.search(text)) and bool(_JAPANESE.search(text))


def is_lone_word(span: Span, value: str) -> bool:
    """A one-word PERSON from NER that no name list knows (``Luhn``, ``Emotet``, ``Helpdesk``).

    spaCy's small model tags many capitalised log words as people; a single word is
    kept only when it is a known given name or surname (``Peter``, ``Yamada``).
    """
    if span.entity != "PERSON" or span.detector != NER_DETECTOR:
        return False
    text = _text_of(span, value)
    if " " in text or not text.isascii():
        return False
    return text.capitalize() not in _known_names()


def is_place_adjective(span: Span, value: str) -> bool:
    """A LOCATION used as an adjective: ``US`` in ``US SSN``, ``Japan`` in ``Japan My Number``."""
    return span.entity == "LOCATION" and bool(_ADJECTIVE_AFTER.match(value[span.end :]))


#: Built-in drop rules for detections in free text: (span, value) -> True to drop.
BUILTIN: tuple[Callable[[Span, str], bool], ...] = (
    is_system_actor,
    is_mitre_label,
    is_not_a_name,
    is_named_thing,
    is_lone_word,
    is_place_adjective,
)


# --------------------------------------------------------------------------- the filter


class Filters:
    """Applies lists.yaml and the built-in rules to the resolved spans of one value.

    Args:
        lists: The validated lists.
        resolver: Resolves deny-list hits against the other detections (precedence).
    """

    def __init__(self, lists: ListsFile, resolver: Resolver):
        self._allow = tuple(_Compiled.of(e) for e in lists.allow)
        self._deny = tuple(_Compiled.of(e) for e in lists.deny)
        self._resolver = resolver
        self._by_rule: dict[int, tuple[tuple[_Compiled, ...], tuple[_Compiled, ...]]] = {}

    @classmethod
    def from_file(cls, path: Path, resolver: Resolver, source: str | None = None) -> Filters:
        """Load lists.yaml (``ConfigError`` naming file and key when it is invalid)."""
        return cls(load_lists(path, source), resolver)

    def apply(self, rule: FieldRule, value: str, spans: list[Span]) -> list[Span]:
        """The spans that survive: deny-list hits added, allow-listed and built-in drops removed.

        Args:
            rule: The field rule that decided the value (field scopes are matched to it).
            value: The field value.
            spans: The value's resolved detections.

        Returns:
            The filtered spans, ordered by position.
        """
        allow, deny = self._entries(rule)
        if deny:
            extra = [s for entry in deny for s in entry.hits(value)]
            if extra:
                spans = self._resolver.resolve(spans + extra)
        if not spans:
            return spans
        return [s for s in spans if not self._drops(s, value, allow)]

    def _drops(self, span: Span, value: str, allow: tuple[_Compiled, ...]) -> bool:
        if any(entry.allows(span, value) for entry in allow):
            return True
        if span.detector.startswith("field:") or span.detector == DENY_DETECTOR:
            return False
        return any(rule(span, value) for rule in BUILTIN)

    def _entries(self, rule: FieldRule) -> tuple[tuple[_Compiled, ...], tuple[_Compiled, ...]]:
        found = self._by_rule.get(id(rule))
        if found is None:
            found = (
                tuple(e for e in self._allow if e.applies(rule)),
                tuple(e for e in self._deny if e.applies(rule)),
            )
            self._by_rule[id(rule)] = found
        return found
