"""Find the fields.yaml rule for a field of a record."""

from __future__ import annotations

import re

from scanner.config import FieldRule, FieldsFile
from scanner.flatten import field_key

UNMAPPED = FieldRule(detect="text", fields=("<unmapped>",))
PLAIN_TEXT = FieldRule(detect="text", fields=("<text>",))


class FieldMap:
    """Rules of fields.yaml indexed by field name; the first matching rule wins."""

    def __init__(self, fields: FieldsFile):
        self.rules = fields.rules
        self.unmapped = (
            None
            if fields.unmapped.detect == "ignore"
            else FieldRule(detect="text", ner=fields.unmapped.ner, fields=("<unmapped>",))
        )
        self._exact: dict[str, list[int]] = {}
        self._lower: dict[str, list[int]] = {}
        self._regexes: list[tuple[int, re.Pattern[str]]] = []
        for i, rule in enumerate(self.rules):
            for name in rule.fields:
                self._exact.setdefault(name, []).append(i)
                self._lower.setdefault(name.lower(), []).append(i)
            for pattern in rule.match:
                self._regexes.append((i, re.compile(pattern)))
        self._candidates: dict[str, tuple[FieldRule, ...]] = {}

    def candidates(self, path: str) -> tuple[FieldRule, ...]:
        """Rules that name this field, in file order (computed once per field name)."""
        found = self._candidates.get(path)
        if found is None:
            key = field_key(path) or ""
            # Names match case-sensitively, with a lowercase fallback (cato-formats.md 1.1):
            # `DeviceVersion` (Sentinel, an OS) is not CEF's `deviceVersion` (a version).
            hits = set(self._exact.get(key) or self._lower.get(key.lower(), ()))
            hits.update(i for i, rx in self._regexes if rx.search(key))
            found = tuple(self.rules[i] for i in sorted(hits))
            self._candidates[path] = found
        return found

    def rule_for(self, path: str | None, lookup: dict[str, str] | None) -> FieldRule | None:
        """The rule deciding this field (None: not scanned).

        ``lookup`` maps the record's field names to values, for ``when`` conditions.
        """
        if path is None:
            return PLAIN_TEXT
        for rule in self.candidates(path):
            if rule.when is None or (lookup is not None and rule.when.holds(lookup)):
                return rule
        return self.unmapped

    def needs_lookup(self, path: str | None) -> bool:
        """Whether deciding this field needs the record's other fields."""
        return path is not None and any(r.when is not None for r in self.candidates(path))
