"""A scan killed at any moment (SIGKILL) or interrupted (Ctrl-C) leaves the dataset as it was.

Real ``catoscan scan`` processes on a generated corpus, killed:

- by the clock and by what is on disk: during start-up, once the scan's staging directory
  exists, once it has written Parquet data;
- inside the commit: before the 1st, 2nd, ... rename the commit makes (``os.replace`` is
  wrapped in the child to SIGKILL itself), i.e. before the journal is in place, between
  the partition renames, before the manifest is replaced.

After each kill a reader sees exactly the committed dataset of before (manifest and every
table), or, when the kill came after the commit point, that plus the complete new scan. A
following scan then works, finishes any rolled-forward commit, removes the leftovers, and
every file of before is still there, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.dataset import TABLES, read_manifest, read_table

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "sample_data" / "cef"
BOOT = "from scanner.cli import main; main()"
# Kill this process just before its Nth rename: a crash at an exact point of the commit.
BOOT_KILL_AT_RENAME = """
import os, signal
N, seen, real_replace, real_rename = {n}, [0], os.replace, os.rename
def _count(real):
    def wrapped(*args, **kwargs):
        seen[0] += 1
        if seen[0] == N:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    return wrapped
os.replace, os.rename = _count(real_replace), _count(real_rename)
from scanner.cli import main; main()
"""
INTERRUPTED = "catoscan: interrupted; nothing of this scan was committed"
# With the number of finished files kept for --resume, if any.
INTERRUPTED_LINE = re.compile(re.escape(INTERRUPTED) + r"(; \d+ finished files? kept for --resume)?")


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crash")
    corpus = tmp / "corpus"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "corpus.py"),
            "--out",
            str(corpus),
            "--labels",
            str(tmp / "labels.jsonl"),
            "--scale",
            "20",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    key = tmp / "key"
    key.write_text("ef" * 32)
    key.chmod(0o600)
    # Small writer batches, so a scan writes Parquet data long before it commits.
    cfg = tmp / "cfg"
    cfg.mkdir()
    text = resources.files("configs").joinpath("scanner.yaml").read_text()
    (cfg / "scanner.yaml").write_text(text.replace("batch_rows: 65536", "batch_rows: 500"))
    base = tmp / "base"
    result = _scan_inline(SMALL, base, key)
    assert result.exit_code == 0, result.output
    return corpus, key, cfg, base


def _scan_inline(path, out, key):
    args = ["scan", str(path), "--out", str(out), "--key-file", str(key), "--nlp", "none"]
    return CliRunner().invoke(cli, args)


def _spawn(boot, path, out, key, cfg, *extra):
    args = [sys.executable, "-c", boot, "scan", str(path), "--out", str(out)]
    args += ["--key-file", str(key), "--nlp", "none", "--config-dir", str(cfg), "--no-progress"]
    args += extra
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _view(out):
    """What a reader sees: the manifest's scans and every table's committed rows."""
    scans = read_manifest(out)["scans"]
    tables = {
        t: sorted(
            json.dumps(r, sort_keys=True, default=str) for r in read_table(out, t).to_pylist()
        )
        for t in TABLES
    }
    return scans, tables


def _files(out):
    """Every visible file of the dataset with its sha256 (hidden ones: lock, staging, tmp)."""
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in out.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts)
    }


def _wait_for(proc, ready, timeout=60.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        if ready():
            return True
        time.sleep(0.002)
    return False


def _staged_parquet(out):
    return any(out.glob(".staging-*/**/*.parquet"))


MOMENTS = {
    "startup": lambda out: False,  # killed after a fixed delay, before it touched anything
    "staging": lambda out: any(out.glob(".staging-*")),
    "writing": _staged_parquet,
}


def _kill_run(name, setup, tmp):
    corpus, key, cfg, base = setup
    out = tmp / f"out-{name}"
    shutil.copytree(base, out)
    if name.startswith("rename"):
        proc = _spawn(BOOT_KILL_AT_RENAME.format(n=int(name[6:])), SMALL, out, key, cfg)
        proc.wait(timeout=120)
    else:
        proc = _spawn(BOOT, corpus, out, key, cfg)
        if name == "startup":
            time.sleep(0.3)
        else:
            assert _wait_for(proc, lambda: MOMENTS[name](out)), (name, proc.poll())
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    _, stderr = proc.communicate()
    journal = any(out.glob("_journal-*"))
    return name, out, proc.returncode, journal, stderr


KILLS = ["startup", "staging", "writing", "rename1", "rename2", "rename3", "rename4", "rename5"]


@pytest.fixture(scope="module")
def killed(setup, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("kills")
    with ThreadPoolExecutor(len(KILLS)) as pool:
        runs = list(pool.map(lambda name: _kill_run(name, setup, tmp), KILLS))
    return {run[0]: run[1:] for run in runs}


@pytest.mark.parametrize("name", KILLS)
def test_sigkill_leaves_the_dataset_as_before(name, setup, killed, tmp_path):
    _corpus, key, _cfg, base = setup
    out, returncode, journal, stderr = killed[name]
    before_scans, before_tables = _view(base)
    scans, tables = _view(out)
    if returncode == 0:  # the rename count was past the commit's last one: it finished
        assert name.startswith("rename"), stderr
    else:
        assert returncode == -signal.SIGKILL, stderr
    if scans == before_scans:
        assert tables == before_tables
    else:  # killed after the commit point: all of the new scan, and nothing else
        assert journal or returncode == 0
        assert scans[:-1] == before_scans
        _assert_complete(out, scans[-1], before_tables)
    # A following scan works; it finishes a rolled-forward commit and drops leftovers.
    result = _scan_inline(SMALL, out, key)
    assert result.exit_code == 0, result.output
    after = read_manifest(out)["scans"]
    assert after[: len(before_scans)] == before_scans
    assert len(after) - len(before_scans) == (2 if journal or scans != before_scans else 1)
    for scan in after[len(before_scans) :]:
        _assert_complete(out, scan, before_tables)
    assert not list(out.glob(".staging-*")) and not list(out.glob("_journal-*"))
    old = _files(base)
    now = _files(out)
    changed = {p for p in old if p != "manifest.json" and now.get(p) != old[p]}
    assert changed == set()
    # Hidden temporary files of an interrupted atomic write are invisible to readers, but
    # recovery should remove them too.
    leftovers = sorted(p.name for p in out.iterdir() if p.name.endswith(".tmp"))
    if leftovers:
        pytest.xfail(f"recovery leaves {leftovers}; see the issue 6 note (scanner/dataset.py)")


def _assert_complete(out, entry, before_tables):
    scan_id = entry["scan_id"]
    for table in TABLES:
        rows = read_table(out, table, scan_id)
        if table in ("findings", "errors"):
            assert rows.num_rows == entry["counts"][table], (table, entry["counts"])
    assert read_table(out, "findings").num_rows >= len(before_tables["findings"])


def test_ctrl_c_exits_130_with_one_line_and_commits_nothing(setup, tmp_path):
    corpus, key, cfg, base = setup
    out = tmp_path / "out"
    shutil.copytree(base, out)
    proc = _spawn(BOOT, corpus, out, key, cfg)
    assert _wait_for(proc, lambda: _staged_parquet(out)), proc.poll()
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert INTERRUPTED_LINE.fullmatch(stderr.rstrip("\n").splitlines()[-1]), stderr
    assert stderr.count(INTERRUPTED) == 1 and "Traceback" not in stderr
    assert stdout == ""
    assert _view(out) == _view(base)
    assert not list(out.glob(".staging-*")) and not list(out.glob("_journal-*"))
    assert _files(out) == _files(base)


def _descendants(pid):
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                for child in map(int, fh.read().split()):
                    found += [child, *_descendants(child)]
    except OSError:
        pass
    return found


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _worker_running(out, seq=None, not_pid=None):
    """(pid, task) of a pool worker that has named its running task in the scan's stage."""
    for marker in out.glob(".staging-*/running/*"):
        try:
            pid, task = int(marker.name), int(marker.read_text())
        except (OSError, ValueError):
            continue
        if pid != not_pid and (seq is None or task == seq) and Path(f"/proc/{pid}").exists():
            return pid, task
    return None


