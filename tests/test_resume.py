"""Interrupted scans: finished input files are checkpointed and kept for ``scan --resume``.

A scan stopped before its commit (Ctrl-C, SIGKILL) commits nothing, but keeps what it
finished in ``DIR/.interrupted-<id>/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.dataset import CHECKPOINT, DatasetWriter, read_interrupted, recover
from tests.test_crash_safety import INTERRUPTED, _view

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def tree(tmp_path):
    """A key and a copy of sample_data (25 files, scanned in about half a second)."""
    key = tmp_path / "key"
    key.write_text("ab" * 32)
    key.chmod(0o600)
    src = tmp_path / "logs"
    shutil.copytree(ROOT / "sample_data", src)
    return src, key


def _invoke(src, out, key, *extra):
    args = ["scan", str(src), "--out", str(out), "--key-file", str(key), "--nlp", "none"]
    return CliRunner().invoke(cli, [*args, *extra])


def _interrupt(monkeypatch, src, out, key, after, *extra):
    """Scan, pressing Ctrl-C once ``after`` input files are checkpointed."""
    real = DatasetWriter.checkpoint
    done = []

    def checkpoint(self, entry):
        real(self, entry)
        done.append(entry["path"])
        if len(done) == after:
            raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(DatasetWriter, "checkpoint", checkpoint)
        result = _invoke(src, out, key, *extra)
    assert result.exit_code == 130, result.output
    return result


def _lines(out):
    (kept,) = out.glob(".interrupted-*")
    return (kept / CHECKPOINT).read_bytes().splitlines(keepends=True)


def test_ctrl_c_keeps_the_finished_files(tree, tmp_path, monkeypatch):
    src, key = tree
    out = tmp_path / "inv"
    assert _invoke(src, out, key).exit_code == 0
    before = _view(out)
    result = _interrupt(monkeypatch, src, out, key, 3)
    last = result.stderr.rstrip("\n").splitlines()[-1]
    assert last == f"{INTERRUPTED}; 3 finished files kept for --resume"
    assert _view(out) == before  # nothing of it is visible
    assert not list(out.glob(".staging-*"))
    (kept,) = out.glob(".interrupted-*")
    lines = [orjson.loads(line) for line in _lines(out)]
    assert lines[0]["header"]["nlp"] == "none" and len(lines) == 4
    parts = {name for line in lines[1:] for name, _rows in line["parts"]}
    assert {p.name for p in kept.iterdir()} == {CHECKPOINT, "findings"}
    assert {p.name for p in (kept / "findings").iterdir()} == parts
    interrupted = read_interrupted(out)
    assert interrupted.files == 3 and kept.name == f".interrupted-{interrupted.scan_id}"
    # A scan without --resume leaves it alone, and says so.
    result = _invoke(src, out, key)
    assert result.exit_code == 0, result.output
    assert f"an interrupted scan ({interrupted.scan_id}, 3 finished files)" in result.stderr
    assert "--resume" in result.stderr
    assert read_interrupted(out) == interrupted


def test_only_the_newest_interrupted_scan_is_kept(tree, tmp_path, monkeypatch):
    src, key = tree
    out = tmp_path / "inv"
    _interrupt(monkeypatch, src, out, key, 2)
    (first,) = out.glob(".interrupted-*")
    _interrupt(monkeypatch, src, out, key, 1)
    (second,) = out.glob(".interrupted-*")
    assert second.name != first.name and read_interrupted(out).files == 1
    # A staged scan killed later (SIGKILL: no exit code ran) replaces it on the next open.
    killed = out / ".staging-99991231T000000Z-000000"
    shutil.copytree(second, killed)
    recover(out)
    assert [p.name for p in out.glob(".interrupted-*")] == [".interrupted-99991231T000000Z-000000"]
    assert not list(out.glob(".staging-*"))


def test_a_torn_checkpoint_keeps_the_lines_before(tree, tmp_path, monkeypatch):
    src, key = tree
    out = tmp_path / "inv"
    _interrupt(monkeypatch, src, out, key, 3)
    (kept,) = out.glob(".interrupted-*")
    lines = _lines(out)
    # As after SIGKILL in the middle of a write: the last line is cut short.
    stage = out / kept.name.replace(".interrupted-", ".staging-")
    kept.rename(stage)
    (stage / CHECKPOINT).write_bytes(b"".join(lines[:-1]) + lines[-1][:-40])
    recover(out)
    assert _lines(out) == lines[:-1]
    assert read_interrupted(out).files == 2
    # Torn in the header: nothing to keep.
    kept = next(out.glob(".interrupted-*"))
    stage = out / kept.name.replace(".interrupted-", ".staging-")
    kept.rename(stage)
    (stage / CHECKPOINT).write_bytes(lines[0][:10])
    recover(out)
    assert not list(out.glob(".interrupted-*")) and not list(out.glob(".staging-*"))
