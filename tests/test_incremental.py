"""--incremental: unchanged files are carried forward, and the result equals a full scan."""

import json
import os
import shutil
from pathlib import Path

from click.testing import CliRunner

from scanner.cli import cli
from scanner.dataset import read_manifest, read_table

ROOT = Path(__file__).resolve().parent.parent


def _scan(src, out, key, *extra):
    result = CliRunner().invoke(cli, ["scan", str(src), "--out", str(out), "--key-file", str(key),
                                      "--nlp", "none", *extra])
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
        fh.write(json.dumps({"event_timestamp": "2025-03-15T00:00:00Z",
                             "vpn_user_email": "new.person@example.com"}) + "\n")
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
