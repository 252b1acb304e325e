"""The dataset as the inventory commands see it: committed scans and their tables.

Only scans listed in ``manifest.json`` are read (a scan being written, or one that died,
is invisible), each table through one pyarrow dataset whose hive partition ``scan_id`` is
filtered before any file is opened. Columns are always projected explicitly, so the
optional raw ``value`` column (``--include-values``) is never read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.dataset import ERRORS_SCHEMA, FIELDS_SCHEMA, FINDINGS_SCHEMA, read_manifest
from scanner.errors import ConfigError

#: The findings columns the inventory commands use (never ``value``).
FINDING_COLUMNS = (
    "source_path",
    "source_format",
    "line",
    "record_index",
    "field",
    "entity_type",
    "ccpa_categories",
    "policy_element",
    "policy_declared",
    "detector",
    "value_hash",
    "key_id",
    "value_masked",
    "event_time",
)
_SCHEMAS = {"findings": FINDINGS_SCHEMA, "fields": FIELDS_SCHEMA, "errors": ERRORS_SCHEMA}


@dataclass(frozen=True)
class Inventory:
    """A dataset directory and its committed scans (manifest entries, oldest first)."""

    out: Path
    scans: tuple[dict[str, Any], ...]

    @property
    def scan_ids(self) -> tuple[str, ...]:
        """Committed scan ids, oldest first."""
        return tuple(s["scan_id"] for s in self.scans)

    def scan(self, scan_id: str | None, option: str = "--scan") -> dict[str, Any]:
        """The manifest entry of ``scan_id``, or of the latest scan when it is None.

        Raises:
            ConfigError: ``scan_id`` is not a committed scan of this dataset.
        """
        if scan_id is None:
            return self.scans[-1]
        for entry in self.scans:
            if entry["scan_id"] == scan_id:
                return entry
        ids = self.scan_ids
        shown = ", ".join(ids[-5:]) + (f" (and {len(ids) - 5} older)" if len(ids) > 5 else "")
        raise ConfigError(
            f"{option} {scan_id}: no such committed scan in {self.out}; scans: {shown}"
        )

    def previous(self, scan_id: str) -> dict[str, Any] | None:
        """The scan committed just before ``scan_id``, or None for the first."""
        ids = self.scan_ids
        index = ids.index(scan_id)
        return self.scans[index - 1] if index > 0 else None


def open_inventory(out: Path) -> Inventory:
    """Open a dataset directory for reading.

    Raises:
        ConfigError: DIR is missing, is not a catoscan dataset, or has no committed scan.
    """
    if not out.is_dir():
        raise ConfigError(f"{out}: no such dataset directory")
    if not (out / "manifest.json").is_file():
        raise ConfigError(f"{out}: not a catoscan dataset (no manifest.json)")
    scans = read_manifest(out).get("scans") or []
    if not scans:
        raise ConfigError(f"{out}: the dataset has no committed scan yet")
    return Inventory(out, tuple(scans))


def known_fields(inventory: Inventory) -> set[str]:
    """Every field name that holds a finding in one of the dataset's scans."""
    frame = read_frame(inventory, "findings", inventory.scan_ids, ("field",))
    return {f for f in frame["field"].dropna().unique()}


def read_frame(
    inventory: Inventory,
    table: str,
    scan_ids: tuple[str, ...] | list[str],
    columns: tuple[str, ...] | None = None,
    row_filter: Any = None,
) -> Any:
    """Read ``table`` of the given scans as a pandas DataFrame with a ``scan_id`` column.

    Args:
        inventory: The opened dataset.
        table: ``findings``, ``fields`` or ``errors``.
        scan_ids: Committed scans to read (the partition filter).
        columns: Columns to read (default: the table's schema columns, never ``value``).
        row_filter: An optional pyarrow dataset expression, applied while reading.

    Returns:
        A DataFrame; ``line`` and ``record_index`` are nullable integers, ``field`` and the
        other text columns hold None for nulls, ``ccpa_categories`` becomes ``categories``
        (``"A,B"``) when read.
    """
    import pyarrow as pa
    import pyarrow.dataset as ds

    schema = _SCHEMAS[table]
    wanted = list(columns or schema.names)
    root = inventory.out / table
    full = schema.append(pa.field("scan_id", pa.string()))
    if root.is_dir() and scan_ids:
        partitioning = ds.partitioning(pa.schema([("scan_id", pa.string())]), flavor="hive")
        dataset = ds.dataset(root, format="parquet", partitioning=partitioning, schema=full)
        expression = ds.field("scan_id").isin(list(scan_ids))
        if row_filter is not None:
            expression = expression & row_filter
        arrow = dataset.to_table(columns=[*wanted, "scan_id"], filter=expression)
    else:
        arrow = full.empty_table().select([*wanted, "scan_id"])
    return _to_pandas(arrow)


def _to_pandas(arrow: Any) -> Any:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    if "ccpa_categories" in arrow.column_names:
        joined = pc.binary_join(arrow.column("ccpa_categories"), ",")
        arrow = arrow.append_column("categories", joined).drop_columns(["ccpa_categories"])
    frame = arrow.to_pandas(types_mapper={pa.string(): pd.StringDtype("python")}.get)
    for name in ("line", "record_index", "findings", "records", "distinct_values"):
        if name in frame.columns:
            frame[name] = frame[name].astype("Int64")
    for name in frame.columns:
        if isinstance(frame[name].dtype, pd.StringDtype):
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    return frame


def as_python(value: Any) -> Any:
    """A pandas cell as a plain Python value (None for NA, ISO ``...Z`` for timestamps)."""
    import pandas as pd

    if value is None:
        return None
    if isinstance(value, list | tuple):
        return list(value)
    if pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return iso(value)
    if hasattr(value, "item"):
        return value.item()
    return value


def iso(value: Any) -> str | None:
    """A UTC timestamp as ``2025-03-14T01:23:45Z`` (None stays None)."""
    import pandas as pd

    if value is None or pd.isna(value):
        return None
    text = pd.Timestamp(value).tz_convert("UTC").isoformat()
    return text.replace("+00:00", "Z")


def policy_categories(source: str | Path | None = None) -> dict[str, str]:
    """The CCPA categories (id -> description, with the statute's paragraph) of a policy.yaml.

    Args:
        source: A policy.yaml path (a scan's ``config_sources["policy.yaml"]`` or one in
            ``--config-dir``); None, a ``package:`` source or a missing file mean the
            packaged ``configs/policy.yaml``.

    Raises:
        ConfigError: the file cannot be read or is not a valid policy.yaml.
    """
    from importlib import resources

    from scanner.config import PolicyFile
    from scanner.config import parse_yaml_model as parse_model

    path = Path(source) if source and not str(source).startswith("package:") else None
    if path is None or not path.is_file():
        path, name = Path(str(resources.files("configs").joinpath("policy.yaml"))), None
    else:
        name = str(path)
    name = name or "package:configs/policy.yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read: {exc.strerror}") from None
    policy = parse_model(PolicyFile, text, name)
    return {
        cat: f"{text} ({policy.statute[cat]})" if cat in policy.statute else text
        for cat, text in policy.categories.items()
    }
