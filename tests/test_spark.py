"""The Spark engine gives the same dataset as the local engine, row for row (Spark local[2])."""

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner import pipeline
from scanner.cli import cli
from scanner.config import ScanConfig, load_configs
from scanner.dataset import read_table
from scanner.engines import spark as engine
from scanner.hashing import key_id

ROOT = Path(__file__).resolve().parent.parent
KEY = b"spark-test-key-0123456789abcdef!!"
TABLES = ("findings", "fields", "errors")


def _config(paths, out, *, engine_name="local", nlp="none", uris=(), **kw):
    return ScanConfig(paths=tuple(paths), out=out, configs=load_configs(), key=KEY,
                      key_id=key_id(KEY), key_source="test", nlp=nlp, workers=1,
                      engine=engine_name, uris=tuple(uris), spark_master="local[2]", **kw)


@pytest.fixture(scope="module")
def spark():
    session = engine.session("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("corpus")
    shutil.copytree(ROOT / "sample_data", d / "sample_data")
    with open(d / "big.jsonl", "w", encoding="utf-8") as fh:
        for i in range(2000):
            fh.write(json.dumps({"event_timestamp": "2025-03-14T01:23:45Z",
                                 "src_ip": f"192.0.2.{i % 250 + 1}", "user_name": f"User {i % 7} Carter",
                                 "vpn_user_email": f"u{i % 50}@example.com",
                                 "event_message": f"call 090-5555-{i % 10000:04d} now"}) + "\n")
            if i % 500 == 0:
                fh.write("{broken json\n")
    return d


def _tables(out):
    return {t: read_table(out, t).drop_columns(["scan_id"]).to_pylist() for t in TABLES}


def _sorted(rows):
    return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))


def _scan(manifest_dir):
    return json.loads((manifest_dir / "manifest.json").read_text())["scans"][-1]


def test_spark_engine_matches_local_on_sample_data_with_ner(spark, tmp_path):
    data = ROOT / "sample_data"
    local = pipeline.run(_config([data], tmp_path / "local", nlp="spacy"))
    remote = pipeline.run(_config([data], tmp_path / "spark", nlp="spacy", engine_name="spark"))
    assert local.findings > 1000 and local.findings == remote.findings
    assert (local.records, local.files, local.sources, local.errors, local.undeclared) == (
        remote.records, remote.files, remote.sources, remote.errors, remote.undeclared)
    # Same tasks in the same order: the rows come out in the same order too.
    assert _tables(tmp_path / "local") == _tables(tmp_path / "spark")
    a, b = _scan(tmp_path / "local"), _scan(tmp_path / "spark")
    assert a["inputs"] == b["inputs"] and a["counts"] == b["counts"]
    assert (a["engine"], b["engine"]) == ("local", "spark")
    assert b["ner_loaded"] is True
    # Spark's files carry the same columns and types as the local engine's.
    spark_part = next((tmp_path / "spark" / "findings").glob("*/part-*.parquet"))
    local_part = next((tmp_path / "local" / "findings").glob("*/part-*.parquet"))
    import pyarrow.parquet as pq

    assert [(f.name, f.type) for f in pq.read_schema(spark_part)] == [
        (f.name, f.type) for f in pq.read_schema(local_part)]


def test_ranges_and_bad_lines_match_local(spark, corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "CHUNK_BYTES", 32 * 1024)  # big.jsonl becomes several ranges
    local = pipeline.run(_config([corpus / "big.jsonl"], tmp_path / "local"))
    remote = pipeline.run(_config([corpus / "big.jsonl"], tmp_path / "spark", engine_name="spark"))
    assert local.errors == remote.errors == 4
    manifest = _scan(tmp_path / "spark")
    assert manifest["inputs"][0]["records"] == 2000
    a, b = _tables(tmp_path / "local"), _tables(tmp_path / "spark")
    assert a == b
    # record_index continues across ranges scanned by different Spark tasks
    ips = [r["record_index"] for r in b["findings"] if r["field"] == "src_ip"]
    assert ips == list(range(2000))


def test_uri_inputs_are_read_through_spark(spark, corpus, tmp_path):
    local = pipeline.run(_config([corpus / "sample_data"], tmp_path / "local"))
    uri = (corpus / "sample_data").as_uri()
    remote = pipeline.run(_config([], tmp_path / "uri", engine_name="spark", uris=[uri]))
    assert local.findings == remote.findings
    a, b = _tables(tmp_path / "local"), _tables(tmp_path / "uri")
    for table in TABLES:  # remote files come back in Spark's order, not the walk's
        assert _sorted(a[table]) == _sorted(b[table]), table
    inputs = {i["path"]: i for i in _scan(tmp_path / "local")["inputs"]}
    for entry in _scan(tmp_path / "uri")["inputs"]:
        assert entry["sha256"] == inputs[entry["path"]]["sha256"]  # hashed by the executor
        assert entry["records"] == inputs[entry["path"]]["records"]


