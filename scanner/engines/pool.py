"""The local engine's worker processes: each talks to the scan over a pipe of its own.

Why not ``multiprocessing.Pool``, ``concurrent.futures.ProcessPoolExecutor`` or loky: their
workers share one task queue and one result queue, each written under a lock. A worker
that dies holding one (taking a task, or half-way through sending its result) leaves the
others, and the scan, waiting for ever. ProcessPoolExecutor and loky notice a death, but
not one in the middle of a result: their result reader blocks on the rest of a message
that never comes.

Here each worker has a socket pair of its own with the main process, and nobody else holds
either end. So:

- a worker's death, at any moment, is end-of-file on its pipe: :meth:`WorkerPool.wait`
  returns it as :class:`Died` with the job the worker held, never a wait without end;
- a scan that dies is end-of-file for its workers: an idle one exits at once, a busy one
  within a second (a watcher thread), instead of scanning on for nobody;
- no lock is shared, so no death can block another process.

The processes come from a forkserver that imports :data:`PRELOAD` once. :func:`start_early`
starts it before the scan command's own imports, so that import runs on another core
meanwhile; only scans that will use workers start it (same threshold as the pipeline), so a
small scan does not pay for it.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_for
from multiprocessing.context import ForkContext, ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess
from multiprocessing.reduction import ForkingPickler as _ForkingPickler
from pathlib import Path
from typing import Any

#: Scans of less input than this run inline: a pool's start-up would cost more than it saves.
POOL_MIN_BYTES = 16 * 1024**2
#: What every worker process imports once, before it is forked (``preload`` imports the
#: engine's modules and reads what any worker reads first, whatever the configuration).
#: Not presidio and spaCy: a worker imports them when free text first needs NER
#: (preloading them cost a structured 20 MB CEF scan 13% of its time, and saved a scan
#: with free text 2-6%; loading the model there too saved a 50 MB scan with free text
#: nothing).
PRELOAD = ["scanner.engines.preload"]
#: How long a worker may take to stop when asked, before it is terminated, then killed.
STOP_SECONDS = 5.0
#: How often a busy worker checks that the scan is still there.
WATCH_SECONDS = 1.0

#: A context that starts processes (tests start workers by spawning them).
ProcessContext = ForkServerContext | SpawnContext | ForkContext


def context() -> ForkServerContext:
    """The forkserver context of the workers (they start from a clean interpreter).

    Not a fork of the scan: pyarrow's and spaCy's threads do not survive fork.
    """
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


# -- the main process's side -----------------------------------------------------------------
@dataclass(eq=False)
class Worker:
    """One worker process as the pool sees it."""

    number: int  # 1, 2, ... in the order the pool started them
    process: BaseProcess
    conn: Connection
    ready: bool = False  # its initializer has finished
    job: Any = None  # what it is working on (the caller's object), None when idle

    @property
    def pid(self) -> int | None:
        """The worker's process id."""
        return self.process.pid


@dataclass(frozen=True)
class Ready:
    """A worker finished its initializer and takes jobs."""

    worker: Worker


@dataclass(frozen=True)
class Done:
    """A worker finished a job; ``value`` is what the handler returned."""

    worker: Worker
    job: Any
    value: Any


@dataclass(frozen=True)
class Died:
    """A worker process ended without being asked to: killed, crashed, out of memory.

    ``job`` is the job it held (None: it was idle, or still starting if not ``ready``).
    ``exitcode`` is the process's (negative: the signal), None when it could not be read.
    """

    worker: Worker
    job: Any
    exitcode: int | None
    ready: bool


Event = Ready | Done | Died


class WorkerFailed(Exception):
    """A worker's initializer or handler raised; ``job`` is the job (None: initializer)."""

    def __init__(self, job: Any, error: BaseException):
        super().__init__(job, error)
        self.job = job
        self.error = error


