"""The local engine: tasks inline, or in a forkserver pool of worker processes."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator

from scanner.config import ScanConfig
from scanner.dataset import DatasetWriter
from scanner.detect.engine import Detector
from scanner.worker import SourceScanner, Task, TaskResult, init_worker, run_in_worker


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
    # forkserver: workers start from a clean interpreter that imported catoscan once,
    # not from a fork of this process (pyarrow's and spaCy's threads do not survive fork).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["scanner.worker"])
    with context.Pool(
        min(workers, len(tasks)),
        initializer=init_worker,
        initargs=(config, writer.stage, writer.findings_schema),
    ) as pool:
        yield from pool.imap(run_in_worker, tasks, chunksize=1)
