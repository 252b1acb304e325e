"""The ``catoscan`` command line: a thin click layer over :mod:`scanner.pipeline`.

Exit codes are defined in :mod:`scanner.exitcodes`.
"""

from __future__ import annotations

import logging
import os
import sys

import click

from scanner import __version__
from scanner.commands.diff import diff
from scanner.commands.formats import formats
from scanner.commands.lookup import lookup
from scanner.commands.prune import prune
from scanner.commands.report import report
from scanner.commands.retention import retention
from scanner.commands.review import review
from scanner.commands.scan import scan
from scanner.escaping import for_lines


class _ClickHandler(logging.Handler):
    """Log records to the current stderr (looked up at emit time, so CliRunner sees them)."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(for_lines(self.format(record)), err=True)  # messages name input files


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
COMMANDS: tuple[click.Command, ...] = (
    scan,
    formats,
    report,
    lookup,
    retention,
    review,
    diff,
    prune,
)
for _command in COMMANDS:
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point: run the command, then leave without the teardown.

    After a scan the interpreter spends 0.4 to 1.4 s tearing down what is loaded (spaCy,
    presidio, caches) object by object, longer than a small scan itself takes. Once the
    command has finished, the exit handlers have run (logging, multiprocessing) and the
    standard streams are flushed, nothing is left to do: every file catoscan writes is
    closed (the dataset's commit is complete before the summary prints), so the process
    ends with ``os._exit`` and the command's exit code.

    The process is the command's, so the garbage collector runs rarely in it from the start
    (:func:`scanner.tuning.collect_rarely`): importing a command's modules makes no
    garbage, yet at Python's threshold it collected 150 times, a full collection among
    them, about a tenth of the imports' time.
    """
    from scanner.tuning import collect_rarely

    collect_rarely()
    try:
        cli(prog_name="catoscan")
        code = 0
    except SystemExit as done:
        code = _exit_code(done.code)
    _leave(code)


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # what sys.exit("message") prints
    return 1


def _leave(code: int) -> None:
    from scanner.compat import run_exit_functions

    if not run_exit_functions():
        sys.exit(code)  # the ordinary way: the exit handlers, then the teardown
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (catoscan ... | head) or stream
            code = code or 1
    os._exit(code)
