"""Reading the dataset back: its manifest, and a table of its committed scans.

Scans written under an older schema version come back in today's column names
(:data:`RENAMED`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa

from scanner import SCHEMA_VERSION
from scanner.dataset.schema import SCHEMAS
from scanner.errors import ConfigError

#: Columns renamed since a schema version: version -> table -> old name -> new name.
RENAMED = {"1": {"findings": {"start": "span_start", "end": "span_end"}}}


def read_manifest(out: Path) -> dict[str, Any]:
    """The dataset's manifest (an empty one for a new dataset)."""
    path = out / "manifest.json"
    if not path.exists():
        return {"dataset": "catoscan data inventory", "schema_version": SCHEMA_VERSION, "scans": []}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: not a readable catoscan manifest: {exc}") from None


def read_table(out: Path, table: str, scan_id: str | None = None) -> pa.Table:
    """Read a table of the dataset (all committed scans, or one), with its ``scan_id``.

    Scans written under an older schema version come back in today's column names
    (:data:`RENAMED`).
    """
    scans = [s for s in read_manifest(out)["scans"] if scan_id in (None, s["scan_id"])]
    committed = [s["scan_id"] for s in scans]
    root = out / table
    schema = SCHEMAS[table]
    if not committed or not root.exists():
        return schema.empty_table().append_column("scan_id", pa.array([], pa.string()))
    import pyarrow.dataset as ds

    partitioning = ds.partitioning(pa.schema([("scan_id", pa.string())]), flavor="hive")
    renames = {s["scan_id"]: _renames(s, table) for s in scans}
    if not any(renames.values()):
        dataset = ds.dataset(root, format="parquet", partitioning=partitioning)
        return dataset.to_table(filter=ds.field("scan_id").isin(committed))
    parts = []
    for sid in committed:
        folder = root / f"scan_id={sid}"
        if not folder.exists():
            continue
        part = ds.dataset(folder, format="parquet").to_table()
        if renames[sid]:
            part = part.rename_columns([renames[sid].get(n, n) for n in part.column_names])
        parts.append(part.append_column("scan_id", pa.array([sid] * part.num_rows, pa.string())))
    return pa.concat_tables(parts, promote_options="permissive")


def _renames(scan: dict[str, Any], table: str) -> dict[str, str]:
    """Old column name -> today's, for ``table`` of a scan of an older schema version."""
    version = str(scan.get("schema_version", "1"))
    if version == SCHEMA_VERSION:
        return {}
    return RENAMED.get(version, {}).get(table, {})
