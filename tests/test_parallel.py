"""Worker processes and split files give the same dataset, row for row, as one process."""

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from scanner import pipeline, plan
from scanner.config import ScanConfig, load_configs
from scanner.dataset import read_table
from scanner.engines import pool
from scanner.hashing import key_id
from scanner.readers import CSV_FORMATS
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
    _csv_file(d / "export.csv")  # split too, its ranges read after its header line
    return d


def _rows(out):
    table = read_table(out, "findings").drop_columns(["scan_id"])
    return table.to_pylist()


def test_workers_and_ranges_match_one_process(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(plan, "CHUNK_BYTES", 64 * 1024)  # big.jsonl becomes several ranges
    monkeypatch.setattr(plan, "BATCH_FILES", 4)  # sample_data's files in several batches
    _entry, ranges = plan.describe(InputFile(corpus / "big.jsonl", "big.jsonl"), None)
    assert len(ranges) > 5
    assert len(plan.describe(InputFile(corpus / "export.csv", "export.csv"), None)[1]) > 5
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
    monkeypatch.setattr(plan, "CHUNK_BYTES", 64 * 1024)
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
    monkeypatch.setattr(plan, "CHUNK_BYTES", 64 * 1024)
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


class _FakePool:
    """The WorkerPool interface the schedule uses, without processes."""

    def __init__(self, size):
        self.size = size
        self.workers = []
        self.sent = []  # (worker number, task seq, attempt, decisions)
        self.rooms = []  # the room left in the log, as each task was sent
        self.started = 0
        for _ in range(size):
            self.start_worker()

    def start_worker(self):
        from scanner.engines.pool import Worker

        self.started += 1
        worker = Worker(self.started, None, None, ready=True)
        self.workers.append(worker)
        return worker

    def idle(self):
        return [w for w in self.workers if w.ready and w.job is None]

    def submit(self, worker, job, payload):
        worker.job = job
        self.sent.append((worker.number, payload[0].seq, payload[0].attempt, list(payload[1])))
        self.rooms.append(payload[2])

    def finish(self, worker, learned):
        from scanner.engines.pool import Done
        from scanner.tasks import TaskResult

        job, worker.job = worker.job, None
        return Done(worker, job, TaskResult(job.seq, None, [], {}, learned=learned))

    def kill(self, worker, exitcode=-9):
        from scanner.engines.pool import Died

        self.workers.remove(worker)
        return Died(worker, worker.job, exitcode, worker.ready)


def _tasks(n, tmp_path=Path("/nonexistent")):
    from scanner.tasks import Task

    return [Task(i, InputFile(tmp_path / f"f{i}.jsonl", f"f{i}.jsonl")) for i in range(n)]


def test_each_task_carries_the_decisions_its_worker_has_not_adopted():
    from scanner.engines.local import _Schedule

    fake = _FakePool(2)
    w1, w2 = fake.workers
    schedule = _Schedule(fake, _tasks(6), limit=5)
    schedule._hand_out()
    assert fake.sent == [(1, 0, 0, []), (2, 1, 0, [])]
    schedule._handle(fake.finish(w1, ["a", "b"]))
    schedule._hand_out()
    schedule._handle(fake.finish(w2, ["c"]))
    schedule._hand_out()
    assert fake.sent[2:] == [(1, 2, 0, ["a", "b"]), (2, 3, 0, ["a", "b", "c"])]
    schedule._handle(fake.finish(w1, ["d", "e", "f"]))  # the limit: "f" is not kept
    schedule._hand_out()
    assert fake.sent[4:] == [(1, 4, 0, ["c", "d", "e"])]
    assert schedule.decisions.entries == ["a", "b", "c", "d", "e"]
    assert fake.rooms == [5, 5, 3, 2, 0]  # a task sent once the log is full notes nothing
    assert sorted(schedule.finished) == [0, 1, 2]
    assert all(r.learned == [] for r in schedule.finished.values())  # not kept twice


def test_a_dead_workers_task_runs_again_once_on_a_new_worker(caplog):
    from scanner.engines.local import _Schedule
    from scanner.errors import EngineError

    fake = _FakePool(2)
    w1, w2 = fake.workers
    schedule = _Schedule(fake, _tasks(3), limit=100)
    schedule._hand_out()
    schedule._handle(fake.finish(w1, ["a"]))
    schedule._handle(fake.kill(w2))  # held task 1
    assert "a worker process died (SIGKILL: killed, or out of memory?) while scanning " \
           "f1.jsonl; scanning it again" in caplog.text
    w3 = fake.workers[-1]
    assert w3.number == 3 and list(schedule.todo)[0].seq == 1
    schedule._hand_out()
    # The rerun goes first, under a part name of its own; the new worker gets the whole log.
    assert fake.sent[2:] == [(1, 1, 1, ["a"]), (3, 2, 0, ["a"])]
    with pytest.raises(EngineError, match=r"died 2 times on f1\.jsonl \(SIGKILL"):
        schedule._handle(fake.kill(w1))


def test_workers_that_keep_dying_idle_end_the_scan(caplog):
    from scanner.engines.local import _Schedule
    from scanner.errors import EngineError

    fake = _FakePool(2)
    schedule = _Schedule(fake, _tasks(3), limit=100)
    for _ in range(4):  # each replaced
        schedule._handle(fake.kill(fake.workers[0], exitcode=1))
    assert caplog.text.count("a worker process died while idle (exit code 1); starting another") == 4
    assert len(fake.workers) == 2
    fake.workers[0].ready = False
    with pytest.raises(EngineError, match=r"worker processes keep dying while starting "
                                          r"\(exit code 1\); rerun with --workers 1"):
        schedule._handle(fake.kill(fake.workers[0], exitcode=1))


def test_a_worker_adopts_the_decisions_it_is_given(tmp_path, monkeypatch):
    """run_shared adopts a task's share of the log and reports only what it learned first."""
    from scanner import dataset
    from scanner.detect.detector import Detector
    from scanner.engines import local
    from scanner.tasks import Task
    from scanner.worker import SourceScanner

    config = _config([tmp_path], tmp_path / "o", workers=2)
    other = Detector(config.configs, nlp="none")  # another worker's detector
    rule = other.route("src_ip")
    other.learning = []
    for ip in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        other.spans(rule, ip)
    log = other.learning
    state = {"scanner": SourceScanner(config), "stage": tmp_path / "stage",
             "schema": dataset.FINDINGS_SCHEMA}
    (tmp_path / "stage" / "parts").mkdir(parents=True)
    monkeypatch.setattr(local, "_STATE", state)
    detector = state["scanner"].detector

    def task(seq, ips):
        path = tmp_path / f"e{seq}.jsonl"
        path.write_text("".join(json.dumps({"event_timestamp": "2025-03-14T01:23:45Z",
                                            "src_ip": ip}) + "\n" for ip in ips))
        return Task(seq, InputFile(path, path.name))

    result = local.run_shared((task(0, ["192.0.2.1", "192.0.2.9"]), log[:2], 100))
    assert [value for _, value, _ in result.learned] == ["192.0.2.9"]  # .1 was adopted
    assert detector.learning is None
    result = local.run_shared((task(1, ["192.0.2.3", "192.0.2.2"]), log[2:], 100))
    assert result.learned == []
    assert pq.read_table(result.part).num_rows == 2  # adopted values are still findings
    assert result.part.name == "task-000001.parquet"
    result = local.run_shared((replace(task(1, ["192.0.2.3"]), attempt=1), [], 100))
    assert result.part.name == "task-000001-1.parquet"  # a rerun's part has its own name
    result = local.run_shared((task(2, ["192.0.2.4", "192.0.2.5", "192.0.2.6"]), [], 2))
    assert [value for _, value, _ in result.learned] == ["192.0.2.4", "192.0.2.5"]  # the room
    result = local.run_shared((task(3, ["192.0.2.7"]), [], 0))
    assert result.learned == []  # the log is full: nothing is noted
    assert pq.read_table(result.part).num_rows == 1
    assert detector.learning is None


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
    monkeypatch.setattr(plan, "CHUNK_BYTES", 64 * 1024)  # ranges after the first wave
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

    from scanner import tuning, worker

    seen = []
    real = worker.SourceScanner.run_task

    def run_task(self, task, sink):
        seen.append(gc.get_threshold()[0])
        return real(self, task, sink)

    monkeypatch.setattr(worker.SourceScanner, "run_task", run_task)
    before = gc.get_threshold()
    pipeline.run(_config([corpus / "big.jsonl"], tmp_path / "o", workers=1))
    assert seen and set(seen) == {tuning.GC_THRESHOLD}
    assert gc.get_threshold() == before


def test_a_block_of_records_runs_no_garbage_collection(tmp_path, monkeypatch):
    """A block's records, columns and findings stay under the threshold: a collection in the
    middle of a block walks all of them (7 collections at a threshold of 20,000)."""
    import gc

    from scanner import worker

    path = tmp_path / "events.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(4096):  # one block, the fields of an eventsFeed connectivity event
            fh.write(json.dumps({
                "event_type": "Connectivity", "event_sub_type": "Connected",
                "time": str(1741915425000 + i), "src_ip": f"10.{i % 200}.{i % 7}.{i % 251}",
                "dest_ip": f"203.0.{i % 113}.{i % 241}", "src_site": f"site-{i % 30}",
                "user_name": f"user{i}", "vpn_user_email": f"user{i}@example.com",
                "src_is_site_or_vpn": "VPN User", "device_name": f"LAPTOP-{i:06d}",
                "mac_address": f"00:1a:2b:{i % 256:02x}:{i // 256 % 256:02x}:0c",
                "os_type": "OS_WINDOWS", "os_version": "10.0.19045",
                "client_version": "5.10.1.1234", "domain_name": f"app{i % 97}.example.org",
                "url": f"https://app{i % 97}.example.org/path/{i}?q={i * 7}",
                "src_country": "United States", "dest_country": "Germany",
                "rule": "Allow all", "action": "Allow", "ISP_name": "Example ISP",
                "pop_name": "Frankfurt", "tunnel_protocol": "DTLS"}) + "\n")
    collections = []
    real = worker.SourceScanner.run_task

    def run_task(self, task, sink):
        gc.collect()  # what the test process made before does not count
        watch = lambda phase, info: phase == "start" and collections.append(info)  # noqa: E731
        gc.callbacks.append(watch)
        try:
            return real(self, task, sink)
        finally:
            gc.callbacks.remove(watch)

    monkeypatch.setattr(worker.SourceScanner, "run_task", run_task)
    result = pipeline.run(_config([path], tmp_path / "o", workers=1))
    assert result.records == 4096 and result.findings > 4096 * 10
    assert collections == []


# -- the worker pool itself (spawned workers running builtins: no catoscan import) --------
def _events_until(workers, kind, timeout=60):
    import time

    from scanner.engines import pool as p

    end = time.monotonic() + timeout
    seen = []
    while time.monotonic() < end:
        seen += workers.wait(timeout=1.0)
        if sum(isinstance(e, getattr(p, kind)) for e in seen) >= 1:
            return seen
    raise AssertionError(f"no {kind} event in {timeout} s: {seen}")


def test_the_pool_runs_jobs_and_returns_a_workers_failure_with_its_traceback():
    import multiprocessing

    from scanner.engines.pool import Done, Ready, RemoteTraceback, WorkerFailed, WorkerPool

    ctx = multiprocessing.get_context("spawn")
    with WorkerPool(1, abs, (-1,), int, ctx=ctx) as workers:
        events = _events_until(workers, "Ready")
        assert [type(e) for e in events] == [Ready]
        (worker,) = workers.idle()
        workers.submit(worker, "job 1", "42")
        (done,) = _events_until(workers, "Done")
        assert isinstance(done, Done) and (done.job, done.value) == ("job 1", 42)
        workers.submit(worker, "job 2", "not a number")
        with pytest.raises(WorkerFailed) as failed:
            _events_until(workers, "Done")
    assert failed.value.job == "job 2" and isinstance(failed.value.error, ValueError)
    cause = failed.value.error.__cause__
    assert isinstance(cause, RemoteTraceback) and "ValueError" in str(cause)
    assert worker.process.exitcode is not None  # stopped when the block was left


def test_a_failing_initializer_is_an_error_not_an_endless_restart():
    import multiprocessing

    from scanner.engines.pool import WorkerFailed, WorkerPool

    with pytest.raises(WorkerFailed) as failed, WorkerPool(
        1, int, ("x",), int, ctx=multiprocessing.get_context("spawn")
    ) as workers:
        _events_until(workers, "Ready")
    assert failed.value.job is None and isinstance(failed.value.error, ValueError)


def test_a_killed_worker_is_reported_with_its_job_and_signal():
    import multiprocessing
    import os
    import signal

    from scanner.engines.pool import Died, WorkerPool

    with WorkerPool(2, abs, (-1,), int, ctx=multiprocessing.get_context("spawn")) as workers:
        while len(workers.idle()) < 2:
            workers.wait(timeout=1.0)
        busy, idle = workers.idle()
        workers.submit(busy, "held", "1")
        _events_until(workers, "Done")
        workers.submit(busy, "held", "2")
        os.kill(idle.pid, signal.SIGKILL)
        died = [e for e in _events_until(workers, "Died") if isinstance(e, Died)]
        assert [(d.worker, d.job, d.exitcode, d.ready) for d in died] == [
            (idle, None, -signal.SIGKILL, True)]
        assert idle not in workers.workers and busy in workers.workers


def test_scan_uses_the_system_allocator_and_restores_arrows_default(corpus, tmp_path, monkeypatch):
    import pyarrow as pa

    from scanner import worker

    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    seen = []
    real = worker.SourceScanner.run_task

    def run_task(self, task, sink):
        seen.append(pa.default_memory_pool().backend_name)
        return real(self, task, sink)

    monkeypatch.setattr(worker.SourceScanner, "run_task", run_task)
    before = pa.default_memory_pool().backend_name
    pipeline.run(_config([corpus / "big.jsonl"], tmp_path / "o", workers=1))
    assert seen and set(seen) == {"system"}
    assert pa.default_memory_pool().backend_name == before


def test_a_users_arrow_allocator_is_left_alone(monkeypatch):
    import pyarrow as pa

    from scanner import tuning

    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "mimalloc")
    before = pa.default_memory_pool()
    with tuning.scanning():
        assert pa.default_memory_pool().backend_name == before.backend_name


