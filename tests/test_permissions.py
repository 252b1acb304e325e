"""What a scan writes is as private as what it holds.

With ``--include-values`` the dataset holds raw personal data: its folder becomes 0700 and
every file and folder the scan makes (parts written by workers, the stage, the journal and
the lock included) 0600/0700, whatever the umask. Without it, modes follow the umask, as
for any tool. An ``--out`` that cannot be written is a one-line error (exit 74, as every
write the system refuses).
"""

import os
import shutil
import stat
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner import pipeline, plan
from scanner.cli import cli
from scanner.config import ScanConfig, load_configs
from scanner.engines import pool
from scanner.hashing import key_id

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def _umask(mask):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def _modes(out):
    """(path, mode) of every file and folder of the dataset, the folder itself included."""
    found = {".": stat.S_IMODE(out.stat().st_mode)}
    for path in out.rglob("*"):
        found[path.relative_to(out).as_posix()] = stat.S_IMODE(path.stat().st_mode)
    return found


def _scan(out, key, *extra):
    return CliRunner().invoke(
        cli,
        [
            "scan",
            str(ROOT / "sample_data"),
            "--out",
            str(out),
            "--key-file",
            str(key),
            "--nlp",
            "none",
            *extra,
        ],
    )


def test_include_values_makes_the_dataset_private(tmp_path, key_file):
    out = tmp_path / "inv"
    with _umask(0o022):
        assert _scan(out, key_file, "--include-values").exit_code == 0
        assert os.umask(0o022) == 0o022  # the process's umask is given back
    modes = _modes(out)
    assert {m for p, m in modes.items() if (out / p).is_file()} == {0o600}
    assert {m for p, m in modes.items() if (out / p).is_dir()} == {0o700}
    assert {".lock", "manifest.json", "findings"} <= set(modes)


def test_a_dataset_that_gets_values_later_is_closed_to_others(tmp_path, key_file):
    out = tmp_path / "inv"
    with _umask(0o022):
        assert _scan(out, key_file).exit_code == 0
        assert _modes(out)["."] == 0o755
        assert _scan(out, key_file, "--include-values").exit_code == 0
    modes = _modes(out)
    assert modes["."] == 0o700 and modes[".lock"] == 0o600  # nobody else reaches inside
    new = {p: m for p, m in modes.items() if _second_scan(out) in p}
    assert {m for p, m in new.items() if (out / p).is_file()} == {0o600}


def _second_scan(out):
    import json

    return json.loads((out / "manifest.json").read_text())["scans"][-1]["scan_id"]


def test_parts_written_by_workers_are_private_too(tmp_path, monkeypatch):
    key = b"permission-test-key-0123456789abcd"
    src = tmp_path / "logs"
    shutil.copytree(ROOT / "sample_data" / "cef", src / "a")
    shutil.copytree(ROOT / "sample_data" / "events", src / "b")
    monkeypatch.setattr(pool, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(plan, "BATCH_FILES", 1)
    config = ScanConfig(
        paths=(src,),
        out=tmp_path / "inv",
        configs=load_configs(),
        key=key,
        key_id=key_id(key),
        key_source="test",
        nlp="none",
        workers=2,
        include_values=True,
    )
    with _umask(0o022):
        result = pipeline.run(config)
    assert result.findings > 0
    parts = list((tmp_path / "inv" / "findings").rglob("*.parquet"))
    assert len(parts) >= 1
    assert {stat.S_IMODE(p.stat().st_mode) for p in parts} == {0o600}


@pytest.mark.parametrize("mask", [0o022, 0o027])
def test_without_values_modes_follow_the_umask(mask, tmp_path, key_file):
    out = tmp_path / "inv"
    with _umask(mask):
        assert _scan(out, key_file).exit_code == 0
    modes = _modes(out)
    files = {m for p, m in modes.items() if (out / p).is_file()}
    folders = {m for p, m in modes.items() if (out / p).is_dir()}
    assert files == {0o666 & ~mask} and folders == {0o777 & ~mask}


@contextmanager
def _unwritable(folder):
    """Make an existing folder unwritable, for root too (the immutable flag) if need be."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    if (
        shutil.which("chattr") is None
        or subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0
    ):
        pytest.skip("running as root without chattr +i: no folder is unwritable")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_an_existing_out_that_cannot_be_written_is_a_one_line_error(tmp_path, key_file):
    out = tmp_path / "inv"
    out.mkdir()
    with _unwritable(out):
        result = _scan(out, key_file)
    assert result.exit_code == 74, result.output
    reason = "operation not permitted" if os.geteuid() == 0 else "permission denied"
    assert result.output == f"catoscan: {out}: {reason}; nothing of this scan was committed\n"
    assert list(out.iterdir()) == []
