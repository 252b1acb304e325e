"""A scan killed at any moment (SIGKILL) or interrupted (Ctrl-C) never hangs and never loses data.

Real ``catoscan scan`` processes, each made to die at a named moment by the test-only
:mod:`faults` module (no sleeps, no races with the clock):

- the main process: with the dataset's lock taken, once the stage exists, once it has
  written Parquet data, during the merge of task results, and before each rename of the
  commit (the journal, each table's partition, the ``manifest.json`` replace);
- a worker process: idle, taking a task, in the middle of a task, half-way through sending
  its result, at every run of one task (a poison input), and while starting.

After a main-process death a reader sees exactly the committed dataset of before (or, past
the commit point, that plus the complete new scan), a following scan works and leaves every
file of before as it was, and no process of the scan is left running. After a worker death
the scan runs the lost task again and commits the dataset a clean scan makes, row for row,
or, when the same task kills its worker twice, ends with exit 70, commits nothing and keeps
its finished files for ``--resume``.

Every scan runs in a process group of its own; one that does not end in time is killed
with its whole group and fails the test.
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
import tempfile
import time
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.dataset import TABLES, read_manifest, read_table

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "sample_data" / "cef"
BOOT = "import faults; faults.main()"
INTERRUPTED = "catoscan: interrupted; nothing of this scan was committed"
# With the number of finished files kept for --resume, if any.
INTERRUPTED_LINE = re.compile(re.escape(INTERRUPTED) + r"(; \d+ finished files? kept for --resume)?")
KILLED = "SIGKILL: killed, or out of memory?"
#: Seconds a scan may take before it counts as hung (a clean one takes a few).
HUNG = 120
#: Ranges of this size make the pooled corpus below 16 tasks.
CHUNK = 256 * 1024


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crash")
    corpus = tmp / "corpus"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "corpus.py"), "--out", str(corpus),
         "--labels", str(tmp / "labels.jsonl"), "--scale", "20"],
        cwd=ROOT, check=True, capture_output=True,
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


def _scan_inline(path, out, key, *extra):
    args = ["scan", str(path), "--out", str(out), "--key-file", str(key), "--nlp", "none"]
    return CliRunner().invoke(cli, [*args, *extra])


def _spawn(boot, path, out, key, cfg, *extra, env=None):
    """Start a scan in a process group of its own; SIGINT is Ctrl-C in it, whatever ours is."""
    boot = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler)\n" + boot
    args = [sys.executable, "-c", boot, "scan", str(path), "--out", str(out)]
    args += ["--key-file", str(key), "--nlp", "none", "--config-dir", str(cfg), "--no-progress"]
    args += extra
    path_var = os.pathsep.join([str(ROOT), str(ROOT / "tests")])
    env = {**os.environ, "PYTHONPATH": path_var, **(env or {})}
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )


def _group(pgid):
    """The living (not zombie) processes of process group ``pgid``: pid -> command line."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().rsplit(b")", 1)[1].split()
            if int(stat[2]) == pgid and stat[0] != b"Z":
                with open(f"/proc/{entry}/cmdline", "rb") as fh:
                    found[int(entry)] = fh.read().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue
    return found


