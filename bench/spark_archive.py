"""The environment-archive recipe of docs/spark.md, run end to end on a local standalone cluster.

usage: python bench/spark_archive.py [--workdir DIR] [--mb 10] [--nlp spacy|none]
                                     [--python PYTHON] [--keep]

1. Builds a fresh virtual environment (``PYTHON -m venv``) with this checkout installed in it
   (``pip install <checkout> venv-pack``: a regular install, as from the registry, not an
   editable one) and packs it with ``venv-pack`` into ``catoscan-env.tar.gz``.
2. Starts a Spark standalone master and one worker on 127.0.0.1 from the installed pyspark
   (tests/spark_cluster.py). Nothing of catoscan is on the worker's path: the executors can
   only get it from the archive.
3. Submits the scan from another directory, as docs/spark.md says::

       spark-submit --master spark://... --archives catoscan-env.tar.gz#env \\
         --conf spark.pyspark.python=./env/bin/python \\
         --conf spark.pyspark.driver.python=<env>/bin/python \\
         catoscan_job.py -v scan --engine spark ... --out spark-inventory

   over ``sample_data/`` and a generated corpus (bench/bench.py: eventsFeed JSON lines of
   ``--mb`` MB, split into 8 MB ranges, and CEF and CSV exports of a fifth of that).
4. Scans the same inputs with the local engine of the same environment and compares every
   table row for row (scan ids aside), and checks that the executors ran the archive's Python.

Prints what each step took, the environment's and the archive's sizes, and the result. Exits
1 when the two datasets differ or a step fails. Needs pip to reach a package index (or its
cache) for the environment.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import make_corpus  # noqa: E402 - bench/bench.py, beside this file
from tests.spark_cluster import StandaloneCluster  # noqa: E402

TABLES = ("findings", "fields", "errors")


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if result.returncode != 0:
        raise SystemExit(
            f"failed ({result.returncode}): {' '.join(cmd)}\n{result.stdout}{result.stderr}"
        )
    return result


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if not p.is_symlink())


def _timed(what: str, started: float) -> float:
    seconds = time.monotonic() - started
    print(f"{what}: {seconds:.1f} s", flush=True)
    return seconds


def build_archive(work: Path, python: str) -> tuple[Path, Path]:
    """A venv with this checkout and venv-pack, and its archive."""
    env = work / "catoscan-env"
    started = time.monotonic()
    # A copy of the checkout, uncommitted changes included: building in place would leave
    # build/ and egg-info behind in it.
    source = work / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", "build", "*.egg-info", "__pycache__", ".ruff_cache", "corpus", "out"
        ),
    )
    _run([python, "-m", "venv", str(env)])
    _run([str(env / "bin" / "pip"), "install", "--quiet", str(source), "venv-pack"])
    _timed(f"environment built ({_size(env) / 1e6:,.0f} MB)", started)
    archive = work / "catoscan-env.tar.gz"
    started = time.monotonic()
    _run(
        [str(env / "bin" / "venv-pack"), "--prefix", str(env), "--output", str(archive), "--quiet"]
    )
    _timed(f"archive packed ({archive.stat().st_size / 1e6:,.0f} MB)", started)
    # venv-pack ships the packages, not the interpreter: every node needs this one.
    print(f"the archive's bin/python links to {os.path.realpath(env / 'bin' / 'python')}")
    return env, archive


def _tables(env: Path, out: Path) -> dict[str, list[dict]]:
    """Every table of the committed scan, read with the environment's catoscan."""
    code = (
        "import json, sys; from pathlib import Path; from scanner.dataset import read_table; "
        "print(json.dumps({t: read_table(Path(sys.argv[1]), t).drop_columns(['scan_id'])"
        ".to_pylist() for t in sys.argv[2:]}, default=str))"
    )
    result = _run([str(env / "bin" / "python"), "-c", code, str(out), *TABLES], cwd=out.parent)
    return json.loads(result.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="default: a new temporary directory")
    parser.add_argument("--mb", type=int, default=10, help="size of the generated JSON lines")
    parser.add_argument("--nlp", choices=("spacy", "none"), default="spacy")
    parser.add_argument(
        "--python", default=sys.executable, help="the interpreter the environment is made from"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="catoscan-archive-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"work directory: {work}")
    try:
        return run(work, args)
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


def run(work: Path, args: argparse.Namespace) -> int:
    env, archive = build_archive(work, args.python)
    corpus = make_corpus(work / "corpus", args.mb)
    inputs = [ROOT / "sample_data", *corpus.values()]
    total = sum(_size(p) for p in inputs)
    print(
        f"inputs: sample_data/ and {', '.join(p.name for p in corpus.values())} "
        f"({total / 1e6:.1f} MB)"
    )
    key = work / "scan.key"
    key.write_text(secrets.token_hex(32) + "\n")
    key.chmod(0o600)
    scan = ["scan", *map(str, inputs), "--key-file", str(key), "--nlp", args.nlp, "--no-progress"]

    submit_dir = work / "submit"  # not where the environment is: ./env must come from the archive
    submit_dir.mkdir(exist_ok=True)
    job = submit_dir / "catoscan_job.py"
    job.write_text("from scanner.cli import main\n\nmain()\n")
    import pyspark

    spark_submit = Path(pyspark.__file__).parent / "bin" / "spark-submit"
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "PYTHONPATH",
            "PYSPARK_PYTHON",
            "PYSPARK_DRIVER_PYTHON",
            "PYSPARK_GATEWAY_PORT",
            "VIRTUAL_ENV",
        )
    }
    started = time.monotonic()
    with StandaloneCluster(work / "cluster", env={"PYTHONPATH": ""}) as cluster:
        _timed(f"standalone cluster started at {cluster.url}", started)
        started = time.monotonic()
        submitted = subprocess.run(
            [
                str(spark_submit),
                "--master",
                cluster.url,
                "--deploy-mode",
                "client",
                "--archives",
                f"{archive}#env",
                "--conf",
                "spark.pyspark.python=./env/bin/python",
                "--conf",
                f"spark.pyspark.driver.python={env / 'bin' / 'python'}",
                str(job),
                "-v",
                *scan,
                "--engine",
                "spark",
                "--out",
                str(work / "spark-inventory"),
            ],
            # The driver's Python writes to spark-submit's stdout, its stderr included.
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=submit_dir,
            env=cluster.environment(clean),
        )
        spark_seconds = _timed("spark-submit with the archive", started)
        (work / "spark-submit.log").write_text(submitted.stdout)
        said = [line for line in submitted.stdout.splitlines() if line.startswith("catoscan: ")]
        print("\n".join(f"  {line}" for line in said))
        if submitted.returncode not in (0, 1, 3):
            print(
                f"spark-submit failed ({submitted.returncode}); its log: "
                f"{work / 'spark-submit.log'}\n{submitted.stdout[-4000:]}\n{cluster.logs(30)}"
            )
            return 1
        unpacked = sorted(cluster.workdir.glob("work-0/app-*/*/env/bin/python"))
    started = time.monotonic()
    local = subprocess.run(
        [str(env / "bin" / "catoscan"), *scan, "--out", str(work / "local-inventory")],
        capture_output=True,
        text=True,
        cwd=work,
        env=clean,
    )
    local_seconds = _timed("the same scan, local engine", started)
    if local.returncode not in (0, 1, 3):
        print(f"local scan failed ({local.returncode}):\n{local.stderr}")
        return 1

    a = _tables(env, work / "local-inventory")
    b = _tables(env, work / "spark-inventory")
    manifest = json.loads((work / "spark-inventory" / "manifest.json").read_text())["scans"][-1]
    ok = True
    for table in TABLES:
        same = a[table] == b[table]
        ok = ok and same
        print(
            f"{table}: {len(a[table]):,} rows locally, {len(b[table]):,} on the cluster, "
            f"{'identical' if same else 'DIFFERENT'}"
        )
    archive_python = (
        "catoscan: Spark's executors run Python ./env/bin/python (spark.pyspark.python)"
    )
    if archive_python not in said or not unpacked:
        print("the executors did not run the archive's Python")
        ok = False
    print(
        f"engine {manifest['engine']}, {manifest['counts']['records']:,} records, "
        f"{manifest['counts']['findings']:,} findings; spark-submit {spark_seconds:.1f} s "
        f"(scan {manifest['seconds']:.1f} s), local {local_seconds:.1f} s"
    )
    print("result: " + ("identical to the local engine" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