def _kill_workers(tmp_path, key_file, kills):
    """Scan 48 MB in two workers; SIGKILL the worker running a task, then (``kills`` 2)
    the worker that runs that task again. Returns (process, stderr, out, the task)."""
    path = tmp_path / "big.jsonl"
    line = {"event_timestamp": "2025-03-14T01:23:45Z", "user_name": "Emily Carter",
            "pad": "x" * 300}
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(100_000):  # 48 MB, six ranges; 20,000 texts keep the workers busy
            fh.write(json.dumps({**line, "src_ip": f"192.0.2.{i % 250 + 1}",
                                 "event_message": f"job {i % 20_000} done"}) + "\n")
    out = tmp_path / "out"
    args = [sys.executable, "-c", BOOT, "scan", str(path), "--out", str(out), "--key-file",
            str(key_file), "--nlp", "none", "--workers", "2", "--no-progress"]
    proc = subprocess.Popen(args, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        victim, seq = None, None
        for _ in range(kills):
            deadline = time.monotonic() + 60
            found = None
            while found is None and time.monotonic() < deadline and proc.poll() is None:
                found = _worker_running(out, seq, victim)
                time.sleep(0.05)
            assert found is not None, "no worker named its task"
            victim, seq = found
            time.sleep(0.3)  # into the task
            os.kill(victim, signal.SIGKILL)
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc, stderr, out, seq, path


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_a_killed_workers_task_is_run_again_and_the_dataset_is_whole(tmp_path, key_file):
    """A pool loses a killed worker's task; the scan runs it again on the new worker, and
    the dataset is the one a single process makes, row for row."""
    proc, stderr, out, seq, path = _kill_workers(tmp_path, key_file, kills=1)
    assert proc.returncode in (0, 1), stderr
    assert "a worker process died (exit code -9) while scanning big.jsonl" in stderr
    assert "scanning it again" in stderr
    one = tmp_path / "one"
    result = CliRunner().invoke(cli, ["scan", str(path), "--out", str(one), "--key-file",
                                      str(key_file), "--nlp", "none", "--workers", "1"])
    assert result.exit_code in (0, 1), result.output
    for table in TABLES:
        a = read_table(out, table).drop_columns(["scan_id"])
        b = read_table(one, table).drop_columns(["scan_id"])
        assert a.equals(b), table


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_a_task_whose_worker_dies_twice_ends_the_scan_with_exit_70(tmp_path, key_file):
    """A task that kills its worker each time (a poison input, memory) is not retried
    forever: the scan stops, names the file and commits nothing."""
    proc, stderr, out, _seq, _path = _kill_workers(tmp_path, key_file, kills=2)
    assert proc.returncode == 70, stderr
    assert "a worker process died 2 times on big.jsonl" in stderr
    assert "nothing of this scan was committed" in stderr
    assert not (out / "manifest.json").exists()
