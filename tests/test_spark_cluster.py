"""The Spark engine on a real standalone cluster: a master and a worker on 127.0.0.1.

Executors are JVMs of their own that start Python workers of their own: the scan must pick
the right Python for them, give the local engine's dataset row for row, and say in one line
when the executors' Python cannot run it.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner import plan
from scanner.cli import cli
from tests.spark_cluster import StandaloneCluster
from tests.spark_data import TABLES, tables, write_corpus

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parent.parent
KEY = b"spark-test-key-0123456789abcdef!!"
#: A split file: big.jsonl is cut into line ranges of this size, scanned by separate tasks.
CHUNK = 32 * 1024
#: The JVM's own notice when Spark adds the incubator module (Java 17 or 21 from the system).
JVM_NOTICE = "WARNING: Using incubator modules: jdk.incubator.vector"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    # The executors import this checkout's catoscan, as the driver does: a node with catoscan
    # installed (an editable install of another checkout would otherwise win).
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    with StandaloneCluster(tmp_path_factory.mktemp("cluster"), env={"PYTHONPATH": path}) as c:
        yield c


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = write_corpus(tmp_path_factory.mktemp("corpus"), "Emily Carter called 090-5555-{n}")
    key = d / "key"
    key.write_bytes(KEY)
    key.chmod(0o600)
    return d


def _scan(out):
    return json.loads((out / "manifest.json").read_text())["scans"][-1]


def _spark_scan(cluster, corpus, out, *options, env=None):
    """``catoscan -v scan --engine spark`` on the cluster, in a process of its own."""
    # The driver script cuts big.jsonl into ranges of CHUNK bytes (8 MB otherwise).
    driver = (
        f"import scanner.plan as p; p.CHUNK_BYTES = {CHUNK}; from scanner.cli import main; main()"
    )
    unset = ("PYSPARK_GATEWAY_PORT", "PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON")
    env = {
        **{k: v for k, v in os.environ.items() if k not in unset},
        "PYTHONPATH": str(ROOT),
        "SPARK_LOCAL_IP": "127.0.0.1",
        **(env or {}),
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            driver,
            "-v",
            "scan",
            "--engine",
            "spark",
            "--master",
            cluster.url,
            "--executor-wait",
            "60",
            "--key-file",
            str(corpus / "key"),
            *options,
            str(corpus / "sample_data"),
            str(corpus / "big.jsonl"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=ROOT,
    )


def test_a_standalone_cluster_gives_the_local_engines_dataset(
    cluster, corpus, tmp_path, monkeypatch
):
    started = time.monotonic()
    result = _spark_scan(cluster, corpus, tmp_path / "spark", "--nlp", "spacy")
    seconds = time.monotonic() - started
    # Exit 3: big.jsonl has 4 lines that are not JSON, read problems of the dataset.
    assert result.returncode == 3, f"{result.stderr}\n{cluster.logs()}"
    # No PYSPARK_PYTHON: the executors, on this machine, run the driver's interpreter.
    assert (
        f"catoscan: Spark's executors run Python {sys.executable} (the driver's, as the "
        f"master {cluster.url} is on this machine)"
    ) in result.stderr
    assert "\tat " not in result.stderr and "ERROR" not in result.stderr, result.stderr

    monkeypatch.setattr(plan, "CHUNK_BYTES", CHUNK)
    local = CliRunner().invoke(
        cli,
        [
            "scan",
            "--nlp",
            "spacy",
            "--key-file",
            str(corpus / "key"),
            str(corpus / "sample_data"),
            str(corpus / "big.jsonl"),
            "--out",
            str(tmp_path / "local"),
        ],
    )
    assert local.exit_code == 3, local.output

    a, b = _scan(tmp_path / "local"), _scan(tmp_path / "spark")
    assert (a["engine"], b["engine"]) == ("local", "spark")
    assert b["ner_loaded"] is True
    assert a["inputs"] == b["inputs"] and a["counts"] == b["counts"]
    assert a["counts"]["errors"] == 4 and a["counts"]["findings"] > 10000
    big = next(i for i in b["inputs"] if i["path"] == "big.jsonl")
    assert big["records"] == 2000
    # Every table, row for row and in the same order.
    local_tables, spark_tables = tables(tmp_path / "local"), tables(tmp_path / "spark")
    for table in TABLES:
        assert local_tables[table] == spark_tables[table], table
    # record_index runs on across the ranges of big.jsonl that separate tasks scanned.
    ips = [
        r["record_index"]
        for r in spark_tables["findings"]
        if r["source_path"] == "big.jsonl" and r["field"] == "src_ip"
    ]
    assert ips == list(range(2000))
    print(f"standalone cluster scan: {seconds:.1f} s")


def test_executors_without_the_packages_are_one_line_and_exit_2(cluster, corpus, tmp_path):
    bare = tmp_path / "bare"  # a Python with nothing installed: no pyarrow, no catoscan
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    python = bare / "bin" / "python"
    out = tmp_path / "inv"
    result = _spark_scan(cluster, corpus, out, "--nlp", "none", env={"PYSPARK_PYTHON": str(python)})
    assert result.returncode == 2, f"{result.stderr}\n{cluster.logs()}"
    said = [
        line
        for line in result.stderr.splitlines()
        if line != JVM_NOTICE and not line.startswith("catoscan: Spark's ")
    ]  # -v lines
    assert said == [
        f"Error: Spark's executors cannot import pyarrow: their Python is {python} "
        "(PYSPARK_PYTHON); ship catoscan's environment to them as an archive (docs/spark.md, "
        "'Python on the executors') or install catoscan on every node, and point "
        "spark.pyspark.python or PYSPARK_PYTHON at that Python"
    ], result.stderr
    assert not (out / "manifest.json").exists()
    assert not list(out.glob(".staging-*")) and not list(out.glob(".interrupted-*"))
