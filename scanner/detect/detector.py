"""The detector: route each field of a record to the work its rule asks for.

Mapped fields need only their validator (an IP field is checked by the IP recognizer, a
name field is classified as e-mail, login or name); free text and unmapped fields go
through every recognizer, and those that NER reads through presidio's spaCy NLP engine too
(:class:`~scanner.detect.freetext.FreeText`, the detector's free text part). Decisions
are cached per (rule, value) because logs repeat the same users, hosts and versions.
"""

from __future__ import annotations

import enum
import ipaddress
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from recognizers.ipv4 import canonical_ipv4
from scanner.config import Configs, FieldRule
from scanner.detect import values
from scanner.detect.fieldmap import PLAIN_TEXT, FieldMap
from scanner.detect.filters import Filters
from scanner.detect.freetext import FreeText
from scanner.detect.gates import BatchGates, gate_of, may_match, possible_entities
from scanner.detect.resolve import Resolver, Span, span_of
from scanner.entities import ENTITIES, ENTITY_TYPES
from scanner.errors import ConfigError
from scanner.record import Record

log = logging.getLogger(__name__)

#: Entities whose mapped fields are validated by that entity's recognizer.
VALIDATED = frozenset(n for n, spec in ENTITIES.items() if spec.field_check == "recognizer")
#: Score of a phone-shaped value in a phone field that no region's rules call valid.
UNVALIDATED_PHONE = 0.6


def _bare_ip(value: str) -> tuple[int, int] | None:
    """Span of a field value that is exactly one usable IP address (the common case)."""
    text = value.strip()
    if (number := canonical_ipv4(text)) is not None:
        if not number:
            return None  # 0.0.0.0
        start = value.index(text)
        return start, start + len(text)
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if ip.is_unspecified:
        return None
    start = value.index(text)
    return start, start + len(text)


def _unspecified(text: str) -> bool:
    """``0.0.0.0`` or ``::`` (also as a network): in an IP field, no address at all."""
    host = text.strip("[]").partition("%")[0]
    try:
        return ipaddress.ip_network(host, strict=False)[0].is_unspecified
    except ValueError:
        return False


#: A MAC field's common value: six hex pairs, one separator (the MAC recognizer's whole match).
_BARE_MAC = re.compile(values.BARE_MAC)

_NO_MACS = frozenset(f"{a}{s}{a}{s}{a}{s}{a}{s}{a}{s}{a}" for a in ("00", "ff") for s in ":-")

#: A decision as processes share it: (rule number, value, spans as plain tuples).
Decision = tuple[int, str, tuple[tuple, ...]]


class Routing(enum.Enum):
    """What :meth:`Detector.route` returns for a field besides a rule or None (not scanned)."""

    #: the field's rule depends on other fields of the record: ask ``conditional_rule``
    CONDITIONAL = "conditional"


#: Returned by Detector.route for fields whose rule depends on other fields of the record.
CONDITIONAL: Final = Routing.CONDITIONAL


class _Missing(enum.Enum):
    """Not in a cache yet (a cached None means: not scanned)."""

    MISSING = "missing"


_MISSING: Final = _Missing.MISSING


@dataclass(frozen=True, slots=True)
class Detection:
    """A resolved detection in one field of one record."""

    field: str | None
    value: str
    span: Span
    rule: FieldRule


#: Separates the values of a multi-valued cell (catocli CSV: ``member_external_ids``).
_LIST_SEPARATOR = "|"


