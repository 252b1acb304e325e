import json

from .fixed import RAW_VALUES, SCAN_A, SCAN_B, invoke

REPORT_B = """\
catoscan report: scan 20250401T000000Z-bbbbbb (2 of 2), started 2025-04-01T00:00:00Z
  key_id aa0bce934ff4c4cd  nlp none  config c0ffeec0ffee

Coverage
  files read        4 (5 streams)
  records           12
  bytes read        4,096
  files not read    1
  records not read  1
  findings          11, 3 undeclared

Inventory by CCPA category, policy element and entity type (undeclared first)
  declared  categories   element             entity         findings  records  values  files  accepted  false+
  no        B            telephone number    PHONE_NUMBER          2        2       1      2         0       0
  no        B,sensitive  credit card number  CREDIT_CARD           1        1       1      1         0       0
  yes       A            IP address          IP_ADDRESS            2        2       2      2         0       0
  yes       A            e-mail address      EMAIL_ADDRESS         2        2       1      1         0       0
  yes       A            online identifier   USERNAME              1        1       1      1         0       0
  yes       A,B          real name           PERSON                3        3       3      3         0       0

Undeclared personal data: the sources and fields that hold it
  source         format  field  entity        element             findings  records  values  review
  cef/x.log      cef     cs5    PHONE_NUMBER  telephone number           1        1       1  -
  csv/users.csv  csv     Card   CREDIT_CARD   credit card number         1        1       1  -
  csv/users.csv  csv     Phone  PHONE_NUMBER  telephone number           1        1       1  -

Changes since scan 20250301T000000Z-aaaaaa
  5 new and 1 vanished (source format, field, entity type) combinations; 2 new undeclared:
    format  field  entity        element             findings
    csv     Card   CREDIT_CARD   credit card number         1
    csv     Phone  PHONE_NUMBER  telephone number           1

Read errors (2)
  source          format            scope   line  record  reason
  broken.json.gz  -                 file       -       -  corrupt gzip data
  events/a.jsonl  eventsfeed-jsonl  record     3       2  invalid JSON

Review decisions: 0 active (0 confirmed, 0 false_positive, 0 accepted_risk), 0 revoked

CCPA categories (the privacy policy's letters; where each is in the statute)
  category     what
  A            Identifiers (real name, online identifier, IP address, e-mail address and similar) (Cal. Civ. Code 1798.140(v)(1)(A))
  B            Personal information in Cal. Civ. Code 1798.80(e) customer records (Cal. Civ. Code 1798.140(v)(1)(B))
  C            Internet or other electronic network activity information (Cal. Civ. Code 1798.140(v)(1)(F))
  geolocation  Precise geolocation data (Cal. Civ. Code 1798.140(v)(1)(G))
  sensitive    Sensitive personal information (government ids, financial accounts, credentials) (Cal. Civ. Code 1798.140(ae))
"""


def test_report_latest_scan_exact(fixed_dataset):
    result = invoke("report", fixed_dataset)
    assert result.exit_code == 0, result.output
    assert result.stdout == REPORT_B
    assert result.stderr == ""


def test_report_first_scan_has_no_changes(fixed_dataset):
    result = invoke("report", fixed_dataset, "--scan", SCAN_A)
    assert result.exit_code == 0
    assert result.stdout.startswith(
        f"catoscan report: scan {SCAN_A} (1 of 2), started 2025-03-01T00:00:00Z\n"
    )
    assert (
        "Changes since the previous scan\n  none: this is the dataset's first scan\n"
        in result.stdout
    )
    assert "Read errors (0)\n  none\n" in result.stdout


def test_report_csv_is_the_inventory_table(fixed_dataset):
    result = invoke("report", fixed_dataset, "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout == (
        "declared,categories,policy_element,entity_type,findings,records,distinct_values,"
        "files,accepted_risk,false_positives\n"
        "false,B,telephone number,PHONE_NUMBER,2,2,1,2,0,0\n"
        "false,B|sensitive,credit card number,CREDIT_CARD,1,1,1,1,0,0\n"
        "true,A,IP address,IP_ADDRESS,2,2,2,2,0,0\n"
        "true,A,e-mail address,EMAIL_ADDRESS,2,2,1,1,0,0\n"
        "true,A,online identifier,USERNAME,1,1,1,1,0,0\n"
        "true,A|B,real name,PERSON,3,3,3,3,0,0\n"
    )


