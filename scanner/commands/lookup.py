"""``catoscan lookup``: where one data subject's data occurs (CCPA access and deletion)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from scanner.commands.options import (
    dataset_argument,
    echo_text,
    emit,
    format_option,
    library_errors,
)


@click.command()
@dataset_argument
@click.option("--email", multiple=True, metavar="ADDRESS", help="E-mail address (repeatable).")
@click.option(
    "--name", multiple=True, metavar="NAME", help="Person's name, any order (repeatable)."
)
@click.option("--ip", multiple=True, metavar="ADDRESS", help="IPv4 or IPv6 address (repeatable).")
@click.option("--username", multiple=True, metavar="LOGIN", help="Login or user id (repeatable).")
@click.option("--phone", multiple=True, metavar="NUMBER", help="Phone number (repeatable).")
@click.option(
    "--identifiers",
    "identifiers_csv",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV of identifiers: a header row naming email, name, ip, username or phone "
    "columns; every non-empty cell is one identifier.",
)
@click.option(
    "--key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="CATOSCAN_KEY_FILE",
    help="The HMAC key the scans were made with [env: CATOSCAN_KEY_FILE; default: the "
    "key scan created in the user config directory].",
)
@click.option(
    "--scan",
    "scan_id",
    metavar="SCAN",
    help="Search only this scan [default: the latest scan made with the key].",
)
@click.option(
    "--all-scans",
    is_flag=True,
    help="Search every scan made with the key (the history: a file scanned twice counts twice).",
)
@format_option
def lookup(
    dataset: Path,
    email: tuple[str, ...],
    name: tuple[str, ...],
    ip: tuple[str, ...],
    username: tuple[str, ...],
    phone: tuple[str, ...],
    identifiers_csv: Path | None,
    key_file: Path | None,
    scan_id: str | None,
    all_scans: bool,
    fmt: str,
) -> None:
    """List every place a data subject's identifiers occur in the inventory.

    The identifiers are hashed with the scans' key and normalisation and matched on
    value_hash: source, line/record, field, entity type, category, event time, scan.
    The latest scan made with the key is searched unless --scan or --all-scans says
    otherwise. Names are also tried reversed (Taro Yamada / Yamada Taro), with full- or
    half-width spaces, and split (山田太郎 / 山田 太郎); phone numbers without + as numbers
    of each region the scans read them in (scanner.yaml phone_regions). Outputs name
    identifiers as "name 1", "email 2", never by value. The key id used and the scans
    searched are reported on stderr (and in --format json).

    \b
    Example:
        catoscan lookup inventory --name "Taro Yamada" --email taro.yamada@example.com
    """  # noqa: D301
    from scanner.hashing import KEY_ENV, default_key_path, key_id, load_key
    from scanner.inventory.data import open_inventory
    from scanner.inventory.lookup import (
        OCCURRENCE_HEADERS,
        identifiers_from,
    )
    from scanner.inventory.lookup import lookup as run_lookup
    from scanner.inventory.output import format_table, write_csv, write_json
    from scanner.inventory.reviews import load_reviews

    if scan_id and all_scans:
        raise click.UsageError("give --scan or --all-scans, not both")
    given = {"email": email, "name": name, "ip": ip, "username": username, "phone": phone}
    if not any(given.values()) and identifiers_csv is None:
        raise click.UsageError(
            "give at least one identifier: --email, --name, --ip, --username, --phone "
            "or --identifiers FILE"
        )
    with library_errors():
        inventory = open_inventory(dataset)
        identifiers = identifiers_from(given, identifiers_csv)
        if key_file is None and not os.environ.get(KEY_ENV) and not default_key_path().exists():
            raise click.UsageError(
                "no key: give --key-file with the key the scans were made with "
                f"(no key at {default_key_path()})"
            )
        key, key_source, _created = load_key(key_file)
        result = run_lookup(
            inventory, identifiers, key, key_id(key), scan_id, load_reviews(dataset), all_scans
        )
    searched = {
        "latest": f"the latest scan made with this key, {result.scans[0]} (--all-scans: every "
        "scan)",
        "all": f"every scan made with this key ({len(result.scans)})",
        "scan": f"scan {result.scans[0]}",
    }[result.scope]
    echo_text(f"catoscan: lookup: searched {searched}", err=True)
    echo_text(
        f"catoscan: lookup: key_id {result.key_id} (key {key_source}); identifiers: "
        f"{len(identifiers)}, hashed forms: {len(result.probes)}, scans searched: "
        f"{len(result.scans)}, occurrences: {len(result.occurrences)}",
        err=True,
    )
    for note in result.notes:
        echo_text(f"catoscan: lookup: {note}", err=True)
    if result.skipped_scans:
        echo_text(
            "catoscan: lookup: not searched (hashed with another key): "
            + ", ".join(result.skipped_scans),
            err=True,
        )
    if fmt == "json":
        emit(lambda out: write_json(out, result.to_json(key_source)))
    elif fmt == "csv":
        emit(lambda out: write_csv(out, OCCURRENCE_HEADERS, result.occurrences))
    else:
        table_headers = (
            "identifier",
            "form",
            "scan",
            "source",
            "line",
            "record",
            "field",
            "entity",
            "categories",
            "event time",
            "review",
        )
        picks = (0, 1, 2, 3, 5, 6, 7, 8, 9, 12, 15)
        rows = [[o[i] for i in picks] for o in result.occurrences]
        text = format_table(table_headers, rows) if rows else "no occurrences"
        summary = format_table(
            ("identifier", "forms", "findings", "files", "scans", "categories", "elements"),
            result.summary(),
        )
        echo_text(f"{text}\n\n{summary}")
