"""A fixed two-scan dataset, written in the documented layout, for exact-output CLI tests.

Scan A (2025-03-01) and scan B (2025-04-01) of the same logs: B loses a declared LOCATION
field, gains a CSV export with an undeclared phone number and card number, a plain-text
client log line without event time, and an old legacy-exporter zip. B has one unreadable
file and one unreadable record.
"""

import json
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq
from click.testing import CliRunner

from scanner.cli import cli
from scanner.dataset import ERRORS_SCHEMA, FIELDS_SCHEMA, FINDINGS_SCHEMA
from scanner.hashing import Hasher, key_id, mask

KEY = b"inventory-test-key-0123456789abcdef"
KEY_ID = key_id(KEY)
SCAN_A = "20250301T000000Z-aaaaaa"
SCAN_B = "20250401T000000Z-bbbbbb"

# entity -> (categories, policy element, declared), as configs/policy.yaml maps them
TAGS = {
    "PERSON": (["A", "B"], "real name", True),
    "EMAIL_ADDRESS": (["A"], "e-mail address", True),
    "IP_ADDRESS": (["A"], "IP address", True),
    "USERNAME": (["A"], "online identifier", True),
    "PHONE_NUMBER": (["B"], "telephone number", False),
    "CREDIT_CARD": (["B", "sensitive"], "credit card number", False),
    "LOCATION": (["C"], "network activity log information", True),  # a field-rule override
}


def t(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (source_path, source_format, line, record_index, field, entity, raw value, event time)
COMMON = [
    (
        "events/a.jsonl",
        "eventsfeed-jsonl",
        1,
        0,
        "src_site_name",
        "PERSON",
        "山田 太郎",
        t("2025-01-10T09:00:00"),
    ),
    (
        "events/a.jsonl",
        "eventsfeed-jsonl",
        1,
        0,
        "vpn_user_email",
        "EMAIL_ADDRESS",
        "taro.yamada@example.com",
        t("2025-01-10T09:00:00"),
    ),
    (
        "events/a.jsonl",
        "eventsfeed-jsonl",
        1,
        0,
        "src_ip",
        "IP_ADDRESS",
        "192.0.2.17",
        t("2025-01-10T09:00:00"),
    ),
    (
        "events/a.jsonl",
        "eventsfeed-jsonl",
        2,
        1,
        "vpn_user_email",
        "EMAIL_ADDRESS",
        "Taro.Yamada@Example.com",
        t("2025-02-20T12:00:00"),
    ),
    ("cef/x.log", "cef", 1, 0, "suser", "USERNAME", "tyamada", t("2024-12-01T00:00:00")),
    ("cef/x.log", "cef", 1, 0, "cs5", "PHONE_NUMBER", "090-5555-0123", t("2024-12-01T00:00:00")),
]
ONLY_A = [
    (
        "events/a.jsonl",
        "eventsfeed-jsonl",
        2,
        1,
        "dest_country",
        "LOCATION",
        "Japan",
        t("2025-02-20T12:00:00"),
    ),
]
ONLY_B = [
    (
        "csv/users.csv",
        "csv",
        2,
        0,
        "Phone",
        "PHONE_NUMBER",
        "+81 90 5555 0123",
        t("2025-03-30T00:00:00"),
    ),
    ("csv/users.csv", "csv", 2, 0, "Name", "PERSON", "Yamada Taro", t("2025-03-30T00:00:00")),
    (
        "csv/users.csv",
        "csv",
        3,
        1,
        "Card",
        "CREDIT_CARD",
        "4111111111111111",
        t("2025-03-31T00:00:00"),
    ),
    ("client_logs/ua.log", "text", 5, 4, None, "PERSON", "Taro Yamada", None),
    (
        "legacy/old.zip!old.json",
        "legacy-json",
        1,
        0,
        "sourceIp",
        "IP_ADDRESS",
        "198.51.100.4",
        t("2024-01-01T00:00:00"),
    ),
]
ERRORS_B = [
    ("broken.json.gz", None, "file", None, None, "corrupt gzip data"),
    ("events/a.jsonl", "eventsfeed-jsonl", "record", 3, 2, "invalid JSON"),
]
#: Every raw value above: no command may print one.
RAW_VALUES = sorted({row[6] for row in COMMON + ONLY_A + ONLY_B})


def finding(row, hasher, detector="field:test"):
    path, fmt, line, index, field, entity, raw, when = row
    categories, element, declared = TAGS[entity]
    return {
        "source_path": path,
        "source_format": fmt,
        "line": line,
        "record_index": index,
        "field": field,
        "span_start": 0,
        "span_end": len(raw),
        "entity_type": entity,
        "ccpa_categories": categories,
        "policy_element": element,
        "policy_declared": declared,
        "score": 1.0,
        "detector": detector,
        "value_hash": hasher.hash(entity, raw),
        "key_id": KEY_ID,
        "value_masked": mask(entity, raw),
        "ip_class": "documentation" if entity == "IP_ADDRESS" else None,
        "event_time": when,
    }


def write_scan(out, scan_id, rows, errors=(), counts=None, arguments=("logs",), key=KEY):
    """Write one committed scan in the documented layout and append it to the manifest."""
    hasher = Hasher(key)
    tables = {
        "findings": (FINDINGS_SCHEMA, [finding(r, hasher) for r in rows]),
        "fields": (FIELDS_SCHEMA, []),
        "errors": (
            ERRORS_SCHEMA,
            [dict(zip(ERRORS_SCHEMA.names, e, strict=True)) for e in errors],
        ),
    }
    for name, (schema, data) in tables.items():
        part = out / name / f"scan_id={scan_id}"
        part.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(data, schema=schema), part / "part-00000.parquet")
    manifest_path = out / "manifest.json"
    manifest = (
        json.loads(manifest_path.read_text())
        if manifest_path.exists()
        else {"dataset": "catoscan data inventory", "schema_version": "1", "scans": []}
    )
    undeclared = sum(1 for r in rows if not TAGS[r[5]][2])
    manifest["scans"].append(
        {
            "scan_id": scan_id,
            "tool": "catoscan",
            "tool_version": "0.1.0",
            "schema_version": "1",
            "config_sha256": "c0ffee" * 10 + "c0ff",
            "key_id": key_id(key),
            "include_values": False,
            "nlp": "none",
            "started_at": f"{scan_id[:4]}-{scan_id[4:6]}-{scan_id[6:8]}T00:00:00.123456+00:00",
            "arguments": list(arguments),
            "counts": counts
            or {
                "files": 4,
                "sources": 5,
                "records": 12,
                "bytes": 4096,
                "findings": len(rows),
                "undeclared_findings": undeclared,
                "errors": len(errors),
                "failed_sources": sum(1 for e in errors if e[2] == "file"),
            },
        }
    )
    manifest_path.write_text(json.dumps(manifest, indent=2))


def invoke(*args, **kw):
    return CliRunner().invoke(cli, [str(a) for a in args], **kw)
