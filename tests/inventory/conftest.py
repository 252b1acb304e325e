"""Fixtures over the fixed dataset of :mod:`.fixed`."""

import shutil

import pytest

from .fixed import COMMON, ERRORS_B, KEY, ONLY_A, ONLY_B, SCAN_A, SCAN_B, write_scan


@pytest.fixture(scope="session")
def fixed_dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("fixed") / "inventory"
    out.mkdir()
    write_scan(out, SCAN_A, COMMON + ONLY_A)
    write_scan(out, SCAN_B, COMMON + ONLY_B, ERRORS_B)
    return out


@pytest.fixture
def dataset(fixed_dataset, tmp_path):
    """A private copy (tests that write reviews.yaml must not change the shared one)."""
    copy = tmp_path / "inventory"
    shutil.copytree(fixed_dataset, copy)
    return copy


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / "key"
    path.write_bytes(KEY)
    path.chmod(0o600)
    return path
