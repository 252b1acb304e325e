"""When the system refuses a resource: one line on stderr and exit code 74, never a traceback.

No space left (a real full file system: a small tmpfs, which needs root, skipped with the
reason where it cannot be mounted; a real file-size limit, RLIMIT_FSIZE, anywhere; a worker
process told ENOSPC by the test-only :mod:`faults`), a disk quota, a read-only file system,
permission denied on the dataset, too many open files (a real RLIMIT_NOFILE), a default key
that cannot be created. The dataset stays as readers saw it, the finished files are kept,
and ``--resume`` completes the scan once the resource is back. The commands that write
files (retention, review, prune, report --html) say the same in one line and leave no
truncated file behind.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.dataset import TABLES, journal, parts, read_interrupted, read_manifest, read_table
from scanner.engines import pool
from scanner.errors import ResourceError
from tests.test_crash_safety import _files, _view
from tests.test_incremental import _rows

ROOT = Path(__file__).resolve().parent.parent
EXIT_RESOURCE = 74
FILES = 6
#: The findings part of the last input (ten times the records of the others) is over this;
#: every other file the scan writes stays under it.
FSIZE_LIMIT = 256 * 1024
#: The sizes in a line about a full disk: ``(this scan had written 1.2 MB there, 4 KB free)``.
SIZE = r"[\d.]+ [KMG]?B"
NOT_COMMITTED = "nothing of this scan was committed"
KEPT = r"(; (?P<kept>\d+) finished files? kept for --resume)?"
NO_SPACE = re.compile(
    rf"catoscan: (?P<out>.+): no space left on the device \(this scan had written "
    rf"(?P<written>{SIZE}) there, (?P<free>{SIZE}) free\); {NOT_COMMITTED}{KEPT}"
)
TOO_LARGE = re.compile(
    rf"catoscan: (?P<out>.+): file too large for the file system or for ulimit -f \(this scan "
    rf"had written (?P<written>{SIZE}) there\); {NOT_COMMITTED}{KEPT}"
)
#: Seconds a scan in a subprocess may take before it counts as hung.
HUNG = 120


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    """Six files over 1 MB (a task each): five of 600 records, the last of 6,000.

    Each record holds an e-mail address and an IP address; the returned ``full`` is the
    dataset of one clean scan of them.
    """
    root = tmp_path_factory.mktemp("resources")
    src = root / "logs"
    src.mkdir()
    for f in range(FILES):
        records, pad = (6000, "z" * 100) if f == FILES - 1 else (600, "z" * 2000)
        with open(src / f"events{f}.jsonl", "w") as fh:
            for i in range(records):
                record = {
                    "event_timestamp": "2025-03-14T01:23:45Z",
                    "vpn_user_email": f"user{f}x{i}@example.com",
                    "src_ip": f"10.{f}.{i // 256}.{i % 256}",
                    "pad": pad,  # one value repeated: read, decided once, no finding
                }
                fh.write(json.dumps(record) + "\n")
    key = root / "key"
    key.write_text("ab" * 32)
    key.chmod(0o600)
    full = root / "full"
    assert _scan(src, full, key).exit_code == 0
    return src, key, full


def _scan(src, out, key, *extra):
    args = ["scan", str(src), "--out", str(out), "--key-file", str(key), "--nlp", "none"]
    return CliRunner().invoke(cli, [*args, "--no-progress", *extra])


def _committed(src, out, key):
    """A dataset holding one committed scan (of the first input); what a reader sees of it."""
    assert _scan(src / "events0.jsonl", out, key).exit_code == 0
    return _view(out), _files(out)


def _same_as_full(out, full):
    """The last scan of ``out`` holds the rows of the clean scan ``full``, table by table."""
    entry = read_manifest(out)["scans"][-1]
    reference = read_manifest(full)["scans"][-1]
    for table in TABLES:
        assert _rows(out, table, entry["scan_id"]) == _rows(full, table, reference["scan_id"])
    return entry


def _resume_completes(src, out, key, full, kept, *extra):
    """``--resume`` adopts the ``kept`` files and the scan equals a clean one."""
    result = _scan(src, out, key, "--resume", *extra)
    assert result.exit_code == 0, result.output
    if kept:
        assert f"{kept} {'file' if kept == 1 else 'files'} finished by interrupted scan" in (
            result.stderr
        )
    entry = _same_as_full(out, full)
    assert (entry["resumed"] or {}).get("files", 0) == kept


# -- subprocesses with a limit of the system ------------------------------------------------
BOOT = """
import resource, signal
signal.signal(signal.SIGINT, signal.default_int_handler)
{limit}
from scanner.engines import pool
from scanner.errors import ResourceError
pool.POOL_MIN_BYTES = 0  # --workers 2 pools these few MB
from scanner.cli import main
main()
"""


def _limited(limit, *args, env=None):
    """Run ``catoscan *args`` after the Python ``limit``; (returncode, stdout, stderr)."""
    return _run(BOOT.format(limit=limit), *args, env=env)


def _run(script, *args, env=None):
    """Run Python ``script`` with ``args`` in a process group of its own, this checkout first."""
    path = os.pathsep.join([str(ROOT), str(ROOT / "tests")])
    env = {**os.environ, "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=HUNG)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"{' '.join(map(str, args))}: hung for {HUNG} s")
    return proc.returncode, stdout, stderr


def _fsize(limit):
    """Python that limits the size of every file the process (and its children) writes."""
    # A write past the limit fails with EFBIG instead of killing the process with SIGXFSZ.
    return (
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))"
    )


@pytest.mark.parametrize("workers", [1, 2], ids=["inline", "pool"])
def test_a_file_size_limit_exits_74_and_resume_completes(logs, tmp_path, workers):
    """A real write refused by the kernel (EFBIG), in the scan or in a worker process."""
    src, key, full = logs
    out = tmp_path / "inv"
    before = _committed(src, out, key)
    common = ("scan", src, "--out", out, "--key-file", key, "--nlp", "none", "--no-progress")
    code, stdout, stderr = _limited(_fsize(FSIZE_LIMIT), *common, "--workers", workers)
    assert code == EXIT_RESOURCE, stderr
    assert stdout == ""
    (line,) = stderr.splitlines()
    match = TOO_LARGE.fullmatch(line)
    assert match, line
    assert match["out"] == str(out)
    kept = int(match["kept"] or 0)
    # Inline, every file before the last is finished; in a pool, the failure may overtake
    # the results of tasks still running on the other worker.
    assert kept == FILES - 1 if workers == 1 else 1 <= kept <= FILES - 1
    assert read_interrupted(out).files == kept
    assert (_view(out), _files(out)) == before  # the dataset is as it was
    _resume_completes(src, out, key, full, kept, "--workers", str(workers))


def test_a_worker_finding_the_disk_full_exits_74_and_resume_completes(logs, tmp_path):
    """ENOSPC in a worker process (the faults module tells it so, task 3 of 6)."""
    src, key, full = logs
    out = tmp_path / "inv"
    before = _committed(src, out, key)
    fault_dir = tmp_path / "faults"
    fault_dir.mkdir()
    env = {
        "CATOSCAN_FAULT": "enospc=3",
        "CATOSCAN_FAULT_DIR": str(fault_dir),
        "CATOSCAN_FAULT_CHUNK_BYTES": str(4 * 1024**2),  # a pool, a task per file
    }
    common = ("scan", src, "--out", out, "--key-file", key, "--nlp", "none", "--no-progress")
    code, stdout, stderr = _run("import faults; faults.main()", *common, "--workers", 2, env=env)
    assert code == EXIT_RESOURCE, stderr
    assert (fault_dir / "fired").read_text().split()[0] == "enospc=3"
    (line,) = stderr.splitlines()
    match = NO_SPACE.fullmatch(line)
    assert match, line
    assert match["out"] == str(out)
    kept = int(match["kept"] or 0)
    assert kept <= 3  # the files of tasks 0 to 2, as far as they were merged
    assert (_view(out), _files(out)) == before
    _resume_completes(src, out, key, full, kept, "--workers", "2")


NOFILE = """
import json, os, resource, sys
from click.testing import CliRunner
from scanner.cli import cli

