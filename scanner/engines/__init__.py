"""Engines: what runs a scan's tasks. One registry; unknown names fail loudly.

An engine is a function ``execute(tasks, config, writer, detector, workers)`` that runs
every :class:`~scanner.tasks.Task` with :meth:`~scanner.worker.SourceScanner.run_task` (or
its equivalent) and yields one :class:`~scanner.tasks.TaskResult` per task, in task order.
A result's ``part`` is the task's findings file in the writer's staging area, for the
pipeline to adopt (None: the task found nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import import_module
from typing import TYPE_CHECKING

from scanner.errors import ConfigError

if TYPE_CHECKING:
    from scanner.config import ScanConfig
    from scanner.dataset import DatasetWriter
    from scanner.detect.detector import Detector
    from scanner.tasks import Task, TaskResult

    Execute = Callable[[list[Task], ScanConfig, DatasetWriter, Detector, int], Iterator[TaskResult]]

#: name -> module defining ``execute``; modules are imported only when chosen (pyspark is
#: an optional extra).
ENGINES = {
    "local": "scanner.engines.local",
    "spark": "scanner.engines.spark",
}

#: Engines whose findings parts each belong to one task, so that a finished input can be
#: checkpointed for ``--resume``.
RESUMABLE = frozenset({"local", "spark"})

#: Scan arguments starting with these name files through Spark's Hadoop FileSystem.
URI_PREFIXES = ("s3a://", "s3://", "abfss://", "abfs://", "wasbs://", "gs://", "hdfs://", "file:")


def is_uri(text: str) -> bool:
    """Whether a scan argument names a file or directory by URI (read through Spark)."""
    return text.startswith(URI_PREFIXES)


def get_engine(name: str) -> Execute:
    """The ``execute`` function of engine ``name``."""
    if name not in ENGINES:
        raise ConfigError(f"unknown engine {name!r}; valid engines: {', '.join(ENGINES)}")
    return import_module(ENGINES[name]).execute
