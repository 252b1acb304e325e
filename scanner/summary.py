"""What a scan tells a person on stderr when it is done: the closing summary.

(The progress line while it runs is :mod:`scanner.progress`.)
"""

from __future__ import annotations

import sys
from typing import TextIO

from scanner.pipeline import ScanResult


def print_summary(
    result: ScanResult, *, include_values: bool, stream: TextIO | None = None
) -> None:
    """The closing summary: counts, then findings by category and entity, undeclared first."""
    out = stream or sys.stderr
    rate = result.bytes_read / max(result.seconds, 1e-6) / 1e6
    out.write(
        f"catoscan: scan {result.scan_id} committed to {result.out}\n"
        f"  {_files(result.files)} ({_count(result.sources, 'stream')}), "
        f"{result.records:,} records, {result.bytes_read / 1e6:.1f} MB "
        f"in {result.seconds:.1f} s ({rate:.1f} MB/s)\n"
        f"  {result.findings:,} findings, {result.undeclared:,} undeclared; "
        f"{result.errors} read errors in {result.failed_sources} unreadable files or members\n"
    )
    if result.carried is not None:
        scan_id, carried = result.carried
        out.write(
            f"  {_files(carried)} unchanged since scan {scan_id} carried forward (--incremental)\n"
        )
    if result.excluded:
        out.write(f"  {_files(result.excluded)} left out by --include/--exclude\n")
    if result.resumed is not None:
        scan_id, resumed = result.resumed
        out.write(
            f"  {_files(resumed)} finished by interrupted scan {scan_id} "
            f"{'was' if resumed == 1 else 'were'} not read again\n"
        )
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


def _count(count: int, noun: str) -> str:
    """``1 file``, ``2 files``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _files(count: int) -> str:
    return _count(count, "file")
