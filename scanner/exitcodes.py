"""Exit codes of every command, and the click exceptions for configuration and resource errors.

0 clean; 1 the check failed (undeclared personal data with --fail-on-undeclared, new
undeclared data in a diff); 2 usage, configuration or model error; 3 the scan finished
but some input was not read; 70 internal error; 74 the system refused a resource (no
space left, a quota, a read-only file system, permission denied on the dataset, too many
open files; sysexits' EX_IOERR); 130 interrupted.
"""

from __future__ import annotations

import click

from scanner.escaping import for_lines

EXIT_OK, EXIT_UNDECLARED, EXIT_CONFIG, EXIT_INCOMPLETE = 0, 1, 2, 3
EXIT_INTERNAL, EXIT_RESOURCE, EXIT_INTERRUPTED = 70, 74, 130


class ConfigFailure(click.ClickException):
    """A configuration, model or dataset problem: ``Error: ...`` and exit code 2.

    The message may name fields and files of the input: it is escaped for the terminal.
    """

    exit_code = EXIT_CONFIG

    def __init__(self, message: str):
        super().__init__(for_lines(message))


class ResourceFailure(click.ClickException):
    """The system refused a file or the dataset a write (no space, read-only, denied).

    ``Error: ...`` and exit code 74; escaped as :class:`ConfigFailure` is.
    """

    exit_code = EXIT_RESOURCE

    def __init__(self, message: str):
        super().__init__(for_lines(message))
