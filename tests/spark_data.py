"""The data both Spark test modules scan, and their view of a dataset's tables."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from scanner.dataset import TABLES, read_table

__all__ = ["TABLES", "tables", "write_corpus"]

ROOT = Path(__file__).resolve().parent.parent


def write_corpus(d: Path, message: str) -> Path:
    """``d`` with a copy of sample_data/ and big.jsonl: 2,000 events, a broken line in 500.

    ``message`` is the event message, with ``{n}`` for four digits that change per event.
    """
    shutil.copytree(ROOT / "sample_data", d / "sample_data")
    with open(d / "big.jsonl", "w", encoding="utf-8") as fh:
        for i in range(2000):
            event = {
                "event_timestamp": "2025-03-14T01:23:45Z",
                "src_ip": f"192.0.2.{i % 250 + 1}",
                "user_name": f"User {i % 7} Carter",
                "vpn_user_email": f"u{i % 50}@example.com",
                "event_message": message.format(n=f"{i % 10000:04d}"),
            }
            fh.write(json.dumps(event) + "\n")
            if i % 500 == 0:
                fh.write("{broken json\n")
    return d


def tables(out: Path) -> dict[str, list[dict]]:
    """Every table of the dataset at ``out`` as rows, without the scan id."""
    return {t: read_table(out, t).drop_columns(["scan_id"]).to_pylist() for t in TABLES}
