"""What changed between two scans: (source format, field, entity type) combinations.

A combination is *undeclared* in a scan when it holds findings the privacy policy does not
declare (findings reviewed as false positives do not count, anywhere). The gate question
"did the logs start carrying something the policy does not declare?" is answered by
:attr:`Diff.new_undeclared`: combinations undeclared in the later scan that were absent,
or declared only, in the earlier one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scanner.inventory.data import Inventory
from scanner.inventory.output import format_table
from scanner.inventory.reviews import ReviewsFile, reviewed_findings, without_false_positives

Key = tuple[str, str | None, str]  # source_format, field, entity_type

COMBO_HEADERS = (
    "source_format",
    "field",
    "entity_type",
    "categories",
    "policy_elements",
    "findings",
    "undeclared",
    "files",
)


@dataclass(frozen=True)
class Combo:
    """One (source format, field, entity type) combination in one scan."""

    source_format: str
    field: str | None
    entity_type: str
    categories: tuple[str, ...]
    policy_elements: tuple[str, ...]
    findings: int
    undeclared: int
    files: int

    @property
    def key(self) -> Key:
        """The combination itself."""
        return (self.source_format, self.field, self.entity_type)

    def row(self) -> list[Any]:
        """Values in :data:`COMBO_HEADERS` order."""
        return [
            self.source_format,
            self.field,
            self.entity_type,
            list(self.categories),
            list(self.policy_elements),
            self.findings,
            self.undeclared,
            self.files,
        ]


@dataclass(frozen=True)
class Element:
    """An undeclared policy element (``telephone number``) and where it appears."""

    policy_element: str
    categories: tuple[str, ...]
    entity_types: tuple[str, ...]
    findings: int


@dataclass(frozen=True)
class Diff:
    """Changes from scan ``from_scan`` to scan ``to_scan``."""

    from_scan: str
    to_scan: str
    new: tuple[Combo, ...]
    vanished: tuple[Combo, ...]
    new_undeclared: tuple[Combo, ...]
    new_undeclared_elements: tuple[Element, ...]
    notes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""

        def combos(items: tuple[Combo, ...]) -> list[dict[str, Any]]:
            return [dict(zip(COMBO_HEADERS, c.row(), strict=True)) for c in items]

        return {
            "from": self.from_scan,
            "to": self.to_scan,
            "new_undeclared": combos(self.new_undeclared),
            "new_undeclared_elements": [
                {
                    "policy_element": e.policy_element,
                    "categories": list(e.categories),
                    "entity_types": list(e.entity_types),
                    "findings": e.findings,
                }
                for e in self.new_undeclared_elements
            ],
            "new": combos(self.new),
            "vanished": combos(self.vanished),
            "notes": list(self.notes),
        }


def combos(frame: Any) -> dict[Key, Combo]:
    """The combinations of a findings frame (false positives already removed)."""
    result: dict[Key, Combo] = {}
    if frame.empty:
        return result
    table = (
        frame.assign(undeclared=~frame["policy_declared"])
        .groupby(["source_format", "field", "entity_type"], dropna=False, sort=False)
        .agg(
            findings=("undeclared", "size"),
            undeclared=("undeclared", "sum"),
            files=("source_path", "nunique"),
            categories=("categories", _split_union),
            elements=("policy_element", lambda s: tuple(sorted(set(s)))),
        )
    )
    for (fmt, fld, entity), r in table.iterrows():
        fld = None if _na(fld) else fld
        result[(fmt, fld, entity)] = Combo(
            fmt,
            fld,
            entity,
            r.categories,
            r.elements,
            int(r.findings),
            int(r.undeclared),
            int(r.files),
        )
    return result


def _undeclared_elements(frame: Any) -> dict[str, Element]:
    undeclared = frame[~frame["policy_declared"]]
    out: dict[str, Element] = {}
    for element, group in undeclared.groupby("policy_element", sort=True):
        out[element] = Element(
            element,
            _split_union(group["categories"]),
            tuple(sorted(set(group["entity_type"]))),
            len(group),
        )
    return out


def compare(
    inventory: Inventory, from_id: str | None, to_id: str | None, reviews: ReviewsFile
) -> Diff:
    """Compare two scans (default: the latest and the one before it).

    Raises:
        scanner.errors.ConfigError: an unknown scan id, or only one scan and no ``from_id``.
    """
    from scanner.errors import ConfigError

    to_entry = inventory.scan(to_id, "--to")
    if from_id is None:
        before = inventory.previous(to_entry["scan_id"])
        if before is None:
            raise ConfigError(
                f"{inventory.out}: scan {to_entry['scan_id']} is the first scan; "
                "nothing to compare it with (give --from SCAN)"
            )
        from_entry = before
    else:
        from_entry = inventory.scan(from_id, "--from")
    return diff_entries(inventory, from_entry, to_entry, reviews)


def diff_entries(
    inventory: Inventory, from_entry: dict[str, Any], to_entry: dict[str, Any], reviews: ReviewsFile
) -> Diff:
    """The diff between two manifest entries of ``inventory``."""
    ids = [from_entry["scan_id"], to_entry["scan_id"]]
    frame = without_false_positives(reviewed_findings(inventory, ids, reviews))
    before_frame = frame[frame["scan_id"] == ids[0]]
    after_frame = frame[frame["scan_id"] == ids[1]]
    before, after = combos(before_frame), combos(after_frame)
    order = _order
    new = tuple(sorted((c for k, c in after.items() if k not in before), key=order))
    vanished = tuple(sorted((c for k, c in before.items() if k not in after), key=order))
    new_undeclared = tuple(
        sorted(
            (
                c
                for k, c in after.items()
                if c.undeclared and (k not in before or not before[k].undeclared)
            ),
            key=order,
        )
    )
    old_elements = _undeclared_elements(before_frame)
    new_elements = tuple(
        e for name, e in _undeclared_elements(after_frame).items() if name not in old_elements
    )
    return Diff(
        ids[0], ids[1], new, vanished, new_undeclared, new_elements, _notes(from_entry, to_entry)
    )


def _notes(a: dict[str, Any], b: dict[str, Any]) -> tuple[str, ...]:
    notes = []
    if a.get("arguments") != b.get("arguments"):
        notes.append("the two scans read different inputs (arguments differ)")
    if a.get("config_sha256") != b.get("config_sha256"):
        notes.append("the two scans ran with different configuration files (config_sha256 differs)")
    if a.get("nlp") != b.get("nlp"):
        notes.append(f"the two scans ran with different --nlp ({a.get('nlp')} vs {b.get('nlp')})")
    return tuple(notes)


def _order(c: Combo) -> tuple[str, str, str]:
    return (c.source_format, c.field or "", c.entity_type)


def _split_union(series: Any) -> tuple[str, ...]:
    return tuple(sorted({cat for text in set(series) for cat in text.split(",")}))


def _na(value: Any) -> bool:
    import pandas as pd

    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def render_text(diff: Diff) -> str:
    """The terminal view: new undeclared first, then new and vanished combinations."""
    headers = (
        "format",
        "field",
        "entity",
        "categories",
        "elements",
        "findings",
        "undeclared",
        "files",
    )

    def section(title: str, items: tuple[Combo, ...]) -> list[str]:
        if not items:
            return [f"{title}: none"]
        rows = [[c.source_format, c.field or "(text)", *c.row()[2:]] for c in items]
        return [f"{title}:", format_table(headers, rows, "  ")]

    lines = [
        f"diff {diff.from_scan} -> {diff.to_scan}: {len(diff.new)} new, "
        f"{len(diff.vanished)} vanished, {len(diff.new_undeclared)} new undeclared",
        "",
        *section("New undeclared combinations", diff.new_undeclared),
        "",
    ]
    if diff.new_undeclared_elements:
        rows = [
            [e.policy_element, list(e.categories), list(e.entity_types), e.findings]
            for e in diff.new_undeclared_elements
        ]
        lines.append("New undeclared policy elements:")
        lines.append(
            format_table(("element", "categories", "entity types", "findings"), rows, "  ")
        )
    else:
        lines.append("New undeclared policy elements: none")
    lines += [
        "",
        *section("New combinations", diff.new),
        "",
        *section("Vanished combinations", diff.vanished),
    ]
    return "\n".join(lines)