class WorkerPool:
    """Worker processes that each run ``handler(payload)`` for the jobs given to them.

    Use as a context manager. Each process runs ``initializer(*initargs)`` once. The caller
    hands a job to an idle worker with :meth:`submit` and collects :class:`Event` s with
    :meth:`wait`; a dead worker is reported once and forgotten, and :meth:`start_worker`
    starts another. Leaving the block stops the workers: asked to finish when it ends
    normally, terminated when it ends with an exception (Ctrl-C included).
    """

    def __init__(
        self,
        size: int,
        initializer: Callable[..., None],
        initargs: tuple,
        handler: Callable[[Any], Any],
        ctx: ProcessContext | None = None,
    ):
        self.size = size
        self._initializer = initializer
        self._initargs = initargs
        self._handler = handler
        self._ctx = ctx or context()
        self._started = 0
        self.workers: list[Worker] = []

    def __enter__(self) -> WorkerPool:
        try:
            for _ in range(self.size):
                self.start_worker()
        except BaseException:
            self.close(graceful=False)
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self.close(graceful=kind is None)

    def start_worker(self) -> Worker:
        """Start one more worker process (it is :class:`Ready` later)."""
        ours, theirs = self._ctx.Pipe(duplex=True)
        self._started += 1
        process = self._ctx.Process(
            target=serve,
            args=(theirs, self._initializer, self._initargs, self._handler),
            name=f"catoscan-worker-{self._started}",
            daemon=True,
        )
        try:
            process.start()
        finally:
            theirs.close()  # the worker's end lives in the worker only: its death is EOF here
        worker = Worker(self._started, process, ours)
        self.workers.append(worker)
        return worker

    def idle(self) -> list[Worker]:
        """The workers ready for a job, in start order."""
        return [w for w in self.workers if w.ready and w.job is None]

    def submit(self, worker: Worker, job: Any, payload: Any) -> None:
        """Give ``payload`` to an idle ``worker``'s handler; ``job`` names it in events."""
        if not worker.ready or worker.job is not None:
            raise RuntimeError(f"worker {worker.number} is not idle")
        worker.job = job
        try:
            worker.conn.send(payload)
        except OSError:
            # It died (taking the job, perhaps): the end of its pipe says so in wait().
            pass

    def wait(self, timeout: float | None = None) -> list[Event]:
        """What happened since the last call; waits for at least one event or ``timeout``.

        Every worker's pipe is watched, so a death is seen whatever the worker was doing.
        """
        if not self.workers:
            raise RuntimeError("no worker to wait for")
        ready = wait_for([w.conn for w in self.workers], timeout)
        events: list[Event] = []
        for worker in [w for w in self.workers if w.conn in ready]:
            # Everything that is there: a result and the end of the pipe after it (a worker
            # that died once it had sent its result) are reported together.
            while True:
                try:
                    message = worker.conn.recv()
                except (EOFError, OSError):
                    events.append(self._dead(worker))
                    break
                except Exception as exc:  # a result that does not unpickle here
                    raise WorkerFailed(worker.job, exc) from None
                events.append(self._received(worker, message))
                if not worker.conn.poll(0):
                    break
        return events

    def _received(self, worker: Worker, message: tuple) -> Event:
        kind = message[0]
        if kind == "ready":
            worker.ready = True
            return Ready(worker)
        if kind == "done":
            job, worker.job = worker.job, None
            return Done(worker, job, message[1])
        # "failed": the initializer or the handler raised; the worker is not usable.
        error, remote = message[1], message[2]
        error.__cause__ = RemoteTraceback(remote)
        raise WorkerFailed(worker.job, error)

    def _dead(self, worker: Worker) -> Died:
        """Forget a worker whose pipe ended, and say what it held."""
        self.workers.remove(worker)
        worker.conn.close()
        worker.process.join(STOP_SECONDS)  # its pipe ends when it exits: this is quick
        if worker.process.exitcode is None:  # closed its pipe and lives on: end it
            _end(worker.process)
        return Died(worker, worker.job, worker.process.exitcode, worker.ready)

    def close(self, graceful: bool = True) -> None:
        """Stop every worker: ask them (``graceful``) or terminate them, and wait.

        No wait is longer than :data:`STOP_SECONDS` per worker: one that does not stop
        when asked is terminated, one that does not terminate is killed.
        """
        workers, self.workers = self.workers, []
        for worker in workers:
            if graceful and worker.job is None:
                try:
                    worker.conn.send(None)
                    continue
                except OSError:
                    pass
            if worker.process.exitcode is None:
                worker.process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for worker in workers:
            worker.process.join(max(deadline - time.monotonic(), 0.0))
            if worker.process.exitcode is None:
                _end(worker.process)
            worker.conn.close()


def _end(process: BaseProcess) -> None:
    """Terminate a process, and kill it if that does not end it soon."""
    process.terminate()
    process.join(STOP_SECONDS)
    if process.exitcode is None:
        process.kill()
        process.join(STOP_SECONDS)


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker process (for ``--debug``)."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text


# -- the worker's side -----------------------------------------------------------------------
def serve(
    conn: Connection,
    initializer: Callable[..., None],
    initargs: tuple,
    handler: Callable[[Any], Any],
) -> None:
    """A worker process's life: initialise, then run jobs until asked to stop or orphaned.

    The steps are module functions (:func:`_take`, :func:`_reply`) so that tests can make a
    worker die at a chosen moment.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the scan's to handle
    try:
        initializer(*initargs)
    except BaseException as exc:
        _reply(conn, _failed(exc))
        return
    busy = threading.Event()
    threading.Thread(target=_watch, args=(conn, busy), name="orphan-watch", daemon=True).start()
    _reply(conn, ("ready",))
    while True:
        try:
            payload = _take(conn)
        except (EOFError, OSError):
            return  # the scan is gone
        if payload is None:
            return  # asked to stop
        busy.set()
        try:
            message: tuple = ("done", handler(payload))
        except BaseException as exc:
            message = _failed(exc)
        busy.clear()
        try:
            _reply(conn, message)
        except OSError:
            return  # the scan is gone


def _take(conn: Connection) -> Any:
    """The next job's payload (None: stop)."""
    return conn.recv()


def _reply(conn: Connection, message: tuple) -> None:
    """Send a message to the scan: ready, a job's result, or a failure."""
    try:
        data = _ForkingPickler.dumps(message)
    except Exception as exc:  # a result that does not pickle
        data = _ForkingPickler.dumps(_failed(exc))
    conn.send_bytes(data)


def _failed(exc: BaseException) -> tuple:
    """A failure message: the exception (or a stand-in if it does not pickle), its traceback."""
    import pickle

    remote = "".join(traceback.format_exception(exc))
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        exc = RuntimeError(f"{type(exc).__name__} in a worker process")
    return ("failed", exc, remote)


def _watch(conn: Connection, busy: threading.Event) -> None:
    """End this process when its scan is gone while it works (the scan never writes then).

    An idle worker sees the end of its pipe in :func:`_take`; a busy one would otherwise
    scan on for nobody until its job ends.
    """
    sock = socket.socket(fileno=os.dup(conn.fileno()))
    while True:
        time.sleep(WATCH_SECONDS)
        if not busy.is_set():
            continue
        try:
            if sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                os._exit(1)
        except BlockingIOError:
            continue
        except OSError:
            os._exit(1)
