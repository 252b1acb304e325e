"""--incremental: unchanged files are carried forward, and the result equals a full scan."""

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pyarrow.compute as pc
import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.dataset import read_manifest, read_table

ROOT = Path(__file__).resolve().parent.parent


def _scan(src, out, key, *extra):
    result = CliRunner().invoke(
        cli, ["scan", str(src), "--out", str(out), "--key-file", str(key), "--nlp", "none", *extra]
    )
    assert result.exit_code in (0, 3), result.output
    return result


def _rows(out, table, scan_id):
    rows = read_table(out, table, scan_id).drop_columns(["scan_id"]).to_pylist()
    return sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)


def test_incremental_equals_full_scan_and_skips_unchanged(tmp_path, key_file):
    key = key_file
    src = tmp_path / "logs"
    shutil.copytree(ROOT / "sample_data", src)
    (src / "bad.json.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")  # errors are carried too
    inc = tmp_path / "inc"
    _scan(src, inc, key)
    # Change one file, add one; everything else is unchanged.
    changed = src / "events" / "eventsfeed.jsonl"
    with open(changed, "a", encoding="utf-8") as fh:
        fh.write(
            json.dumps(
                {
                    "event_timestamp": "2025-03-15T00:00:00Z",
                    "vpn_user_email": "new.person@example.com",
                }
            )
            + "\n"
        )
    (src / "new.log").write_text("2025-03-15 00:00:00 user CORP\\nperson connected\n")
    second = _scan(src, inc, key, "--incremental")
    scans = read_manifest(inc)["scans"]
    entry = scans[-1]
    inputs = {i["path"]: i for i in entry["inputs"]}
    assert entry["carried_forward"]["from"] == scans[0]["scan_id"]
    assert entry["carried_forward"]["files"] == len(inputs) - 2
    assert "carried_from" not in inputs["events/eventsfeed.jsonl"]
    assert "carried_from" not in inputs["new.log"]
    assert inputs["cef/cato_cef.log"]["carried_from"] == scans[0]["scan_id"]

    full = tmp_path / "full"
    reference = _scan(src, full, key)
    full_id = read_manifest(full)["scans"][-1]["scan_id"]
    for table in ("findings", "fields", "errors"):
        assert _rows(inc, table, entry["scan_id"]) == _rows(full, table, full_id), table
    ref = read_manifest(full)["scans"][-1]["counts"]
    for count in ("files", "records", "findings", "errors", "failed_sources"):
        assert entry["counts"][count] == ref[count], count
    assert second.exit_code == reference.exit_code == 3


def test_changed_configuration_scans_everything_again(tmp_path, key_file):
    key = key_file
    src = tmp_path / "logs"
    shutil.copytree(ROOT / "sample_data" / "cef", src)
    out = tmp_path / "inv"
    _scan(src, out, key)
    _scan(src, out, key, "--incremental", "--min-score", "0.7")
    assert read_manifest(out)["scans"][-1]["carried_forward"] is None
    os.utime(src / "cato_cef.log", ns=(1, 1))  # same bytes, new mtime: scanned again
    _scan(src, out, key, "--incremental", "--min-score", "0.7")
    inputs = {i["path"]: i for i in read_manifest(out)["scans"][-1]["inputs"]}
    assert "carried_from" not in inputs["cato_cef.log"]
    assert "carried_from" in inputs["sentinel_logdata.json"]


def test_forced_format_is_part_of_the_settings(tmp_path, key_file):
    key = key_file
    src = tmp_path / "logs"
    shutil.copytree(ROOT / "sample_data" / "cef", src)
    out = tmp_path / "inv"
    _scan(src, out, key, "--format", "cef")
    assert read_manifest(out)["scans"][-1]["format"] == "cef"
    # Read as sniffed, the files give other rows: the --format cef scan is not reused.
    _scan(src, out, key, "--incremental")
    assert read_manifest(out)["scans"][-1]["carried_forward"] is None
    _scan(src, out, key, "--incremental", "--format", "cef")
    assert read_manifest(out)["scans"][-1]["carried_forward"]["files"] == 2


def _carried(out):
    entry = read_manifest(out)["scans"][-1]
    return entry["carried_forward"], {i["path"] for i in entry["inputs"] if "carried_from" in i}


def _not_reused(result, out, why):
    newest = read_manifest(out)["scans"][-2]["scan_id"]
    assert (
        f"catoscan: --incremental: no committed scan was made with these settings (the newest, "
        f"{newest}, {why}); scanning every file\n"
    ) in result.stderr
    assert _carried(out) == (None, set())


