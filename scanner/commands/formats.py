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
    for name, (reader, description) in FORMATS.items():
        click.echo(f"{name:<18} {reader:<8} {description}")
