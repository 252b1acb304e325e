"""Worker processes and split files give the same dataset, row for row, as one process."""

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from scanner import pipeline
from scanner.config import ScanConfig, load_configs
from scanner.dataset import read_table
from scanner.engines import pool
from scanner.hashing import key_id
from scanner.sources import InputFile

ROOT = Path(__file__).resolve().parent.parent
KEY = b"parallel-test-key-0123456789abcdef"


def _config(paths, out, workers):
    return ScanConfig(paths=tuple(paths), out=out, configs=load_configs(), key=KEY,
                      key_id=key_id(KEY), key_source="test", nlp="none", workers=workers)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("corpus")
    shutil.copytree(ROOT / "sample_data", d / "sample_data")
    with open(d / "big.jsonl", "w", encoding="utf-8") as fh:
        for i in range(3000):
            fh.write(json.dumps({"event_timestamp": "2025-03-14T01:23:45Z", "time": str(1741915425000 + i),
                                 "src_ip": f"192.0.2.{i % 250 + 1}", "user_name": f"User {i % 7} Carter",
                                 "vpn_user_email": f"u{i % 50}@example.com", "event_message":
                                 f"call 090-5555-{i % 10000:04d} now"}) + "\n")
            if i % 500 == 250:  # not among the first lines, which decide whether it splits
                fh.write("\n{broken json\n")
    return d


def _rows(out):
    table = read_table(out, "findings").drop_columns(["scan_id"])
    return table.to_pylist()


def test_workers_and_ranges_match_one_process(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "CHUNK_BYTES", 64 * 1024)  # big.jsonl becomes several ranges
    monkeypatch.setattr(pipeline, "BATCH_FILES", 4)  # sample_data's files in several batches
    _desc, ranges = pipeline._describe(InputFile(corpus / "big.jsonl", "big.jsonl"), None)
    assert len(ranges) > 5
    one = pipeline.run(_config([corpus], tmp_path / "one", workers=1))
    monkeypatch.setattr(pool, "POOL_MIN_BYTES", 0)
    two = pipeline.run(_config([corpus], tmp_path / "two", workers=2))
    assert (one.records, one.findings, one.errors) == (two.records, two.findings, two.errors)
    assert _rows(tmp_path / "one") == _rows(tmp_path / "two")
    for table in ("fields", "errors"):
        a = read_table(tmp_path / "one", table).drop_columns(["scan_id"]).to_pylist()
        b = read_table(tmp_path / "two", table).drop_columns(["scan_id"]).to_pylist()
        assert a == b, table
    manifest = json.loads((tmp_path / "two" / "manifest.json").read_text())
    assert manifest["scans"][-1]["workers"] == 2


def test_ranges_keep_line_and_record_numbers(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "CHUNK_BYTES", 64 * 1024)
    pipeline.run(_config([corpus / "big.jsonl"], tmp_path / "o", workers=1))
    rows = [r for r in _rows(tmp_path / "o") if r["field"] == "src_ip"]
    # 3000 records, a blank line and a broken line after record 250, 750, ...: the lines
    # of the records are checked directly from the file:
    lines = (corpus / "big.jsonl").read_text().split("\n")
    record_lines = [n for n, line in enumerate(lines, 1) if line.startswith('{"event')]
    assert [r["record_index"] for r in rows] == list(range(3000))
    assert [r["line"] for r in rows] == record_lines
    errors = read_table(tmp_path / "o", "errors").to_pylist()
    assert [e["line"] for e in errors] == [n for n, line in enumerate(lines, 1) if line == "{broken json"]


@pytest.mark.parametrize("first", ["event_timestamp", "n"])  # columnar blocks / row reader
@pytest.mark.parametrize("extra", [None, "array", "blank"])
def test_ranges_are_shifted_only_when_a_line_is_not_one_record(tmp_path, monkeypatch, extra,
                                                               first):
    """A range counts indexes from its first line; only irregular lines cost a rewrite."""
    path = tmp_path / "events.jsonl"
    pad = "x" * 300  # the planner cuts at most once per MiB it reads: make a few MiB
    lines = [json.dumps({first: "2025-03-14T01:23:45Z", "src_ip": f"192.0.2.{i % 250 + 1}",
                         "pad": pad}) for i in range(12000)]
    if extra == "array":  # one line holding two records: later ranges start one further
        lines[10] = "[" + lines[10] + ", " + json.dumps({"src_ip": "192.0.2.99"}) + "]"
    elif extra == "blank":  # a line holding none: later ranges start one earlier
        lines.insert(10, "")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(pipeline, "CHUNK_BYTES", 64 * 1024)
    shifts = []
    add_part = pipeline.DatasetWriter.add_part

    def spy(self, part, record_offset, rows=None):
        shifts.append(record_offset)
        return add_part(self, part, record_offset, rows)

    monkeypatch.setattr(pipeline.DatasetWriter, "add_part", spy)
    result = pipeline.run(_config([path], tmp_path / "o", workers=1))
    rows = [r for r in _rows(tmp_path / "o") if r["field"] == "src_ip"]
    fmt = "eventsfeed-jsonl" if first == "event_timestamp" else "json"
    assert {r["source_format"] for r in rows} == {fmt}
    records = 12001 if extra == "array" else 12000
    assert result.records == records
    assert [r["record_index"] for r in rows] == list(range(records))
    assert len(shifts) >= 3
    expected = {None: 0, "array": 1, "blank": -1}[extra]
    assert shifts[0] == 0 and set(shifts[1:]) == {expected}


