import json
from datetime import UTC, datetime

import pyarrow.parquet as pq
import pytest

from .fixed import RAW_VALUES, SCAN_A, SCAN_B, invoke

SUMMARY_B = """\
retention of scan 20250401T000000Z-bbbbbb as of 2025-04-01T00:00:00Z (rules: package:configs/retention.yaml)
rule                            keep  action  findings  past  records past  within  undated
credentials-and-government-ids  0d    redact         1     1             1       0        0
precise-location                30d   redact         0     0             0       0        0
client-pc-logs                  30d   delete         1     0             0       0        1
directory-exports               90d   delete         0     0             0       0        0
network-activity                180d  delete         0     0             0       0        0
default                         365d  delete         9     1             1       8        0

files that can be deleted whole: 1
  legacy/old.zip
records without an event time: 1 (findings: 1); not assessed, see undated.csv
"""
MANIFEST_CSV_B = """\
scan_id,as_of,action,source_path,container,source_format,line,record_index,fields,entity_types,categories,rules,keep,event_time,age_days,findings
20250401T000000Z-bbbbbb,2025-04-01T00:00:00Z,redact_fields,csv/users.csv,csv/users.csv,csv,3,1,Card,CREDIT_CARD,B|sensitive,credentials-and-government-ids,0d,2025-03-31T00:00:00Z,1,1
20250401T000000Z-bbbbbb,2025-04-01T00:00:00Z,delete_file,legacy/old.zip,legacy/old.zip,legacy-json,,,sourceIp,IP_ADDRESS,A,default,,2024-01-01T00:00:00Z,456,1
20250401T000000Z-bbbbbb,2025-04-01T00:00:00Z,delete_record,legacy/old.zip!old.json,legacy/old.zip,legacy-json,1,0,sourceIp,IP_ADDRESS,A,default,365d,2024-01-01T00:00:00Z,456,1
"""
UNDATED_CSV_B = """\
scan_id,source_path,container,source_format,line,record_index,fields,entity_types,categories,rules,findings
20250401T000000Z-bbbbbb,client_logs/ua.log,client_logs/ua.log,text,5,4,,PERSON,A|B,client-pc-logs,1
"""


def test_retention_with_packaged_rules_exact(fixed_dataset, tmp_path):
    out = tmp_path / "retention"
    result = invoke("retention", fixed_dataset, "--as-of", "2025-04-01", "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == SUMMARY_B
    assert result.stderr == (
        f"catoscan: wrote {out}/deletion_manifest.parquet and {out}/deletion_manifest.csv "
        f"(rows: 3), {out}/undated.parquet and {out}/undated.csv (rows: 1); nothing was deleted\n"
    )
    assert (out / "deletion_manifest.csv").read_text() == MANIFEST_CSV_B
    assert (out / "undated.csv").read_text() == UNDATED_CSV_B
    table = pq.read_table(out / "deletion_manifest.parquet")
    rows = table.to_pylist()
    assert [r["action"] for r in rows] == ["redact_fields", "delete_file", "delete_record"]
    assert rows[0]["fields"] == ["Card"] and rows[0]["age_days"] == 1
    assert rows[0]["as_of"] == datetime(2025, 4, 1, tzinfo=UTC)
    assert rows[1]["line"] is None and rows[1]["rules"] == ["default"]
    meta = json.loads(table.schema.metadata[b"catoscan"])
    assert meta["scan_id"] == SCAN_B and meta["as_of"] == "2025-04-01T00:00:00Z"
    assert meta["retention_config"] == "package:configs/retention.yaml"
    assert len(meta["retention_sha256"]) == 64
    undated = pq.read_table(out / "undated.parquet").to_pylist()
    assert undated == [
        {
            "scan_id": SCAN_B,
            "source_path": "client_logs/ua.log",
            "container": "client_logs/ua.log",
            "source_format": "text",
            "line": 5,
            "record_index": 4,
            "fields": [],
            "entity_types": ["PERSON"],
            "categories": ["A", "B"],
            "rules": ["client-pc-logs"],
            "findings": 1,
        }
    ]
    blob = result.output + "".join(p.read_text(errors="replace") for p in out.iterdir())
    assert [v for v in RAW_VALUES if v in blob] == []


def test_retention_csv_and_json_summaries(fixed_dataset, tmp_path):
    out = tmp_path / "r"
    result = invoke("retention", fixed_dataset, "--as-of", "2025-04-01", "--out", out, "--format", "csv")
    assert result.stdout.splitlines()[:2] == [
        "rule,keep,action,findings,past_retention,records_past,within_retention,undated",
        "credentials-and-government-ids,0d,redact,1,1,1,0,0",
    ]
    result = invoke("retention", fixed_dataset, "--as-of", "2025-04-01", "--out", out, "--format", "json")
    data = json.loads(result.stdout)
    assert data["files_to_delete_whole"] == ["legacy/old.zip"]
    assert data["undated"] == {"records": 1, "findings": 1}
    assert data["rules"][-1] == {
        "rule": "default", "keep": "365d", "action": "delete", "findings": 9,
        "past_retention": 1, "records_past": 1, "within_retention": 8, "undated": 0,
    }


def test_retention_custom_rules_and_time_zone(fixed_dataset, tmp_path):
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "retention.yaml").write_text(
        "version: 1\n"
        "rules:\n"
        "  - name: cef-phones\n"
        "    match: {paths: ['cef/*'], entity_types: [PHONE_NUMBER]}\n"
        "    keep: 1w\n"
        "    action: redact\n"
        "  - name: rest\n"
        "    keep: 48h\n"
        "    action: delete\n"
    )
    out = tmp_path / "r"
    result = invoke(
        "retention", fixed_dataset, "--as-of", "2025-04-01T12:00:00+09:00", "--out", out,
        "--config-dir", cfg, "--scan", SCAN_A,
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"retention of scan {SCAN_A} as of 2025-04-01T03:00:00Z (rules: {cfg / 'retention.yaml'})\n"
        "rule        keep  action  findings  past  records past  within  undated\n"
        "cef-phones  1w    redact         1     1             1       0        0\n"
        "rest        48h   delete         6     6             3       0        0\n"
        "\n"
        "files that can be deleted whole: 1\n"
        "  events/a.jsonl\n"
        "records without an event time: 0 (findings: 0); not assessed, see undated.csv\n"
    )
    lines = (out / "deletion_manifest.csv").read_text().splitlines()
    # cef/x.log keeps its record (the phone is only redacted), so it is not deleted whole
    assert [line.split(",")[2:4] for line in lines[1:]] == [
        ["redact_fields", "cef/x.log"],
        ["delete_record", "cef/x.log"],
        ["delete_file", "events/a.jsonl"],
        ["delete_record", "events/a.jsonl"],
        ["delete_record", "events/a.jsonl"],
    ]


