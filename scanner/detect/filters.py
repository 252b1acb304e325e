"""Last word on a value's resolved detections: stewards' allow/deny lists, then the built-ins.

``configs/lists.yaml`` holds the stewards' lists:

- ``allow``: values that are never findings (an internal test account, a shared mailbox);
- ``deny``: values that are always findings of the entity they name (a code name
  that is a person, a host-name scheme the recognizers do not know).

Each entry matches ``exact`` strings or ``regex`` patterns, optionally only for one
``entity`` and only in some ``fields``. A field scope names fields as ``fields.yaml``
does (plus ``<text>`` for plain-text lines and ``<unmapped>`` for fields no rule
names) and applies to every value decided by the rule that names such a field.

:class:`Filters` applies both lists, then the built-in NOT-PERSON rules of
``scanner/detect/not_person.py`` to detections found in free text (not to field rules or
deny-list hits).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from scanner.config import FieldRule, check_regexes, parse_yaml_model
from scanner.detect.not_person import BUILTIN_FOR
from scanner.detect.resolve import Resolver, Span
from scanner.entities import ENTITY_TYPES
from scanner.errors import ConfigError

DENY_DETECTOR = "denylist"
_SPACES = re.compile(r"\s+")


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


def _plain(text: str) -> bool:
    """Printable ASCII with single inner spaces: NFKC and space folding leave it as it is."""
    return (
        text.isascii()
        and text.isprintable()
        and "  " not in text
        and text[:1] != " "
        and text[-1:] != " "
    )


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
        plain = value[span.start : span.end]
        if not _plain(plain):
            plain = _SPACES.sub(" ", unicodedata.normalize("NFKC", plain)).strip()
        if (plain.casefold() if self.ignore_case else plain) in self.exact:
            return True
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


# --------------------------------------------------------------------------- the filter


#: A rule's allow entries by the entity they may allow (``""``: every entry of the rule).
_AllowByEntity = dict[str, tuple[_Compiled, ...]]


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
        self._by_rule: dict[int, tuple[_AllowByEntity, tuple[_Compiled, ...]]] = {}

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

    def apply_to(self, rule: FieldRule, entity: str) -> bool:
        """Whether a deny entry, or an allow entry for ``entity``, applies to the rule."""
        allow, deny = self._entries(rule)
        return bool(deny) or bool(_allow_for(allow, entity))

    def _drops(self, span: Span, value: str, allow: _AllowByEntity) -> bool:
        for entry in _allow_for(allow, span.entity):
            if entry.allows(span, value):
                return True
        rules = BUILTIN_FOR.get(span.entity)
        if rules is None or span.detector.startswith("field:") or span.detector == DENY_DETECTOR:
            return False
        return any(rule(span, value) for rule in rules)

    def _entries(self, rule: FieldRule) -> tuple[_AllowByEntity, tuple[_Compiled, ...]]:
        """The rule's allow entries (by entity; ``""``: all of them) and deny entries."""
        found = self._by_rule.get(id(rule))
        if found is None:
            found = (
                {"": tuple(e for e in self._allow if e.applies(rule))},
                tuple(e for e in self._deny if e.applies(rule)),
            )
            self._by_rule[id(rule)] = found
        return found


def _allow_for(allow: _AllowByEntity, entity: str) -> tuple[_Compiled, ...]:
    """A rule's allow entries that apply to ``entity`` (those without one apply to all)."""
    entries = allow.get(entity)
    if entries is None:
        entries = allow[entity] = tuple(
            e for e in allow[""] if e.entity is None or e.entity == entity
        )
    return entries
