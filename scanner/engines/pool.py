"""The local engine's worker pool, started early: its start-up overlaps the main process's.

A pooled scan's workers come from a forkserver that imports ``scanner.worker`` (presidio
and spaCy: about 2.5 s). Started when the pool is created, that import comes after the
main process has made the same imports and read the inputs' hashes; started by the scan
command before its own imports, it runs on another core meanwhile. Only scans that will
use a pool start it (same threshold as the pipeline), so a small scan does not pay for it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable
from pathlib import Path

#: Scans of less input than this run inline: a pool's start-up would cost more than it saves.
POOL_MIN_BYTES = 16 * 1024**2
#: What every worker process imports once, before it is forked.
PRELOAD = ["scanner.worker"]


def context() -> multiprocessing.context.BaseContext:
    """The forkserver context the pool uses (workers start from a clean interpreter)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def start_early(paths: Iterable[Path], workers: int | None) -> bool:
    """Start the forkserver now if the scan will pool its work; say whether it did."""
    if (workers or os.cpu_count() or 1) <= 1 or not _at_least(paths, POOL_MIN_BYTES):
        return False
    from multiprocessing import forkserver

    context()
    forkserver.ensure_running()
    return True


def _at_least(paths: Iterable[Path], size: int) -> bool:
    """Whether the files under ``paths`` hold ``size`` bytes (stops counting there)."""
    total = 0
    for path in paths:
        stack = [path]
        while stack:
            here = stack.pop()
            try:
                if here.is_dir() and not here.is_symlink():
                    stack.extend(entry for entry in here.iterdir())
                elif here.is_file():
                    total += here.stat().st_size
            except OSError:
                continue
            if total >= size:
                return True
    return False
