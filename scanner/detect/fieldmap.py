"""Find the fields.yaml rule for a field of a record.

A field's path has up to three parts: the container of an embedded document
(``event.original>``, see :mod:`scanner.embedded`), a vendor namespace (``cato_networks.event.``,
fields.yaml ``namespaces``), and the key the rules name (``src_site_name``). Rules match the
key; a ``when`` condition reads the field of that key under the same container and
namespace, that is, in the same document.
"""

from __future__ import annotations

import re

from scanner.config import FieldRule, FieldsFile
from scanner.flatten import EMBEDDED, field_key

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
        self._namespaces = [re.compile(p) for p in fields.namespaces]
        self._split: dict[str | None, tuple[str, str | None]] = {}

    def split(self, path: str | None) -> tuple[str, str | None]:
        """``(scope, key)`` of a field path: its container and namespace, and its key.

        The key is what rules match (list indexes dropped: ``emails.value``).
        """
        found = self._split.get(path)
        if found is None:
            key = field_key(path)
            scope = ""
            if key is not None:
                container, sep, key = key.rpartition(EMBEDDED)
                scope = container + sep
                for namespace in self._namespaces:
                    m = namespace.match(key)
                    if m and m.end() < len(key):
                        scope, key = scope + key[: m.end()], key[m.end() :]
                        break
            found = self._split[path] = (scope, key)
        return found

    def candidates(self, path: str) -> tuple[FieldRule, ...]:
        """Rules that name this field, in file order (computed once per field name)."""
        found = self._candidates.get(path)
        if found is None:
            key = self.split(path)[1] or ""
            # Names match case-sensitively, with a lowercase fallback (cato-formats.md 1.1):
            # `DeviceVersion` (Sentinel, an OS) is not CEF's `deviceVersion` (a version).
            hits = set(self._exact.get(key) or self._lower.get(key.lower()) or ())
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

    def scoped(self, path: str | None, lookup: dict[str, str]) -> dict[str, str]:
        """The condition fields of ``lookup`` (full paths) in the scope of ``path``, by key.

        That is what a ``when`` of that field's rules reads.
        """
        scope = self.split(path)[0]
        return {
            key: value
            for full, value in lookup.items()
            if (parts := self.split(full))[0] == scope and (key := parts[1]) is not None
        }

    def needs_lookup(self, path: str | None) -> bool:
        """Whether deciding this field needs the record's other fields."""
        return path is not None and any(r.when is not None for r in self.candidates(path))
