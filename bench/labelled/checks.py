"""The self-check: re-read every written file with independent readers, verify the labels.

Independent readers: plain json/csv/gzip/bz2/zipfile/tarfile (and pyarrow for Parquet).
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import tarfile
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from labelled.cef import cef_pairs
from labelled.client_logs import UA_LOG, VPN_LOG
from labelled.common import (
    ACCOUNT_NAME,
    CARD,
    MY_NUMBER,
    SCIM_PASSWORD,
    SPECIAL_TOKENS,
    US_SSN,
    flatten,
)
from labelled.labels import MASKED, embedded_pairs, record_labels, tokens_for
from labelled.people import TARO, people_for_scale
from labelled.siem import SIEM_SHAPES


def _jsonl(text: str, fields=lambda o: o):
    for i, line in enumerate(text.splitlines()):
        yield i, i + 1, list(flatten(fields(json.loads(line))))


def _concatenated(text: str):
    dec = json.JSONDecoder()
    pos, i = 0, 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return
        obj, end = dec.raw_decode(text, pos)
        yield i, text.count("\n", 0, pos) + 1, list(flatten(obj))
        pos, i = end, i + 1


def _api_events(text: str):
    doc = json.loads(text)
    recs = [r for a in doc["data"]["eventsFeed"]["accounts"] for r in a["records"]]
    for i, r in enumerate(recs):
        yield i, None, list(flatten(r["fieldsMap"]))


def _api_audit(text: str):
    doc = json.loads(text)
    recs = [r for a in doc["data"]["auditFeed"]["accounts"] for r in a["records"]]
    for i, r in enumerate(recs):
        ents = {k: r[k] for k in ("admin", "apiKey", "object")}
        yield i, None, list(flatten(ents)) + list(flatten(r["fieldsMap"]))


def _array(text: str, key=None):
    doc = json.loads(text)
    for i, obj in enumerate(doc[key] if key else doc):
        yield i, None, list(flatten(obj))


def _csv(text: str):
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows)
    for i, row in enumerate(rows):
        yield i, i + 2, [(h, v) for h, v in zip(header, row, strict=True) if v]


def _cef(text: str):
    for i, line in enumerate(text.splitlines()):
        yield i, i + 1, cef_pairs(line)


def _text(text: str):
    for i, line in enumerate(text.splitlines()):
        yield i, i + 1, [(None, line)]


def _parquet(path: Path):
    import pyarrow.parquet as pq

    for i, row in enumerate(pq.read_table(path).to_pylist()):
        yield i, None, list(flatten(row))


def iter_sources(out: Path) -> Iterator[tuple[str, Iterator]]:
    def rd(rel, enc="utf-8"):
        return (out / rel).read_bytes().decode(enc)

    yield "events/eventsfeed.jsonl", _jsonl(rd("events/eventsfeed.jsonl"))
    yield "events/eventsfeed_tcp.json", _concatenated(rd("events/eventsfeed_tcp.json"))
    yield "events/eventsfeed_pretty.json", _concatenated(rd("events/eventsfeed_pretty.json"))
    yield "api/eventsfeed_page.json", _api_events(rd("api/eventsfeed_page.json"))
    yield "api/auditfeed_page.json", _api_audit(rd("api/auditfeed_page.json"))
    src = "push/events-20250314-0001.json.gz"
    yield src, _jsonl(gzip.decompress((out / src).read_bytes()).decode())
    src = "push/flows-20250314-0001.json.bz2"
    yield src, _jsonl(bz2.decompress((out / src).read_bytes()).decode())
    yield "audit/auditfeed.jsonl", _jsonl(rd("audit/auditfeed.jsonl"))
    yield "audit/audit_push_datadog.jsonl", _jsonl(rd("audit/audit_push_datadog.jsonl"),
                                                   lambda o: o["fieldsMap"])
    yield "cef/cato_cef.log", _cef(rd("cef/cato_cef.log"))
    yield "cef/sentinel_logdata.json", _array(rd("cef/sentinel_logdata.json"))
    src = "legacy/CATO00000000000000012345.zip"
    with zipfile.ZipFile(out / src) as zf:
        yield (f"{src}!CATO00000000000000012345.json",
               _jsonl(zf.read("CATO00000000000000012345.json").decode()))
        yield (f"{src}!cef/CATO00000000000000012346.log",
               _cef(zf.read("cef/CATO00000000000000012346.log").decode()))
    yield "csv/events_export.csv", _csv(rd("csv/events_export.csv", "utf-8-sig"))
    yield "csv/users_export_sjis.csv", _csv(rd("csv/users_export_sjis.csv", "cp932"))
    yield "csv/devices.csv", _csv(rd("csv/devices.csv"))
    yield "directory/scim_users.csv", _csv(rd("directory/scim_users.csv"))
    yield "directory/scim_user.json", _concatenated(rd("directory/scim_user.json"))
    yield "directory/scim_users_list.json", _array(rd("directory/scim_users_list.json"),
                                                   "Resources")
    yield "directory/scim_groups.json", _array(rd("directory/scim_groups.json"), "Resources")
    for name in ("cato_vpn_5.21.5.8548_20250314012030.log",
                 "cato_ua_5.21.5.8548_20250314012031.log",
                 "CatoClient.Trace.5.21.5_2025-03-14.log"):
        yield f"client_logs/{name}", _text(rd(f"client_logs/{name}"))
    src = "client_logs/mac_logs.tar.gz"
    with tarfile.open(out / src) as tf:
        member = tf.extractfile("AppLogs/CatoClient.1.log").read().decode()
    yield f"{src}!AppLogs/CatoClient.1.log", _text(member)
    yield "json/xdr_stories.json", _array(rd("json/xdr_stories.json"))
    for src in SIEM_SHAPES:
        yield src, _jsonl(rd(src))
    yield "parquet/events.parquet", _parquet(out / "parquet/events.parquet")


# Labels that must exist somewhere in the source (an independent check on the labelling rules).
MUST_HAVE = [
    ("events/eventsfeed.jsonl", "host_mac", "MAC_ADDRESS", "00:00:5e:00:53:1a"),
    ("events/eventsfeed.jsonl", "visible_device_id", "MAC_ADDRESS", "00-00-5e-00-53-1a"),
    ("events/eventsfeed.jsonl", "url", "EMAIL_ADDRESS", "taro.yamada%40example.com"),
    ("events/eventsfeed.jsonl", "referer_url", "USERNAME", "taro.yamada"),
    ("events/eventsfeed.jsonl", "event_message", "CREDIT_CARD", CARD),
    ("events/eventsfeed.jsonl", "event_message", "JP_MY_NUMBER", MY_NUMBER),
    ("events/eventsfeed.jsonl", "event_message", "US_SSN", US_SSN),
    ("events/eventsfeed.jsonl", "event_message", "PHONE_NUMBER", "090-5555-0123"),
    ("events/eventsfeed.jsonl", "src_site_name", "PERSON", "佐藤\u3000花子"),
    ("events/eventsfeed.jsonl", "src_site_id", "USER_ID", "1000033"),
    ("events/eventsfeed.jsonl", "key_name", "PERSON", "Ichiro Suzuki"),
    ("events/eventsfeed.jsonl", "logged_in_user", "USERNAME", "hanako"),
    ("push/events-20250314-0001.json.gz", "logged_in_user.0", "USERNAME", "syamamoto"),
    ("push/flows-20250314-0001.json.bz2", "vpn_user_id", "USER_ID", "1000033"),
    ("api/auditfeed_page.json", "apiKey.name", "PERSON", "Ichiro Suzuki"),
    ("api/auditfeed_page.json", "object.name", "PERSON", "勅使河原 美咲"),
    ("audit/auditfeed.jsonl", "change.After.latitude", "LOCATION", "35.66950"),
    ("audit/auditfeed.jsonl", "change.After.address", "LOCATION", "1-2-3 Jingumae, Shibuya-ku"),
    ("audit/audit_push_datadog.jsonl", "change.After.phoneNumber", "PHONE_NUMBER",
     "+81 3-5555-0109"),
    ("cef/cato_cef.log", "CATOSourceCountry", "LOCATION", "Japan"),
    ("cef/cato_cef.log", "shost", "PERSON", "鈴木 一郎"),
    ("directory/scim_users.csv", "password", "SECRET", SCIM_PASSWORD),
    ("directory/scim_user.json", "urn:ietf:params:scim:schemas:extension:catonetworks:2.0:User"
     ".onPremisesSecurityIdentifier", "USER_ID", TARO.sid),
    ("csv/users_export_sjis.csv", "Device Name", "DEVICE_NAME", "Hanako’s MacBook Pro"),
    ("csv/users_export_sjis.csv", "Last Name", "PERSON", "五十嵐"),
    (VPN_LOG, None, "USERNAME", "CORP\\tyamada"),
    (VPN_LOG, None, "USERNAME", "tyamada"),
    (VPN_LOG, None, "MAC_ADDRESS", "00-00-5E-00-53-1A"),
    (VPN_LOG, None, "DEVICE_NAME", "DESKTOP-ENI0ABC"),
    (UA_LOG, ">login_name", "USERNAME", "taro.yamada"),  # the JSON body of the line
]
# Values that must never be labelled (with that type, or with any type when None).
NEVER = [("5.21.5.8548", "IP_ADDRESS"), ("Chrome/122.0.0.0", None), ("System User #40276", None),
         ("40276", None), ("Osaka-Branch", None), ("Tokyo-HQ", None), ("unmapped user", None),
         (ACCOUNT_NAME, None), ("***", None), ("Block Anonymizers", None)]


def check_labels(out: Path = Path("sample_data"),
                 labels_path: Path = Path("tests/labels/sample_data.jsonl"),
                 scale: int = 1) -> dict[str, int]:
    """Re-read every written file and verify the labels against it.

    1. Every label names an existing record (and its start line) and a field whose text
       contains the label's value.
    2. Completeness: labelling every record again with ALL people's tokens (not just the ones
       the generator thought were involved) gives exactly the labels on file.
    Returns record counts per source.
    """
    labels: dict[tuple[str, int], list[dict]] = {}
    with labels_path.open(encoding="utf-8") as fh:
        for row in map(json.loads, fh):
            labels.setdefault((row["source_path"], row["record_index"]), []).append(row)
    everyone = tokens_for(people_for_scale(scale), SPECIAL_TOKENS)
    counts: dict[str, int] = {}
    seen = set()
    for source, records in iter_sources(out):
        counts[source] = 0
        for index, line, pairs in records:
            pairs = embedded_pairs(pairs)
            counts[source] += 1
            key = (source, index)
            seen.add(key)
            rows = labels.get(key, [])
            fields: dict[str | None, list[str]] = {}
            for path, text in pairs:
                fields.setdefault(path, []).append(text)
            for row in rows:
                where = f"{source} #{index} {row['field']!r} {row['value']!r}"
                assert row["line"] == line, f"line {row['line']} != {line}: {where}"
                assert row["field"] in fields, f"no such field: {where}"
                assert any(row["value"] in t for t in fields[row["field"]]), \
                    f"not in field: {where}"
                assert row["value"] not in MASKED, f"masked value labelled: {where}"
            want = Counter(record_labels(pairs, everyone))
            got = Counter((r["field"], r["entity_type"], r["value"]) for r in rows)
            assert want == got, (f"{source} #{index}: missing {list((want - got).elements())}, "
                                 f"extra {list((got - want).elements())}")
    orphans = set(labels) - seen
    assert not orphans, f"labels for records that do not exist: {sorted(orphans)[:5]}"
    flat = {(r["source_path"], r["field"], r["entity_type"], r["value"])
            for rows in labels.values() for r in rows}
    missing = [m for m in MUST_HAVE if m not in flat]
    assert not missing, f"expected labels missing: {missing}"
    wrong = [r for r in flat for value, etype in NEVER
             if r[3] == value and etype in (None, r[2])]
    assert not wrong, f"labels that should not exist: {wrong}"
    return counts
