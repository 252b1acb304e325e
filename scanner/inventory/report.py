"""The steward report of one scan: what personal data the logs hold, where, and what changed.

:func:`build_report` reads the scan's findings and errors (with review decisions applied:
false positives are left out and counted), the manifest entry, and the previous scan for
the changes. :meth:`Report.to_json` is the whole report as data,
:data:`INVENTORY_HEADERS` the CSV view; the terminal view is in
:mod:`scanner.inventory.report_text`, the HTML page in :mod:`scanner.inventory.html`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scanner.inventory.data import Inventory, as_python, iso, read_frame
from scanner.inventory.diff import Diff, diff_entries
from scanner.inventory.reviews import ReviewsFile, reviewed_findings

INVENTORY_HEADERS = (
    "declared",
    "categories",
    "policy_element",
    "entity_type",
    "findings",
    "records",
    "distinct_values",
    "files",
    "accepted_risk",
    "false_positives",
)
UNDECLARED_HEADERS = (
    "source_path",
    "source_format",
    "field",
    "entity_type",
    "categories",
    "policy_element",
    "findings",
    "records",
    "distinct_values",
    "first_event_time",
    "last_event_time",
    "review",
)
ERROR_HEADERS = ("source_path", "source_format", "scope", "line", "record_index", "reason")
TEXT_ERRORS_SHOWN = 20
TOP_FIELDS = 5


@dataclass(frozen=True)
class Timeline:
    """Findings per CCPA category per event-time bucket (a finding counts in each category)."""

    unit: str  # "hour", "day" or "month"
    buckets: tuple[str, ...]
    series: dict[str, tuple[int, ...]]
    undated: int


@dataclass(frozen=True)
class Report:
    """Everything the report shows, as plain values."""

    scan: dict[str, Any]
    coverage: dict[str, int]
    inventory: list[list[Any]]
    undeclared: list[list[Any]]
    errors: list[list[Any]]
    formats: list[dict[str, Any]]
    top_fields: dict[str, list[tuple[str | None, int]]]
    timeline: Timeline
    reviews: dict[str, Any]
    changes: Diff | None
    category_names: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The whole report as a JSON-ready dict."""

        def objects(headers: tuple[str, ...], rows: list[list[Any]]) -> list[dict[str, Any]]:
            return [dict(zip(headers, row, strict=True)) for row in rows]

        return {
            "scan": self.scan,
            "coverage": self.coverage,
            "inventory": objects(INVENTORY_HEADERS, self.inventory),
            "undeclared": objects(UNDECLARED_HEADERS, self.undeclared),
            "errors": objects(ERROR_HEADERS, self.errors),
            "source_formats": self.formats,
            "top_fields": {
                entity: [{"field": f, "findings": n} for f, n in rows]
                for entity, rows in self.top_fields.items()
            },
            "timeline": {
                "unit": self.timeline.unit,
                "buckets": list(self.timeline.buckets),
                "findings_by_category": {k: list(v) for k, v in self.timeline.series.items()},
                "undated_findings": self.timeline.undated,
            },
            "reviews": self.reviews,
            "changes": None if self.changes is None else self.changes.to_json(),
        }


