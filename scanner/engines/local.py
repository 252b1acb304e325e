"""The local engine: tasks inline, or in a forkserver pool of worker processes."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from typing import Any

from scanner.config import ScanConfig
from scanner.dataset import DatasetWriter
from scanner.detect.engine import Decision, Detector
from scanner.engines.pool import context as pool_context
from scanner.errors import EngineError
from scanner.worker import SourceScanner, Task, TaskResult, init_worker, run_shared


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
        yield from _shared(pool, size, tasks, config.configs.scanner.cache_size)


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


def _shared(pool: Any, size: int, tasks: list[Task], limit: int) -> Iterator[TaskResult]:
    """Run the tasks on ``pool`` with a :class:`DecisionLog`; results in task order.

    A task is submitted when a worker is free, so it carries everything learned so far;
    a task queued in advance would miss what the others learn meanwhile.
    """
    done: queue.SimpleQueue = queue.SimpleQueue()
    log = DecisionLog(size, limit)
    finished: dict[int, TaskResult] = {}
    submitted = 0

    def submit() -> None:
        nonlocal submitted
        start, share = log.outgoing()
        pool.apply_async(
            run_shared,
            (tasks[submitted], start, share),
            callback=done.put,
            error_callback=done.put,
        )
        submitted += 1

    while submitted < min(size, len(tasks)):
        submit()
    # A pool replaces a worker that dies (killed, out of memory) but loses its task: the
    # scan would wait for it forever. Its workers never retire otherwise, so any exit of
    # one of them is such a death.
    processes = list(getattr(pool, "_pool", ()))
    for task in tasks:
        while task.seq not in finished:
            try:
                outcome = done.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                dead = [p for p in processes if p.exitcode is not None]
                if dead:
                    raise EngineError(
                        f"a worker process died (exit code {dead[0].exitcode}: killed, or "
                        "out of memory?) while scanning; rerun with --workers 1, or with "
                        "--resume to keep the files finished before it"
                    ) from None
                continue
            if isinstance(outcome, BaseException):
                raise outcome
            result, pid, adopted = outcome
            log.incoming(pid, adopted, result.learned)
            result.learned = []
            finished[result.seq] = result
            if submitted < len(tasks):
                submit()
        yield finished.pop(task.seq)
