"""Spark sessions, and files listed under URIs through the deployment's Hadoop FileSystem.

:func:`session` joins the active Spark session or starts one on the Java
:mod:`~scanner.engines.spark_env` finds, quiet unless ``--debug``; :func:`list_uris` lists
the files under URI scan arguments and names them as a local walk would
(:func:`scanner.sources.base_length`); :func:`java_reason` tells a (Java) exception in one
line, its root cause, never a stack.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterable
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.engines import spark_daemon, spark_env
from scanner.errors import ConfigError
from scanner.escaping import printable
from scanner.sources import base_length

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

log = logging.getLogger(__name__)


def session(master: str | None = None, *, debug: bool = False) -> SparkSession:
    """The active Spark session, or a new one (``master`` None: spark-submit's or local).

    A JVM this starts runs on the Java :func:`~scanner.engines.spark_env.find_java` finds,
    logs only errors (all of Spark's logging with ``debug``), and shows no progress bar;
    under spark-submit the deployment's settings apply. The executors' Python is chosen by
    :func:`~scanner.engines.spark_env.set_executor_python`. Settings this engine relies on
    are set on the session: Parquet timestamps as microseconds with a time zone, as the
    local engine writes them.

    Raises:
        ConfigError: when there is no Java, or Spark does not start.
    """
    # PySpark warns that it does not fully support pandas >= 3; this engine uses Arrow only.
    warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigError("--engine spark needs PySpark: pip install 'catoscan[spark]'") from None
    builder = SparkSession.builder.appName("catoscan")
    if master is not None:
        builder = builder.master(master)
    fresh = SparkSession.getActiveSession() is None
    java = None  # a JVM that runs already (spark-submit's, an earlier session's)
    if "PYSPARK_GATEWAY_PORT" not in os.environ and fresh:
        java = spark_env.find_java()
        builder = builder.config("spark.ui.showConsoleProgress", "false")
        # The driver's JVM schedules tasks and carries their small results (and, under a
        # local master, URI inputs' bytes): the quick compiler only starts it about half a
        # second sooner.
        options = ["-XX:TieredStopAtLevel=1"]
        if not debug:
            logging_conf = Path(__file__).with_name("log4j2.properties")
            options.append(f"-Dlog4j2.configurationFile={logging_conf.as_uri()}")
        builder = builder.config("spark.driver.extraJavaOptions", " ".join(options))
        if (master or "local").startswith("local"):
            # One machine, one command: its progress is catoscan's (about 0.4 s sooner).
            builder = builder.config("spark.ui.enabled", "false")
        if spark_env.gives_this_python(master or "local"):
            # PySpark compiled, not from its zip: the first task starts about 0.5 s sooner.
            builder = builder.config("spark.python.daemon.module", spark_daemon.__name__)
    try:
        with spark_env.launch_environment(java) if java else nullcontext():
            spark = builder.getOrCreate()
    except Exception as exc:
        where = f" with the Java from {java.source} ({java.java})" if java else ""
        raise ConfigError(
            f"Spark did not start{where} ({java_reason(exc)}); it needs Java 17 or 21"
        ) from None
    python = spark_env.set_executor_python(spark.sparkContext)
    if fresh:  # once per session (a scan of URIs asks for it twice)
        log.info("%s", spark_env.describe_jvm(spark.sparkContext, java))
        log.info("Spark's executors run Python %s", python)
    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    return spark


def list_uris(spark: SparkSession, uris: Iterable[str]) -> list[tuple[str, str, int, int]]:
    """Every file under ``uris``, through the Hadoop FileSystem of the Spark deployment.

    Returns ``(uri, display, size, mtime_ns)`` per file, sorted like a local walk: display
    names follow the local rule (:func:`scanner.sources.base_length`: relative to a single
    directory argument, or to the common parent of several), and hidden files and
    directories (``.name``, ``_name``) are skipped.

    Raises:
        ConfigError: when an argument does not exist or cannot be listed.
    """
    jvm: Any = spark.sparkContext._jvm  # the documented way to reach Hadoop FS
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    roots = []
    for uri in uris:
        path = jvm.org.apache.hadoop.fs.Path(uri)
        try:
            fs = path.getFileSystem(conf)
            status = fs.getFileStatus(path)
        except Exception as exc:
            raise ConfigError(f"{uri}: cannot be listed ({java_reason(exc)})") from None
        root = fs.makeQualified(path).toString().rstrip("/")
        roots.append((path, fs, status, root))
    skip = base_length([(root.split("/"), status.isDirectory()) for _p, _f, status, root in roots])

    def display(full: str) -> str:
        return printable("/".join(full.split("/")[skip:]))

    found: list[tuple[str, str, int, int]] = []
    for path, fs, status, root in roots:
        if not status.isDirectory():
            found.append((root, display(root), status.getLen(), _ns(status)))
            continue
        entries = []
        files = fs.listFiles(path, True)
        while files.hasNext():
            status = files.next()
            full = status.getPath().toString()
            relative = full[len(root) + 1 :]
            if any(part.startswith((".", "_")) for part in relative.split("/")):
                continue
            entries.append((full, display(full), status.getLen(), _ns(status)))
        found.extend(sorted(entries, key=lambda e: e[1]))
    return found


def _ns(status: Any) -> int:
    return int(status.getModificationTime()) * 1_000_000


#: How a Python traceback begins: Spark puts a Python worker's right after its own message.
_TRACEBACK = "Traceback (most recent call last):"


def java_reason(exc: Exception) -> str:
    """The first line of a (Java) exception: its class and message, never a stack.

    Through Py4J, a Java exception says only which call failed ("An error occurred while
    calling o35.getFileStatus.") and Spark wraps a failed task's ("Exception thrown in
    awaitResult:"): the root cause says what went wrong. A Python worker's exception is
    Spark's message followed by a traceback: its last line (the exception) stands in for
    the traceback.
    """
    java = getattr(exc, "java_exception", None)
    for _ in range(32):  # a bound, should a chain of causes loop
        cause = None if java is None else java.getCause()
        if cause is None:
            break
        java = cause
    text = str(exc if java is None else java).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    start = next((i for i, line in enumerate(text[:2]) if line.endswith(_TRACEBACK)), None)
    if start is not None:  # a Python worker's exception: the traceback's last line says what
        raised = [line for line in text[start + 1 :] if line[:1].strip()]
        if raised:
            first = f"{first.removesuffix(_TRACEBACK).rstrip()} {raised[-1]}"
    return first[:300]
