"""``catoscan retention``: the deletion manifest of what is past retention (deletes nothing)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from scanner.commands.options import (
    dataset_argument,
    echo_text,
    emit,
    format_option,
    instant,
    library_errors,
    scan_option,
)


def _as_of(text: str | None) -> datetime:
    """``--as-of``: a date (midnight UTC) or an ISO date-time (UTC when no zone is given)."""
    if text is None:
        now = datetime.now(UTC)
        return datetime(now.year, now.month, now.day, tzinfo=UTC)
    return instant(text, "--as-of")


@click.command()
@dataset_argument
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    help="Judge ages at this date or date-time, UTC [default: today, 00:00 UTC].",
)
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for deletion_manifest.parquet/.csv and undated.parquet/.csv.",
)
@click.option(
    "--config-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory whose retention.yaml replaces the packaged one.",
)
@scan_option
@format_option
def retention(
    dataset: Path,
    as_of: str | None,
    out: Path,
    config_dir: Path | None,
    scan_id: str | None,
    fmt: str,
) -> None:
    """Write the deletion manifest: records and files past retention. Deletes nothing.

    configs/retention.yaml says how long each kind of data may be kept (by CCPA category,
    entity type, source format or path); each finding's age is counted from its event
    time. The manifest lists per source file the records to delete or the fields to
    redact, with rule and age, and the files that can be deleted whole. Findings without
    an event time go to undated.csv, not guessed. stdout gets a summary per rule.

    \b
    Example:
        catoscan retention inventory --as-of 2025-04-01 --out retention
    """  # noqa: D301
    from scanner.inventory.data import iso, open_inventory, policy_categories
    from scanner.inventory.output import format_table, write_csv, write_json
    from scanner.inventory.retention import SUMMARY_HEADERS, compute, write_outputs
    from scanner.inventory.retention_rules import load_retention
    from scanner.inventory.reviews import load_reviews

    when = _as_of(as_of)
    with library_errors():
        policy = config_dir / "policy.yaml" if config_dir is not None else None
        categories = policy_categories(policy)
        config = load_retention(config_dir, categories)
        inventory = open_inventory(dataset)
        result = compute(inventory, scan_id, config, when, load_reviews(dataset))
        written = write_outputs(result, config, out)
    undated_records = len(result.undated)
    undated_findings = sum(r["findings"] for r in result.undated)
    if fmt == "json":
        data = {
            "scan_id": result.scan_id,
            "as_of": iso(when),
            "rules_from": config.source,
            "rules": [dict(zip(SUMMARY_HEADERS, r, strict=True)) for r in result.summary],
            "files_to_delete_whole": result.files,
            "undated": {"records": undated_records, "findings": undated_findings},
            "written": [str(p) for p in written],
        }
        emit(lambda stream: write_json(stream, data))
    elif fmt == "csv":
        emit(lambda stream: write_csv(stream, SUMMARY_HEADERS, result.summary))
    else:
        lines = [
            f"retention of scan {result.scan_id} as of {iso(when)} (rules: {config.source})",
            format_table(
                ("rule", "keep", "action", "findings", "past", "records past", "within", "undated"),
                result.summary,
            ),
            "",
            f"files that can be deleted whole: {len(result.files)}",
            *(f"  {path}" for path in result.files),
            f"records without an event time: {undated_records} (findings: {undated_findings}); "
            "not assessed, see undated.csv",
        ]
        echo_text("\n".join(lines))
    rows = len(result.manifest)
    echo_text(
        f"catoscan: wrote {written[0]} and {written[1]} (rows: {rows}), {written[2]} and "
        f"{written[3]} (rows: {undated_records}); nothing was deleted",
        err=True,
    )
