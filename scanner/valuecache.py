"""A process's decided values: the findings of each (rule, value), decided once.

A finding's value-dependent columns (spans, keyed hash, mask, IP class, policy tag) are a
:class:`~scanner.dataset.FindingValue`, built the first time a process meets a value under
a rule and added to the process's :class:`~scanner.dataset.ValueStore`; the cache keeps
the row it starts at, which every record and column that holds the value reuses, in every
task. The cache is bounded (``cache_size`` in scanner.yaml: when it or the store holds
more, both start afresh before the next block), and the decisions of task-scoped rules
(free text read per template) are dropped when a task begins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from recognizers import ip_class, ipv4_classes
from scanner.config import FieldRule, ScanConfig
from scanner.dataset import FindingValue, ValueStore
from scanner.dataset.values import Alike
from scanner.detect.detector import Detector
from scanner.detect.resolve import Span
from scanner.detect.values import dotted_quads
from scanner.hashing import Hasher, known_forms, mask_function, masks
from scanner.policy import Policy, PolicyTag

#: Values the NER model reads in one batch.
NER_BATCH = 2048
_NO_VALUES: dict[str, int] = {}


class ValueCache:
    """The findings of each (rule, value) this process decided: their first row in ``store``."""

    def __init__(self, config: ScanConfig, detector: Detector):
        self.detector = detector
        self.policy = Policy(config.configs.policy)
        self.hasher = Hasher(config.key, tuple(config.configs.scanner.phone_regions))
        self.include_values = config.include_values
        #: the findings decided, as rows of one table (shared by the process's sinks)
        self.store = ValueStore(config.include_values)
        #: id(rule) -> value -> the store row its findings start at (-1: none); rules live
        #: as long as the configuration
        self.by_rule: dict[int, dict[str, int]] = {}
        self._cached = 0
        self._cache_size = max(config.configs.scanner.cache_size, 1)
        #: ids of the rules whose decisions last one task (Detector.task_scoped)
        self._task_scoped = detector.task_scoped_rules()
        self._tags: dict[tuple[int, str], PolicyTag] = {}
        #: id(rule) -> the function that builds its findings (see _maker)
        self._makers: dict[int, Callable[[str, Span], FindingValue]] = {}

    def begin_task(self) -> None:
        """Forget the decisions that belong to the previous task (free text per template)."""
        self.detector.begin_task()
        for rule_id in [r for r in self.by_rule if r in self._task_scoped]:
            del self.by_rule[rule_id]

    def clear_if_full(self) -> None:
        """Start afresh when the cache or its store is past ``cache_size``.

        Called only where no store row is held: before a block's decisions, or one value's.
        """
        if self._cached > self._cache_size or self.store.size > self._cache_size:
            self.by_rule.clear()
            self._cached = 0
            self.store.clear()

    def decide_columns(
        self,
        columns: list[tuple[FieldRule, list[str]]],
        firsts: dict[int, list[tuple[int, int, int]]] | None = None,
    ) -> list[list[int]]:
        """The store row each column's distinct values' findings start at (-1: none).

        The values the cache misses are decided together per rule (:meth:`decide_many`);
        those that need NER go through spaCy together, in batches of :data:`NER_BATCH`, in
        the order of ``firsts`` (per column, where each value first occurs) where it is
        given: free text is decided per template, learnt from the messages read before.
        The rows stay valid until the next call (the store may start afresh there).
        """
        self.clear_if_full()
        detector = self.detector
        by_rule = self.by_rule
        out: list[list[int]] = []
        ner: list[tuple[int, int]] = []
        todo: list[tuple[int, int]] = []
        missing: dict[int, tuple[FieldRule, dict[str, None]]] = {}
        for rule, values in columns:
            found = list(map(by_rule.get(id(rule), _NO_VALUES).get, values))
            if None in found:  # else every value was cached: no loop in Python
                new = None
                for j, cached in enumerate(found):
                    if cached is None:
                        value = values[j]
                        if detector.needs_ner(rule, value):
                            ner.append((len(out), j))
                            found[j] = -1
                            continue
                        if new is None:
                            new = missing.setdefault(id(rule), (rule, {}))[1]
                        new[value] = None
                        todo.append((len(out), j))
            out.append(cast("list[int]", found))
        decided = {
            key: dict(zip(texts, self.decide_many(rule, list(texts)), strict=True))
            for key, (rule, texts) in missing.items()
        }
        for c, j in todo:
            rule, values = columns[c]
            out[c][j] = decided[id(rule)][values[j]]
        if firsts:
            ner.sort(key=lambda cj: firsts[cj[0]][cj[1]] if cj[0] in firsts else (-1, *cj))
        for start in range(0, len(ner), NER_BATCH):
            part = ner[start : start + NER_BATCH]
            pairs = list(dict.fromkeys((columns[c][0], columns[c][1][j]) for c, j in part))
            detector.prefetch(pairs)
            for c, j in part:
                out[c][j] = self.decide(columns[c][0], columns[c][1][j])
        return out

    def finding_values(self, rule: FieldRule, value: str) -> tuple[FindingValue, ...]:
        """The findings of one value under one rule, with hash, mask and policy tag."""
        self.clear_if_full()
        return self.store.findings_at(self.decide(rule, value))

    def cached(self, rule: FieldRule, value: str) -> tuple[FindingValue, ...] | None:
        """The findings of a value decided before (None: not decided yet)."""
        row = self.by_rule.get(id(rule), _NO_VALUES).get(value)
        return None if row is None else self.store.findings_at(row)

    def decide_many(self, rule: FieldRule, texts: list[str]) -> list[int]:
        """The store rows of distinct values the cache does not hold, decided together.

        Most values have one finding, alike but for its span (a field's entity, score and
        detector): those are added as columns (:meth:`_alike`), hashed in one loop and
        masked together; a value with several findings as its FindingValues.
        """
        spans = self.detector.take_many(rule, texts)
        out = [-1] * len(texts)
        alike: dict[tuple[str, float, str], list[int]] = {}
        several: list[int] = []
        for i, found in enumerate(spans):
            if found:
                if len(found) == 1:
                    span = found[0]
                    key = (span.entity, span.score, span.detector)
                    group = alike.get(key)
                    if group is None:
                        group = alike[key] = []
                    group.append(i)
                else:
                    several.append(i)
        add = self.store.add_alike
        for (entity, score, detector), group in alike.items():
            first = add(
                self._alike(rule, entity, score, detector, [texts[i] for i in group],
                            [spans[i][0] for i in group])  # fmt: skip
            )
            for k, i in enumerate(group):
                out[i] = first + k
        if several:
            make = self._maker(rule)
            for i in several:
                out[i] = self.store.add(tuple([make(texts[i], s) for s in spans[i]]))
        self._cached += len(texts)
        self.by_rule.setdefault(id(rule), {}).update(zip(texts, out, strict=True))
        return out

    def _alike(
        self,
        rule: FieldRule,
        entity: str,
        score: float,
        detector: str,
        values: list[str],
        spans: list[Span],
    ) -> Alike:
        """The columns of findings alike but for their spans (what :meth:`_maker` builds)."""
        tag = self._tag(rule, entity)
        starts = [span.start for span in spans]
        ends = [span.end for span in spans]
        found = [value[span.start : span.end] for value, span in zip(values, spans, strict=True)]
        quads = dotted_quads(found) if entity == "IP_ADDRESS" else None
        forms = known_forms(entity, found, quads)
        classes = None
        if quads is not None:  # a dotted quad's class by its number, any other IP's by ip_class
            by_number = iter(ipv4_classes(quads[quads >= 0].tolist()))
            classes = [
                next(by_number) if quad >= 0 else ip_class(text)
                for text, quad in zip(found, quads.tolist(), strict=True)
            ]
        return Alike(
            entity,
            tag.categories,
            tag.element,
            tag.declared,
            score,
            detector,
            starts,
            ends,
            self.hasher.many(entity, found, forms),
            masks(entity, found, forms),
            classes,
            found if self.include_values else None,
        )

    def decide(self, rule: FieldRule, value: str) -> int:
        """The store row of one value's findings, decided if the cache does not hold it."""
        cached = self.by_rule.get(id(rule), _NO_VALUES).get(value)
        if cached is not None:  # the same value in two columns of one rule, or twice pending
            return cached
        row = self.store.add(self._findings(rule, value, self.detector.take(rule, value)))
        self._cached += 1
        self.by_rule.setdefault(id(rule), {})[value] = row
        return row

    def _findings(self, rule: FieldRule, value: str, spans: list) -> tuple[FindingValue, ...]:
        make = self._maker(rule)
        return tuple([make(value, span) for span in spans])

    def _maker(self, rule: FieldRule) -> Callable[[str, Span], FindingValue]:
        """The function that builds a span's FindingValue under ``rule`` (one per rule)."""
        found = self._makers.get(id(rule))
        if found is None:
            found = self._makers[id(rule)] = self._new_maker(rule)
        return found

    def _new_maker(self, rule: FieldRule) -> Callable[[str, Span], FindingValue]:
        include = self.include_values
        per_entity: dict[str, tuple] = {}

        def make(value: str, span: Span) -> FindingValue:
            entity = span.entity
            text = value[span.start : span.end]
            known = per_entity.get(entity)
            if known is None:
                known = per_entity[entity] = (
                    self._tag(rule, entity),
                    self.hasher.function(entity),
                    mask_function(entity),
                )
            tag, hash_of, mask_of = known
            return FindingValue(
                span.start,
                span.end,
                entity,
                tag.categories,
                tag.element,
                tag.declared,
                span.score,
                span.detector,
                hash_of(text),
                mask_of(text),
                ip_class(text) if entity == "IP_ADDRESS" else None,
                text if include else None,
            )

        return make

    def _tag(self, rule: FieldRule, entity: str) -> PolicyTag:
        key = (id(rule), entity)
        tag = self._tags.get(key)
        if tag is None:
            # A rule's policy override applies to the entity the rule names, not to
            # e-mails or IPs found inside its values.
            if rule.policy and rule.detect == entity:
                tag = self.policy.tag(rule.policy)
            else:
                tag = self.policy.for_entity(entity)
            self._tags[key] = tag
        return tag
