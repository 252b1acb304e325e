"""``scan --resume``: an interrupted scan's finished files are not scanned again.

A scan stopped before its commit (Ctrl-C, SIGKILL) commits nothing, but keeps the files it
finished in ``DIR/.interrupted-<id>/``; ``--resume`` adopts those that are unchanged, and
the result equals a full scan, table for table.
"""

from __future__ import annotations

import json
import shutil
import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.dataset import CHECKPOINT, TABLES, DatasetWriter, read_interrupted, recover
from scanner.evaluation import load_labels
from tests.leakcheck import searchable_values
from tests.test_crash_safety import INTERRUPTED, _files, _finish, _spawn, _view
from tests.test_incremental import _rows
from tests.test_leaks import _everything

ROOT = Path(__file__).resolve().parent.parent
# A task per file, so that each is checkpointed alone (as the fixture below, in-process).
BOOT_FILE_BY_FILE = """
import scanner.plan
scanner.plan.BATCH_FILES = 1
import faults; faults.main()
"""


@pytest.fixture(autouse=True)
def _file_by_file(monkeypatch):
    """A task per small file, so that each is checkpointed alone (batches: see the end)."""
    monkeypatch.setattr("scanner.plan.BATCH_FILES", 1)


def _make_tree(root):
    """sample_data (25 files) and two files with read errors, under ``root``."""
    shutil.copytree(ROOT / "sample_data", root)
    (root / "bad.json.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    lines = [json.dumps({"event_timestamp": "2025-03-14T01:00:00Z", "src_ip": "192.0.2.7"})] * 3
    (root / "broken.jsonl").write_text("\n".join([lines[0], "{broken", *lines[1:]]) + "\n")
    return root


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The tree (not to be changed), a key and a full scan of it: (src, key, full)."""
    tmp = tmp_path_factory.mktemp("resume")
    key = tmp / "key"
    key.write_text("ab" * 32)
    key.chmod(0o600)
    src = _make_tree(tmp / "logs")
    full = tmp / "full"
    assert _invoke(src, full, key).exit_code == 3  # the read errors
    return src, key, full


def _invoke(src, out, key, *extra):
    args = ["scan", str(src), "--out", str(out), "--key-file", str(key), "--nlp", "none"]
    return CliRunner().invoke(cli, [*args, "--no-progress", *extra])


def _interrupt(monkeypatch, src, out, key, after, *extra):
    """Scan, pressing Ctrl-C once ``after`` input files are checkpointed."""
    real = DatasetWriter.checkpoint
    done = []

    def checkpoint(self, entries, **options):
        real(self, entries, **options)
        done.extend(entry["path"] for entry in entries)
        if len(done) >= after:
            raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(DatasetWriter, "checkpoint", checkpoint)
        result = _invoke(src, out, key, *extra)
    assert result.exit_code == 130, result.output
    return result


def _resume(src, out, key, *extra):
    """Scan with --resume; the new manifest entry."""
    result = _invoke(src, out, key, "--resume", *extra)
    assert result.exit_code == 3, result.output
    return json.loads((out / "manifest.json").read_text())["scans"][-1], result.stderr


def _assert_same_as_full(out, entry, full):
    """The scan ``entry`` of ``out`` has the rows and counts of the (only) scan in ``full``."""
    reference = json.loads((full / "manifest.json").read_text())["scans"][-1]
    for table in TABLES:
        assert _rows(out, table, entry["scan_id"]) == _rows(full, table, reference["scan_id"])
    assert entry["counts"] == reference["counts"]
    strip = ("resumed_from", "carried_from")
    inputs = [{k: v for k, v in i.items() if k not in strip} for i in entry["inputs"]]
    assert inputs == reference["inputs"]


def _resumed(entry):
    return {i["path"] for i in entry["inputs"] if "resumed_from" in i}


def _lines(out):
    (kept,) = out.glob(".interrupted-*")
    return (kept / CHECKPOINT).read_bytes().splitlines(keepends=True)


# -- killed and interrupted processes ----------------------------------------------------
def _stop_after_first_file(sig, corpus, out, cfg, tmp):
    """SIGKILL, or Ctrl-C to its process group, once the scan checkpointed its first file."""
    src, key, full = corpus
    shutil.copytree(full, out)  # a dataset with one committed scan
    faults = tmp / f"faults-{sig.name}"
    faults.mkdir()
    env = {"CATOSCAN_FAULT": "checkpoint=1", "CATOSCAN_FAULT_DIR": str(faults)}
    if sig == signal.SIGINT:
        env["CATOSCAN_FAULT_ACTION"] = "interrupt"
    proc = _spawn(BOOT_FILE_BY_FILE, src, out, key, cfg, env=env)
    _, stderr = _finish(proc)
    assert (faults / "fired").read_text().split()[0] == "checkpoint=1", stderr
    return proc.returncode, stderr


@pytest.fixture(scope="module")
def stopped(corpus, tmp_path_factory):
    """A scan SIGKILLed and one Ctrl-C'd once they finished a file, each in a copy of full."""
    tmp = tmp_path_factory.mktemp("stopped")
    (tmp / "cfg").mkdir()  # no file: the packaged configuration
    runs = {signal.SIGKILL: tmp / "killed", signal.SIGINT: tmp / "interrupted"}
    with ThreadPoolExecutor(2) as pool:
        done = pool.map(lambda s: _stop_after_first_file(s, corpus, runs[s], tmp / "cfg", tmp),
                        runs)
        return {sig: (runs[sig], *run) for sig, run in zip(runs, done, strict=True)}


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["sigkill", "ctrl-c"])
def test_resume_after_a_stop_equals_a_full_scan(sig, corpus, stopped):
    src, key, full = corpus
    out, returncode, stderr = stopped[sig]
    # Nothing of the stopped scan is visible: the dataset is as before, file for file.
    assert _view(out) == _view(full) and _files(out) == _files(full)
    if sig == signal.SIGKILL:
        assert returncode == -signal.SIGKILL
        (stage,) = out.glob(".staging-*")  # kept as .interrupted-<id> on the next open
        stopped_id = stage.name.removeprefix(".staging-")
    else:
        interrupted = read_interrupted(out)
        assert returncode == 130, stderr
        n = interrupted.files
        last = stderr.rstrip("\n").splitlines()[-1]
        assert last == f"{INTERRUPTED}; {n} finished file{'s' * (n > 1)} kept for --resume"
        stopped_id = interrupted.scan_id
    entry, stderr = _resume(src, out, key)
    assert entry["resumed"]["from"] == stopped_id
    resumed = _resumed(entry)
    assert 1 <= len(resumed) == entry["resumed"]["files"] < len(entry["inputs"])
    n = len(resumed)
    assert f"{n} file{'s' * (n > 1)} finished by interrupted scan {stopped_id}" in stderr
    _assert_same_as_full(out, entry, full)
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".lock"]