def build_report(
    inventory: Inventory,
    scan_id: str | None,
    reviews: ReviewsFile,
    category_names: dict[str, str] | None = None,
) -> Report:
    """Build the report of one scan (default: the latest).

    Args:
        inventory: The opened dataset.
        scan_id: The scan to report on, or None for the latest.
        reviews: The dataset's review decisions.
        category_names: CCPA category id -> description (policy.yaml), for the HTML legend.

    Raises:
        scanner.errors.ConfigError: ``scan_id`` is not a committed scan.
    """
    entry = inventory.scan(scan_id)
    sid = entry["scan_id"]
    all_findings = reviewed_findings(inventory, [sid], reviews)
    suppressed = all_findings[all_findings["verdict"] == "false_positive"]
    findings = all_findings[all_findings["verdict"] != "false_positive"]
    errors = read_frame(inventory, "errors", [sid])
    previous = inventory.previous(sid)
    counts = entry.get("counts", {})
    position = inventory.scan_ids.index(sid) + 1
    scan = {
        "scan_id": sid,
        "position": position,
        "scans": len(inventory.scans),
        "started_at": _seconds(entry.get("started_at")),
        "key_id": entry.get("key_id"),
        "nlp": entry.get("nlp"),
        "config_sha256": entry.get("config_sha256"),
        "include_values": bool(entry.get("include_values")),
        "arguments": list(entry.get("arguments", [])),
    }
    coverage = {
        "files": int(counts.get("files", 0)),
        "streams": int(counts.get("sources", 0)),
        "records": int(counts.get("records", 0)),
        "bytes": int(counts.get("bytes", 0)),
        "files_not_read": int(counts.get("failed_sources", 0)),
        "records_not_read": int((errors["scope"] == "record").sum()),
        "errors": len(errors),
        "findings": len(findings),
        "undeclared_findings": int((~findings["policy_declared"]).sum()),
        "false_positives": len(suppressed),
    }
    active = [d for d in reviews.decisions if d.active]
    review_summary = {
        "decisions": len(active),
        "revoked": len(reviews.decisions) - len(active),
        "by_verdict": {
            v: sum(1 for d in active if d.verdict == v)
            for v in ("confirmed", "false_positive", "accepted_risk")
        },
        "findings_by_verdict": {
            "confirmed": int((all_findings["verdict"] == "confirmed").sum()),
            "false_positive": len(suppressed),
            "accepted_risk": int((all_findings["verdict"] == "accepted_risk").sum()),
        },
    }
    return Report(
        scan=scan,
        coverage=coverage,
        inventory=_inventory_rows(findings, suppressed),
        undeclared=_undeclared_rows(findings),
        errors=[
            [as_python(v) for v in row]
            for row in errors[list(ERROR_HEADERS)].itertuples(index=False)
        ],
        formats=_format_rows(findings),
        top_fields=_top_fields(findings),
        timeline=_timeline(findings),
        reviews=review_summary,
        changes=None if previous is None else diff_entries(inventory, previous, entry, reviews),
        category_names=dict(category_names or {}),
    )


def _seconds(text: str | None) -> str | None:
    """A manifest time (``2026-11-26T06:40:07.017384+00:00``) as ``2026-11-26T06:40:07Z``."""
    import pandas as pd

    return iso(pd.Timestamp(text).floor("s")) if text else None


def _with_keys(findings: Any) -> Any:
    """Add ``record`` (one key per source record) and ``accepted`` for the aggregations."""
    return findings.assign(
        record=findings["source_path"] + "\0" + findings["record_index"].astype(str),
        accepted=findings["verdict"] == "accepted_risk",
    )


def _aggregate(frame: Any, keys: list[str]) -> Any:
    """Per group of ``keys``: findings, records, distinct values, files, accepted, times."""
    return (
        frame.groupby(keys, dropna=False, sort=False)
        .agg(
            findings=("value_hash", "size"),
            records=("record", "nunique"),
            distinct_values=("value_hash", "nunique"),
            files=("source_path", "nunique"),
            accepted=("accepted", "sum"),
            first=("event_time", "min"),
            last=("event_time", "max"),
        )
        .reset_index()
    )


def _inventory_rows(findings: Any, suppressed: Any) -> list[list[Any]]:
    keys = ["policy_declared", "categories", "policy_element", "entity_type"]
    fp_counts = suppressed.groupby(keys).size().to_dict() if len(suppressed) else {}
    rows = []
    for r in _aggregate(_with_keys(findings), keys).itertuples(index=False):
        key = (r.policy_declared, r.categories, r.policy_element, r.entity_type)
        rows.append(
            [
                bool(key[0]),
                key[1].split(","),
                key[2],
                key[3],
                int(r.findings),
                int(r.records),
                int(r.distinct_values),
                int(r.files),
                int(r.accepted),
                int(fp_counts.get(key, 0)),
            ]
        )
    seen = {(r[0], ",".join(r[1]), r[2], r[3]) for r in rows}
    for key, n in fp_counts.items():  # all of its findings were false positives
        if key not in seen:
            rows.append([bool(key[0]), key[1].split(","), key[2], key[3], 0, 0, 0, 0, 0, int(n)])
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
    return rows


