"""Decide a stream's format from its content; the file name only breaks ties.

The one place that knows what each format looks like (cato-formats.md section 0).
"""

from __future__ import annotations

import csv
import io
import json
import re

import orjson

from scanner.readers.textio import detect_encoding

SNIFF_BYTES = 64 * 1024
_CEF = re.compile(r"^(?:[^\n]{0,200}?\s)?CEF:\d+\|", re.MULTILINE)
_LINE_TIME = re.compile(r"^\W{0,2}\d{4}[-/]\d{2}[-/]\d{2}[T ]\d{2}:\d{2}")


class BinaryData(Exception):
    """The content is binary, not a format catoscan reads."""


def sniff(head: bytes, name: str) -> str:
    """Return the format label (a key of ``scanner.readers.FORMATS``) for a stream.

    Raises:
        BinaryData: for content with NUL bytes or mostly non-text bytes.
    """
    if head.startswith(b"PAR1"):
        return "parquet"
    lower = name.lower()
    if lower.endswith(".parquet"):
        return "parquet"
    text = _decode(head)
    body = text.lstrip("\ufeff \t\r\n")
    if body[:1] in ("{", "["):
        return _json_kind(body)
    first_lines = body.splitlines()[:5]
    if any(_CEF.match(line) for line in first_lines[:3]):
        return "cef"
    if _is_csv(body, lower):
        return _csv_kind(first_lines[0] if first_lines else "")
    return "text"


#: Replacement characters and the control characters text does not hold (not \t \n \f \r).
_NOT_TEXT = re.compile("[\ufffd\x00-\x08\x0b\x0e-\x1f]")


def _decode(head: bytes) -> str:
    # A few NUL bytes (a log torn by a crash, a CSV export glitch) do not make a file
    # binary: the readers report them. Many do.
    sample_bytes = head[:4096]
    if sample_bytes.count(0) > max(8, len(sample_bytes) // 100) and not head.startswith(
        (b"\xff\xfe", b"\xfe\xff")
    ):
        raise BinaryData("binary content (NUL bytes)")
    encoding = detect_encoding(head)
    text = head.decode(encoding, errors="replace")
    sample = text[:4096]
    if sample:
        bad = len(_NOT_TEXT.findall(sample))
        if bad / len(sample) > 0.1:
            raise BinaryData("binary content (not text in any supported encoding)")
    return text


def _json_kind(body: str) -> str:
    first = _first_value(body)
    if isinstance(first, list):
        return "json"
    if not isinstance(first, dict):
        # Too big to parse from the sample: decide from the keys that appear early on.
        return _json_kind_from_text(body)
    data = first.get("data")
    if isinstance(data, dict):
        if "eventsFeed" in data:
            return "eventsfeed-api"
        if "auditFeed" in data:
            return "auditfeed-api"
    keys = list(first)
    if "schemas" in first or any(k.startswith("urn:ietf:params:scim") for k in keys):
        return "scim-json"
    siem = _siem_kind(first)
    if siem is not None:
        return siem
    fields_map = first.get("fieldsMap")
    if isinstance(fields_map, dict):
        return "audit-push-json" if "change_type" in fields_map else "push-ndjson"
    if keys and keys[0] == "audit_timestamp" or {"change_type", "model_type"} <= set(keys):
        return "auditfeed-jsonl"
    if keys and keys[0] == "event_timestamp":
        return "eventsfeed-jsonl"
    if {"prettyType", "creationTime"} & set(keys) or "sourceIp" in first:
        return "legacy-json"
    if isinstance(first.get("time"), int | float) or "time_str" in first:
        return "push-ndjson"
    return "json"


def _siem_kind(first: dict) -> str | None:
    """The SIEM export a record comes from, by the keys each one adds (docs/siem.md)."""
    event, cato = first.get("event"), first.get("cato")
    if isinstance(first.get("cato_networks"), dict) or (
        "@timestamp" in first
        and (isinstance(first.get("ecs"), dict) or isinstance(event, dict) and "original" in event)
    ):
        return "elastic-ecs-json"
    if isinstance(cato, dict) and isinstance(cato.get("sase"), dict):
        return "sekoia-json"
    if isinstance(first.get("result"), dict) and ("preview" in first or "_raw" in first["result"]):
        return "splunk-json"
    if "_raw" in first and "_time" in first:
        return "splunk-json"
    if "TimeGenerated" in first:
        return "sentinel-json"
    metadata = first.get("metadata")
    if isinstance(metadata, dict) and ("event_timestamp" in metadata or "principal" in first):
        return "udm-json"
    if (
        isinstance(first.get("usr"), dict)
        or "ddsource" in first
        or (first.get("service") in ("events", "audit-logs") and "timestamp" in first)
    ):
        return "datadog-json"
    return None


def _first_value(body: str) -> object:
    line = body.split("\n", 1)[0]
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        pass
    try:
        value, _ = json.JSONDecoder().raw_decode(body)
    except (json.JSONDecodeError, RecursionError):  # deep nesting: decided from the text
        return None
    return value


def _json_kind_from_text(body: str) -> str:
    sample = body[:8192]
    if re.search(r'"data"\s*:\s*\{\s*"eventsFeed"', sample):
        return "eventsfeed-api"
    if re.search(r'"data"\s*:\s*\{\s*"auditFeed"', sample):
        return "auditfeed-api"
    if "urn:ietf:params:scim" in sample:
        return "scim-json"
    if re.match(r'\{\s*"event_timestamp"', sample):
        return "eventsfeed-jsonl"
    if re.match(r'\{\s*"audit_timestamp"', sample):
        return "auditfeed-jsonl"
    return "json"


def _is_csv(body: str, lower_name: str) -> bool:
    lines = [line for line in body.splitlines()[:20] if line.strip()]
    if not lines:
        return lower_name.endswith((".csv", ".tsv"))
    if _LINE_TIME.match(lines[0]):
        return False  # a timestamped log line is text, even with commas in it
    delimiter = max((",", "\t", ";"), key=lines[0].count)
    if lines[0].count(delimiter) == 0:
        return False
    if lower_name.endswith((".csv", ".tsv")):
        return True
    try:
        complete = lines if body.endswith("\n") or len(lines) < 3 else lines[:-1]
        rows = list(csv.reader(io.StringIO("\n".join(complete)), delimiter=delimiter))
    except csv.Error:
        return False
    widths = {len(row) for row in rows if row}
    return len(rows) >= 2 and len(widths) == 1 and widths.pop() >= 2


def _csv_kind(header: str) -> str:
    cells = {c.strip().strip('"').lower() for c in re.split(r"[,\t;]", header)}
    if {"first name", "last name", "last connection date"} <= cells:
        return "cma-users-csv"
    if {"event type", "sub-type"} <= cells or {"time", "event type"} <= cells:
        return "cma-events-csv"
    if {"email", "given_name", "family_name"} <= cells or {
        "group_id",
        "member_external_ids",
    } <= cells:
        return "scim-csv"
    return "csv"