# -- interrupted in-process (Ctrl-C after N finished files) ------------------------------
def test_ctrl_c_keeps_the_finished_files_and_no_value(corpus, tmp_path, monkeypatch):
    src, key, _full = corpus
    out = tmp_path / "inv"
    result = _interrupt(monkeypatch, src, out, key, 20)
    last = result.stderr.rstrip("\n").splitlines()[-1]
    assert last == f"{INTERRUPTED}; 20 finished files kept for --resume"
    assert not list(out.glob(".staging-*")) and not (out / "manifest.json").exists()
    (kept,) = out.glob(".interrupted-*")
    lines = [orjson.loads(line) for line in _lines(out)]
    assert lines[0]["header"]["nlp"] == "none" and len(lines) == 21
    parts = {name for line in lines[1:] for name, _rows in line["parts"]}
    assert {p.name for p in kept.iterdir()} == {CHECKPOINT, "findings"}
    assert {p.name for p in (kept / "findings").iterdir()} == parts
    interrupted = read_interrupted(out)
    assert interrupted.files == 20 and kept.name == f".interrupted-{interrupted.scan_id}"
    # What is kept holds no raw value (the findings parts, hashes and masks, included).
    labels = load_labels(ROOT / "tests" / "labels" / "sample_data.jsonl")
    values = searchable_values(labels, ROOT / "sample_data")
    blob = _everything(result, out)
    assert len(values) > 100 and sorted(v for v in values if v in blob) == []
    # A scan without --resume leaves it alone, and says so.
    result = _invoke(src, out, key)
    assert f"an interrupted scan ({interrupted.scan_id}, 20 finished files)" in result.stderr
    assert read_interrupted(out) == interrupted


