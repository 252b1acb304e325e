"""The inventory's own retention: remove old scans from a dataset, all or nothing.

Each scan adds a partition to every table and nothing else removes one, while ``value_hash``
and ``value_masked`` are pseudonymous personal data: the inventory must age too. A scan is
pruned when it is not among the ``keep_last`` newest (if given) and finished before
``older_than`` (if given). The removal is committed through the dataset's journal
(:func:`scanner.dataset.prune`) under its lock; review decisions are kept; the manifest
records what was pruned, when and by which rule.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scanner.dataset import lock_dataset, prune
from scanner.errors import ConfigError, resource_error
from scanner.inventory.data import Inventory


@dataclass(frozen=True)
class PrunePlan:
    """The scans a rule removes and keeps, oldest first."""

    pruned: tuple[dict[str, Any], ...]
    kept: tuple[dict[str, Any], ...]
    rule: dict[str, Any]

    def rows(self) -> list[list[Any]]:
        """One row per pruned scan: id, finished at, files, findings, errors."""
        return [
            [
                s["scan_id"],
                s.get("finished_at"),
                s.get("counts", {}).get("files"),
                s.get("counts", {}).get("findings"),
                s.get("counts", {}).get("errors"),
            ]
            for s in self.pruned
        ]

    def to_json(self, done: bool) -> dict[str, Any]:
        """A JSON-ready dict of the plan (``done``: it was carried out)."""
        return {
            "rule": self.rule,
            "pruned": [dict(zip(PRUNE_HEADERS, r, strict=True)) for r in self.rows()],
            "kept": [s["scan_id"] for s in self.kept],
            "done": done,
        }


PRUNE_HEADERS = ("scan_id", "finished_at", "files", "findings", "errors")


def plan(inventory: Inventory, keep_last: int | None, older_than: datetime | None) -> PrunePlan:
    """Which scans ``--keep-last`` and ``--older-than`` remove.

    Raises:
        ConfigError: neither rule is given.
    """
    if keep_last is None and older_than is None:
        raise ConfigError("give --keep-last N, --older-than DATE, or both")
    scans = list(inventory.scans)
    newest = scans[-keep_last:] if keep_last else []
    pruned: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    for scan in scans:
        old = older_than is None or _finished(scan) < older_than
        keep = keep_last is not None and any(scan is n for n in newest)
        (kept if keep or not old else pruned).append(scan)
    rule = {
        "keep_last": keep_last,
        "older_than": None if older_than is None else older_than.isoformat(),
    }
    return PrunePlan(tuple(pruned), tuple(kept), rule)


def apply(inventory: Inventory, chosen: PrunePlan) -> None:
    """Remove the plan's scans under the dataset's lock (nothing, if it prunes nothing).

    Raises:
        ConfigError: a scan holds the lock, or the dataset cannot be written.
        ResourceError: the system refused a write (no space, read-only, permission denied);
            ``journaled`` when the prune had passed its commit point.
    """
    if not chosen.pruned:
        return
    now = datetime.now(UTC)
    scan_ids: list[str] = [s["scan_id"] for s in chosen.pruned]
    record: dict[str, Any] = {
        "id": f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}",
        "at": now.isoformat(),
        "rule": chosen.rule,
        "scan_ids": scan_ids,
        "counts": {
            table: sum(s.get("counts", {}).get(table, 0) or 0 for s in chosen.pruned)
            for table in ("findings", "errors")
        },
    }
    lock = lock_dataset(inventory.out, "a scan is writing this dataset; prune after it")
    try:
        prune(inventory.out, scan_ids, record)
    except OSError as exc:
        refused = resource_error(exc, inventory.out)
        if refused is None:
            raise
        # Past the journal the prune is decided; the next scan's recover() finishes it.
        refused.journaled = (inventory.out / f"_journal-prune-{record['id']}.json").exists()
        raise refused from None
    finally:
        lock.close()


def _finished(scan: dict[str, Any]) -> datetime:
    text = scan.get("finished_at") or scan.get("started_at")
    if text:
        value = datetime.fromisoformat(text)
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    # A scan id starts with its start time: 20261126T061500Z-3f9a1c.
    return datetime.strptime(scan["scan_id"][:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