def test_a_decision_is_kept_once_per_process(tmp_path):
    """The ValueCache keeps a decision's findings; the detector hands adopted ones over once."""
    from scanner.detect.detector import Detector
    from scanner.valuecache import ValueCache

    config = _config([tmp_path], tmp_path / "o", workers=2)
    other = Detector(config.configs, nlp="none")
    rule = other.route("src_ip")
    other.learning = []
    other.spans(rule, "192.0.2.7")
    detector = Detector(config.configs, nlp="none")
    detector.learning = []
    detector.adopt(other.learning)
    cache = ValueCache(config, detector)

    adopted = cache.finding_values(rule, "192.0.2.7")
    assert [f.entity_type for f in adopted] == ["IP_ADDRESS"]
    assert (id(rule), "192.0.2.7") not in detector._cache  # handed over, not kept twice
    assert detector.learning == []  # adopted: not learned again

    new = cache.finding_values(rule, "192.0.2.8")
    assert [f.entity_type for f in new] == ["IP_ADDRESS"]
    assert (id(rule), "192.0.2.8") not in detector._cache
    assert [value for _, value, _ in detector.learning] == ["192.0.2.8"]  # shared all the same
    size = cache.store.size
    assert cache.finding_values(rule, "192.0.2.8") == new  # from the ValueCache:
    assert cache.store.size == size  # not decided again
    assert detector.spans(rule, "192.0.2.9") == detector.take(rule, "192.0.2.9")


