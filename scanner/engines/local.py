"""The local engine: tasks inline, or in a forkserver pool of worker processes."""

from __future__ import annotations

import logging
import queue
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from scanner.config import ScanConfig
from scanner.dataset import DatasetWriter
from scanner.detect.engine import Decision, Detector
from scanner.engines.pool import context as pool_context
from scanner.errors import EngineError
from scanner.worker import (
    RUNNING,
    SourceScanner,
    Task,
    TaskResult,
    init_worker,
    run_shared,
)

log = logging.getLogger(__name__)


def execute(
    tasks: list[Task],
    config: ScanConfig,
    writer: DatasetWriter,
    detector: Detector,
    workers: int,
) -> Iterator[TaskResult]:
    """Run the tasks, inline or in ``workers`` processes; results come back in task order.

    ``workers`` is 1 when the pipeline judged the scan too small for a pool.
    """
    if workers <= 1 or len(tasks) <= 1:
        scanner = SourceScanner(config, detector)
        for task in tasks:
            yield scanner.run_task(task, writer.sink(f"task-{task.seq:06d}", scanner.values))
        return
    # forkserver: workers start from a clean interpreter that imported catoscan once,
    # not from a fork of this process (pyarrow's and spaCy's threads do not survive fork).
    size = min(workers, len(tasks))
    with pool_context().Pool(
        size,
        initializer=init_worker,
        initargs=(config, writer.stage, writer.findings_schema),
    ) as pool:
        yield from _shared(pool, size, tasks, config.configs.scanner.cache_size, writer.stage)


class DecisionLog:
    """The decisions a pool's workers made first, and how much of them each has adopted.

    Every worker would otherwise decide the same values again (each 8 MB range of a log
    holds the same users, and each new free text costs about a millisecond of spaCy).
    Tasks send their new decisions back (``TaskResult.learned``); they are kept here, at
    most ``limit`` of them (the cache size), and each task takes along the part of the
    log its worker may not have seen (:func:`scanner.worker.run_shared`).
    """

    def __init__(self, workers: int, limit: int):
        self.workers = workers
        self.limit = limit
        self.entries: list[Decision] = []
        self.seen: dict[int, int] = {}  # worker pid -> entries it has adopted

    def outgoing(self) -> tuple[int, list[Decision]]:
        """Where the next task's share of the log starts, and that share."""
        # Until every worker has reported, one of them may have seen nothing yet.
        start = min(self.seen.values()) if len(self.seen) >= self.workers else 0
        return start, self.entries[start:]

    def incoming(self, pid: int, adopted: int, learned: list[Decision]) -> None:
        """Record a finished task: its worker has adopted ``adopted`` entries."""
        self.seen[pid] = adopted
        room = self.limit - len(self.entries)
        if room > 0:
            self.entries.extend(learned[:room])


#: How often a waiting scan checks that its workers are alive.
_POLL_SECONDS = 1.0
#: How often a task is run again after the worker running it died.
RETRIES = 1


def _shared(
    pool: Any, size: int, tasks: list[Task], limit: int, stage: Path
) -> Iterator[TaskResult]:
    """Run the tasks on ``pool`` with a :class:`DecisionLog`; results in task order.

    A task is submitted when a worker is free, so it carries everything learned so far;
    a task queued in advance would miss what the others learn meanwhile.

    A worker that dies (killed, out of memory) loses its task: the pool replaces the
    worker but not the task. Each worker names the task it runs in ``stage/running/<pid>``
    (:func:`scanner.worker.run_shared`), so the dead worker's task is submitted again, up
    to :data:`RETRIES` times, writing a part of its own name (``Task.attempt``).
    """
    done: queue.SimpleQueue = queue.SimpleQueue()
    shared = DecisionLog(size, limit)
    finished: dict[int, TaskResult] = {}
    retried: Counter[int] = Counter()
    submitted = 0
    yielded = -1  # the last task whose result was handed on

    def submit(task: Task) -> None:
        start, share = shared.outgoing()
        pool.apply_async(
            run_shared, (task, start, share), callback=done.put, error_callback=done.put
        )

    def check_workers() -> None:
        """Run the tasks of workers that died again (or give up)."""
        # The pool's workers never retire otherwise, so any exit of one is a death. The
        # pool reaps a dead worker and starts another on its own, so the dead are found
        # by what they left: the named tasks, read before the list of the living.
        named = _named_tasks(stage)
        processes = list(getattr(pool, "_pool", ()))
        known.update(processes)
        living = {p.pid for p in processes if p.exitcode is None}
        for pid, seq in named.items():
            if pid in living:
                continue
            (stage / RUNNING / str(pid)).unlink(missing_ok=True)
            handled.add(pid)
            if seq in finished or seq <= yielded:
                continue  # its last task's result had arrived
            exitcode = next((p.exitcode for p in known if p.pid == pid), None)
            if retried[seq] >= RETRIES:
                raise _died(exitcode, tasks[seq])
            retried[seq] += 1
            log.warning(
                "a worker process died (%s) while scanning %s; scanning it again",
                "killed or out of memory" if exitcode is None else f"exit code {exitcode}",
                tasks[seq].item.display,
            )
            submit(replace(tasks[seq], attempt=retried[seq]))
        for process in known:
            if process.exitcode is not None and process.pid not in handled:
                # Died before it named a task (seen twice, in case its name came just
                # after the names were read): whether it held one, and which, is unknown.
                if process.pid in unnamed:
                    raise _died(process.exitcode, None)
                unnamed.add(process.pid)

    known: set[Any] = set(getattr(pool, "_pool", ()))  # every worker seen, dead ones too
    handled: set[int] = set()  # pids of dead workers whose task was dealt with
    unnamed: set[int] = set()  # pids of dead workers found without a named task once
    while submitted < min(size, len(tasks)):
        submit(tasks[submitted])
        submitted += 1
    for task in tasks:
        while task.seq not in finished:
            try:
                outcome = done.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                outcome = None
            check_workers()
            if outcome is None:
                continue
            if isinstance(outcome, BaseException):
                raise outcome
            result, pid, adopted = outcome
            shared.incoming(pid, adopted, result.learned)
            result.learned = []
            if result.seq in finished or result.seq <= yielded:
                # A task run again whose first result came in after all: one is enough.
                if result.part is not None:
                    result.part.unlink(missing_ok=True)
                continue
            finished[result.seq] = result
            if submitted < len(tasks):
                submit(tasks[submitted])
                submitted += 1
        yield finished.pop(task.seq)
        yielded = task.seq


def _named_tasks(stage: Path) -> dict[int, int]:
    """Each worker's pid -> the task it last named as running."""
    named = {}
    for marker in (stage / RUNNING).glob("[0-9]*"):
        if marker.suffix:
            continue  # one being written
        try:
            named[int(marker.name)] = int(marker.read_text())
        except (OSError, ValueError):
            continue
    return named


def _died(exitcode: int | None, task: Task | None) -> EngineError:
    where = "" if task is None else f" {RETRIES + 1} times on {task.item.display}"
    code = "" if exitcode is None else f"exit code {exitcode}: "
    return EngineError(
        f"a worker process died{where} ({code}killed, or out of memory?) "
        "while scanning; rerun with --workers 1, or with --resume to keep the files "
        "finished before it"
    )
