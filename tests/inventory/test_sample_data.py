"""Every inventory command over a real scan of sample_data/ (with --include-values, so the raw
values are in the dataset): stable facts only, and no raw value in any output."""

import json
from pathlib import Path

import pytest

from scanner.evaluation import load_labels
from tests.leakcheck import searchable_values

from .fixed import invoke

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
LABELS = load_labels(ROOT / "tests" / "labels" / "sample_data.jsonl")
KEY = b"0123456789abcdef" * 4


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sample")
    key = tmp / "key"
    key.write_bytes(KEY)
    key.chmod(0o600)
    out = tmp / "inventory"
    for _ in range(2):  # two scans, so report and diff have something to compare
        result = invoke("scan", SAMPLE, "--out", out, "--key-file", key, "--nlp", "none",
                        "--include-values", "--no-progress")
        assert result.exit_code == 0, result.output
    return out, key, tmp


def raw_values():
    return searchable_values(LABELS, SAMPLE)


def test_no_command_prints_a_raw_value(scanned):
    out, key, tmp = scanned
    html = tmp / "report.html"
    retention = tmp / "retention"
    texts = []
    person = next(lab["value"] for lab in LABELS if lab["entity_type"] == "PERSON" and " " in lab["value"])
    email = next(lab["value"] for lab in LABELS if lab["entity_type"] == "EMAIL_ADDRESS" and "%" not in lab["value"])
    ip = next(lab["value"] for lab in LABELS if lab["entity_type"] == "IP_ADDRESS")
    phone = next(lab["value"] for lab in LABELS if lab["entity_type"] == "PHONE_NUMBER")
    for fmt in ("table", "json", "csv"):
        runs = [
            ("report", out, "--format", fmt, "--html", html),
            ("lookup", out, "--key-file", key, "--name", person, "--email", email, "--ip", ip,
             "--phone", phone, "--format", fmt),
            ("retention", out, "--as-of", "2026-01-01", "--out", retention, "--format", fmt),
            ("diff", out, "--format", fmt),
            ("review", "list", out, "--all", "--format", fmt),
        ]
        for args in runs:
            result = invoke(*args)
            assert result.exit_code == 0, (args, result.output)
            texts += [result.stdout, result.stderr]
        texts.append(html.read_text(encoding="utf-8"))
        texts += [p.read_text(encoding="utf-8", errors="replace") for p in retention.iterdir()]
    blob = "\n".join(texts)
    leaked = sorted(v for v in raw_values() if v in blob)
    assert leaked == []


def test_sample_report_stable_facts(scanned):
    out, _key, _tmp = scanned
    result = invoke("report", out, "--format", "json")
    data = json.loads(result.stdout)
    assert data["scan"]["position"] == 2 and data["scan"]["include_values"] is True
    assert data["coverage"]["files_not_read"] == 0 and data["coverage"]["errors"] == 0
    assert data["coverage"]["findings"] > 1000
    undeclared = {row["entity_type"] for row in data["undeclared"]}
    assert {"PHONE_NUMBER", "CREDIT_CARD", "JP_MY_NUMBER", "SECRET"} <= undeclared
    assert all(not row["declared"] for row in data["inventory"][: len({(r["entity_type"], r["policy_element"]) for r in data["undeclared"]})])
    assert data["changes"]["new"] == [] and data["changes"]["vanished"] == []
    text = invoke("report", out).stdout
    assert "WARNING: this scan stored raw values (--include-values); none are shown here" in text


def test_sample_diff_of_identical_scans_is_clean(scanned):
    out, _key, _tmp = scanned
    result = invoke("diff", out)
    assert result.exit_code == 0
    assert ": 0 new, 0 vanished, 0 new undeclared\n" in result.stdout


def test_sample_lookup_finds_the_subject_in_many_formats(scanned):
    out, key, _tmp = scanned
    result = invoke("lookup", out, "--key-file", key, "--name", "Taro Yamada", "--name", "山田　太郎",
                    "--email", "taro.yamada@example.com", "--format", "json")
    data = json.loads(result.stdout)
    formats = {o["source_format"] for o in data["occurrences"]}
    assert {"eventsfeed-jsonl", "cef", "push-ndjson", "parquet"} <= formats
    summary = {s["identifier"]: s for s in data["identifiers"]}
    assert summary["name 1"]["findings"] >= 1 and summary["name 2"]["findings"] >= 1
    assert summary["email 1"]["categories"] == ["A"]
    # The same files scanned twice: the latest scan by default, both with --all-scans.
    assert len(data["scans_searched"]) == 1 and data["scope"] == "latest"
    assert "searched the latest scan made with this key" in result.stderr
    history = invoke("lookup", out, "--key-file", key, "--email", "taro.yamada@example.com",
                     "--format", "json", "--all-scans")
    every = json.loads(history.stdout)
    assert len(every["scans_searched"]) == 2
    assert every["identifiers"][0]["findings"] == 2 * summary["email 1"]["findings"]


def test_sample_retention_writes_both_files(scanned, tmp_path):
    out, _key, _tmp = scanned
    result = invoke("retention", out, "--as-of", "2026-01-01", "--out", tmp_path, "--format", "json")
    data = json.loads(result.stdout)
    assert data["undated"]["records"] > 0  # SCIM exports carry no event time
    assert {p.name for p in tmp_path.iterdir()} == {
        "deletion_manifest.parquet", "deletion_manifest.csv", "undated.parquet", "undated.csv"
    }


def _found(out, key, *identifier):
    result = invoke("lookup", out, "--key-file", key, *identifier, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def test_sample_lookup_reads_national_phone_formats_in_every_region(scanned):
    """A US number written nationally is not read as Japanese only (JP is first in
    phone_regions): each configured region is tried, as the scan reads numbers."""
    out, key, _tmp = scanned
    international, _ = _found(out, key, "--phone", "+1 202-555-0143")
    count = international["identifiers"][0]["findings"]
    assert count >= 1
    for national in ("202-555-0143", "(202) 555-0143", "２０２-５５５-０１４３"):
        data, stderr = _found(out, key, "--phone", national)
        assert data["identifiers"][0]["findings"] >= count, national
        assert data["phone_regions"] == ["JP", "US", "*"]
        assert "is not a valid phone number" not in stderr
    data, stderr = _found(out, key, "--phone", "0000-0000")  # valid in no region
    assert data["notes"] == ["phone 1 is not a valid phone number in any region; searched as "
                             "read anyway"]
    assert "catoscan: lookup: phone 1 is not a valid phone number in any region" in stderr


def test_sample_lookup_finds_a_japanese_name_written_without_a_space(scanned):
    out, key, _tmp = scanned
    spaced, _ = _found(out, key, "--name", "山田 太郎")
    together, _ = _found(out, key, "--name", "山田太郎")
    assert spaced["identifiers"][0]["findings"] >= 1
    assert together["identifiers"][0]["findings"] == spaced["identifiers"][0]["findings"]
