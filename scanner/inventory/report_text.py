"""The terminal view of the steward report."""

from __future__ import annotations

from scanner.inventory.diff import Diff
from scanner.inventory.output import format_table
from scanner.inventory.report import TEXT_ERRORS_SHOWN, Report


def render_text(report: Report) -> str:
    """The terminal report."""
    s, c = report.scan, report.coverage
    lines = [
        f"catoscan report: scan {s['scan_id']} ({s['position']} of {s['scans']}), "
        f"started {s['started_at']}",
        f"  key_id {s['key_id']}  nlp {s['nlp']}  config {str(s['config_sha256'])[:12]}",
    ]
    if s["include_values"]:
        lines.append(
            "  WARNING: this scan stored raw values (--include-values); none are shown here"
        )
    lines += [
        "",
        "Coverage",
        format_table(
            ("", ""),
            [
                ["files read", f"{c['files']:,} ({c['streams']:,} streams)"],
                ["records", f"{c['records']:,}"],
                ["bytes read", f"{c['bytes']:,}"],
                ["files not read", f"{c['files_not_read']:,}"],
                ["records not read", f"{c['records_not_read']:,}"],
                [
                    "findings",
                    f"{c['findings']:,}, {c['undeclared_findings']:,} undeclared"
                    + (
                        f"; {c['false_positives']:,} marked false positive (left out)"
                        if c["false_positives"]
                        else ""
                    ),
                ],
            ],
            indent="  ",
            show_headers=False,
        ),
        "",
        "Inventory by CCPA category, policy element and entity type (undeclared first)",
        format_table(
            (
                "declared",
                "categories",
                "element",
                "entity",
                "findings",
                "records",
                "values",
                "files",
                "accepted",
                "false+",
            ),
            report.inventory,
            indent="  ",
        )
        if report.inventory
        else "  none",
        "",
        "Undeclared personal data: the sources and fields that hold it",
    ]
    if report.undeclared:
        lines.append(
            format_table(
                (
                    "source",
                    "format",
                    "field",
                    "entity",
                    "element",
                    "findings",
                    "records",
                    "values",
                    "review",
                ),
                [
                    [r[0], r[1], r[2], r[3], r[5], r[6], r[7], r[8], r[11]]
                    for r in report.undeclared
                ],
                indent="  ",
            )
        )
    else:
        lines.append("  none")
    lines += ["", *_changes_text(report.changes), ""]
    lines.append(f"Read errors ({len(report.errors):,})")
    if report.errors:
        shown = report.errors[:TEXT_ERRORS_SHOWN]
        lines.append(
            format_table(("source", "format", "scope", "line", "record", "reason"), shown, "  ")
        )
        if len(report.errors) > len(shown):
            lines.append(f"  … {len(report.errors) - len(shown):,} more (--format json lists all)")
    else:
        lines.append("  none")
    r = report.reviews
    lines += [
        "",
        f"Review decisions: {r['decisions']} active ("
        + ", ".join(f"{n} {v}" for v, n in r["by_verdict"].items())
        + f"), {r['revoked']} revoked",
    ]
    if report.category_names:
        lines += [
            "",
            "CCPA categories (the privacy policy's letters; where each is in the statute)",
        ]
        lines.append(
            format_table(
                ("category", "what"),
                [[k, v] for k, v in report.category_names.items()],
                indent="  ",
            )
        )
    return "\n".join(lines) + "\n"


def _changes_text(changes: Diff | None) -> list[str]:
    if changes is None:
        return ["Changes since the previous scan", "  none: this is the dataset's first scan"]
    lines = [
        f"Changes since scan {changes.from_scan}",
        f"  {len(changes.new)} new and {len(changes.vanished)} vanished (source format, field, "
        f"entity type) combinations; {len(changes.new_undeclared)} new undeclared"
        + (":" if changes.new_undeclared else ""),
    ]
    if changes.new_undeclared:
        rows = [
            [
                c.source_format,
                c.field or "(text)",
                c.entity_type,
                list(c.policy_elements),
                c.undeclared,
            ]
            for c in changes.new_undeclared
        ]
        lines.append(
            format_table(("format", "field", "entity", "element", "findings"), rows, "    ")
        )
    lines += [f"  note: {n}" for n in changes.notes]
    return lines
