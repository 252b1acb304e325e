"""Types are checked, not hoped for: mypy (pyproject.toml's settings) must be clean."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_is_clean(tmp_path):
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install '.[test]' installs it)")
    cache = ROOT / ".mypy_cache"
    cached = cache.exists()
    # The files and settings are pyproject.toml's [tool.mypy]; the cache goes to a temporary
    # folder, so a test run leaves no .mypy_cache/ in the checkout.
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert cache.exists() == cached
