"""The ``catoscan`` command line: a thin click layer over :mod:`scanner.pipeline`.

Exit codes are defined in :mod:`scanner.exitcodes`.
"""

from __future__ import annotations

import logging

import click

from scanner import __version__
from scanner.commands.diff import diff
from scanner.commands.formats import formats
from scanner.commands.lookup import lookup
from scanner.commands.report import report
from scanner.commands.retention import retention
from scanner.commands.review import review
from scanner.commands.scan import scan


class _ClickHandler(logging.Handler):
    """Log records to the current stderr (looked up at emit time, so CliRunner sees them)."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(self.format(record), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="catoscan", message="%(prog)s %(version)s")
@click.option("-v", "--verbose", count=True, help="More diagnostics on stderr (-vv for debug).")
@click.option("--debug", is_flag=True, help="Show Python tracebacks for unexpected errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, debug: bool) -> None:
    """Find personal data in Cato Cloud logs and exports; write a CCPA data inventory.

    Example:
        catoscan scan sample_data --out inventory
    """
    handler = _ClickHandler()
    handler.setFormatter(logging.Formatter("catoscan: %(message)s"))
    root = logging.getLogger("scanner")
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING - 10 * min(verbose, 2))
    root.propagate = False
    ctx.obj = {"debug": debug}


#: Every command of the CLI; a new command is a module in scanner/commands/ plus a line here.
COMMANDS: tuple[click.Command, ...] = (scan, formats, report, lookup, retention, review, diff)
for _command in COMMANDS:
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="catoscan")
