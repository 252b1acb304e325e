"""Click pieces the inventory commands share: the dataset argument, ``--format``, errors.

They live beside the commands, so :mod:`scanner.inventory` stays a library without click.

Text for people goes out through :func:`echo_text` (or a table, whose cells are escaped),
so that no name read from a log can reach the terminal as a control sequence.

Kept free of heavy imports (pyarrow, pandas, pydantic) so ``--help`` stays fast; the
commands import the library inside their bodies.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from scanner.errors import CatoscanError, ConfigError, ResourceError
from scanner.escaping import for_lines
from scanner.exitcodes import ConfigFailure, ResourceFailure
from scanner.inventory.output import OUTPUT_FORMATS

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
        type=click.Choice(OUTPUT_FORMATS),
        default="table",
        show_default=True,
        help="Output on stdout: an aligned table, JSON, or CSV.",
    )(func)


def scan_option(func: F) -> F:
    """``--scan ID``: one committed scan (default: the latest)."""
    return click.option(
        "--scan", "scan_id", metavar="SCAN", help="Scan id to use [default: the latest scan]."
    )(func)


def instant(text: str, option: str) -> datetime:
    """A date (midnight UTC) or an ISO date-time (UTC when no zone is given) from an option."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{text!r}: give a date or date-time, e.g. 2025-04-01 or 2025-04-01T09:00:00Z",
            param_hint=option,
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@contextlib.contextmanager
def library_errors() -> Iterator[None]:
    """Turn library errors into click errors: configuration/dataset problems exit 2.

    A file the system refuses to write (no space, read-only, permission) exits 74.
    """
    try:
        yield
    except ConfigError as exc:
        raise ConfigFailure(str(exc)) from None
    except ResourceError as exc:
        message = str(exc)
        if exc.journaled:  # only a prune, here: recover() finishes it
            message += (
                f"; the prune had passed its commit point: the next scan of {exc.path} finishes it"
            )
        raise ResourceFailure(message) from None
    except CatoscanError as exc:
        raise click.ClickException(for_lines(str(exc))) from None


def echo_text(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Text for people on stdout (or stderr), escaped by :func:`scanner.escaping.for_lines`."""
    click.echo(for_lines(text), err=err, nl=nl)


def emit(render: Callable[[io.StringIO], None]) -> None:
    """Render into a buffer and write it to stdout in one piece."""
    buffer = io.StringIO()
    render(buffer)
    click.echo(buffer.getvalue(), nl=False)
