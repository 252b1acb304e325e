"""``catoscan prune``: the inventory's own retention; remove old scans, all or nothing."""

from __future__ import annotations

from pathlib import Path

import click

from scanner.commands.options import (
    dataset_argument,
    echo_text,
    emit,
    format_option,
    instant,
    library_errors,
)


@click.command()
@dataset_argument
@click.option(
    "--keep-last",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Keep the N newest scans (with --older-than: and every scan newer than DATE).",
)
@click.option(
    "--older-than",
    metavar="DATE",
    default=None,
    help="Remove scans finished before this date or date-time (UTC when no zone is given).",
)
@click.option("--dry-run", is_flag=True, help="Say what would be removed; remove nothing.")
@format_option
def prune(
    dataset: Path, keep_last: int | None, older_than: str | None, dry_run: bool, fmt: str
) -> None:
    """Remove old scans from the dataset: their findings, fields and errors.

    The inventory holds pseudonymous personal data (keyed hashes, masked previews, where
    and when): it ages like the logs it describes. A scan is removed when it is not among
    the --keep-last newest and finished before --older-than (either rule alone, or both).
    The removal is atomic and recorded in the manifest under "pruned"; review decisions
    are kept.

    \b
    Example:
        catoscan prune inventory --keep-last 30 --older-than 2026-01-01
    """  # noqa: D301
    from scanner.inventory import prune as pruning
    from scanner.inventory.data import open_inventory
    from scanner.inventory.output import format_table, write_csv, write_json

    with library_errors():
        inventory = open_inventory(dataset)
        chosen = pruning.plan(
            inventory,
            keep_last,
            None if older_than is None else instant(older_than, "--older-than"),
        )
        if not dry_run:
            pruning.apply(inventory, chosen)
    verb = "would remove" if dry_run else "removed"
    findings = sum(r[3] or 0 for r in chosen.rows())
    echo_text(
        f"catoscan: prune: {verb} {len(chosen.pruned)} of {len(inventory.scans)} scans "
        f"({findings:,} findings rows); {len(chosen.kept)} kept",
        err=True,
    )
    if fmt == "json":
        emit(lambda out: write_json(out, chosen.to_json(not dry_run)))
    elif fmt == "csv":
        emit(lambda out: write_csv(out, pruning.PRUNE_HEADERS, chosen.rows()))
    elif chosen.pruned:
        echo_text(format_table(pruning.PRUNE_HEADERS, chosen.rows()))
