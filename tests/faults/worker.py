"""The worker-process faults of :mod:`faults`, armed in the forkserver that forks the workers.

``CATOSCAN_FAULT`` names one:

- ``idle=SEQ``: the worker that ran task SEQ dies as it waits for the next (with SEQ the
  last task, no task is left to hand it: it dies idle); the first worker to finish a task
  holds its result back until then, so that the scan is still waiting for it;
- ``taking``: a worker reads the first bytes of its second task, then dies;
- ``task=SEQ``: the worker running task SEQ dies after writing its first block of findings;
- ``sending=SEQ``: the worker that ran task SEQ sends the first half of its result, then
  dies (the pipe holds a partial message);
- ``task-always=SEQ``: every worker that runs task SEQ dies after its first block (an
  input that kills its worker each time);
- ``starting``: every worker dies in its initializer;
- ``enospc=SEQ``: the worker running task SEQ finds the disk full: opening its findings
  part fails with ENOSPC, as a full file system makes it fail (the worker lives on).

``idle``, ``taking``, ``task`` and ``sending`` fire once per scan (the first worker to get
there: a task that runs again does not die again).
"""

from __future__ import annotations

import errno
import os
import struct
import time

from faults import directory, fire, note, once, spec
from scanner.columnar import pending
from scanner.dataset import parts
from scanner.engines import local, pool
from scanner.worker import SourceScanner

POINT, N = spec()
_takes = [0]  # tasks this process has asked for (the first _take is its first task)
_running: list[int] = []  # seq of the task this process runs


def _wait_for_death(fired, seconds=60.0) -> None:
    """Wait until the process that fired a fault is dead (its pipe to the scan is closed)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if fired.exists() and (text := fired.read_text().split()) and not _alive(int(text[1])):
            return
        time.sleep(0.01)


def _alive(pid: int) -> bool:
    # Not "until it is a zombie": a killed process's main thread can be one while its
    # other threads still hold its files (its pipe to the scan). Until it has been reaped.
    return os.path.exists(f"/proc/{pid}")


def _arm() -> None:
    real_take, real_reply = pool._take, pool._reply
    real_run_task, real_write = SourceScanner.run_task, pending._write
    real_init = local.init_worker
    real_findings_writer = parts.writer

    def take(conn):
        _takes[0] += 1
        if POINT == "idle" and _running == [N] and once(POINT):
            fire()  # it has sent the result of task N, the last to be handed out
        if _takes[0] == 2 and POINT == "taking" and once(POINT):
            os.read(conn.fileno(), 16)  # blocks until the scan sends the task
            fire()
        return real_take(conn)

    def reply(conn, message):
        if POINT == "idle" and message[0] == "done" and _running != [N] and once("holder"):
            # The first worker to finish a task holds on to it until the other, which then
            # runs every task left, task N last, has died idle: the scan is still waiting.
            _wait_for_death(directory() / "fired")
        if message[0] == "done" and POINT == "sending" and _running == [N] and once(POINT):
            from multiprocessing.reduction import ForkingPickler

            data = bytes(ForkingPickler.dumps(message))
            # multiprocessing's framing: a 4-byte big-endian length, then the bytes
            os.write(conn.fileno(), struct.pack("!i", len(data)) + data[: len(data) // 2])
            fire()
        return real_reply(conn, message)

    def run_task(self, task, sink):
        _running[:] = [task.seq]
        return real_run_task(self, task, sink)

    def write(found, sink):
        real_write(found, sink)
        if POINT == "task" and _running == [N] and once(POINT):
            fire()
        if POINT == "task-always" and _running == [N]:
            fire()

    def init_worker(*args):
        if POINT == "starting":
            fire()
        return real_init(*args)

    def findings_writer(path, schema):
        if POINT == "enospc" and _running == [N]:
            note()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_findings_writer(path, schema)

    pool._take, pool._reply = take, reply
    parts.writer = findings_writer
    SourceScanner.run_task, pending._write = run_task, write
    local.init_worker = init_worker


if POINT:
    _arm()
