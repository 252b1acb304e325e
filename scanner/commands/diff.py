"""``catoscan diff``: what changed between two scans; exit 1 on new undeclared data."""

from __future__ import annotations

from pathlib import Path

import click

from scanner.commands.options import (
    dataset_argument,
    echo_text,
    emit,
    format_option,
    library_errors,
)
from scanner.exitcodes import EXIT_UNDECLARED


@click.command()
@dataset_argument
@click.option(
    "--from", "from_id", metavar="SCAN", help="Earlier scan [default: the one before --to]."
)
@click.option("--to", "to_id", metavar="SCAN", help="Later scan [default: the latest].")
@format_option
@click.pass_context
def diff(
    ctx: click.Context, dataset: Path, from_id: str | None, to_id: str | None, fmt: str
) -> None:
    """Compare two scans: new and vanished (source format, field, entity type) combinations.

    Also lists combinations and policy elements that are newly undeclared. Exit 1 when new
    undeclared personal data appeared (a pipeline gate), 0 otherwise. Findings reviewed
    as false positives do not count.

    \b
    Example:
        catoscan diff inventory --format json
    """  # noqa: D301
    from scanner.inventory.data import open_inventory
    from scanner.inventory.diff import COMBO_HEADERS, compare, render_text
    from scanner.inventory.output import write_csv, write_json
    from scanner.inventory.reviews import load_reviews

    with library_errors():
        inventory = open_inventory(dataset)
        result = compare(inventory, from_id, to_id, load_reviews(dataset))
    for note in result.notes:
        echo_text(f"catoscan: note: {note}", err=True)
    if fmt == "json":
        emit(lambda out: write_json(out, result.to_json()))
    elif fmt == "csv":
        rows = [
            [change, *c.row()]
            for change, combos in (
                ("new_undeclared", result.new_undeclared),
                ("new", result.new),
                ("vanished", result.vanished),
            )
            for c in combos
        ]
        emit(lambda out: write_csv(out, ("change", *COMBO_HEADERS), rows))
    else:
        echo_text(render_text(result))
    if result.new_undeclared:
        ctx.exit(EXIT_UNDECLARED)
