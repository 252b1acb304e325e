"""``catoscan report``: a scan's inventory for data stewards (terminal, JSON, CSV, HTML)."""

from __future__ import annotations

from pathlib import Path

import click

from scanner.commands.options import (
    dataset_argument,
    echo_text,
    emit,
    format_option,
    library_errors,
    scan_option,
)


@click.command()
@dataset_argument
@scan_option
@format_option
@click.option(
    "--html",
    "html_path",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the report as one self-contained HTML page (no script, no network).",
)
def report(dataset: Path, scan_id: str | None, fmt: str, html_path: Path | None) -> None:
    """Report a scan's inventory: categories, undeclared data, coverage, changes.

    Undeclared findings come first, with the sources and fields that hold them; findings
    reviewed as false positives are left out and counted. --format json writes the whole
    report, --format csv the inventory table. No raw value is ever shown.

    \b
    Example:
        catoscan report inventory --html inventory.html
    """  # noqa: D301
    from scanner.errors import resource_error
    from scanner.inventory.data import open_inventory, policy_categories
    from scanner.inventory.html import render_html
    from scanner.inventory.output import replacing, write_csv, write_json
    from scanner.inventory.report import INVENTORY_HEADERS, build_report
    from scanner.inventory.report_text import render_text
    from scanner.inventory.reviews import load_reviews

    with library_errors():
        inventory = open_inventory(dataset)
        reviews = load_reviews(dataset)
        entry = inventory.scan(scan_id)
        categories = policy_categories(entry.get("config_sources", {}).get("policy.yaml"))
        result = build_report(inventory, scan_id, reviews, categories)
        if html_path is not None:
            try:
                with replacing([html_path]) as (tmp,):
                    tmp.write_text(render_html(result), encoding="utf-8")
            except OSError as exc:
                refused = resource_error(exc, html_path)  # exit 74, through library_errors
                raise refused or click.UsageError(
                    f"--html {html_path}: cannot write: {exc.strerror}"
                ) from None
    if fmt == "json":
        emit(lambda out: write_json(out, result.to_json()))
    elif fmt == "csv":
        emit(lambda out: write_csv(out, INVENTORY_HEADERS, result.inventory))
    else:
        echo_text(render_text(result), nl=False)
    if html_path is not None:
        echo_text(f"catoscan: wrote the HTML report to {html_path}", err=True)
