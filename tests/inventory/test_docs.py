"""Every inventory command and subcommand has help with an example and is in the README."""

from pathlib import Path

import click
import pytest

from scanner.cli import cli

from .fixed import invoke

ROOT = Path(__file__).resolve().parents[2]
# Where a command and each of its options are documented: the README, or the commands page.
README = "\n".join(
    (ROOT / name).read_text(encoding="utf-8") for name in ("README.md", "docs/commands.md")
)
COMMANDS = [
    ["report"],
    ["lookup"],
    ["retention"],
    ["review"],
    ["review", "add"],
    ["review", "list"],
    ["review", "revoke"],
    ["diff"],
    ["prune"],
]


def command(path):
    cmd = cli
    for name in path:
        cmd = cmd.commands[name]
    return cmd


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_help_has_an_example(path):
    result = invoke(*path, "--help")
    assert result.exit_code == 0
    assert "\nExample:\n    catoscan " in result.output.replace("\n  ", "\n")


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_command_and_options_are_in_the_readme(path):
    assert f"catoscan {path[0]}" in README
    for param in command(path).params:
        if isinstance(param, click.Option):
            for opt in param.opts:
                if opt.startswith("--"):
                    assert f"`{opt}" in README or f" {opt} " in README, (path, opt)


def test_review_verdicts_match_the_library():
    from scanner.commands.review import VERDICTS as CLI_VERDICTS
    from scanner.inventory.reviews import VERDICTS

    assert CLI_VERDICTS == VERDICTS


def test_every_command_is_registered():
    assert {"report", "lookup", "retention", "review", "diff"} <= set(cli.commands)
    assert set(cli.commands["review"].commands) == {"add", "list", "revoke"}
