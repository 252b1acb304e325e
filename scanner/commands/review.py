"""``catoscan review add|list|revoke``: steward decisions kept in DIR/reviews.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from scanner.commands.options import (
    dataset_argument,
    echo_text,
    emit,
    format_option,
    library_errors,
)
from scanner.exitcodes import ConfigFailure

if TYPE_CHECKING:
    from scanner.inventory.reviews import InvalidDecision, Scope

#: The verdicts of scanner.inventory.reviews.VERDICTS (repeated here to keep --help fast).
VERDICTS = ("confirmed", "false_positive", "accepted_risk")
#: Decision keys -> the options that set them, for error messages.
_OPTIONS = {
    "scope.field": "--field",
    "scope.entity_type": "--entity-type",
    "scope.value_hash": "--value-hash",
    "scope.source": "--source",
    "reason": "--reason",
    "by": "--by",
}


def _option_error(exc: InvalidDecision) -> ConfigFailure:
    """An invalid decision, named by the option that set the bad value."""
    key, message = exc.key, exc.message
    return ConfigFailure(f"{_OPTIONS.get(key, key)}: {message}")


@click.group()
def review() -> None:
    """Mark findings confirmed, false positive or accepted risk; list and revoke decisions.

    Decisions live in DIR/reviews.yaml next to the dataset (review it like code) and
    apply to every scan: false positives are left out of report, retention, diff and
    scan --fail-on-undeclared, never deleted from the dataset.

    \b
    Example:
        catoscan review add inventory --field cs5 --entity-type PHONE_NUMBER \\
            --verdict false_positive --reason "build numbers, not phones"
    """  # noqa: D301


def _matches(dataset: Path, scope: Scope) -> tuple[str, int]:
    """How many findings of the latest scan a scope covers."""
    from scanner.inventory.data import FINDING_COLUMNS, open_inventory, read_frame
    from scanner.inventory.reviews import scope_mask

    inventory = open_inventory(dataset)
    latest = inventory.scan_ids[-1]
    frame = read_frame(inventory, "findings", [latest], FINDING_COLUMNS)
    return latest, int(scope_mask(scope, frame).sum())


@review.command("add")
@dataset_argument
@click.option("--verdict", required=True, type=click.Choice(VERDICTS), help="The decision.")
@click.option("--field", metavar="FIELD", help="Scope: this field (with --entity-type).")
@click.option("--entity-type", metavar="ENTITY", help="Scope: with --field, or to narrow --source.")
@click.option("--value-hash", metavar="HASH", help="Scope: one value (its value_hash).")
@click.option(
    "--source",
    metavar="GLOB",
    help="Scope: source paths matching this glob ('*' also matches '/').",
)
@click.option("--reason", required=True, help="Why; kept with the decision.")
@click.option("--by", metavar="NAME", help="Who decides [default: your login name].")
def review_add(
    dataset: Path,
    verdict: str,
    field: str | None,
    entity_type: str | None,
    value_hash: str | None,
    source: str | None,
    reason: str,
    by: str | None,
) -> None:
    """Add a decision for a field and entity type, a value hash, or a source glob.

    \b
    Example:
        catoscan review add inventory --source 'client_logs/*' --entity-type LOCATION \\
            --verdict accepted_risk --reason "PoP names, kept 30 days" --by alice
    """  # noqa: D301
    from scanner.inventory.data import known_fields, open_inventory
    from scanner.inventory.reviews import InvalidDecision, add_decision, closest

    if sum(x is not None for x in (field, value_hash, source)) != 1:
        raise click.UsageError(
            "give one scope: --field with --entity-type, --value-hash, or --source GLOB"
        )
    if field is not None and entity_type is None:
        raise click.UsageError("--field needs --entity-type")
    if value_hash is not None and entity_type is not None:
        raise click.UsageError("--value-hash already names the entity type; drop --entity-type")
    scope = {"field": field, "entity_type": entity_type, "value_hash": value_hash, "source": source}
    with library_errors():
        inventory = open_inventory(dataset)
        if field is not None:
            known = known_fields(inventory)
            if field not in known:
                raise ConfigFailure(
                    f"--field {field}: no scan of {dataset} has this field; {closest(field, known)}"
                )
        try:
            decision = add_decision(dataset, verdict, scope, reason, by)
        except InvalidDecision as exc:
            raise _option_error(exc) from None
        latest, count = _matches(dataset, decision.scope)
    echo_text(
        f"added {decision.id}: {decision.verdict}, {decision.scope.describe()} "
        f"({count:,} {'finding' if count == 1 else 'findings'} in the latest scan {latest})"
    )


@review.command("list")
@dataset_argument
@click.option("--all", "show_all", is_flag=True, help="Also list revoked decisions.")
@format_option
def review_list(dataset: Path, show_all: bool, fmt: str) -> None:
    """List the decisions and how many findings of the latest scan each covers.

    \b
    Example:
        catoscan review list inventory --all
    """  # noqa: D301
    from scanner.inventory.data import FINDING_COLUMNS, open_inventory, read_frame
    from scanner.inventory.output import format_table, write_csv, write_json
    from scanner.inventory.reviews import load_reviews, scope_mask, stamp

    with library_errors():
        inventory = open_inventory(dataset)
        reviews = load_reviews(dataset)
        frame = read_frame(inventory, "findings", [inventory.scan_ids[-1]], FINDING_COLUMNS)
    headers = ("id", "verdict", "scope", "reason", "by", "when", "status", "findings")
    rows = []
    for d in reviews.decisions:
        if d.revoked is not None and not show_all:
            continue
        status = (
            "active"
            if d.revoked is None
            else f"revoked {stamp(d.revoked.when)} by {d.revoked.by}: {d.revoked.reason}"
        )
        count = int(scope_mask(d.scope, frame).sum()) if d.revoked is None else None
        rows.append(
            [d.id, d.verdict, d.scope.describe(), d.reason, d.by, stamp(d.when), status, count]
        )
    if fmt == "json":
        emit(lambda out: write_json(out, [dict(zip(headers, r, strict=True)) for r in rows]))
    elif fmt == "csv":
        emit(lambda out: write_csv(out, headers, rows))
    elif rows:
        echo_text(format_table(headers, rows))
    else:
        echo_text(f"no {'' if show_all else 'active '}decisions in {dataset / 'reviews.yaml'}")


@review.command("revoke")
@dataset_argument
@click.argument("decision_id", metavar="ID")
@click.option("--reason", required=True, help="Why the decision no longer holds.")
@click.option("--by", metavar="NAME", help="Who revokes [default: your login name].")
def review_revoke(dataset: Path, decision_id: str, reason: str, by: str | None) -> None:
    """Revoke a decision; it stays in reviews.yaml, marked, and no longer applies.

    \b
    Example:
        catoscan review revoke inventory r2 --reason "the field now carries real numbers"
    """  # noqa: D301
    from scanner.inventory.data import open_inventory
    from scanner.inventory.reviews import InvalidDecision, revoke_decision

    with library_errors():
        open_inventory(dataset)
        try:
            decision = revoke_decision(dataset, decision_id, reason, by)
        except InvalidDecision as exc:
            raise _option_error(exc) from None
    echo_text(f"revoked {decision.id}: {decision.verdict}, {decision.scope.describe()}")
