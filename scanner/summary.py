"""What a scan tells a person on stderr: a progress line and the closing summary."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from scanner.pipeline import Progress, ScanResult


class StderrProgress(Progress):
    """A one-line progress display (files, records, MB/s), redrawn at most 4 times a second."""

    def __init__(self, enabled: bool, stream: TextIO | None = None):
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.files = 0
        self.records = 0
        self.bytes = 0
        self._drawn = 0.0

    def file_started(self, display: str) -> None:  # noqa: D102
        self.files += 1
        self._draw()

    def advance(self, records: int, bytes_done: int) -> None:  # noqa: D102
        self.records += records
        self.bytes = bytes_done
        self._draw()

    def _draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._drawn < 0.25:
            return
        self._drawn = now
        rate = self.bytes / max(now - self.started, 1e-6) / 1e6
        self.stream.write(
            f"\rcatoscan: {self.files} files  {self.records:,} records  {rate:.1f} MB/s   "
        )
        self.stream.flush()

    def close(self) -> None:  # noqa: D102
        if self.enabled:
            self._draw(force=True)
            self.stream.write("\n")
            self.stream.flush()


def print_summary(
    result: ScanResult, *, include_values: bool, stream: TextIO | None = None
) -> None:
    """The closing summary: counts, then findings by category and entity, undeclared first."""
    out = stream or sys.stderr
    rate = result.bytes_read / max(result.seconds, 1e-6) / 1e6
    out.write(
        f"catoscan: scan {result.scan_id} committed to {result.out}\n"
        f"  {result.files} files ({result.sources} streams), {result.records:,} records, "
        f"{result.bytes_read / 1e6:.1f} MB in {result.seconds:.1f} s ({rate:.1f} MB/s)\n"
        f"  {result.findings:,} findings, {result.undeclared:,} undeclared; "
        f"{result.errors} read errors in {result.failed_sources} unreadable files or members\n"
    )
    if result.resumed is not None:
        scan_id, files = result.resumed
        out.write(f"  {files} files finished by interrupted scan {scan_id} were not read again\n")
    if include_values:
        out.write("  WARNING: --include-values: this dataset holds raw personal data\n")
    rows = sorted(
        result.by_entity.items(),
        key=lambda kv: (kv[0][3], kv[0][0], kv[0][2]),
    )
    for declared in (False, True):
        group = [(k, n) for k, n in rows if k[3] == declared]
        if not group:
            continue
        title = (
            "Declared in the privacy policy" if declared else "NOT DECLARED in the privacy policy"
        )
        out.write(f"  {title}:\n")
        for (categories, element, entity, _d), count in group:
            out.write(f"    {','.join(categories):<24} {element:<32} {entity:<14} {count:>9,}\n")
    if result.errors:
        out.write(f"  see {result.out}/errors/ for what could not be read\n")
    if result.interrupted is not None:
        scan_id, files = result.interrupted
        out.write(
            f"  an interrupted scan ({scan_id}, {files} finished files) is kept in "
            f"{result.out}: scan the same files with --resume to reuse them\n"
        )
    out.flush()
