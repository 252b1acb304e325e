"""The local engine: tasks inline, or in worker processes that share their first decisions.

A pooled scan hands each task to a free worker of a :class:`~scanner.engines.pool.WorkerPool`
together with the decisions the other workers made since that worker last heard (a
:class:`DecisionLog`), and hands the results on in task order. A worker that dies costs its
task a second run on a new worker; a task whose worker dies twice ends the scan (exit 70).
The functions a worker runs, :func:`init_worker` and :func:`run_shared`, are at the end.
"""

from __future__ import annotations

import logging
import os
import signal
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from scanner.config import ScanConfig
from scanner.dataset import PRIVATE_UMASK, DatasetWriter, FindingsSink
from scanner.detect.detector import Decision, Detector
from scanner.engines.pool import Died, Done, Ready, Worker, WorkerFailed, WorkerPool
from scanner.errors import EngineError
from scanner.tasks import Task, TaskResult
from scanner.tuning import collect_rarely, system_allocator
from scanner.worker import SourceScanner

log = logging.getLogger(__name__)

#: How often a task is run again after the worker running it died.
RETRIES = 1


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
            yield scanner.run_task(task, writer.sink(f"task-{task.seq:06d}"))
        return
    size = min(workers, len(tasks))
    initargs = (config, writer.stage, writer.findings_schema)
    try:
        with WorkerPool(size, init_worker, initargs, run_shared) as pool:
            limit = min(config.configs.scanner.cache_size, SHARED_DECISIONS)
            yield from _Schedule(pool, tasks, limit).run()
    except WorkerFailed as exc:
        raise exc.error from exc.error.__cause__


#: At most this many of a scan's first decisions are handed to the other workers. The values
#: worth sharing (users, their devices, the popular destinations) come back often, so they
#: are among the first decided; on logs whose values rarely repeat the rest is decisions no
#: other worker will meet, which the main process held in memory (about 70 MiB for 200,000)
#: and sent to every worker for nothing.
SHARED_DECISIONS = 20_000


class DecisionLog:
    """The decisions the workers of a scan made first, in the order they came in.

    Every worker would otherwise decide the same values again (each 8 MB range of a log
    holds the same users, and each new free text costs about a millisecond of spaCy).
    Tasks send their new decisions back (``TaskResult.learned``); the log keeps at most
    ``limit`` of them (:data:`SHARED_DECISIONS`, or the cache size if smaller), and each
    task takes along the part its worker has not adopted yet.
    """

    def __init__(self, limit: int):
        self.limit = limit
        self.entries: list[Decision] = []

    def since(self, adopted: int) -> list[Decision]:
        """The entries after the first ``adopted``."""
        return self.entries[adopted:]

    @property
    def room(self) -> int:
        """How many more decisions the log takes."""
        return max(self.limit - len(self.entries), 0)

    def add(self, learned: list[Decision]) -> None:
        """Append a finished task's new decisions, as far as the limit allows."""
        self.entries.extend(learned[: self.room])