def free_below(limit):
    # The file descriptors a process under this RLIMIT_NOFILE can still open.
    taken = 0
    for fd in range(limit):
        try:
            os.fstat(fd)
            taken += 1
        except OSError:
            pass
    return limit - taken

src, out, key = sys.argv[1:4]
args = ["--key-file", key, "--nlp", "none", "--no-progress", "--workers", "1"]
runner = CliRunner()
# Everything a scan imports is imported, and its caches are warm.
assert runner.invoke(cli, ["scan", src, "--out", out + "-warm", *args]).exit_code == 0
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
runs = []
for free in range(1, 9):
    limit = 0
    while free_below(limit) < free:
        limit += 1
    dataset = f"{out}-{free}"
    first = runner.invoke(cli, ["scan", src + "/events0.jsonl", "--out", dataset, *args])
    assert first.exit_code == 0, first.output
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
    try:
        result = runner.invoke(cli, ["scan", src, "--out", dataset, *args])
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    runs.append([free, limit, dataset, result.exit_code, result.stderr])
print(json.dumps(runs))
"""


def test_too_many_open_files_is_the_systems_fault_not_the_inputs(logs, tmp_path):
    """With 1 to 8 file descriptors left, a scan works or ends with 74; no input is to blame.

    A real RLIMIT_NOFILE, set in the scanning process once it has imported everything (a
    scan before), so that the limit strikes inside the scan: at the inputs, at the
    dataset's files. An input that cannot be opened for want of a descriptor is not an
    unreadable input: any file would fail.
    """
    src, key, full = logs
    out = tmp_path / "inv"
    code, stdout, stderr = _run(NOFILE, src, out, key)
    assert code == 0, stderr
    failed = 0
    for free, limit, dataset, exit_code, err in json.loads(stdout):
        dataset = Path(dataset)
        assert "cannot read" not in err, (free, err)
        if exit_code == 0:
            _same_as_full(dataset, full)
            assert not read_table(dataset, "errors").num_rows
            continue
        failed += 1
        assert exit_code == EXIT_RESOURCE, (free, err)
        assert re.fullmatch(
            rf"catoscan: too many open files \(this process may open {limit}: raise ulimit -n, "
            rf"or use fewer --workers\); {NOT_COMMITTED}{KEPT}\n",
            err,
        ), (free, err)
        assert len(read_manifest(dataset)["scans"]) == 1  # the first scan's, as before
        result = _scan(src, dataset, key, "--resume")
        assert result.exit_code == 0, result.output
        _same_as_full(dataset, full)
    assert failed, stdout  # the limit did strike


# -- a real full file system: a tmpfs -------------------------------------------------------
@pytest.fixture
def volume(tmp_path):
    """A mounted 8 MB tmpfs: a file system that really runs out of space (ENOSPC)."""
    mount = tmp_path / "volume"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs (a volume that can be filled) needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def _fill(volume, room):
    """Fill the volume but for ``room`` bytes; the filler file is returned."""
    filler = volume / "filler"
    free = shutil.disk_usage(volume).free
    with open(filler, "wb") as fh:
        fh.write(b"\0" * max(free - room, 0))
    return filler


def _size(path):
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


@pytest.mark.parametrize("workers", [1, 2], ids=["inline", "pool"])
def test_a_full_volume_exits_74_in_one_line_and_resume_completes(
    logs, volume, workers, monkeypatch
):
    src, key, full = logs
    monkeypatch.setattr(pool, "POOL_MIN_BYTES", 0)  # workers write the findings parts
    out = volume / "inv"
    before = _committed(src, out, key)
    filler = _fill(volume, _size(full) // 2)  # room for the small files, not the last

    result = _scan(src, out, key, "--workers", str(workers))
    assert result.exit_code == EXIT_RESOURCE, result.output
    (line,) = result.stderr.splitlines()
    match = NO_SPACE.fullmatch(line)
    assert match, line
    assert match["out"] == str(out)
    kept = int(match["kept"] or 0)
    assert 1 <= kept < FILES
    assert read_interrupted(out).files == kept
    assert (_view(out), _files(out)) == before  # the dataset is as it was

    filler.unlink()  # space is freed
    _resume_completes(src, out, key, full, kept, "--workers", str(workers))


def test_a_read_only_file_system_exits_74(logs, volume, tmp_path):
    src, key, _full = logs
    out = volume / "inv"
    before = _committed(src, out, key)
    subprocess.run(["mount", "-o", "remount,ro", str(volume)], check=True)
    result = _scan(src, out, key)
    assert result.exit_code == EXIT_RESOURCE, result.output
    assert result.stderr == f"catoscan: {out}: read-only file system; {NOT_COMMITTED}\n"
    assert (_view(out), _files(out)) == before
    # The inventory commands name what they cannot write, with the same exit code.
    manifest = volume / "retention"
    result = CliRunner().invoke(cli, ["retention", str(out), "--out", str(manifest)])
    assert result.exit_code == EXIT_RESOURCE, result.output
    assert result.stderr == f"Error: {manifest}: read-only file system\n"
    html = volume / "report.html"
    result = CliRunner().invoke(cli, ["report", str(out), "--html", str(html)])
    assert result.exit_code == EXIT_RESOURCE, result.output
    assert result.stderr == f"Error: {html}: read-only file system\n"
    assert result.stdout == ""


# -- errors of the system, faked where no real one can be had -------------------------------
def _failing_writes(monkeypatch, code, after):
    """Make every findings part after the first ``after`` fail with ``code``."""
    real = parts.writer
    calls = []

    def writer(path, schema):
        calls.append(path)
        if len(calls) > after:
            raise OSError(code, os.strerror(code), str(path))
        return real(path, schema)

    monkeypatch.setattr(parts, "writer", writer)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.EDQUOT, "disk quota exceeded (this scan had written "),
        (errno.EROFS, "read-only file system;"),
        (errno.EACCES, "permission denied;"),
        (errno.EIO, "input/output error (a failing disk or a lost network share?);"),
    ],
)
def test_a_refused_write_mid_scan_keeps_the_finished_files(
    logs, tmp_path, monkeypatch, code, words
):
    src, key, full = logs
    out = tmp_path / "inv"
    _failing_writes(monkeypatch, code, 2)
    result = _scan(src, out, key, "--workers", "1")
    assert result.exit_code == EXIT_RESOURCE, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"catoscan: {out}: {words}"), line
    assert line.endswith(f"; {NOT_COMMITTED}; 2 finished files kept for --resume"), line
    assert not (out / "manifest.json").exists()
    monkeypatch.undo()
    _resume_completes(src, out, key, full, 2)


def _denied_under(monkeypatch, root, code):
    """Fail every write under ``root`` with ``code``, as the OS would (root is never refused)."""
    real_open, real_mkdir = open, os.mkdir
    root = Path(os.path.abspath(root))

    def refused(path):
        return OSError(code, os.strerror(code), os.fsdecode(path))

    def under(path):
        if not isinstance(path, str | bytes | os.PathLike):
            return False
        return Path(os.path.abspath(os.fsdecode(path))).is_relative_to(root)

    def guarded_open(file, mode="r", *args, **kwargs):
        if under(file) and set(mode) & set("wax+"):
            raise refused(file)
        return real_open(file, mode, *args, **kwargs)

    def guarded_mkdir(path, *args, **kwargs):
        if under(path):
            raise refused(path)
        return real_mkdir(path, *args, **kwargs)

    import builtins
    import io

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    monkeypatch.setattr(os, "mkdir", guarded_mkdir)


@pytest.mark.parametrize(
    ("code", "words"), [(errno.EACCES, "permission denied"), (errno.EROFS, "read-only file system")]
)
def test_a_dataset_folder_that_cannot_be_written_exits_74(logs, tmp_path, monkeypatch, code, words):
    src, key, _full = logs
    out = tmp_path / "inv"
    before = _committed(src, out, key)
    _denied_under(monkeypatch, out, code)
    result = _scan(src, out, key)
    monkeypatch.undo()
    assert result.exit_code == EXIT_RESOURCE, result.output
    assert result.stderr == f"catoscan: {out}: {words}; {NOT_COMMITTED}\n"
    assert (_view(out), _files(out)) == before
    assert sorted(p.name for p in out.iterdir()) == sorted([".lock", *TABLES, "manifest.json"])


def test_a_commit_cut_short_after_its_commit_point_is_finished_by_the_next_scan(
    logs, tmp_path, monkeypatch
):
    src, key, _full = logs
    out = tmp_path / "inv"
    real = journal.write_atomic

    def full_at_the_manifest(path, data):
        if path.name == "manifest.json":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(path, data)

    monkeypatch.setattr(journal, "write_atomic", full_at_the_manifest)
    result = _scan(src / "events0.jsonl", out, key)
    assert result.exit_code == EXIT_RESOURCE, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"catoscan: {out}: no space left on the device (this scan had "), line
    assert line.endswith(
        f"; the scan had reached its commit point: the next scan or prune of {out} completes "
        "its commit"
    ), line
    assert read_manifest(out)["scans"] == []  # readers do not see it yet
    (journal_file,) = out.glob("_journal-*.json")
    scan_id = json.loads(journal_file.read_text())["scan_id"]
    monkeypatch.undo()
    assert _scan(src / "events1.jsonl", out, key).exit_code == 0
    scans = [s["scan_id"] for s in read_manifest(out)["scans"]]
    assert scans[0] == scan_id and len(scans) == 2


def test_a_default_key_that_cannot_be_written_is_not_left_half_written(logs, tmp_path):
    """A real short write (RLIMIT_FSIZE of 16 bytes) of the key catoscan creates once."""
    src, _key, _full = logs
    home = tmp_path / "home"
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "CATOSCAN_KEY_FILE": ""}
    out = tmp_path / "inv"
    common = ("scan", src, "--out", out, "--nlp", "none", "--no-progress")
    code, stdout, stderr = _limited(_fsize(16), *common, env=env)
    key = home / ".config" / "catoscan" / "hmac.key"
    assert code == EXIT_RESOURCE, stderr
    assert stderr == (
        f"catoscan: {key}: file too large for the file system or for ulimit -f; {NOT_COMMITTED}\n"
    )
    assert not key.exists()  # not a 16-byte key that every later scan would use
    assert not out.exists()


# -- the inventory commands that write files ------------------------------------------------
NO_SPACE_ERROR = os.strerror(errno.ENOSPC)


@pytest.fixture
def inventory(logs, tmp_path):
    """A copy of the clean dataset, and a second scan in it (of the first input)."""
    src, key, full = logs
    out = tmp_path / "inv"
    shutil.copytree(full, out)
    assert _scan(src / "events0.jsonl", out, key).exit_code == 0
    return out


def _invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _hidden(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_retention_out_of_space_keeps_the_previous_manifest(inventory, tmp_path, monkeypatch):
    from scanner.inventory import retention

    manifest = tmp_path / "retention"
    assert _invoke("retention", inventory, "--out", manifest).exit_code == 0
    before = {p.name: p.read_bytes() for p in manifest.iterdir()}
    real = retention._write_csv

    def half_then_full(fh, columns, rows):
        real(fh, columns, rows[: len(rows) // 2])
        fh.flush()
        raise OSError(errno.ENOSPC, NO_SPACE_ERROR)

    monkeypatch.setattr(retention, "_write_csv", half_then_full)
    result = _invoke("retention", inventory, "--out", manifest, "--as-of", "2030-01-01")
    assert result.exit_code == EXIT_RESOURCE, result.output
    assert result.stderr == f"Error: {manifest}: no space left on the device\n"
    assert result.stdout == ""
    # No manifest cut short under its final name, no temporary file left taking space.
    assert {p.name: p.read_bytes() for p in manifest.iterdir()} == before


def test_review_out_of_space_keeps_the_decisions(inventory, monkeypatch):
    add = ("review", "add", inventory, "--field", "vpn_user_email", "--entity-type")
    add += ("EMAIL_ADDRESS", "--verdict", "confirmed", "--reason", "seen", "--by", "steward")
    assert _invoke(*add).exit_code == 0
    reviews = inventory / "reviews.yaml"
    before = reviews.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, NO_SPACE_ERROR)

    monkeypatch.setattr(os, "fsync", full)
    result = _invoke(*add[:-3], "again", "--by", "steward")
    monkeypatch.undo()
    assert result.exit_code == EXIT_RESOURCE, result.output
    assert result.stderr == f"Error: {reviews}: no space left on the device\n"
    assert reviews.read_bytes() == before
    assert ".reviews.yaml.tmp" not in _hidden(inventory)


@pytest.mark.parametrize("where", ["journal", "manifest"])
def test_prune_out_of_space(inventory, logs, monkeypatch, where):
    """Before its journal a prune did nothing; after it, the next scan finishes it."""
    src, key, _full = logs
    before = _view(inventory)
    first = before[0][0]["scan_id"]
    real = journal.write_atomic

    def full_at(path, data):
        if path.name.startswith("_journal-" if where == "journal" else "manifest"):
            raise OSError(errno.ENOSPC, NO_SPACE_ERROR, str(path))
        real(path, data)

    monkeypatch.setattr(journal, "write_atomic", full_at)
    result = _invoke("prune", inventory, "--keep-last", "1")
    monkeypatch.undo()
    assert result.exit_code == EXIT_RESOURCE, result.output
    line = f"Error: {inventory}: no space left on the device"
    if where == "manifest":
        line += f"; the prune had passed its commit point: the next scan of {inventory} finishes it"
    assert result.stderr == line + "\n"
    assert _view(inventory) == before  # readers see every scan, whole
    assert not [n for n in _hidden(inventory) if n.endswith(".tmp")]
    assert _scan(src / "events1.jsonl", inventory, key).exit_code == 0
    scans = [s["scan_id"] for s in read_manifest(inventory)["scans"]]
    assert (first in scans) == (where == "journal") and len(scans) == 3 - (where == "manifest")


def test_report_html_out_of_space_keeps_the_previous_page(inventory, tmp_path, monkeypatch):
    html = tmp_path / "report.html"
    assert _invoke("report", inventory, "--html", html).exit_code == 0
    before = html.read_bytes()
    real = Path.write_text

    def half_then_full(self, text, *args, **kwargs):
        real(self, text[: len(text) // 2], *args, **kwargs)
        raise OSError(errno.ENOSPC, NO_SPACE_ERROR)

    monkeypatch.setattr(Path, "write_text", half_then_full)
    result = _invoke("report", inventory, "--html", html)
    monkeypatch.undo()
    assert result.exit_code == EXIT_RESOURCE, result.output
    assert result.stderr == f"Error: {html}: no space left on the device\n"
    assert result.stdout == ""
    assert html.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith("html")) == ["report.html"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_refused_write_while_detecting_a_text_log_is_the_systems_not_a_bug(tmp_path, monkeypatch):
    """A bug met while detecting a reader's records is filed as an internal error of its
    source; a refused findings write there stops the scan, exit 74."""
    import scanner.worker as worker

    src = tmp_path / "logs"
    src.mkdir()
    lines = [f"mail user{i}@example.com from 10.0.{i // 256}.{i % 256}" for i in range(300)]
    (src / "client.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
    key = tmp_path / "key"
    key.write_text("ab" * 32)
    key.chmod(0o600)
    monkeypatch.setattr(worker.columnar.blocks, "BLOCK_RECORDS", 50)  # writes between blocks
    real = worker.SourceScanner._detect

    def records_then_full(self, path, fmt, records, result):
        real(self, path, fmt, records, result)
        if records[0].index >= 100:
            raise ResourceError(errno.ENOSPC, str(tmp_path / "inv"))

    monkeypatch.setattr(worker.SourceScanner, "_detect", records_then_full)
    result = _scan(src, tmp_path / "inv", key, "--workers", "1")
    assert result.exit_code == EXIT_RESOURCE, result.output
    assert "no space left on the device" in result.stderr
    assert "internal error" not in result.stderr