class Detector(FreeText):
    """Finds entities in records according to the configuration (free text: :class:`FreeText`)."""

    def __init__(self, configs: Configs, *, nlp: str = "spacy", min_score: float | None = None):
        from recognizers import RecognizerConfigError, build_recognizers

        settings = configs.scanner
        self.fieldmap = FieldMap(configs.fields)
        self.resolver = Resolver(settings.precedence, settings.containers)
        lists = configs.lists_path or configs.recognizers_path.parent / "lists.yaml"
        self.filters = Filters.from_file(lists, self.resolver, configs.sources.get("lists.yaml"))
        self.min_score = settings.min_score if min_score is None else min_score
        try:
            self.recognizers = build_recognizers(
                configs.recognizers_path, phone_regions=tuple(settings.phone_regions)
            )
        except RecognizerConfigError as exc:
            raise ConfigError(str(exc)) from None
        self._by_entity: dict[str, list] = {e: [] for e in ENTITY_TYPES}
        for recognizer in self.recognizers:
            for entity in recognizer.supported_entities:
                self._by_entity.setdefault(entity, []).append(recognizer)
        self._cache: dict[tuple[int, str], list[Span]] = {}
        self._fast: dict[int, str] = {}  # id(rule) -> take_many's loop for it
        self._gates: dict[int, list | None] = {}  # id(rule) -> see _inside_gate
        self._cache_size = settings.cache_size
        # Rules by a number every process agrees on, to share decisions (see ``learning``).
        self._rules = [*self.fieldmap.rules, self.fieldmap.unmapped, PLAIN_TEXT]
        self._rule_numbers = {id(rule): n for n, rule in enumerate(self._rules) if rule is not None}
        #: when a list: each new decision is appended as (rule number, value, spans as
        #: tuples), for other processes to :meth:`adopt` instead of deciding it again
        self.learning: list[Decision] | None = None
        #: names of the fields that ``when`` conditions look at
        self.condition_fields = frozenset(
            r.when.field for r in configs.fields.rules if r.when is not None
        )
        self._conditional: dict[tuple, FieldRule | None] = {}
        self._is_condition: dict[str | None, bool] = {}
        #: field name -> rule, None (not scanned) or CONDITIONAL; filled by route()
        self.routes: dict[str | None, FieldRule | Routing | None] = {}
        #: NFKC text -> the entities and ids of recognizers its batch's gates rule out
        #: (see _note_gates); empty between batches
        self._absent: dict[str, set] = {}
        self._batch_gates: BatchGates | None = None
        self._init_free_text(settings, nlp)

    # -- public ------------------------------------------------------------------------
    def detect(self, record: Record) -> Iterator[Detection]:
        """Yield the resolved detections of every field of ``record``, one value at a time.

        Scans decide blocks (:mod:`scanner.columnar`), and so does the evaluation
        (:func:`scanner.evaluation.scan_rows`): this is the plain statement of one record's
        detection, for unit tests and the unseen split's per-value comparison.
        """
        for path, value, rule in self.routed(record.fields):
            for span in self.spans(rule, value):
                yield Detection(path, value, span, rule)

    def routed(
        self, fields: list[tuple[str | None, str]]
    ) -> Iterator[tuple[str | None, str, FieldRule]]:
        """Each scanned field of one record, with the rule that decides it.

        A field whose rule depends on other fields (``when``) gets the rule the record's
        fields meet; fields no rule scans are left out.
        """
        lookup: dict[str, str] | None = None
        for path, value in fields:
            rule = self.route(path)
            if rule is CONDITIONAL:
                if lookup is None:
                    lookup = self.condition_lookup(fields)
                rule = self.conditional_rule(path, lookup)
            if rule is not None:
                yield path, value, rule

    def route(self, path: str | None) -> FieldRule | Routing | None:
        """The rule for a field (None: not scanned; CONDITIONAL: ask conditional_rule)."""
        rule = self.routes.get(path, _MISSING)
        if rule is _MISSING:
            if self.fieldmap.needs_lookup(path):
                rule = CONDITIONAL
            else:
                rule = self.fieldmap.rule_for(path, None)
                if rule is not None and rule.detect == "ignore":
                    rule = None
            self.routes[path] = rule
        return rule

    def is_condition(self, path: str | None) -> bool:
        """Whether a ``when`` condition looks at this field (in any document or namespace)."""
        found = self._is_condition.get(path)
        if found is None:
            found = self._is_condition[path] = self.fieldmap.split(path)[1] in self.condition_fields
        return found

    def condition_lookup(self, fields: list[tuple[str | None, str]]) -> dict[str, str]:
        """The fields of a record that ``when`` conditions look at (by full path)."""
        is_condition = self.is_condition
        return {k: v for k, v in fields if is_condition(k)}  # type: ignore[misc]

    def conditional_rule(self, path: str | None, lookup: dict[str, str]) -> FieldRule | None:
        """The rule for a field whose rules have ``when`` conditions on the record.

        ``lookup`` holds the record's condition fields by full path; the field's rules read
        those of its own document and namespace. Cached per field and per values of the
        condition fields (few: `SDP User`, `Site`).
        """
        lookup = self.fieldmap.scoped(path, lookup)
        key = (path, tuple(sorted(lookup.items())))
        rule = self._conditional.get(key, _MISSING)
        if rule is _MISSING:
            rule = self.fieldmap.rule_for(path, lookup)
            if rule is not None and rule.detect == "ignore":
                rule = None
            if len(self._conditional) > 10_000:
                self._conditional.clear()
            self._conditional[key] = rule
        return rule

    def spans(self, rule: FieldRule, value: str) -> list[Span]:
        """Resolved spans of one value under one rule (cached)."""
        key = (id(rule), value)
        scoped = self.task_scoped(rule)
        cache = self._task_cache if scoped else self._cache
        cached = cache.get(key)
        if cached is not None:
            return cached
        spans = self._decide(rule, value)
        if len(cache) >= self._cache_size:
            cache.clear()
        if self._cache_size:
            cache[key] = spans
        if not scoped:
            self._learn(rule, value, spans)
        return spans

    def take(self, rule: FieldRule, value: str) -> list[Span]:
        """What :meth:`spans` returns, for a caller that keeps the decision itself.

        A decision waiting in the cache (adopted from another worker, or made by
        :meth:`prefetch`) leaves it, and a new one is not put in: the
        :class:`~scanner.valuecache.ValueCache` keeps every decision's findings, and a
        second copy here doubled the memory a process spent on its decisions.
        """
        key = (id(rule), value)
        scoped = self.task_scoped(rule)
        cached = (self._task_cache if scoped else self._cache).pop(key, None)
        if cached is not None:
            return cached
        spans = self._decide(rule, value)
        if not scoped:
            self._learn(rule, value, spans)
        return spans

    def take_many(self, rule: FieldRule, texts: list[str]) -> list[list[Span]]:
        """:meth:`take` of each value (distinct values of one rule), decided in one loop.

        An IP field whose value is a dotted quad, a MAC field's six hex pairs, and a field
        whose entity is accepted as a whole value (with ``scan_inside``: when no prefilter
        of those entities matches it), are decided here without the recognizer and filter
        machinery when no deny entry and no allow entry for the field's entity applies to
        the rule; an identity field's value when no prefilter of the recognizers
        :meth:`_identity` asks matches it, and an e-mail field's plain address
        (``EmailRecognizer.whole_address``), the lists applied to both. Any other value
        goes through :meth:`take`.
        ``tests/test_fast_paths.py`` compares the two on the same values.
        """
        fast = self._fast.get(id(rule))
        if fast is None:
            fast = self._fast[id(rule)] = self._fast_kind(rule)
        if not fast:
            if rule.detect != "text":
                return [self.take(rule, value) for value in texts]
            try:  # free text without NER: the recognizers only
                self._note_gates(texts)
                return [self.take(rule, value) for value in texts]
            finally:
                self._absent = {}
        cache, key, entity = self._cache, id(rule), rule.detect
        learn = self.learning is not None
        detector = f"field:{rule.rule_id}"
        ip, mac, ident, email = (fast == k for k in ("ip", "mac", "identity", "email"))
        whole_address = self._by_entity["EMAIL_ADDRESS"][0].whole_address if email else None
        gated = fast in ("inside", "identity")
        searched = may_match(self._gate(rule) or [], texts) if gated else None
        # an IP column's dotted quads, read together (canonical_ipv4 of each, -1 for None)
        quads = values.dotted_quads(texts).tolist() if ip else None
        out: list[list[Span]] = []
        accepts_whole, whole_span = values.accepts_whole, values.whole_span
        for at, value in enumerate(texts):
            if cache and (cached := cache.pop((key, value), None)) is not None:
                out.append(cached)
                continue
            if quads is not None:
                if quads[at] <= 0:  # not a bare dotted quad, or 0.0.0.0
                    out.append(self.take(rule, value))
                    continue
                spans = [Span(0, len(value), entity, 1.0, detector)]
            elif email:
                if not whole_address(value):  # type: ignore[misc]
                    out.append(self.take(rule, value))
                    continue
                spans = self.filters.apply(
                    rule, value, [Span(0, len(value), entity, 1.0, detector)]
                )
            elif mac:
                if _BARE_MAC.fullmatch(value) is None or value.lower() in _NO_MACS:
                    out.append(self.take(rule, value))  # all-zero and broadcast: dropped there
                    continue
                spans = [Span(0, len(value), entity, 1.0, detector)]
            elif _LIST_SEPARATOR in value or (searched is not None and searched[at]):
                out.append(self.take(rule, value))  # a list, or a recognizer may find a thing
                continue
            elif ident:
                kind = values.identity_kind(value)
                found = [Span(*whole_span(value), kind, 1.0, detector)] if kind else []
                spans = self.filters.apply(rule, value, found)
            elif accepts_whole(entity, value):
                start, end = whole_span(value)
                spans = [Span(start, end, entity, 1.0, detector)]
            else:
                spans = []
            if learn:
                self._learn(rule, value, spans)
            out.append(spans)
        return out

    def _fast_kind(self, rule: FieldRule) -> str:
        """The loop :meth:`take_many` may decide a rule in (``""``: none, value by value)."""
        if rule.detect == "identity":  # its loop applies the lists itself
            return "identity" if self._gate(rule) is not None else ""
        if rule.detect == "EMAIL_ADDRESS" and not rule.scan_inside:  # so does this one
            recognizers = self._by_entity.get("EMAIL_ADDRESS", [])
            one = recognizers[0] if len(recognizers) == 1 else None
            score = getattr(one, "SCORE", None)  # an EmailRecognizer's, with whole_address
            if hasattr(one, "whole_address") and score is not None and score >= self.min_score:
                return "email"
            return ""
        if self.filters.apply_to(rule, rule.detect):
            return ""
        if rule.scan_inside:
            whole = rule.detect in ENTITIES and rule.detect not in VALIDATED
            return "inside" if whole and self._gate(rule) is not None else ""
        if rule.detect == "IP_ADDRESS":
            return "ip"
        if rule.detect == "MAC_ADDRESS":
            from recognizers.mac_address import MacAddressRecognizer

            # the score of the recognizer's colon and dash patterns: a higher min_score
            # drops what they find, and the loop would keep it
            score = min(s for n, _rx, s in MacAddressRecognizer.PATTERNS if "dotted" not in n)
            return "mac" if self.min_score <= score else ""
        if rule.detect in ENTITIES and rule.detect not in VALIDATED:
            return "whole"
        return ""  # free text, identity: their own logic

    def _gate(self, rule: FieldRule) -> list | None:
        """Regexes one of which a value needs for a recognizer to find anything in it.

        The recognizers are those of ``scan_inside`` and, for an identity field, the
        e-mail, IP and device name ones :meth:`_identity` asks. The regexes are the
        prefilters :meth:`_pattern_spans` checks first: each entity's own, or else those
        of every pattern of its recognizers; None when a recognizer of one of the
        entities has none (it always runs).
        """
        if id(rule) not in self._gates:
            asked = ("EMAIL_ADDRESS", "IP_ADDRESS", "DEVICE_NAME")
            entities = (
                (*asked, *rule.scan_inside) if rule.detect == "identity" else rule.scan_inside
            )
            self._gates[id(rule)] = gate_of(self._by_entity, entities)
        return self._gates[id(rule)]

    def _learn(self, rule: FieldRule, value: str, spans: list[Span]) -> None:
        """Note a new decision for the other workers, while a pooled task runs."""
        if self.learning is not None and (number := self._rule_numbers.get(id(rule))) is not None:
            # Plain tuples: they cross process pipes several times faster than Spans.
            self.learning.append((number, value, tuple(map(_fields, spans))))

    def adopt(self, decisions: list[Decision]) -> None:
        """Take decisions another process made (its ``learning``) into the cache.

        A decision depends only on the rule, the value and the configuration, which every
        process of a scan shares; values already decided here are left as they are.
        """
        cache, rules, size = self._cache, self._rules, self._cache_size
        for number, value, spans in decisions:
            key = (id(rules[number]), value)
            if key not in cache:
                if len(cache) >= size:
                    cache.clear()
                if size:
                    cache[key] = [Span(*fields) for fields in spans]

    # -- decisions -----------------------------------------------------------------------
    def _decide(self, rule: FieldRule, value: str) -> list[Span]:
        detect = rule.detect
        found: list[Span]
        if _LIST_SEPARATOR in value and detect != "text" and detect not in VALIDATED:
            return self._decide_list(rule, value)
        if detect == "text":
            found = self._scan_text(value, ner=rule.ner)
        elif detect == "identity":
            found = self._identity(value, rule)
        elif detect == "IP_ADDRESS" and (whole := _bare_ip(value)) is not None:
            found = [Span(whole[0], whole[1], detect, 1.0, f"field:{rule.rule_id}")]
        elif detect in VALIDATED:
            found = [
                Span(s.start, s.end, s.entity, 1.0, f"field:{rule.rule_id}")
                for s in self._scan_patterns(value, (detect,))
                if detect != "IP_ADDRESS" or not _unspecified(value[s.start : s.end])
            ]
            if not found and detect == "PHONE_NUMBER" and values.phone_shaped(value):
                found = self._unvalidated_phone(value, rule)
        elif values.accepts_whole(detect, value):
            start, end = values.whole_span(value)
            found = [Span(start, end, detect, 1.0, f"field:{rule.rule_id}")]
        else:
            found = []
        if rule.scan_inside:
            found = found + self._scan_patterns(value, rule.scan_inside)
        return self.filters.apply(rule, value, self.resolver.resolve(found))

    def _unvalidated_phone(self, value: str, rule: FieldRule) -> list[Span]:
        """A phone column's number that ``phonenumbers`` calls invalid.

        An unassigned area code or a number of an odd length is still a phone number in a
        phone column: it is reported at ``UNVALIDATED_PHONE`` by the detector
        ``field:<rule>:unvalidated`` (and dropped below ``min_score``).
        """
        if UNVALIDATED_PHONE < self.min_score:
            return []
        start, end = values.whole_span(value)
        detector = f"field:{rule.rule_id}:unvalidated"
        return [Span(start, end, "PHONE_NUMBER", UNVALIDATED_PHONE, detector)]

    def _decide_list(self, rule: FieldRule, value: str) -> list[Span]:
        """A multi-valued cell (``a|b|c``, catocli's CSV exports): each value on its own."""
        found: list[Span] = []
        at = 0
        for part in value.split(_LIST_SEPARATOR):
            if part.strip():
                found += [
                    Span(s.start + at, s.end + at, s.entity, s.score, s.detector)
                    for s in self._decide(rule, part)
                ]
            at += len(part) + len(_LIST_SEPARATOR)
        return found

    def _identity(self, value: str, rule: FieldRule) -> list[Span]:
        detector = f"field:{rule.rule_id}"
        start, end = values.whole_span(value)
        for entity in ("EMAIL_ADDRESS", "IP_ADDRESS"):
            hits = self._scan_patterns(value, (entity,))
            if hits:
                return [Span(h.start, h.end, entity, 1.0, detector) for h in hits]
        device = [
            s
            for s in self._scan_patterns(value, ("DEVICE_NAME",))
            if (s.start, s.end) == (start, end)
        ]
        if device:
            return [Span(start, end, "DEVICE_NAME", 1.0, detector)]
        kind = values.identity_kind(value)
        return [Span(start, end, kind, 1.0, detector)] if kind else []

    def _scan_patterns(self, value: str, entities: tuple[str, ...]) -> list[Span]:
        """Run the recognizers of ``entities`` directly (no NLP) on an NFKC view of value."""
        return self.resolver.resolve(self._pattern_spans(value, entities))

    def _pattern_spans(self, value: str, entities: tuple[str, ...]) -> list[Span]:
        """What :meth:`_scan_patterns` finds, before overlaps are resolved."""
        text, offsets = values.nfkc_map(value)
        absent = self._absent.get(text) if self._absent else None
        if absent is None:
            entities = possible_entities(text, entities)
        else:  # its batch's prefilters were searched already (_note_gates)
            entities = tuple(e for e in entities if e not in absent)
        if not entities:
            return []
        wanted = list(entities)
        spans: list[Span] = []
        seen: set[int] = set(absent) if absent else set()
        for entity in entities:
            for recognizer in self._by_entity.get(entity, ()):
                if id(recognizer) in seen:
                    continue  # run already, or its gate rules the text out
                seen.add(id(recognizer))
                for r in recognizer.analyze(text, wanted, None) or ():
                    if r.entity_type in entities and r.score >= self.min_score:
                        spans.append(span_of(r, recognizer.name, offsets))
        return spans

    def _note_gates(self, texts: list[str]) -> None:
        """Note what the gates rule out in a batch of texts, for :meth:`_pattern_spans`.

        See :class:`~scanner.detect.gates.BatchGates`; the caller clears it after the batch.
        """
        if self._batch_gates is None:
            self._batch_gates = BatchGates(self._by_entity)
        self._absent = self._batch_gates.absent(texts)


def _fields(span: Span) -> tuple:
    return (span.start, span.end, span.entity, span.score, span.detector)
