"""Spark's Python daemon where the executors run the scan's own Python: PySpark compiled.

Spark starts an executor's Python workers from a daemon (``python -m pyspark.daemon``),
with PySpark's ``pyspark.zip`` and Py4J's zip first on ``sys.path``. A zip holds no
compiled modules: the daemon, and each worker it forks, compile every PySpark module they
import anew, about half a second before a Spark scan's first task can start. When this
Python has the same PySpark and Py4J installed (``pip install 'catoscan[spark]'``), their
installed copies are compiled once, on disk: this daemon moves each such zip to the end of
the path and then runs PySpark's own daemon, whose workers inherit the path.

:func:`~scanner.engines.spark_session.session` names this module as Spark's daemon
(``spark.python.daemon.module``) only where the executors run the driver's own Python
(:func:`~scanner.engines.spark_env.gives_this_python`). It imports nothing but the standard
library before PySpark's daemon: a daemon must not start threads before it forks.
"""

from __future__ import annotations

import os
import sys
import zipfile
from importlib.machinery import PathFinder
from pathlib import Path


def installed_last(path: list[str]) -> list[str]:
    """``path`` with Spark's zips of PySpark and Py4J last where the package is installed alike.

    Alike: on the rest of the path, with the same ``version.py``, byte for byte. A zip whose
    package is not installed, or of another version, keeps its place; so do other entries.
    """
    unzipped = [entry for entry in path if not entry.endswith(".zip")]
    moved = [entry for entry in path if _installed_alike(entry, unzipped)]
    return [entry for entry in path if entry not in moved] + moved


def _zipped_package(entry: str) -> str | None:
    """The package a path entry is Spark's zip of: ``pyspark.zip``, ``py4j-<version>-src.zip``."""
    name = os.path.basename(entry)
    if name == "pyspark.zip":
        return "pyspark"
    if name.startswith("py4j-") and name.endswith(".zip"):
        return "py4j"
    return None


def _installed_alike(entry: str, elsewhere: list[str]) -> bool:
    package = _zipped_package(entry)
    if package is None:
        return False
    spec = PathFinder.find_spec(package, elsewhere)
    if spec is None or not spec.submodule_search_locations:
        return False
    installed = Path(next(iter(spec.submodule_search_locations))) / "version.py"
    try:
        with zipfile.ZipFile(entry) as zipped:
            return zipped.read(f"{package}/version.py") == installed.read_bytes()
    except (OSError, KeyError, zipfile.BadZipFile):
        return False


def main() -> None:
    """PySpark's daemon, with PySpark imported from its installed copy where it can be."""
    sys.path[:] = installed_last(sys.path)
    from pyspark.daemon import manager

    manager()


if __name__ == "__main__":
    main()