def test_another_catoscan_version_scans_everything_again(tmp_path, key_file, monkeypatch):
    src = tmp_path / "logs"
    shutil.copytree(ROOT / "sample_data" / "cef", src)
    out = tmp_path / "inv"
    _scan(src, out, key_file)
    monkeypatch.setattr("scanner.reuse.__version__", "99.0.0")
    result = _scan(src, out, key_file, "--incremental")
    _not_reused(result, out, "was made with another catoscan version")
    assert read_manifest(out)["scans"][-1]["tool_version"] == "99.0.0"
    # The scan made by this version is reused by it.
    result = _scan(src, out, key_file, "--incremental")
    assert _carried(out)[0]["files"] == 2 and "no committed scan" not in result.stderr


@pytest.mark.parametrize("what", ["name", "version"])
def test_another_spacy_model_scans_everything_again(what, tmp_path, key_file, monkeypatch):
    import scanner.detect.freetext

    src = tmp_path / "logs"
    src.mkdir()
    # Only a mapped field: the model is checked and recorded, but never loaded.
    (src / "events.jsonl").write_text(
        json.dumps(
            {"event_timestamp": "2025-03-15T00:00:00Z", "vpn_user_email": "taro@example.com"}
        )
        + "\n"
    )
    out = tmp_path / "inv"
    installed = scanner.detect.freetext.check_model
    with monkeypatch.context() as patched:
        patched.setattr(
            "scanner.detect.freetext.check_model",
            lambda settings: replace(installed(settings), **{what: "other"}),
        )
        _scan(src, out, key_file, "--nlp", "spacy")
    assert read_manifest(out)["scans"][-1]["model"][what] == "other"
    result = _scan(src, out, key_file, "--nlp", "spacy", "--incremental")
    _not_reused(result, out, "was made with another spaCy model")
    _scan(src, out, key_file, "--nlp", "spacy", "--incremental")
    assert _carried(out) == (
        {"from": read_manifest(out)["scans"][-2]["scan_id"], "files": 1},
        {"events.jsonl"},
    )


def test_another_key_scans_everything_again(tmp_path, key_file):
    src = tmp_path / "logs"
    shutil.copytree(ROOT / "sample_data" / "cef", src)
    out = tmp_path / "inv"
    _scan(src, out, key_file)
    other = tmp_path / "other.key"
    other.write_text("cd" * 32)
    other.chmod(0o600)
    result = _scan(src, out, other, "--incremental")
    _not_reused(result, out, "was made with another HMAC key")
    first, second = read_manifest(out)["scans"]
    assert first["key_id"] != second["key_id"]
    hashes = {
        scan["scan_id"]: set(
            read_table(out, "findings", scan["scan_id"]).column("value_hash").to_pylist()
        )
        for scan in (first, second)
    }
    assert hashes[first["scan_id"]] and not hashes[first["scan_id"]] & hashes[second["scan_id"]]


@pytest.mark.parametrize("missing", ["tool_version", "model"])
def test_a_scan_that_records_no_version_is_not_reused(missing, tmp_path, key_file):
    src = tmp_path / "logs"
    shutil.copytree(ROOT / "sample_data" / "cef", src)
    out = tmp_path / "inv"
    _scan(src, out, key_file)
    # As a manifest written before the setting was recorded.
    manifest = read_manifest(out)
    del manifest["scans"][0][missing]
    (out / "manifest.json").write_text(json.dumps(manifest))
    result = _scan(src, out, key_file, "--incremental")
    name = {"tool_version": "catoscan version", "model": "spaCy model"}[missing]
    _not_reused(result, out, f"records no {name}")
    assert result.stderr.count("catoscan: --incremental:") == 1


def test_deleted_inputs_are_not_carried_forward(tmp_path, key_file):
    src = tmp_path / "logs"
    shutil.copytree(ROOT / "sample_data" / "cef", src)
    out = tmp_path / "inv"
    _scan(src, out, key_file)
    first = read_manifest(out)["scans"][0]["scan_id"]
    gone = "sentinel_logdata.json"
    assert (
        read_table(out, "findings", first)
        .filter(pc.equal(read_table(out, "findings", first).column("source_path"), gone))
        .num_rows
    )
    (src / gone).unlink()
    _scan(src, out, key_file, "--incremental")
    entry = read_manifest(out)["scans"][-1]
    assert [i["path"] for i in entry["inputs"]] == ["cato_cef.log"]
    assert entry["carried_forward"] == {"from": first, "files": 1}
    for table in ("findings", "fields", "errors"):
        paths = read_table(out, table, entry["scan_id"]).column("source_path").to_pylist()
        assert not [p for p in paths if p.split("!")[0] == gone], table
    # The result is a full scan of what is left; the older scan keeps its rows.
    full = tmp_path / "full"
    _scan(src, full, key_file)
    full_id = read_manifest(full)["scans"][-1]["scan_id"]
    for table in ("findings", "fields", "errors"):
        assert _rows(out, table, entry["scan_id"]) == _rows(full, table, full_id), table
    assert entry["counts"] == read_manifest(full)["scans"][-1]["counts"]
    assert gone in read_table(out, "findings", first).column("source_path").to_pylist()
