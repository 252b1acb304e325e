"""The dataset's tables and their Arrow schemas, and the columns a finding shares with its record.

Importing it keeps pyarrow from importing pandas on a scan's path
(:func:`scanner.compat.arrow_without_pandas`), before this package builds any array.
"""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from scanner import compat

compat.arrow_without_pandas()

#: The dataset's tables, each a folder of ``scan_id=<id>`` partitions.
TABLES = ("findings", "fields", "errors")

_TS = pa.timestamp("us", tz="UTC")

FINDINGS_SCHEMA = pa.schema(
    [
        ("source_path", pa.string()),
        ("source_format", pa.string()),
        ("line", pa.int64()),
        ("record_index", pa.int64()),
        ("field", pa.string()),
        ("span_start", pa.int32()),
        ("span_end", pa.int32()),
        ("entity_type", pa.string()),
        ("ccpa_categories", pa.list_(pa.string())),
        ("policy_element", pa.string()),
        ("policy_declared", pa.bool_()),
        ("score", pa.float32()),
        ("detector", pa.string()),
        ("value_hash", pa.string()),
        ("key_id", pa.string()),
        ("value_masked", pa.string()),
        ("ip_class", pa.string()),
        ("event_time", _TS),
    ]
)
#: The raw value's column, appended to the findings schema under ``--include-values``.
VALUE_FIELD = pa.field("value", pa.string())

FIELDS_SCHEMA = pa.schema(
    [
        ("source_path", pa.string()),
        ("source_format", pa.string()),
        ("field", pa.string()),
        ("entity_type", pa.string()),
        ("ccpa_categories", pa.list_(pa.string())),
        ("policy_element", pa.string()),
        ("policy_declared", pa.bool_()),
        ("findings", pa.int64()),
        ("records", pa.int64()),
        ("distinct_values", pa.int64()),
        ("first_event_time", _TS),
        ("last_event_time", _TS),
        ("detectors", pa.list_(pa.string())),
    ]
)

ERRORS_SCHEMA = pa.schema(
    [
        ("source_path", pa.string()),
        ("source_format", pa.string()),
        ("scope", pa.string()),
        ("line", pa.int64()),
        ("record_index", pa.int64()),
        ("reason", pa.string()),
    ]
)
#: Each table's schema (findings: without ``value``), by name.
SCHEMAS = {"findings": FINDINGS_SCHEMA, "fields": FIELDS_SCHEMA, "errors": ERRORS_SCHEMA}
#: The ``fields`` columns that hold times (datetimes in rows, ISO text in a checkpoint).
FIELDS_TIMES = [f.name for f in FIELDS_SCHEMA if pa.types.is_timestamp(f.type)]

#: What a finding shares with the other findings of its record.
#: (source_path, source_format, line, record_index, event_time); the time may be an int,
#: microseconds since the epoch (the columnar path's epoch-millisecond columns).
RecordKey = tuple[str, str, int | None, int, datetime | int | None]
#: The findings columns of a :data:`RecordKey`, in its order.
RECORD_COLUMNS = ("source_path", "source_format", "line", "record_index", "event_time")


def findings_schema(include_values: bool) -> pa.Schema:
    """The findings schema of a scan: with the ``value`` column under --include-values."""
    return FINDINGS_SCHEMA.append(VALUE_FIELD) if include_values else FINDINGS_SCHEMA
