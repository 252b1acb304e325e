"""The closing summary counts files in words a person reads: one file, two files."""

import io
from pathlib import Path

import pytest

from scanner.pipeline import ScanResult
from scanner.summary import print_summary


def _summary(**counts) -> str:
    out = io.StringIO()
    print_summary(ScanResult("s1", Path("inv"), **counts), include_values=False, stream=out)
    return out.getvalue()


@pytest.mark.parametrize(("n", "files", "verb"), [(1, "1 file", "was"), (3, "3 files", "were")])
def test_resumed_carried_and_excluded_files_are_counted_in_the_right_number(n, files, verb):
    text = _summary(resumed=("s0", n), carried=("s0", n), excluded=n)
    assert f"  {files} finished by interrupted scan s0 {verb} not read again\n" in text
    assert f"  {files} unchanged since scan s0 carried forward (--incremental)\n" in text
    assert f"  {files} left out by --include/--exclude\n" in text
    assert _summary(files=1, sources=1).splitlines()[1].startswith("  1 file (1 stream), ")
