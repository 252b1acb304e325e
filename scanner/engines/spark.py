"""The Spark engine: a scan's tasks run as Spark tasks, their results back to the driver.

``catoscan scan --engine spark`` plans the same tasks as the local engine (files, and line
ranges of large plain files), runs each with :meth:`SourceScanner.run_task` in a
partition of an RDD job of its own (the model and configuration are loaded once per
Python worker; an RDD, as no SQL plan nor Arrow is needed). Each task
writes its findings file into the scan's staging area, as a local worker does, and hands
its small result (the file's name, record counts, ``fields`` statistics, read problems)
back to the pipeline, which adopts the files and writes ``fields/``, ``errors/`` and the
manifest exactly as for a local scan. Inputs given as URIs (``s3a://``, ``abfss://``,
``hdfs://``, ``file://``) are listed with the Hadoop FileSystem of the Spark deployment and
read by the executors as whole files (Spark's ``binaryFile`` source: at most 2 GiB each).

The output directory must be a filesystem the driver sees as local and every executor can
write at the same path: the machine itself under ``local[N]``, or a shared mount (NFS,
``/dbfs``) on a cluster.

Starting a session and listing URIs: :mod:`~scanner.engines.spark_session`; what runs on
the executors: :mod:`~scanner.engines.spark_tasks`; the Java and the executors' Python:
:mod:`~scanner.engines.spark_env`; findings DataFrames for PySpark jobs of one's own:
:mod:`~scanner.engines.spark_dataframes`.
"""

from __future__ import annotations

import pickle
import re
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.config import ScanConfig
from scanner.dataset import DatasetWriter
from scanner.engines import spark_env
from scanner.engines.spark_session import java_reason, session
from scanner.engines.spark_tasks import scan_rdd
from scanner.errors import (
    RESOURCE_REASONS,
    CatoscanError,
    ConfigError,
    EngineError,
    ResourceError,
)
from scanner.tasks import Task, TaskResult

if TYPE_CHECKING:
    from pyspark import RDD
    from pyspark.sql import SparkSession

    from scanner.detect.detector import Detector


def execute(
    tasks: list[Task],
    config: ScanConfig,
    writer: DatasetWriter,
    detector: Detector,
    workers: int,
) -> Iterator[TaskResult]:
    """Run the tasks as Spark tasks; yield their results in task order.

    Each task writes its findings file into the writer's staging area, as a local worker
    does, and its result names it: the pipeline adopts the files as a local scan's. The
    Spark job returns only the results, so the findings cross no JVM and are written once.
    """
    del detector, workers  # the executors build their own; Spark decides parallelism
    if not tasks:
        return
    spark = session(config.spark_master, debug=config.debug)
    # Every executor writes there at the driver's path (--out may be relative): the
    # machine itself under local[N], a shared mount on a cluster.
    parts = writer.stage.absolute() / "parts"
    scanned = scan_rdd(spark, tasks, config, writer.findings_schema.remove_metadata(), parts)
    watch = ExecutorWatch(spark, config.executor_wait)
    try:
        watch.start()
        results = _collect_results(scanned, len(tasks))
    except Exception as exc:
        raise (watch.error or _job_failed(exc, spark)) from None
    finally:
        watch.stop()
    # The files of failed or speculative attempts stay in the staging area, which the
    # commit removes with everything not adopted.
    for task in tasks:
        yield results[task.seq]


class ExecutorWatch:
    """Cancels the scan's Spark jobs when no executor has been alive for ``limit`` seconds.

    Spark waits for ever for executors that never come (a standalone master without a
    worker with free cores: "Initial job has not accepted any resources") or that are all
    lost and not replaced. Under a local master the driver runs the tasks: nothing to watch.
    """

    def __init__(self, spark: SparkSession, limit: float):
        self.sc = spark.sparkContext
        self.limit = limit
        #: why the jobs were cancelled, once they were
        self.error: EngineError | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Watch from now on, in a thread of its own."""
        # Typed Optional, but a running context always has one (Spark needs it to start).
        if not (self.sc.master or "").startswith("local"):
            self._thread = threading.Thread(target=self._run, name="executor-watch", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop watching."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def executors(self) -> int:
        """Executors alive now (the driver, which is listed too, not counted)."""
        return max(len(self.sc._jsc.sc().statusTracker().getExecutorInfos()) - 1, 0)

    def _run(self) -> None:
        alive_at = time.monotonic()
        while not self._stop.wait(1.0):
            try:
                if self.executors():
                    alive_at = time.monotonic()
                    continue
            except Exception:
                return  # the context is gone: the job fails on its own
            if time.monotonic() - alive_at >= self.limit:
                self.error = EngineError(
                    f"no Spark executor was alive for {self.limit:g} s (does master "
                    f"{self.sc.master} have a worker with free cores and memory? see "
                    "--executor-wait); the job was cancelled"
                )
                self.sc.cancelAllJobs()
                return


def _collect_results(scanned: RDD[tuple[int, bytes]], expected: int) -> dict[int, TaskResult]:
    results: dict[int, TaskResult] = {}
    # collect(), not toLocalIterator(): the latter runs a job per partition, one after the
    # other, and this first action is the scan itself. The results are kept whole anyway.
    for seq, blob in scanned.collect():
        results[seq] = pickle.loads(blob)  # written by our executors
    if len(results) != expected:
        raise EngineError(f"Spark returned {len(results)} task results for {expected} tasks")
    return results


def _job_failed(exc: Exception, spark: SparkSession) -> Exception:
    """What a failed job raises.

    Exit 2 when the executors' Python is not the scan's; exit 74 when a task's write was
    refused (no room left, a quota: the tasks write into the staging area under ``--out``),
    as for a local scan; else exit 70.
    """
    if isinstance(exc, CatoscanError):
        return exc
    text = _failure_text(exc)
    refused = refused_write(text)
    if refused is not None:
        return refused
    python = spark_env.executor_python(spark.sparkContext)
    explained = spark_env.explain_failure(text, python)
    if explained is not None:
        return ConfigError(explained)
    return EngineError(f"the Spark job failed: {java_reason(exc)}")


#: The last line of the Python traceback of a task that raised a ResourceError.
_REFUSED = re.compile(r"^scanner\.errors\.ResourceError: (.*)$", re.MULTILINE)


def refused_write(text: str) -> ResourceError | None:
    """The ResourceError a task raised, from the failure's text (None: it raised none).

    Its message is ``[path: ]reason``, the reason one of ``RESOURCE_REASONS``' words.
    """
    for found in _REFUSED.finditer(text):
        message = found.group(1).strip()
        for code, reason in RESOURCE_REASONS.items():
            if message == reason or message.endswith(f": {reason}"):
                path = message[: -len(reason)].removesuffix(": ") or None
                return ResourceError(code, path)
    return None


def _failure_text(exc: Exception) -> str:
    """A failure and its (Java) causes in full, Python tracebacks of tasks included."""
    texts = [str(exc)]
    java = getattr(exc, "java_exception", None)
    for _ in range(32):  # a bound, should a chain of causes loop
        if java is None:
            break
        texts.append(str(java))
        java = java.getCause()
    return "\n".join(texts)