def test_report_json_has_every_part(fixed_dataset):
    result = invoke("report", fixed_dataset, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert list(data) == [
        "scan",
        "coverage",
        "inventory",
        "undeclared",
        "errors",
        "source_formats",
        "top_fields",
        "timeline",
        "reviews",
        "changes",
    ]
    assert data["scan"]["scan_id"] == SCAN_B
    assert data["coverage"] == {
        "files": 4,
        "streams": 5,
        "records": 12,
        "bytes": 4096,
        "files_not_read": 1,
        "records_not_read": 1,
        "errors": 2,
        "findings": 11,
        "undeclared_findings": 3,
        "false_positives": 0,
    }
    assert data["undeclared"][0] == {
        "source_path": "cef/x.log",
        "source_format": "cef",
        "field": "cs5",
        "entity_type": "PHONE_NUMBER",
        "categories": ["B"],
        "policy_element": "telephone number",
        "findings": 1,
        "records": 1,
        "distinct_values": 1,
        "first_event_time": "2024-12-01T00:00:00Z",
        "last_event_time": "2024-12-01T00:00:00Z",
        "review": None,
    }
    timeline = data["timeline"]
    assert timeline["unit"] == "month"
    assert timeline["buckets"][0] == "2024-01" and timeline["buckets"][-1] == "2025-03"
    assert len(timeline["buckets"]) == 15
    assert timeline["findings_by_category"]["B"][-1] == 3  # Phone, Name (A,B), Card (B,sensitive)
    assert timeline["undated_findings"] == 1
    assert data["top_fields"]["PERSON"] == [
        {"field": None, "findings": 1},
        {"field": "Name", "findings": 1},
        {"field": "src_site_name", "findings": 1},
    ]
    assert data["source_formats"][0] == {
        "source_format": "eventsfeed-jsonl",
        "declared": 4,
        "undeclared": 0,
        "files": 1,
    }
    assert [c["field"] for c in data["changes"]["new_undeclared"]] == ["Card", "Phone"]
    assert data["errors"][1] == {
        "source_path": "events/a.jsonl",
        "source_format": "eventsfeed-jsonl",
        "scope": "record",
        "line": 3,
        "record_index": 2,
        "reason": "invalid JSON",
    }


def test_report_never_prints_raw_values(fixed_dataset, tmp_path):
    html = tmp_path / "r.html"
    outputs = [
        invoke("report", fixed_dataset, "--format", fmt, "--html", html).output
        for fmt in ("table", "json", "csv")
    ]
    blob = "\n".join(outputs) + html.read_text(encoding="utf-8")
    assert [v for v in RAW_VALUES if v in blob] == []


def test_report_unknown_scan_exits_2(fixed_dataset):
    result = invoke("report", fixed_dataset, "--scan", "nope")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: --scan nope: no such committed scan in {fixed_dataset}; "
        f"scans: {SCAN_A}, {SCAN_B}\n"
    )


def test_report_on_a_directory_that_is_not_a_dataset(tmp_path):
    result = invoke("report", tmp_path)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path}: not a catoscan dataset (no manifest.json)\n"
    result = invoke("report", tmp_path / "missing")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'missing'}: no such dataset directory\n"


def test_report_html_unwritable_exits_2(fixed_dataset, tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "r.html"
    result = invoke("report", fixed_dataset, "--html", target)
    assert result.exit_code == 2
    assert f"--html {target}: cannot write: No such file or directory" in result.stderr


def test_report_with_reviews_leaves_false_positives_out(dataset):
    assert invoke(
        "review", "add", dataset, "--field", "Card", "--entity-type", "CREDIT_CARD",
        "--verdict", "false_positive", "--reason", "test card", "--by", "alice",
    ).exit_code == 0
    assert invoke(
        "review", "add", dataset, "--source", "cef/*", "--verdict", "accepted_risk",
        "--reason", "kept for the SOC", "--by", "bob",
    ).exit_code == 0
    result = invoke("report", dataset)
    assert result.exit_code == 0
    expected = (
        REPORT_B.replace(
            "  findings          11, 3 undeclared\n",
            "  findings          10, 2 undeclared; 1 marked false positive (left out)\n",
        )
        .split("\nInventory by")[0]
        + """
Inventory by CCPA category, policy element and entity type (undeclared first)
  declared  categories   element             entity         findings  records  values  files  accepted  false+
  no        B            telephone number    PHONE_NUMBER          2        2       1      2         1       0
  no        B,sensitive  credit card number  CREDIT_CARD           0        0       0      0         0       1
  yes       A            IP address          IP_ADDRESS            2        2       2      2         0       0
  yes       A            e-mail address      EMAIL_ADDRESS         2        2       1      1         0       0
  yes       A            online identifier   USERNAME              1        1       1      1         1       0
  yes       A,B          real name           PERSON                3        3       3      3         0       0

Undeclared personal data: the sources and fields that hold it
  source         format  field  entity        element           findings  records  values  review
  cef/x.log      cef     cs5    PHONE_NUMBER  telephone number         1        1       1  r2 accepted_risk
  csv/users.csv  csv     Phone  PHONE_NUMBER  telephone number         1        1       1  -

Changes since scan 20250301T000000Z-aaaaaa
  4 new and 1 vanished (source format, field, entity type) combinations; 1 new undeclared:
    format  field  entity        element           findings
    csv     Phone  PHONE_NUMBER  telephone number         1

Read errors (2)
  source          format            scope   line  record  reason
  broken.json.gz  -                 file       -       -  corrupt gzip data
  events/a.jsonl  eventsfeed-jsonl  record     3       2  invalid JSON

Review decisions: 2 active (0 confirmed, 1 false_positive, 1 accepted_risk), 0 revoked

CCPA categories (the privacy policy's letters; where each is in the statute)
  category     what
  A            Identifiers (real name, online identifier, IP address, e-mail address and similar) (Cal. Civ. Code 1798.140(v)(1)(A))
  B            Personal information in Cal. Civ. Code 1798.80(e) customer records (Cal. Civ. Code 1798.140(v)(1)(B))
  C            Internet or other electronic network activity information (Cal. Civ. Code 1798.140(v)(1)(F))
  geolocation  Precise geolocation data (Cal. Civ. Code 1798.140(v)(1)(G))
  sensitive    Sensitive personal information (government ids, financial accounts, credentials) (Cal. Civ. Code 1798.140(ae))
"""
    )
    assert result.stdout == expected