def _finish(proc, within=HUNG):
    """Wait for a scan and every process it started; kill the group and fail if it hangs."""
    try:
        # The pipes close when the last process of the group holding them has exited.
        stdout, stderr = proc.communicate(timeout=within)
    except subprocess.TimeoutExpired:
        left = _group(proc.pid)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"the scan hung for {within} s; killed its processes {left}")
    deadline = time.monotonic() + 10
    while (left := _group(proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    if left:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(f"processes of the scan outlived it: {left}")
    return stdout, stderr


def _faulted(tmp, point, path, out, key, cfg, *extra, action=None, chunk=None):
    """Scan with the fault ``point`` armed; (returncode, stdout, stderr, faults fired).

    ``faults.last`` is the fault directory of the last call (what the faults wrote)."""
    faults = Path(tempfile.mkdtemp(prefix="faults-", dir=tmp))
    _faulted.last = faults
    env = {"CATOSCAN_FAULT": point, "CATOSCAN_FAULT_DIR": str(faults)}
    if action:
        env["CATOSCAN_FAULT_ACTION"] = action
    if chunk:
        env["CATOSCAN_FAULT_CHUNK_BYTES"] = str(chunk)
    proc = _spawn(BOOT, path, out, key, cfg, *extra, env=env)
    stdout, stderr = _finish(proc)
    fired_file = faults / "fired"
    fired = [line.split()[0] for line in fired_file.read_text().splitlines()] if fired_file.exists() else []
    return proc.returncode, stdout, stderr, fired


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


# -- the main process dies ----------------------------------------------------------------
#: The renames of a commit: the journal, each table's partition, the manifest.
COMMIT_RENAMES = 5
MAIN_KILLS = ["lock", "stage", "writing", "merge=3"] + [
    f"commit-rename={n}" for n in range(1, COMMIT_RENAMES + 1)
]


def test_the_commit_kill_points_cover_every_rename_of_the_commit(setup, tmp_path):
    _corpus, key, cfg, base = setup
    out = tmp_path / "out"
    shutil.copytree(base, out)
    code, _, stderr, fired = _faulted(tmp_path, "commit-rename=0", SMALL, out, key, cfg)
    assert code == 0 and fired == [], stderr
    renames = (_faulted.last / "renames").read_text().splitlines()
    assert len(renames) == COMMIT_RENAMES, renames
    assert renames[0].startswith(f"{out.name}/_journal-")
    assert [r.split("/")[0] for r in renames[1:4]] == list(TABLES)
    assert renames[-1] == f"{out.name}/manifest.json"


@pytest.fixture(scope="module")
def killed(setup, tmp_path_factory):
    """Each main-process kill point, in its own copy of the base dataset."""
    corpus, key, cfg, base = setup
    tmp = tmp_path_factory.mktemp("kills")
    runs = {}
    for point in MAIN_KILLS:
        out = tmp / f"out-{point}"
        shutil.copytree(base, out)
        if point.startswith("commit-rename"):
            code, _, stderr, fired = _faulted(tmp, point, SMALL, out, key, cfg)
        elif point.startswith("merge"):  # a pooled scan: the workers must not outlive it
            code, _, stderr, fired = _faulted(tmp, point, corpus, out, key, cfg,
                                              "--workers", "2", chunk=CHUNK // 8)
        else:
            code, _, stderr, fired = _faulted(tmp, point, corpus, out, key, cfg)
        journal = any(out.glob("_journal-*"))
        runs[point] = out, code, journal, stderr, fired
    return runs


@pytest.mark.parametrize("point", MAIN_KILLS)
def test_sigkill_leaves_the_dataset_as_before(point, setup, killed, tmp_path):
    _corpus, key, _cfg, base = setup
    out, returncode, journal, stderr, fired = killed[point]
    assert fired == [point], stderr
    assert returncode == -signal.SIGKILL, stderr
    before_scans, before_tables = _view(base)
    scans, tables = _view(out)
    if scans == before_scans:
        assert tables == before_tables
    else:  # killed after the commit point: all of the new scan, and nothing else
        assert journal
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
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_kill_past_the_journal_rolls_the_commit_forward(killed):
    """The commit point is the journal: a kill after it keeps the whole new scan."""
    for n in range(2, COMMIT_RENAMES + 1):
        _out, _code, journal, stderr, _fired = killed[f"commit-rename={n}"]
        assert journal, (n, stderr)
    assert not killed["commit-rename=1"][2]


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
    code, stdout, stderr, fired = _faulted(tmp_path, "writing", corpus, out, key, cfg,
                                           action="interrupt")
    assert fired == ["writing"]
    assert code == 130, stderr
    assert INTERRUPTED_LINE.fullmatch(stderr.rstrip("\n").splitlines()[-1]), stderr
    assert stderr.count(INTERRUPTED) == 1 and "Traceback" not in stderr
    assert stdout == ""
    assert _view(out) == _view(base)
    assert not list(out.glob(".staging-*")) and not list(out.glob("_journal-*"))
    assert _files(out) == _files(base)


# -- a worker process dies --------------------------------------------------------------------
@pytest.fixture(scope="module")
def pooled(setup, tmp_path_factory):
    """Two small files and a 4.5 MB log of 18 ranges, and its clean scan: (src, clean)."""
    _corpus, key, cfg, _base = setup
    tmp = tmp_path_factory.mktemp("pooled")
    src = tmp / "logs"
    shutil.copytree(ROOT / "sample_data" / "cef", src / "a-small")
    names = ["Emily Carter", "Taro Yamada", "Lucas Reed", "Maria Garcia", "Kenji Sato"]
    with open(src / "big.jsonl", "w", encoding="utf-8") as fh:
        for i in range(12_000):  # every range has values of its own to decide and share
            fh.write(json.dumps({
                "event_timestamp": "2025-03-14T01:23:45Z", "user_name": names[i % 5],
                "src_ip": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
                "vpn_user_email": f"user{i}@example.com",
                "event_message": f"job {i} done for host-{i % 997}", "pad": "x" * 180,
            }) + "\n")
    assert (src / "big.jsonl").stat().st_size // CHUNK >= 12  # ranges, and so tasks
    clean = tmp / "clean"
    code, _, stderr, fired = _faulted(tmp, "", src, clean, key, cfg, "--workers", "2",
                                      chunk=CHUNK)
    assert code == 0 and fired == [], stderr
    assert "worker process" not in stderr
    assert read_manifest(clean)["scans"][-1]["workers"] == 2
    return src, clean


def _assert_same_rows(out, clean):
    for table in TABLES:
        a = read_table(out, table).drop_columns(["scan_id"])
        b = read_table(clean, table).drop_columns(["scan_id"])
        assert a.equals(b), table


def _tasks(src):
    """How many tasks a scan of ``src`` makes with ranges of CHUNK bytes."""
    from scanner import plan
    from scanner.sources import InputFile

    saved, plan.CHUNK_BYTES = plan.CHUNK_BYTES, CHUNK
    try:
        _entry, ranges = plan.describe(InputFile(src / "big.jsonl", "big.jsonl"), None)
    finally:
        plan.CHUNK_BYTES = saved
    return 1 + len(ranges)  # the batch of small files, then the ranges


WORKER_DEATHS = {
    "idle": f"a worker process died while idle ({KILLED})",
    "taking": f"a worker process died ({KILLED}) while scanning big.jsonl; scanning it again",
    "task": f"a worker process died ({KILLED}) while scanning big.jsonl; scanning it again",
    "sending": f"a worker process died ({KILLED}) while scanning big.jsonl; scanning it again",
}


@pytest.mark.parametrize("point", list(WORKER_DEATHS))
def test_a_dead_worker_costs_a_rerun_and_the_dataset_is_whole(point, setup, pooled, tmp_path):
    """Whatever the worker was doing, the scan sees its death, replaces it, runs its task
    again if it held one, and commits the rows of a clean scan."""
    _corpus, key, cfg, _base = setup
    src, clean = pooled
    out = tmp_path / "out"
    if point == "idle":  # after the last task, when there is none left to hand out
        point = f"idle={_tasks(src) - 1}"
    elif point in ("task", "sending"):
        point = f"{point}=3"  # a range of big.jsonl
    code, _, stderr, fired = _faulted(tmp_path, point, src, out, key, cfg, "--workers", "2",
                                      chunk=CHUNK)
    assert fired == [point], stderr
    assert code == 0, stderr
    deaths = [line for line in stderr.splitlines() if "worker process died" in line]
    assert deaths == [f"catoscan: {WORKER_DEATHS[point.split('=')[0]]}"], stderr
    _assert_same_rows(out, clean)


def test_a_task_that_kills_its_worker_twice_ends_the_scan_with_exit_70(setup, pooled, tmp_path):
    """A task that kills its worker each time (a poison input, memory) is not retried for
    ever: the scan stops, names the file, commits nothing and keeps its finished files;
    --resume then scans the rest and gives the clean scan's rows."""
    _corpus, key, cfg, _base = setup
    src, clean = pooled
    out = tmp_path / "out"
    code, _, stderr, fired = _faulted(tmp_path, "task-always=5", src, out, key, cfg,
                                      "--workers", "2", chunk=CHUNK)
    assert fired == ["task-always=5", "task-always=5"], stderr
    assert code == 70, stderr
    last = stderr.rstrip("\n").splitlines()[-1]
    assert last == (
        f"catoscan: a worker process died 2 times on big.jsonl ({KILLED}); rerun with "
        "--workers 1, or with --resume to keep the files finished before it; nothing of this "
        "scan was committed; 2 finished files kept for --resume"
    ), stderr
    assert not (out / "manifest.json").exists()
    code, _, stderr, fired = _faulted(tmp_path, "", src, out, key, cfg, "--workers", "2",
                                      "--resume", chunk=CHUNK)
    assert code == 0 and fired == [], stderr
    assert read_manifest(out)["scans"][-1]["resumed"]["files"] == 2
    _assert_same_rows(out, clean)


def test_workers_that_die_as_they_start_end_the_scan_within_seconds(setup, pooled, tmp_path):
    _corpus, key, cfg, _base = setup
    src, _clean = pooled
    out = tmp_path / "out"
    started = time.monotonic()
    code, _, stderr, fired = _faulted(tmp_path, "starting", src, out, key, cfg,
                                      "--workers", "2", chunk=CHUNK)
    assert time.monotonic() - started < 60
    assert code == 70, stderr
    # The scan saw five deaths: two workers and three of their four replacements; the last
    # replacement may have died too before the scan stopped it.
    assert len(fired) in (5, 6), stderr
    assert stderr.rstrip("\n").splitlines()[-1] == (
        f"catoscan: worker processes keep dying while starting ({KILLED}); rerun with "
        "--workers 1; nothing of this scan was committed"
    ), stderr
    assert not (out / "manifest.json").exists()


def test_ctrl_c_stops_a_pooled_scan_and_resume_finishes_it(setup, pooled, tmp_path):
    """Ctrl-C reaches the scan and its workers (a terminal signals the process group): the
    scan exits 130 at once, its workers with it, and --resume completes it."""
    _corpus, key, cfg, _base = setup
    src, clean = pooled
    out = tmp_path / "out"
    code, stdout, stderr, fired = _faulted(tmp_path, "merge=4", src, out, key, cfg,
                                           "--workers", "2", action="interrupt", chunk=CHUNK)
    assert fired == ["merge=4"]
    assert code == 130, stderr
    assert stderr.rstrip("\n").splitlines()[-1] == f"{INTERRUPTED}; 2 finished files kept for --resume"
    assert "Traceback" not in stderr and stdout == ""
    code, _, stderr, fired = _faulted(tmp_path, "", src, out, key, cfg, "--workers", "2",
                                      "--resume", chunk=CHUNK)
    assert code == 0, stderr
    _assert_same_rows(out, clean)
