"""Every input file keeps a distinct, stable ``source_path`` within a scan and across scans.

Daily folders hold files of the same names (``day1/events.jsonl``, ``day2/events.jsonl``):
each is named relative to the common parent of the scan's arguments, so their findings,
``fields`` rows and manifest entries stay apart, and ``--incremental`` and ``--resume`` match
them again in the next scan of the same arguments.
"""

import json

import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.dataset import DatasetWriter, read_manifest, read_table
from scanner.sources import base_length, distinct_roots, input_base


def _day(root, name, email):
    folder = root / name
    folder.mkdir(parents=True)
    line = {"event_timestamp": "2025-03-14T01:23:45Z", "src_ip": "192.0.2.5",
            "user_name": "Emily Carter", "vpn_user_email": email}
    (folder / "events.jsonl").write_text(json.dumps(line) + "\n")
    return folder


def _scan(args, out, key, *extra):
    result = CliRunner().invoke(cli, ["scan", *map(str, args), "--out", str(out), "--key-file",
                                      str(key), "--nlp", "none", "--no-progress", *extra])
    return result


@pytest.fixture
def days(tmp_path):
    logs = tmp_path / "logs"
    return logs, [_day(logs, "day1", "one@example.com"), _day(logs, "day2", "two@example.com")]


def test_files_of_one_name_in_two_folders_stay_apart(days, tmp_path, key_file):
    logs, folders = days
    out = tmp_path / "inv"
    assert _scan(folders, out, key_file).exit_code == 0
    findings = read_table(out, "findings").to_pylist()
    paths = {r["source_path"] for r in findings}
    assert paths == {"day1/events.jsonl", "day2/events.jsonl"}
    by_path = {p: {r["value_hash"] for r in findings if r["source_path"] == p
                   and r["entity_type"] == "EMAIL_ADDRESS"} for p in paths}
    assert by_path["day1/events.jsonl"] != by_path["day2/events.jsonl"]
    fields = read_table(out, "fields").to_pylist()
    email_rows = [r for r in fields if r["field"] == "vpn_user_email"]
    assert sorted(r["source_path"] for r in email_rows) == sorted(paths)
    entry = read_manifest(out)["scans"][-1]
    assert [i["path"] for i in entry["inputs"]] == ["day1/events.jsonl", "day2/events.jsonl"]
    assert entry["source_root"] == str(logs)


def test_one_argument_keeps_names_relative_to_it(days, tmp_path, key_file):
    logs, (day1, _day2) = days
    out = tmp_path / "inv"
    assert _scan([day1], out, key_file).exit_code == 0
    assert [i["path"] for i in read_manifest(out)["scans"][-1]["inputs"]] == ["events.jsonl"]
    assert _scan([logs], out, key_file).exit_code == 0
    assert [i["path"] for i in read_manifest(out)["scans"][-1]["inputs"]] == [
        "day1/events.jsonl", "day2/events.jsonl"]
    assert _scan([day1 / "events.jsonl"], out, key_file).exit_code == 0
    assert [i["path"] for i in read_manifest(out)["scans"][-1]["inputs"]] == ["events.jsonl"]


def test_incremental_matches_each_file_again(days, tmp_path, key_file):
    _logs, folders = days
    out = tmp_path / "inv"
    assert _scan(folders, out, key_file).exit_code == 0
    with open(folders[1] / "events.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"event_timestamp": "2025-03-15T00:00:00Z",
                             "vpn_user_email": "three@example.com"}) + "\n")
    assert _scan(folders, out, key_file, "--incremental").exit_code == 0
    entry = read_manifest(out)["scans"][-1]
    inputs = {i["path"]: i for i in entry["inputs"]}
    assert "carried_from" in inputs["day1/events.jsonl"]
    assert "carried_from" not in inputs["day2/events.jsonl"]
    assert entry["counts"]["records"] == 3


def test_resume_matches_each_file_again(days, tmp_path, key_file, monkeypatch):
    _logs, folders = days
    out = tmp_path / "inv"
    monkeypatch.setattr("scanner.plan.BATCH_FILES", 1)  # a checkpoint per file
    real = DatasetWriter.checkpoint

    def checkpoint(self, entries, **options):
        real(self, entries, **options)
        raise KeyboardInterrupt  # after the first file

    with monkeypatch.context() as patch:
        patch.setattr(DatasetWriter, "checkpoint", checkpoint)
        assert _scan(folders, out, key_file).exit_code == 130
    result = _scan(folders, out, key_file, "--resume")
    assert result.exit_code == 0, result.output
    entry = read_manifest(out)["scans"][-1]
    inputs = {i["path"]: i for i in entry["inputs"]}
    assert "resumed_from" in inputs["day1/events.jsonl"]
    assert "resumed_from" not in inputs["day2/events.jsonl"]
    assert {r["source_path"] for r in read_table(out, "findings").to_pylist()} == set(inputs)


def test_an_argument_given_twice_or_inside_another_is_read_once(days, tmp_path, key_file):
    logs, (day1, day2) = days
    out = tmp_path / "inv"
    result = _scan([logs, day1, day2 / "events.jsonl", logs], out, key_file)
    assert result.exit_code == 0, result.output
    for inner in (day1, day2 / "events.jsonl"):
        assert f"catoscan: {inner} is inside {logs}: read once" in result.stderr
    assert f"catoscan: {logs} is given twice: read once" in result.stderr
    entry = read_manifest(out)["scans"][-1]
    assert [i["path"] for i in entry["inputs"]] == ["day1/events.jsonl", "day2/events.jsonl"]
    assert entry["counts"]["records"] == 2


def test_the_base_rule(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    (a / "x").mkdir(parents=True)
    b.mkdir()
    (b / "f.log").write_text("x\n")
    assert input_base([a]) == a
    assert input_base([b / "f.log"]) == b
    assert input_base([a / "x", b / "f.log"]) == tmp_path
    assert input_base([b / "f.log", tmp_path / "c" / "g.log"]) == tmp_path
    # URIs as Spark lists them: components split on "/"
    assert base_length([("s3a://bucket/logs/day1".split("/"), True),
                        ("s3a://bucket/logs/day2".split("/"), True)]) == 4
    assert base_length([("file:/data/e.jsonl".split("/"), False)]) == 2
    kept, notes = distinct_roots([a, a / "x", b])
    assert kept == [a, b] and len(notes) == 1