def test_retention_leaves_false_positives_out(dataset, tmp_path):
    invoke("review", "add", dataset, "--field", "Card", "--entity-type", "CREDIT_CARD",
           "--verdict", "false_positive", "--reason", "test data", "--by", "alice")
    out = tmp_path / "r"
    result = invoke("retention", dataset, "--as-of", "2025-04-01", "--out", out)
    assert result.exit_code == 0
    assert "credentials-and-government-ids  0d    redact         0     0" in result.stdout
    assert "Card" not in (out / "deletion_manifest.csv").read_text()


def test_an_unreadable_file_is_never_deleted_whole(dataset, tmp_path):
    from .fixed import ERRORS_B, ONLY_B, write_scan

    write_scan(
        dataset,
        "20250501T000000Z-cccccc",
        ONLY_B,
        [*ERRORS_B, ("legacy/old.zip!broken.json", "legacy-json", "file", None, None, "bad")],
    )
    out = tmp_path / "r"
    result = invoke("retention", dataset, "--as-of", "2025-04-01", "--out", out)
    assert "files that can be deleted whole: 0\n" in result.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 1\nrules:\n  - {name: a, keep: 6m, action: delete}\n",
         "rules.0.keep: '6m': give hours, days or weeks, e.g. 48h, 30d, 12w"),
        ("version: 1\nrules:\n  - {name: a, keep: 1d, action: shred}\n",
         "rules.0.action: Input should be 'delete' or 'redact'"),
        ("version: 1\nrules:\n  - {name: a, match: {categories: [Z]}, keep: 1d, action: delete}\n"
         "  - {name: b, keep: 1d, action: delete}\n",
         "rules.0.match.categories: unknown category 'Z'; valid: A, B, C, geolocation, sensitive"),
        ("version: 1\nrules:\n  - {name: a, match: {entity_types: [NAME]}, keep: 1d, action: delete}\n",
         "rules.0.match.entity_types: unknown entity 'NAME'; valid: PERSON, EMAIL_ADDRESS"),
        ("version: 1\nrules:\n  - {name: a, match: {source_formats: [xml]}, keep: 1d, action: delete}\n",
         "rules.0.match.source_formats: unknown format 'xml'; valid: eventsfeed-jsonl"),
        ("version: 1\nrules:\n  - {name: a, match: {paths: ['x/*']}, keep: 1d, action: delete}\n",
         "rules.0: the last rule must have no match, so every finding has a rule"),
        ("version: 1\nrules:\n  - {name: a, keep: 1d, action: delete}\n  - {name: b, keep: 1d, action: delete}\n",
         "rules.0: only the last rule may have no match"),
        ("version: 1\nrules:\n  - {name: a, keep: 1d, action: delete, extra: 1}\n",
         "rules.0.extra: Extra inputs are not permitted"),
        ("version: 1\nrules: [unclosed\n", "line 3 not valid YAML"),
    ],
)
def test_invalid_retention_config_exits_2(fixed_dataset, tmp_path, text, message):
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "retention.yaml").write_text(text)
    out = tmp_path / "r"
    result = invoke("retention", fixed_dataset, "--out", out, "--config-dir", cfg)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {cfg / 'retention.yaml'}:")
    assert message in result.stderr
    assert not out.exists()


def test_retention_bad_as_of_is_a_usage_error(fixed_dataset, tmp_path):
    result = invoke("retention", fixed_dataset, "--as-of", "yesterday", "--out", tmp_path / "r")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: Invalid value for --as-of: 'yesterday': give a date or date-time, "
        "e.g. 2025-04-01 or 2025-04-01T09:00:00Z\n"
    )


def test_packaged_retention_config_is_valid():
    from scanner.config import load_configs
    from scanner.inventory.retention_rules import load_retention

    config = load_retention(None, dict(load_configs(None).policy.categories))
    assert config.rules.rules[-1].match is None
    assert config.source == "package:configs/retention.yaml"