def _undeclared_rows(findings: Any) -> list[list[Any]]:
    undeclared = _with_keys(findings[~findings["policy_declared"]])
    keys = ["source_path", "source_format", "field", "entity_type", "categories", "policy_element"]
    decided: dict[tuple[Any, ...], set[str]] = {}
    decided_n: dict[tuple[Any, ...], int] = {}
    for r in undeclared.dropna(subset=["review_id"]).itertuples(index=False):
        key = (r.source_path, r.field, r.entity_type, r.policy_element)
        decided.setdefault(key, set()).add(f"{r.review_id} {r.verdict}")
        decided_n[key] = decided_n.get(key, 0) + 1
    rows = []
    for r in _aggregate(undeclared, keys).itertuples(index=False):
        name = as_python(r.field)
        key = (r.source_path, name, r.entity_type, r.policy_element)
        review = sorted(decided.get(key, ()))
        if review and decided_n[key] < r.findings:
            review.append(f"{int(r.findings) - decided_n[key]} not reviewed")
        rows.append(
            [
                r.source_path,
                r.source_format,
                name,
                r.entity_type,
                r.categories.split(","),
                r.policy_element,
                int(r.findings),
                int(r.records),
                int(r.distinct_values),
                iso(r.first),
                iso(r.last),
                "; ".join(review) or None,
            ]
        )
    rows.sort(key=lambda r: (r[0], r[2] or "", r[3], r[5]))
    return rows


def _format_rows(findings: Any) -> list[dict[str, Any]]:
    frame = findings.assign(undeclared=~findings["policy_declared"])
    table = frame.groupby("source_format").agg(
        total=("undeclared", "size"),
        undeclared=("undeclared", "sum"),
        files=("source_path", "nunique"),
    )
    rows = [
        {
            "source_format": fmt,
            "declared": int(r.total - r.undeclared),
            "undeclared": int(r.undeclared),
            "files": int(r.files),
        }
        for fmt, r in table.iterrows()
    ]
    rows.sort(key=lambda r: (-(r["declared"] + r["undeclared"]), r["source_format"]))
    return rows


def _top_fields(findings: Any) -> dict[str, list[tuple[str | None, int]]]:
    counts: dict[str, list[tuple[str | None, int]]] = {}
    sizes = findings.groupby(["entity_type", "field"], dropna=False).size()
    for (entity, name), n in sizes.items():
        counts.setdefault(entity, []).append((as_python(name), int(n)))
    result: dict[str, list[tuple[str | None, int]]] = {}
    for entity in sorted(counts, key=lambda e: (-sum(n for _f, n in counts[e]), e)):
        ranked = sorted(counts[entity], key=lambda fn: (-fn[1], fn[0] or ""))
        top = ranked[:TOP_FIELDS]
        rest = sum(n for _f, n in ranked[TOP_FIELDS:])
        if rest:
            top.append((f"{len(ranked) - TOP_FIELDS} other fields", rest))
        result[entity] = top
    return result


def _timeline(findings: Any) -> Timeline:
    import pandas as pd

    dated = findings.dropna(subset=["event_time"])
    undated = len(findings) - len(dated)
    if dated.empty:
        return Timeline("day", (), {}, undated)
    first, last = dated["event_time"].min(), dated["event_time"].max()
    span = last - first
    if span <= pd.Timedelta(hours=72):
        unit, freq, fmt = "hour", "h", "%Y-%m-%d %H:00"
    elif span <= pd.Timedelta(days=120):
        unit, freq, fmt = "day", "D", "%Y-%m-%d"
    else:
        unit, freq, fmt = "month", "MS", "%Y-%m"
    naive = dated["event_time"].dt.tz_convert("UTC").dt.tz_localize(None)
    if unit == "month":
        starts = naive.dt.to_period("M").dt.start_time
    else:
        starts = naive.dt.floor(freq)
    index = pd.date_range(starts.min(), starts.max(), freq=freq)
    exploded = pd.DataFrame({"start": starts, "category": dated["categories"].str.split(",")})
    exploded = exploded.explode("category")
    table = exploded.groupby(["category", "start"]).size().unstack(fill_value=0)
    table = table.reindex(columns=index, fill_value=0)
    series = {cat: tuple(int(v) for v in table.loc[cat]) for cat in sorted(table.index)}
    return Timeline(unit, tuple(ts.strftime(fmt) for ts in index), series, undated)
