"""Retention: the deletion manifest computed from the dataset and ``retention.yaml``.

Each finding gets the first rule that matches it (:mod:`.retention_rules`); it is *past
retention* when its event time plus the rule's ``keep`` lies before ``as_of``. The manifest
lists, per source file, the records to delete or the fields to redact, with the rule and
the age, plus the files that can be deleted whole: every finding in the file (all members
of an archive) past retention under a ``delete`` rule, none without an event time, and no
read error in it. Findings without an event time are listed separately, never guessed.
Findings reviewed as false positives are not personal data and are left out. Nothing is
deleted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from scanner.errors import ConfigError, resource_error
from scanner.inventory.data import Inventory, iso, read_frame
from scanner.inventory.output import replacing
from scanner.inventory.retention_rules import RetentionConfig, Rule
from scanner.inventory.reviews import ReviewsFile, reviewed_findings, without_false_positives

MANIFEST_NAME = "deletion_manifest"
UNDATED_NAME = "undated"
ACTIONS = {"delete": "delete_record", "redact": "redact_fields"}


@dataclass(frozen=True)
class Retention:
    """The computed manifest and undated rows (dicts of plain values) and a per-rule summary."""

    scan_id: str
    as_of: datetime
    manifest: list[dict[str, Any]]
    undated: list[dict[str, Any]]
    summary: list[list[Any]]
    files: list[str]


SUMMARY_HEADERS = (
    "rule",
    "keep",
    "action",
    "findings",
    "past_retention",
    "records_past",
    "within_retention",
    "undated",
)
MANIFEST_COLUMNS = (
    "scan_id",
    "as_of",
    "action",
    "source_path",
    "container",
    "source_format",
    "line",
    "record_index",
    "fields",
    "entity_types",
    "categories",
    "rules",
    "keep",
    "event_time",
    "age_days",
    "findings",
)
UNDATED_COLUMNS = (
    "scan_id",
    "source_path",
    "container",
    "source_format",
    "line",
    "record_index",
    "fields",
    "entity_types",
    "categories",
    "rules",
    "findings",
)


def compute(
    inventory: Inventory,
    scan_id: str | None,
    config: RetentionConfig,
    as_of: datetime,
    reviews: ReviewsFile,
) -> Retention:
    """Apply the retention rules to one scan's findings (default: the latest scan)."""
    import pandas as pd

    entry = inventory.scan(scan_id)
    sid = entry["scan_id"]
    rules = config.rules.rules
    frame = without_false_positives(reviewed_findings(inventory, [sid], reviews)).copy()
    frame["rule"] = _assign(rules, frame)
    frame["container"] = frame["source_path"].str.split("!", n=1).str[0]
    periods = pd.Series({i: pd.Timedelta(r.period) for i, r in enumerate(rules)})
    keep = frame["rule"].map(periods)
    when = pd.Timestamp(as_of)
    dated = frame["event_time"].notna()
    past = dated & (frame["event_time"] + keep < when)
    frame["age_days"] = ((when - frame["event_time"]) // pd.Timedelta(days=1)).astype("Int64")

    names = [r.name for r in rules]
    rows = []
    for g in _record_groups(frame[past]):
        rule = rules[g["rule"]]
        rows.append(
            _row(sid, as_of, ACTIONS[rule.action], g, [rule.name], rule.keep, g["age_days_min"])
        )
    files = _whole_files(inventory, sid, frame, past, rules)
    for container in files:
        group = frame[frame["container"] == container]
        rows.append(
            {
                "scan_id": sid,
                "as_of": as_of,
                "action": "delete_file",
                "source_path": container,
                "container": container,
                "source_format": _only(sorted(set(group["source_format"]))),
                "line": None,
                "record_index": None,
                "fields": sorted({f for f in group["field"] if f is not None}),
                "entity_types": sorted(set(group["entity_type"])),
                "categories": _categories(set(group["categories"])),
                "rules": [names[i] for i in sorted(set(group["rule"]))],
                "keep": None,
                "event_time": group["event_time"].max().to_pydatetime(),
                "age_days": int(group["age_days"].min()),
                "findings": len(group),
            }
        )
    rows.sort(
        key=lambda r: (
            r["container"],
            r["action"] != "delete_file",
            r["source_path"],
            r["record_index"] if r["record_index"] is not None else -1,
            r["rules"],
        )
    )
    undated_rows = []
    for g in _record_groups(frame[~dated]):
        row = _row(sid, as_of, "", g, [names[g["rule"]]], None, None)
        undated_rows.append({k: row[k] for k in UNDATED_COLUMNS})
    undated_rows = _merge_rules(undated_rows)
    summary = []
    for i, r in enumerate(rules):
        mine = frame["rule"] == i
        summary.append(
            [
                r.name,
                r.keep,
                r.action,
                int(mine.sum()),
                int((mine & past).sum()),
                len(frame[mine & past][["source_path", "record_index"]].drop_duplicates()),
                int((mine & dated & ~past).sum()),
                int((mine & ~dated).sum()),
            ]
        )
    return Retention(sid, as_of, rows, undated_rows, summary, files)


def _assign(rules: tuple[Rule, ...], frame: Any) -> Any:
    """The index of the first matching rule of every finding."""
    import fnmatch

    import pandas as pd

    chosen = pd.Series(-1, index=frame.index, dtype="int64")
    for i, rule in enumerate(rules):
        mask = chosen == -1
        m = rule.match
        if m is not None:
            if m.categories:
                wanted = set(m.categories)
                hit = {c for c in frame["categories"].unique() if wanted & set(c.split(","))}
                mask &= frame["categories"].isin(hit)
            if m.entity_types:
                mask &= frame["entity_type"].isin(m.entity_types)
            if m.source_formats:
                mask &= frame["source_format"].isin(m.source_formats)
            if m.paths:
                hit = {
                    p
                    for p in frame["source_path"].unique()
                    if any(fnmatch.fnmatchcase(p, g) for g in m.paths)
                }
                mask &= frame["source_path"].isin(hit)
        chosen[mask] = i
    return chosen


def _whole_files(
    inventory: Inventory, sid: str, frame: Any, past: Any, rules: tuple[Rule, ...]
) -> list[str]:
    errors = read_frame(inventory, "errors", [sid], ("source_path",))
    unreadable = {p.split("!", 1)[0] for p in errors["source_path"]}
    deletes = frame["rule"].map(lambda i: rules[i].action == "delete")
    ok = past & deletes
    result = []
    for container, flags in ok.groupby(frame["container"], sort=True):
        if bool(flags.all()) and container not in unreadable:
            result.append(container)
    return result


def _record_groups(frame: Any) -> list[dict[str, Any]]:
    """Findings grouped per (source_path, record_index, rule), aggregated with Arrow.

    One dict per group: the keys, ``source_format_distinct``, ``line_min``,
    ``field_distinct``, ``entity_type_distinct``, ``categories_distinct``,
    ``event_time_max``, ``age_days_min`` and ``findings``; ordered by the keys.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = ["source_path", "record_index", "rule", "source_format", "line", "field"]
    columns += ["entity_type", "categories", "event_time", "age_days"]
    table = pa.Table.from_pandas(frame[columns], preserve_index=False)
    everything = pc.CountOptions(mode="all")
    grouped = table.group_by(["source_path", "record_index", "rule"], use_threads=False).aggregate(
        [
            ("source_format", "distinct"),
            ("line", "min"),
            ("field", "distinct", everything),
            ("entity_type", "distinct"),
            ("categories", "distinct"),
            ("event_time", "max"),
            ("age_days", "min"),
            ("rule", "count", everything),
        ]
    )
    grouped = grouped.rename_columns(
        [("findings" if name == "rule_count" else name) for name in grouped.column_names]
    )
    order = [("source_path", "ascending"), ("record_index", "ascending"), ("rule", "ascending")]
    return grouped.sort_by(order).to_pylist()


def _row(
    sid: str,
    as_of: datetime,
    action: str,
    group: dict[str, Any],
    rules: list[str],
    keep: str | None,
    age: int | None,
) -> dict[str, Any]:
    path = group["source_path"]
    return {
        "scan_id": sid,
        "as_of": as_of,
        "action": action,
        "source_path": path,
        "container": path.split("!", 1)[0],
        "source_format": _only(sorted(group["source_format_distinct"])),
        "line": group["line_min"],
        "record_index": group["record_index"],
        "fields": sorted(f for f in group["field_distinct"] if f is not None),
        "entity_types": sorted(group["entity_type_distinct"]),
        "categories": _categories(group["categories_distinct"]),
        "rules": rules,
        "keep": keep,
        "event_time": group["event_time_max"],
        "age_days": age,
        "findings": group["findings"],
    }


def _merge_rules(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One undated row per record: the groups of one record under several rules merged."""
    merged: dict[tuple[str, int], dict[str, Any]] = {}
    for row in rows:
        key = (row["source_path"], row["record_index"])
        seen = merged.get(key)
        if seen is None:
            merged[key] = dict(row)
            continue
        for name in ("fields", "entity_types", "categories", "rules"):
            seen[name] = sorted(set(seen[name]) | set(row[name]))
        seen["findings"] += row["findings"]
        lines = [v for v in (seen["line"], row["line"]) if v is not None]
        seen["line"] = min(lines) if lines else None
    return list(merged.values())


def _only(values: list[str]) -> str | None:
    return values[0] if len(values) == 1 else None


def _categories(joined: Any) -> list[str]:
    return sorted({c for text in joined for c in text.split(",")})


def write_outputs(result: Retention, config: RetentionConfig, out: Path) -> list[Path]:
    """Write the manifest and the undated list as Parquet and CSV into ``out``.

    Written beside the final names and renamed onto them once all four are whole: a
    failed write leaves the files of the previous run as they were.

    Returns:
        The four paths written.

    Raises:
        ConfigError: ``out`` cannot be created or written.
        ResourceError: the system refuses it (no space, read-only, permission denied).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        refused = resource_error(exc, out)
        raise refused or ConfigError(f"--out {out}: cannot create: {exc.strerror}") from None
    meta = {
        b"catoscan": json.dumps(
            {
                "scan_id": result.scan_id,
                "as_of": iso(result.as_of),
                "retention_config": config.source,
                "retention_sha256": config.sha256,
            }
        ).encode()
    }
    outputs = (
        (MANIFEST_NAME, result.manifest, MANIFEST_SCHEMA),
        (UNDATED_NAME, result.undated, UNDATED_SCHEMA),
    )
    written = [out / f"{name}.{kind}" for name, _r, _s in outputs for kind in ("parquet", "csv")]
    try:
        # All four or none: a manifest cut short by a full disk must not pass for a whole
        # one, nor sit next to the undated list of another run.
        with replacing(written) as temps:
            for (_name, rows, schema), parquet, csv_path in zip(
                outputs, temps[::2], temps[1::2], strict=True
            ):
                table = pa.Table.from_pylist(rows, schema=schema.with_metadata(meta))
                pq.write_table(table, parquet, compression="zstd")
                with open(csv_path, "w", encoding="utf-8", newline="") as fh:
                    _write_csv(fh, schema.names, rows)
    except OSError as exc:
        refused = resource_error(exc, out)
        raise refused or ConfigError(f"--out {out}: cannot write: {exc.strerror}") from None
    return written


def _write_csv(fh: Any, columns: list[str], rows: list[dict[str, Any]]) -> None:
    from scanner.inventory.output import write_csv

    values = [[iso(r[c]) if isinstance(r[c], datetime) else r[c] for c in columns] for r in rows]
    write_csv(fh, columns, values)


def _schemas() -> tuple[Any, Any]:
    import pyarrow as pa

    ts = pa.timestamp("us", tz="UTC")
    strings = pa.list_(pa.string())
    types = {
        "scan_id": pa.string(),
        "as_of": ts,
        "action": pa.string(),
        "source_path": pa.string(),
        "container": pa.string(),
        "source_format": pa.string(),
        "line": pa.int64(),
        "record_index": pa.int64(),
        "fields": strings,
        "entity_types": strings,
        "categories": strings,
        "rules": strings,
        "keep": pa.string(),
        "event_time": ts,
        "age_days": pa.int64(),
        "findings": pa.int64(),
    }
    return (
        pa.schema([(c, types[c]) for c in MANIFEST_COLUMNS]),
        pa.schema([(c, types[c]) for c in UNDATED_COLUMNS]),
    )


MANIFEST_SCHEMA, UNDATED_SCHEMA = _schemas()
