"""A process's decided values: the findings of each (rule, value), built once.

A finding's value-dependent columns (spans, keyed hash, mask, IP class, policy tag) are a
:class:`~scanner.dataset.FindingValue`, built the first time a process meets a value under
a rule and then reused by every record and column that holds it, in every task. The cache
is bounded (``cache_size`` in scanner.yaml: when full it starts afresh), and the decisions
of task-scoped rules (free text read per template) are dropped when a task begins.
"""

from __future__ import annotations

from typing import cast

from recognizers import ip_class
from scanner.config import FieldRule, ScanConfig
from scanner.dataset import FindingValue
from scanner.detect.detector import Detector
from scanner.hashing import Hasher, mask
from scanner.policy import Policy, PolicyTag

#: Values the NER model reads in one batch.
NER_BATCH = 2048
_NO_VALUES: dict[str, tuple[FindingValue, ...]] = {}


class ValueCache:
    """The findings of each (rule, value) this process decided, with hash, mask and tag."""

    def __init__(self, config: ScanConfig, detector: Detector):
        self.detector = detector
        self.policy = Policy(config.configs.policy)
        self.hasher = Hasher(config.key, tuple(config.configs.scanner.phone_regions))
        self.include_values = config.include_values
        #: id(rule) -> value -> findings; rules live as long as the configuration
        self.by_rule: dict[int, dict[str, tuple[FindingValue, ...]]] = {}
        self._cached = 0
        self._cache_size = max(config.configs.scanner.cache_size, 1)
        #: ids of the rules whose decisions last one task (Detector.task_scoped)
        self._task_scoped = detector.task_scoped_rules()
        self._tags: dict[tuple[int, str], PolicyTag] = {}

    def begin_task(self) -> None:
        """Forget the decisions that belong to the previous task (free text per template)."""
        self.detector.begin_task()
        for rule_id in [r for r in self.by_rule if r in self._task_scoped]:
            del self.by_rule[rule_id]

    def decide_columns(
        self, columns: list[tuple[FieldRule, list[str]]]
    ) -> list[list[tuple[FindingValue, ...]]]:
        """The findings of each column's distinct values, from the cache where it can.

        Values the cache misses are decided here; those that need NER go through spaCy
        together, in batches of :data:`NER_BATCH`.
        """
        detector = self.detector
        by_rule = self.by_rule
        out: list[list[tuple[FindingValue, ...]]] = []
        ner: list[tuple[int, int]] = []
        for rule, values in columns:
            found = list(map(by_rule.get(id(rule), _NO_VALUES).get, values))
            if None in found:  # else every value was cached: no loop in Python
                for j, cached in enumerate(found):
                    if cached is None:
                        value = values[j]
                        if detector.needs_ner(rule, value):
                            ner.append((len(out), j))
                            found[j] = ()
                        else:
                            found[j] = self.finding_values(rule, value)
            out.append(cast("list[tuple[FindingValue, ...]]", found))  # no None left
        for start in range(0, len(ner), NER_BATCH):
            part = ner[start : start + NER_BATCH]
            pairs = list(dict.fromkeys((columns[c][0], columns[c][1][j]) for c, j in part))
            detector.prefetch(pairs)
            for c, j in part:
                out[c][j] = self.finding_values(columns[c][0], columns[c][1][j])
        return out

    def finding_values(self, rule: FieldRule, value: str) -> tuple[FindingValue, ...]:
        """The findings of one value under one rule, with hash, mask and policy tag."""
        cached = self.by_rule.get(id(rule), _NO_VALUES).get(value)
        if cached is not None:  # the same value in two columns of one rule, or twice pending
            return cached
        include = self.include_values
        found = []
        for span in self.detector.take(rule, value):
            text = value[span.start : span.end]
            tag = self._tag(rule, span.entity)
            found.append(
                FindingValue(
                    span.start,
                    span.end,
                    span.entity,
                    tag.categories,
                    tag.element,
                    tag.declared,
                    span.score,
                    span.detector,
                    self.hasher.hash(span.entity, text),
                    mask(span.entity, text),
                    ip_class(text) if span.entity == "IP_ADDRESS" else None,
                    text if include else None,
                )
            )
        self._cached += 1
        if self._cached > self._cache_size:  # bounded memory: start afresh
            self.by_rule.clear()
            self._cached = 0
        result = self.by_rule.setdefault(id(rule), {})[value] = tuple(found)
        return result

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
