"""Map entity types (and field-rule overrides) to CCPA categories and policy elements."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.config import PolicyFile, PolicyPair


@dataclass(frozen=True, slots=True)
class PolicyTag:
    """What a finding is in the policy's terms."""

    categories: tuple[str, ...]
    element: str
    declared: bool


class Policy:
    """The policy of policy.yaml, answering per entity (or per rule override)."""

    def __init__(self, policy: PolicyFile):
        self._declared = {cat: set(elements) for cat, elements in policy.declared.items()}
        self._by_entity = {name: self.tag(pairs) for name, pairs in policy.entities.items()}
        self.categories = dict(policy.categories)

    def tag(self, pairs: tuple[PolicyPair, ...]) -> PolicyTag:
        """Tag for a list of (category, element) pairs: declared only if every pair is."""
        categories = tuple(dict.fromkeys(p.category for p in pairs))
        declared = all(p.element in self._declared.get(p.category, ()) for p in pairs)
        return PolicyTag(categories, pairs[0].element, declared)

    def for_entity(self, entity: str) -> PolicyTag:
        """Tag of an entity type as policy.yaml maps it."""
        return self._by_entity[entity]
