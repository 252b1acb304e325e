"""Click pieces the inventory commands share: the dataset argument, ``--format``, errors.

Kept free of heavy imports (pyarrow, pandas, pydantic) so ``--help`` stays fast; the
commands import the library inside their bodies.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from scanner.errors import CatoscanError, ConfigError
from scanner.exitcodes import ConfigFailure
from scanner.inventory.output import FORMATS

F = Callable[..., Any]


def dataset_argument(func: F) -> F:
    """The ``DIR`` argument: a dataset directory written by ``catoscan scan --out``."""
    return click.argument(
        "dataset", metavar="DIR", type=click.Path(file_okay=False, path_type=Path)
    )(func)


def format_option(func: F) -> F:
    """``--format table|json|csv`` for what goes to stdout."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="Output on stdout: an aligned table, JSON, or CSV.",
    )(func)


def scan_option(func: F) -> F:
    """``--scan ID``: one committed scan (default: the latest)."""
    return click.option(
        "--scan", "scan_id", metavar="SCAN", help="Scan id to use [default: the latest scan]."
    )(func)


@contextlib.contextmanager
def library_errors() -> Iterator[None]:
    """Turn library errors into click errors: configuration/dataset problems exit 2."""
    try:
        yield
    except ConfigError as exc:
        raise ConfigFailure(str(exc)) from None
    except CatoscanError as exc:
        raise click.ClickException(str(exc)) from None


def emit(render: Callable[[io.StringIO], None]) -> None:
    """Render into a buffer and write it to stdout in one piece."""
    buffer = io.StringIO()
    render(buffer)
    click.echo(buffer.getvalue(), nl=False)