def _csv_file(path, quote=False, bom=True):
    rows = ["Time,User Name,User Email,Source IP,Device Name,Note"]
    for i in range(6000):
        note = f"call 090-5555-{i % 10000:04d}" if i % 3 else ""
        rows.append(f"2025-03-14T01:{i // 60 % 60:02d}:{i % 60:02d}Z,User {i % 7} Carter,"
                    f"u{i % 50}@example.com,192.0.2.{i % 250 + 1},DESKTOP-{i:05X},{note}")
        if i % 1500 == 700:
            rows.append("")  # a blank line: later ranges start one record earlier
        if i % 1500 == 900:
            rows.append("2025-03-14T01:00:00Z,Extra Cells,x@example.com,192.0.2.9,PC,n,more,cells")
    if quote:
        rows[4000] = rows[4000].replace("User 3 Carter", '"Carter, User 3"')
    text = "\n".join(rows) + "\n"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode())
    return rows


@pytest.mark.parametrize("bom", [True, False])
def test_a_csv_file_without_quotes_is_split_and_read_as_one(tmp_path, monkeypatch, bom):
    path = tmp_path / "events_export.csv"
    rows = _csv_file(path, bom=bom)
    whole = pipeline.run(_config([path], tmp_path / "whole", workers=1))
    monkeypatch.setattr(plan, "CHUNK_BYTES", 48 * 1024)
    _entry, ranges = plan.describe(InputFile(path, path.name), None)
    assert len(ranges) > 5 and len({r.format for r in ranges}) == 1
    assert ranges[0].format in CSV_FORMATS
    split = pipeline.run(_config([path], tmp_path / "split", workers=1))
    assert (whole.records, whole.findings) == (split.records, split.findings)
    assert _rows(tmp_path / "whole") == _rows(tmp_path / "split")
    # the lines and indexes are the file's: a record a line, but the header and blanks
    # (rows with more cells than the header among them)
    ips = [r for r in _rows(tmp_path / "split") if r["field"] == "Source IP"]
    record_lines = [n for n, row in enumerate(rows, 1) if n > 1 and row]
    assert [r["line"] for r in ips] == record_lines
    assert [r["record_index"] for r in ips] == list(range(len(record_lines)))