def test_findings_from_files_and_records(spark, corpus, tmp_path):
    config = _config([], tmp_path)
    pipeline.run(_config([corpus / "sample_data"], tmp_path / "local"))
    expected = read_table(tmp_path / "local", "findings").drop_columns(["scan_id"]).to_pylist()

    found = engine.findings_from_files(spark, [str(corpus / "sample_data")], config)
    rows = [r.asDict(recursive=True) for r in found.collect()]
    for row in rows:  # Spark hands timestamps back naive, in the session's time zone (UTC)
        if row["event_time"] is not None:
            row["event_time"] = row["event_time"].replace(tzinfo=expected[0]["event_time"].tzinfo)
    assert _sorted(rows) == _sorted(expected)
    # ... or from a DataFrame of paths
    paths = spark.createDataFrame([(str(corpus / "sample_data" / "cef"),)], ["path"])
    from_frame = engine.findings_from_files(spark, paths, config).count()
    assert from_frame == sum(1 for r in expected if r["source_path"].startswith("cef/")) > 0

    # A DataFrame of records: the same findings as the same records read from JSON lines.
    records = [{"user_name": "Emily Carter", "src_ip": "192.0.2.7", "id": 10,
                "device": {"mac": "00:1A:2B:3C:4D:5E", "os": "Windows 11"},
                "event_timestamp": "2025-03-14T01:23:45Z"},
               {"user_name": "Noah Brooks", "src_ip": "198.51.100.4", "id": 11,
                "device": {"mac": None, "os": "macOS"}, "event_timestamp": "2025-03-14T02:00:00Z"}]
    lines = tmp_path / "records.jsonl"
    lines.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "id"}) + "\n"
                             for r in records))
    pipeline.run(_config([lines], tmp_path / "lines"))
    want = read_table(tmp_path / "lines", "findings").drop_columns(["scan_id"]).to_pylist()
    frame = spark.createDataFrame(records)
    got = engine.findings_from_records(frame, config, source_path="records.jsonl",
                                       source_format="eventsfeed-jsonl", index_column="id")
    got_rows = [r.asDict(recursive=True) for r in got.collect()]
    assert len(got_rows) == len(want) >= 4
    for g, w in zip(_sorted(got_rows), _sorted(want), strict=True):
        assert g["record_index"] == w["record_index"] + 10  # our index column
        for name in ("field", "entity_type", "value_hash", "value_masked", "start", "end",
                     "policy_element", "ccpa_categories", "detector"):
            assert g[name] == w[name], name
        assert g["event_time"].replace(tzinfo=None) == w["event_time"].replace(tzinfo=None)


@pytest.mark.parametrize(("args", "message"), [
    (["file:///tmp/x"], "URIs are read with --engine spark"),
    (["--master", "local[2]", "."], "--master is an option of --engine spark"),
    (["--engine", "spark", "--workers", "2", "."], "--workers is an option of the local engine"),
])
def test_engine_option_errors(tmp_path, args, message):
    result = CliRunner().invoke(cli, ["scan", "--out", str(tmp_path / "o"), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "o").exists()


def test_record_offsets():
    from scanner.sources import InputFile
    from scanner.worker import SourceResult, Task, TaskResult

    item = InputFile(Path("a"), "a")
    tasks = [Task(0, item), Task(1, item, 0, 10, last=False), Task(2, item, 10, 20, last=False),
             Task(3, item, 20, 30), Task(4, item, 0, 5, last=False), Task(5, item, 5, 9)]
    counts = [7, 3, 4, 5, 6, 2]
    results = {t.seq: TaskResult(t.seq, None, [SourceResult("a", "cef", records=n)], {})
               for t, n in zip(tasks, counts, strict=True)}
    assert engine.record_offsets(tasks, results) == {2: 3, 3: 7, 5: 6}
    # Ranges that assumed one record per line are shifted only by what they got wrong.
    assumed = [replace(t, first_index=i) for t, i in zip(tasks, [0, 0, 3, 9, 0, 6], strict=True)]
    assert engine.record_offsets(assumed, results) == {3: -2}


def test_spark_that_cannot_start_is_a_config_error(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "JAVA_HOME": str(tmp_path / "no-java")}
    env.pop("PYSPARK_GATEWAY_PORT", None)
    result = subprocess.run(
        [sys.executable, "-m", "scanner", "scan", "--engine", "spark", "--master", "local[1]",
         "--nlp", "none", "--key-file", str(_key(tmp_path)), str(ROOT / "sample_data" / "cef"),
         "--out", str(tmp_path / "o")], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "Spark did not start" in result.stderr and "Java 17 or 21" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o" / "manifest.json").exists()


def _key(tmp_path):
    key = tmp_path / "k"
    key.write_bytes(KEY)
    key.chmod(0o600)
    return key


def test_an_interrupted_spark_scan_keeps_nothing_for_resume(spark, corpus, tmp_path, monkeypatch):
    # Spark's findings files mix input files: none can be checkpointed on its own.
    from scanner.dataset import DatasetWriter, read_interrupted

    def interrupted(self, entry):
        raise KeyboardInterrupt

    monkeypatch.setattr(DatasetWriter, "commit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        pipeline.run(_config([corpus / "sample_data" / "cef"], tmp_path / "o", engine_name="spark"))
    assert read_interrupted(tmp_path / "o") is None
    assert not list((tmp_path / "o").glob(".interrupted-*"))
    monkeypatch.undo()
    # ... while the local engine keeps the finished files
    monkeypatch.setattr(DatasetWriter, "commit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        pipeline.run(_config([corpus / "sample_data" / "cef"], tmp_path / "l"))
    assert read_interrupted(tmp_path / "l").files >= 1