class _Schedule:
    """Hands tasks to free workers, collects results, and deals with workers that die."""

    def __init__(self, pool: WorkerPool, tasks: list[Task], limit: int):
        self.pool = pool
        self.tasks = tasks
        self.decisions = DecisionLog(limit)
        self.adopted: dict[Worker, int] = {}  # worker -> entries of the log it has
        self.todo: deque[Task] = deque(tasks)  # not yet handed out; reruns go first
        self.finished: dict[int, TaskResult] = {}
        self.retried: Counter[int] = Counter()
        #: deaths of workers that held no task (idle, or starting): replaced, up to a point
        self.spare = 2 * pool.size

    def run(self) -> Iterator[TaskResult]:
        """The tasks' results, in task order."""
        for seq in range(len(self.tasks)):
            while seq not in self.finished:
                self._hand_out()
                for event in self.pool.wait():
                    self._handle(event)
            yield self.finished.pop(seq)

    def _hand_out(self) -> None:
        # A task is handed out when a worker is free, so it carries everything the other
        # workers learned until then; a task queued in advance would miss it.
        for worker in self.pool.idle():
            if not self.todo:
                return
            task = self.todo.popleft()
            adopted = self.adopted.get(worker, 0)
            payload = (task, self.decisions.since(adopted), self.decisions.room)
            self.pool.submit(worker, task, payload)
            self.adopted[worker] = len(self.decisions.entries)

    def _handle(self, event: Ready | Done | Died) -> None:
        if isinstance(event, Done):
            result: TaskResult = event.value
            self.decisions.add(result.learned)
            result.learned = []
            self.finished[result.seq] = result
        elif isinstance(event, Died):
            self.adopted.pop(event.worker, None)
            self._died(event)

    def _died(self, event: Died) -> None:
        """Run a dead worker's task again on another worker, or end the scan."""
        how = _how(event.exitcode)
        task: Task | None = event.job
        if task is None:
            self.spare -= 1
            when = "while idle" if event.ready else "while starting"
            if self.spare < 0:
                raise EngineError(
                    f"worker processes keep dying {when} ({how}); rerun with --workers 1"
                )
            again = "; starting another" if self._replace() else ""
            log.warning("a worker process died %s (%s)%s", when, how, again)
            return
        if self.retried[task.seq] >= RETRIES:
            raise EngineError(
                f"a worker process died {RETRIES + 1} times on {task.item.display} "
                f"({how}); rerun with --workers 1, or with --resume to keep the files "
                "finished before it"
            )
        self.retried[task.seq] += 1
        self.todo.appendleft(replace(task, attempt=self.retried[task.seq]))
        self._replace()
        log.warning(
            "a worker process died (%s) while scanning %s; scanning it again",
            how,
            task.item.display,
        )

    def _replace(self) -> bool:
        """Start another worker if there is work for it (not at the end of a scan)."""
        busy = sum(1 for w in self.pool.workers if w.job is not None)
        if len(self.pool.workers) < min(self.pool.size, len(self.todo) + busy):
            self.pool.start_worker()
            return True
        return False


def _how(exitcode: int | None) -> str:
    """How a process ended, for a message: ``SIGKILL: killed, or out of memory?``."""
    if exitcode is None:
        return "exit code unknown"
    if exitcode >= 0:
        return f"exit code {exitcode}"
    try:
        name = signal.Signals(-exitcode).name
    except ValueError:
        name = f"signal {-exitcode}"
    return f"{name}: killed, or out of memory?" if exitcode == -signal.SIGKILL else name


# -- in the worker processes -----------------------------------------------------------------
_STATE: dict[str, Any] = {}


def init_worker(config: ScanConfig, stage: Path, schema: Any) -> None:
    """The pool's initializer: this worker's detection state, built once."""
    collect_rarely()  # the process is the pool's: for good
    system_allocator()
    if config.include_values:
        os.umask(PRIVATE_UMASK)  # its parts hold raw values, as the scan's own files do
    _STATE["scanner"] = SourceScanner(config)
    _STATE["stage"] = stage
    _STATE["schema"] = schema


def run_shared(payload: tuple[Task, list[Decision], int]) -> TaskResult:
    """The pool's handler: adopt other workers' decisions, run one task, report new ones.

    ``payload`` is the task, the decisions of the scan's log this worker has not seen (a
    value another worker already decided, a free text through spaCy most of all, is not
    decided again) and the room left in the log. The first decisions this task makes go
    back in ``TaskResult.learned``, as many as the log has room for: once it is full, a task
    notes none (on a long log of values that rarely repeat, the main process unpickled tens
    of thousands of decisions per task only to drop them).
    """
    task, decisions, room = payload
    scanner: SourceScanner = _STATE["scanner"]
    config = scanner.config
    detector = scanner.detector
    detector.adopt(decisions)
    again = f"-{task.attempt}" if task.attempt else ""  # the dead run's part stays aside
    sink = FindingsSink(
        _STATE["stage"] / "parts" / f"task-{task.seq:06d}{again}.parquet",
        _STATE["schema"],
        key_id=config.key_id,
        include_values=config.include_values,
        batch_rows=config.configs.scanner.batch_rows,
    )
    detector.learning = [] if room > 0 else None
    try:
        result = scanner.run_task(task, sink)
        result.learned = detector.learning[:room] if detector.learning is not None else []
    finally:
        detector.learning = None
    return result