def test_a_csv_file_with_a_quote_is_not_split(tmp_path, monkeypatch):
    monkeypatch.setattr(plan, "CHUNK_BYTES", 48 * 1024)
    path = tmp_path / "events_export.csv"
    _csv_file(path, quote=True)
    _entry, ranges = plan.describe(InputFile(path, path.name), None)
    assert ranges == []  # a quoted cell may hold a newline
    _csv_file(path)
    assert plan.describe(InputFile(path, path.name), None)[1]


@pytest.mark.parametrize("name", ["cato.cef", "events_export.csv"])
def test_a_utf16_file_is_read_whole(tmp_path, monkeypatch, name):
    """Its newlines are two bytes and only its start has the BOM: a cut would garble it."""
    monkeypatch.setattr(plan, "CHUNK_BYTES", 48 * 1024)
    path = tmp_path / name
    if name.endswith(".cef"):
        lines = [f"CEF:0|CatoNetworks||1.0|Security|Internet Firewall|5|src=192.0.2.{i % 250} "
                 f"suser=user{i}@example.com" for i in range(3000)]  # fmt: skip
    else:
        lines = ["Time,User Email,Source IP"] + [
            f"2025-03-14T01:00:00Z,user{i}@example.com,192.0.2.{i % 250}" for i in range(3000)
        ]
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-16"))
    assert plan.describe(InputFile(path, path.name), None)[1] == []
    result = pipeline.run(_config([path], tmp_path / "o", workers=1))
    assert result.records == 3000
    emails = [r for r in _rows(tmp_path / "o") if r["entity_type"] == "EMAIL_ADDRESS"]
    assert len(emails) == 3000