def test_changed_and_incomplete_files_are_scanned_again(tmp_path, monkeypatch, key_file):
    src = _make_tree(tmp_path / "logs")
    key = key_file
    out = tmp_path / "inv"
    _interrupt(monkeypatch, src, out, key, 6)
    lines = [orjson.loads(line) for line in _lines(out)[1:]]
    finished = [line["inputs"][0]["path"] for line in lines]
    # One finished file changes; one loses a findings part (as after a power cut).
    with open(src / finished[0], "a", encoding="utf-8") as fh:
        fh.write("\n")
    part = next(name for line in lines[2:] if line["parts"] for name, _rows in line["parts"])
    (read_interrupted(out).path / "findings" / part).unlink()
    lost = next(line["inputs"][0]["path"] for line in lines if part in dict(line["parts"]))
    entry, _stderr = _resume(src, out, key)
    assert _resumed(entry) == set(finished) - {finished[0], lost}
    assert _invoke(src, tmp_path / "full", key).exit_code == 3
    _assert_same_as_full(out, entry, tmp_path / "full")


@pytest.mark.parametrize(
    ("option", "name"),
    [(("--format", "json"), "--format"), (("--min-score", "0.9"), "--min-score")],
)
def test_other_settings_are_not_reused(option, name, corpus, tmp_path, monkeypatch):
    src, key, _full = corpus
    out = tmp_path / "inv"
    _interrupt(monkeypatch, src, out, key, 3)
    interrupted = read_interrupted(out)
    result = _invoke(src, out, key, "--resume", *option)
    assert (
        f"catoscan: --resume: interrupted scan {interrupted.scan_id} was made with another "
        f"{name}; scanning every file\n"
    ) in result.stderr
    entry = json.loads((out / "manifest.json").read_text())["scans"][-1]
    assert entry["resumed"] is None and not _resumed(entry)
    assert read_interrupted(out) == interrupted  # still there, for a scan that matches
    # And the other way round: a scan with the option is not reused without it.
    _interrupt(monkeypatch, src, out, key, 3, *option)
    result = _invoke(src, out, key, "--resume")
    assert f"was made with another {name}; scanning every file" in result.stderr


def test_a_resumed_scan_interrupted_again_resumes_again(corpus, tmp_path, monkeypatch):
    src, key, full = corpus
    # Small ranges: large files are read in pieces, and an input's last piece checkpoints it.
    monkeypatch.setattr("scanner.plan.CHUNK_BYTES", 4096)
    out = tmp_path / "inv"
    _interrupt(monkeypatch, src, out, key, 3)
    first = read_interrupted(out)
    _interrupt(monkeypatch, src, out, key, 8, "--resume")  # 3 adopted, 5 scanned
    second = read_interrupted(out)
    assert second.scan_id != first.scan_id and second.files == 8
    assert not first.path.exists()
    entry, _stderr = _resume(src, out, key)
    assert entry["resumed"] == {"from": second.scan_id, "files": 8}
    _assert_same_as_full(out, entry, full)


def test_incremental_and_resume_together(tmp_path, monkeypatch, key_file):
    src = _make_tree(tmp_path / "logs")
    key = key_file
    out = tmp_path / "inv"
    assert _invoke(src, out, key).exit_code == 3
    changed = sorted(p for p in src.rglob("*") if p.is_file())[::3]
    for path in changed:
        with open(path, "ab") as fh:
            fh.write(b"\n")
    _interrupt(monkeypatch, src, out, key, 4, "--incremental")
    entry, _stderr = _resume(src, out, key, "--incremental")
    carried = {i["path"] for i in entry["inputs"] if "carried_from" in i}
    assert len(carried) == len(entry["inputs"]) - len(changed)
    assert len(_resumed(entry)) == 4 and not carried & _resumed(entry)
    assert _invoke(src, tmp_path / "full", key).exit_code == 3
    _assert_same_as_full(out, entry, tmp_path / "full")