def test_decision_log_gives_each_worker_what_it_has_not_seen():
    from scanner.engines.local import DecisionLog

    log = DecisionLog(workers=2, limit=5)
    assert log.outgoing() == (0, [])
    log.incoming(pid=1, adopted=0, learned=["a", "b"])
    assert log.outgoing() == (0, ["a", "b"])  # worker 2 has not reported: from the start
    log.incoming(pid=2, adopted=0, learned=["c"])
    assert log.outgoing() == (0, ["a", "b", "c"])
    log.incoming(pid=1, adopted=3, learned=["d"])
    log.incoming(pid=2, adopted=2, learned=["e", "f"])
    assert log.outgoing() == (2, ["c", "d", "e"])  # the limit: "f" is not kept
    log.incoming(pid=1, adopted=5, learned=[])
    log.incoming(pid=2, adopted=5, learned=["g"])
    assert log.outgoing() == (5, [])


def test_a_worker_adopts_decisions_it_has_not_seen(tmp_path, monkeypatch):
    """run_shared adopts only the unseen part of a task's share, and reports what it learned."""
    from scanner import dataset, worker
    from scanner.detect.engine import Detector
    from scanner.sources import InputFile
    from scanner.worker import Task

    config = _config([tmp_path], tmp_path / "o", workers=2)
    other = Detector(config.configs, nlp="none")  # another worker's detector
    rule = other.route("src_ip")
    other.learning = []
    for ip in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        other.spans(rule, ip)
    log = other.learning
    state = {"scanner": worker.SourceScanner(config), "stage": tmp_path / "stage",
             "schema": dataset.FINDINGS_SCHEMA}
    monkeypatch.setattr(worker, "_STATE", state)
    adopted = []
    detector = state["scanner"].detector
    monkeypatch.setattr(detector, "adopt", lambda d: adopted.append(len(d)) or
                        Detector.adopt(detector, d))

    def task(seq, ips):
        path = tmp_path / f"e{seq}.jsonl"
        path.write_text("".join(json.dumps({"event_timestamp": "2025-03-14T01:23:45Z",
                                            "src_ip": ip}) + "\n" for ip in ips))
        return Task(seq, InputFile(path, path.name))

    result, _, seen = worker.run_shared(task(0, ["192.0.2.1", "192.0.2.9"]), 0, log[:2])
    assert (adopted, seen) == ([2], 2)
    assert [value for _, value, _ in result.learned] == ["192.0.2.9"]  # .1 was adopted
    assert detector.learning is None
    result, _, seen = worker.run_shared(task(1, ["192.0.2.3", "192.0.2.2"]), 1, log[1:])
    assert (adopted, seen) == ([2, 1], 3)  # of log[1:], only log[2] was new to it
    assert result.learned == []
    assert pq.read_table(result.part).num_rows == 2  # adopted values are still findings


def test_the_pool_starts_early_only_for_scans_that_will_use_it(tmp_path):
    small = tmp_path / "small"
    small.mkdir()
    (small / "a.jsonl").write_bytes(b"{}\n" * 10)
    assert not pool._at_least([small], 100)
    assert pool._at_least([small, small / "a.jsonl"], 60)  # a file named twice counts twice
    assert not pool.start_early([small], workers=2)
    big = tmp_path / "big.jsonl"
    with open(big, "wb") as fh:
        fh.truncate(pool.POOL_MIN_BYTES)
    assert not pool.start_early([big], workers=1)
    assert pool.start_early([big], workers=2)


def test_shared_ner_decisions_give_the_findings_of_one_process(tmp_path, monkeypatch):
    """Free texts decided by spaCy in one worker and adopted by the other: same rows."""
    path = tmp_path / "events.jsonl"
    names = ["Emily Carter", "Taro Yamada", "Lucas Reed", "Maria Garcia", "Kenji Sato"]
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(6000):
            fh.write(json.dumps({
                "event_timestamp": "2025-03-14T01:23:45Z", "src_ip": f"192.0.2.{i % 250 + 1}",
                "event_message": f"User {names[i % 5]} connected from 198.51.100.{i % 40}",
                "pad": "x" * 600}) + "\n")  # 4 MB: four ranges
    monkeypatch.setattr(pipeline, "CHUNK_BYTES", 64 * 1024)  # ranges after the first wave
    config = _config([path], tmp_path / "one", workers=1)
    one = pipeline.run(replace(config, nlp="spacy"))
    monkeypatch.setattr(pool, "POOL_MIN_BYTES", 0)
    config = _config([path], tmp_path / "two", workers=2)
    two = pipeline.run(replace(config, nlp="spacy"))
    assert (one.records, one.findings) == (two.records, two.findings)
    rows = _rows(tmp_path / "one")
    assert any(r["entity_type"] == "PERSON" for r in rows)
    assert rows == _rows(tmp_path / "two")


def test_scan_collects_garbage_rarely_and_restores_the_threshold(corpus, tmp_path, monkeypatch):
    import gc

    from scanner import worker

    seen = []
    real = worker.SourceScanner.run_task

    def run_task(self, task, sink):
        seen.append(gc.get_threshold()[0])
        return real(self, task, sink)

    monkeypatch.setattr(worker.SourceScanner, "run_task", run_task)
    before = gc.get_threshold()
    pipeline.run(_config([corpus / "big.jsonl"], tmp_path / "o", workers=1))
    assert seen and set(seen) == {worker.GC_THRESHOLD}
    assert gc.get_threshold() == before
