"""Fault injection for the crash tests: a scan, or one of its workers, dies at a named moment.

Test code only; catoscan itself reads none of this. A crash test starts

    python -c "import faults; faults.main()" scan ...

with ``tests/`` on PYTHONPATH and in the environment:

- ``CATOSCAN_FAULT=<point>`` or ``<point>=<n>``: where to die (below);
- ``CATOSCAN_FAULT_DIR``: a directory of the test's; each fault that fires appends a line
  ``<CATOSCAN_FAULT> <pid>`` to ``fired`` there (a test checks that its fault did fire), and
  "once" faults take a token file there so that only the first process to arrive fires;
- ``CATOSCAN_FAULT_ACTION=interrupt``: instead of SIGKILL to itself, the process sends
  SIGINT to its whole process group, as a terminal's Ctrl-C does;
- ``CATOSCAN_FAULT_CHUNK_BYTES``: a smaller range size, so that a small file makes many
  tasks, and a pool for any input size.

Points in the scan's main process:

- ``lock``: the dataset's lock is taken, nothing written yet;
- ``stage``: the staging directory exists;
- ``writing``: the first findings part was adopted into the stage;
- ``merge=N``: before the N-th task result is merged;
- ``checkpoint=N``: after the N-th task's input files were checkpointed for ``--resume``;
- ``commit-rename=N``: before the N-th rename of the commit (``commit-rename=0`` dies
  nowhere and lists every rename's target in ``renames``).

Points in the worker processes (:mod:`faults.worker`, imported by the forkserver):
``idle=SEQ``, ``taking``, ``task=SEQ``, ``sending=SEQ`` (once), ``task-always=SEQ`` and
``starting`` (every worker that gets there); ``enospc=SEQ`` does not kill: the worker
running task SEQ finds the disk full.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

WORKER_POINTS = {"idle", "taking", "task", "sending", "task-always", "starting", "enospc"}


def spec() -> tuple[str, int]:
    """The point and its number from ``CATOSCAN_FAULT`` ("", 0 when unset)."""
    text = os.environ.get("CATOSCAN_FAULT", "")
    point, _, n = text.partition("=")
    return point, int(n or 0)


def directory() -> Path:
    return Path(os.environ["CATOSCAN_FAULT_DIR"])


def once(tag: str) -> bool:
    """True for the first process of the scan to call it with ``tag``."""
    try:
        os.close(os.open(directory() / f"token-{tag}", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def note() -> None:
    """Record that the fault (``CATOSCAN_FAULT``) fired, in ``fired``."""
    with open(directory() / "fired", "a", encoding="utf-8") as fh:
        fh.write(f"{os.environ['CATOSCAN_FAULT']} {os.getpid()}\n")


def fire() -> None:
    """Record the fault (``CATOSCAN_FAULT``), then die (or interrupt the process group)."""
    note()
    if os.environ.get("CATOSCAN_FAULT_ACTION") == "interrupt":
        os.killpg(os.getpgrp(), signal.SIGINT)
    else:
        os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    """The scan's main process, with the main-process fault of ``CATOSCAN_FAULT`` armed."""
    # A test runner that ignores SIGINT passes that on; the scan must see Ctrl-C.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from scanner import dataset, pipeline, plan
    from scanner.dataset import journal
    from scanner.engines import pool

    pool.PRELOAD.append("faults.worker")
    if chunk := os.environ.get("CATOSCAN_FAULT_CHUNK_BYTES"):
        plan.CHUNK_BYTES = int(chunk)
        pool.POOL_MIN_BYTES = 0
    point, n = spec()
    writer = dataset.DatasetWriter
    if point == "lock":
        real_recover = journal.recover  # the first step after the lock

        def recover(out):
            fire()
            return real_recover(out)

        journal.recover = recover
    elif point == "stage":
        real_enter = writer.__enter__

        def enter(self):
            entered = real_enter(self)
            fire()
            return entered

        writer.__enter__ = enter
    elif point == "writing":
        real_add_part = writer.add_part

        def add_part(self, *args, **kwargs):
            real_add_part(self, *args, **kwargs)
            fire()

        writer.add_part = add_part
    elif point == "merge":
        real_add = pipeline.Ledger.add
        merges = [0]

        def add(self, *args, **kwargs):
            merges[0] += 1
            if merges[0] == n:
                fire()
            return real_add(self, *args, **kwargs)

        pipeline.Ledger.add = add
    elif point == "checkpoint":
        real_checkpoint = writer.checkpoint
        finished = [0]

        def checkpoint(self, entries, **kwargs):
            real_checkpoint(self, entries, **kwargs)
            finished[0] += 1
            if finished[0] == n:
                fire()

        writer.checkpoint = checkpoint
    elif point == "commit-rename":
        _arm_commit_renames(writer, n)
    elif point and point not in WORKER_POINTS:
        raise SystemExit(f"faults: unknown point {point!r}")
    from scanner.cli import main as cli_main

    cli_main()


def _arm_commit_renames(writer, n: int) -> None:
    real_commit, renames = writer.commit, [0]
    in_commit = [False]

    def counted(real):
        def rename(src, dst, *args, **kwargs):
            if in_commit[0]:
                renames[0] += 1
                with open(directory() / "renames", "a", encoding="utf-8") as fh:
                    fh.write(f"{Path(dst).parent.name}/{Path(dst).name}\n")
                if renames[0] == n:
                    fire()
            return real(src, dst, *args, **kwargs)

        return rename

    os.replace, os.rename = counted(os.replace), counted(os.rename)

    def commit(self, *args, **kwargs):
        in_commit[0] = True
        try:
            return real_commit(self, *args, **kwargs)
        finally:
            in_commit[0] = False

    writer.commit = commit
