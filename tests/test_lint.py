"""Style is enforced, not suggested: ruff (pycodestyle, pyflakes, docstrings) must be clean."""

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def ruff_command() -> list[str] | None:
    """How to run ruff: from the PATH, else as the module of this interpreter, else None."""
    ruff = shutil.which("ruff")
    if ruff is not None:
        return [ruff]
    # Installed in this environment but its scripts are not on the PATH (a venv not activated).
    if importlib.util.find_spec("ruff") is not None:
        return [sys.executable, "-m", "ruff"]
    return None


def test_ruff_is_clean():
    ruff = ruff_command()
    if ruff is None:
        pytest.skip("ruff is not installed (pip install '.[test]' installs it)")
    cache = ROOT / ".ruff_cache"
    cached = cache.exists()
    # --no-cache: a test run leaves no .ruff_cache/ in the checkout.
    result = subprocess.run(
        [*ruff, "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert cache.exists() == cached


def test_ruff_is_found_when_only_importable(monkeypatch):
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed (pip install '.[test]' installs it)")
    monkeypatch.setattr(shutil, "which", lambda name: None)  # a venv whose bin is not on PATH
    assert ruff_command() == [sys.executable, "-m", "ruff"]
    version = subprocess.run([*ruff_command(), "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("ruff "), version
