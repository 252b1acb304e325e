"""``catoscan formats``: the input formats catoscan reads."""

from __future__ import annotations

import click

from scanner.readers import FORMATS


@click.command()
def formats() -> None:
    """List the input formats catoscan reads (names for --format).

    Example:
        catoscan formats
    """
    for spec in FORMATS.values():
        click.echo(f"{spec.label:<18} {spec.reader:<8} {spec.description}")
