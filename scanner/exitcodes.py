"""Exit codes of every command, and the click exception for configuration errors.

0 clean; 1 the check failed (undeclared personal data with --fail-on-undeclared, new
undeclared data in a diff); 2 usage, configuration or model error; 3 the scan finished
but some input was not read; 70 internal error; 130 interrupted.
"""

from __future__ import annotations

import click

EXIT_OK, EXIT_UNDECLARED, EXIT_CONFIG, EXIT_INCOMPLETE = 0, 1, 2, 3
EXIT_INTERNAL, EXIT_INTERRUPTED = 70, 130


class ConfigFailure(click.ClickException):
    """A configuration, model or dataset problem: ``Error: ...`` and exit code 2."""

    exit_code = EXIT_CONFIG