def test_resume_without_an_interrupted_scan_scans_everything(corpus, tmp_path):
    src, key, full = corpus
    out = tmp_path / "inv"
    entry, stderr = _resume(src, out, key)
    assert f"catoscan: --resume: no interrupted scan in {out}; scanning every file\n" in stderr
    assert entry["resumed"] is None
    _assert_same_as_full(out, entry, full)


def test_only_the_newest_interrupted_scan_is_kept(corpus, tmp_path, monkeypatch):
    src, key, _full = corpus
    out = tmp_path / "inv"
    _interrupt(monkeypatch, src, out, key, 2)
    (first,) = out.glob(".interrupted-*")
    _interrupt(monkeypatch, src, out, key, 1)
    (second,) = out.glob(".interrupted-*")
    assert second.name != first.name and read_interrupted(out).files == 1
    # A scan killed later (no exit code ran) replaces it when the next scan opens the dataset.
    killed = out / ".staging-99991231T000000Z-000000"
    shutil.copytree(second, killed)
    recover(out)
    assert [p.name for p in out.glob(".interrupted-*")] == [".interrupted-99991231T000000Z-000000"]
    assert not list(out.glob(".staging-*"))


def test_a_torn_checkpoint_keeps_the_lines_before(corpus, tmp_path, monkeypatch):
    src, key, full = corpus
    out = tmp_path / "inv"
    _interrupt(monkeypatch, src, out, key, 4)
    (kept,) = out.glob(".interrupted-*")
    lines = _lines(out)
    # As after SIGKILL in the middle of a write: the last line is cut short.
    stage = out / kept.name.replace(".interrupted-", ".staging-")
    kept.rename(stage)
    (stage / CHECKPOINT).write_bytes(b"".join(lines[:-1]) + lines[-1][:-40])
    recover(out)
    assert _lines(out) == lines[:-1]
    entry, _stderr = _resume(src, out, key)
    assert entry["resumed"]["files"] == 3
    _assert_same_as_full(out, entry, full)
    # Torn in the header: nothing to keep.
    _interrupt(monkeypatch, src, out, key, 2)
    kept = next(out.glob(".interrupted-*"))
    stage = out / kept.name.replace(".interrupted-", ".staging-")
    kept.rename(stage)
    (stage / CHECKPOINT).write_bytes(lines[0][:10])
    recover(out)
    assert not list(out.glob(".interrupted-*")) and not list(out.glob(".staging-*"))


# -- batches of small files --------------------------------------------------------------
def test_a_batch_of_small_files_is_adopted_whole_or_scanned_again(tmp_path, monkeypatch, key_file):
    """Small files read in one task share a part: a checkpoint line names them all."""
    src = _make_tree(tmp_path / "logs")
    key = key_file
    monkeypatch.setattr("scanner.plan.BATCH_FILES", 4)
    out = tmp_path / "inv"
    _interrupt(monkeypatch, src, out, key, 8)
    lines = [orjson.loads(line) for line in _lines(out)[1:]]
    assert [len(line["inputs"]) for line in lines] == [4, 4]
    assert all(len(line["parts"]) <= 1 for line in lines)
    first = [i["path"] for i in lines[0]["inputs"]]
    second = {i["path"] for i in lines[1]["inputs"]}
    assert read_interrupted(out).files == 8
    # One file of the first batch changes: its three unchanged companions are scanned
    # again with it (their rows are in the same part), the second batch is adopted.
    with open(src / first[1], "a", encoding="utf-8") as fh:
        fh.write("\n")
    entry, stderr = _resume(src, out, key)
    assert _resumed(entry) == second and entry["resumed"]["files"] == 4
    assert "4 files finished by interrupted scan" in stderr
    assert _invoke(src, tmp_path / "full", key).exit_code == 3
    _assert_same_as_full(out, entry, tmp_path / "full")


def test_batches_resume_into_the_same_dataset_as_a_full_scan(corpus, tmp_path, monkeypatch):
    src, key, full = corpus
    monkeypatch.setattr("scanner.plan.BATCH_FILES", 3)
    out = tmp_path / "inv"
    _interrupt(monkeypatch, src, out, key, 9)
    entry, _stderr = _resume(src, out, key)
    assert entry["resumed"]["files"] == 9
    _assert_same_as_full(out, entry, full)
