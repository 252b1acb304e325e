"""Chaos run: SIGKILL one process of a pooled scan at a random moment, several times over.

usage: python bench/chaos.py [--runs 8] [--records 48000] [--workers 2] [--nlp spacy|none]
                             [--target any|main|worker|forkserver] [--seed N]

Writes an eventsFeed JSON-lines file (bench.py's generator: per-record ids, ports and
destinations), scans it once cleanly, then ``--runs`` times: starts the same scan in a
process group of its own, waits a random time within the clean scan's wall time, SIGKILLs
one process of the scan chosen at random (the main process, the forkserver, a worker or
Python's resource tracker; ``--target`` narrows the choice: then the first moment from
the random one on when such a process exists), and waits up to 60 s.

Each run is one of:

- ``identical``: the scan finished and its findings, fields and errors tables equal the
  clean scan's, row for row;
- ``exit 70, nothing committed``: the scan gave up (exit code 70) and committed nothing;
- ``killed, nothing committed``: the victim was the main process; nothing was committed;
- ``finished before the kill``: the scan ended before the chosen moment (counted apart);
- ``HUNG`` (no end within 60 s: the group is killed) or ``WRONG`` (anything else);

and ``left`` counts processes of the scan still alive 10 s after it ended. Prints a row
per run and a summary; exits 1 if any run hung, went wrong or left a process behind.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import _event, _users  # noqa: E402 - bench/bench.py, beside this file

HUNG_SECONDS = 60


def write_corpus(path: Path, records: int, seed: int) -> None:
    rng = random.Random(seed)
    users = _users(3000, rng)
    t = 1741915425000
    with open(path, "w", encoding="utf-8") as fh:
        for _ in range(records):
            t += rng.randrange(1, 400)
            fh.write(json.dumps(_event(rng.choice(users), rng, t), ensure_ascii=False) + "\n")


def scan(corpus: Path, out: Path, key: Path, workers: int, nlp: str) -> subprocess.Popen:
    args = [sys.executable, "-m", "scanner", "scan", str(corpus), "--out", str(out),
            "--key-file", str(key), "--nlp", nlp, "--workers", str(workers), "--no-progress"]
    return subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def group(pgid: int) -> dict[int, str]:
    """Living processes of the group: pid -> role."""
    found: dict[int, tuple[int, str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().rsplit(b")", 1)[1].split()
            if int(stat[2]) != pgid or stat[0] == b"Z":
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                found[int(entry)] = (int(stat[1]), fh.read().decode(errors="replace"))
        except (OSError, IndexError, ValueError):
            continue
    roles = {}
    servers = {pid for pid, (_pp, cmd) in found.items() if "forkserver" in cmd}
    for pid, (ppid, cmd) in found.items():
        if pid == pgid:
            roles[pid] = "main"
        elif "resource_tracker" in cmd:
            roles[pid] = "resource tracker"
        elif ppid in servers:
            roles[pid] = "worker"
        elif pid in servers:
            roles[pid] = "forkserver"
        else:
            roles[pid] = "other"
    return roles


def tables(out: Path) -> dict[str, object] | None:
    from scanner.dataset import TABLES, read_manifest, read_table

    if not read_manifest(out)["scans"]:
        return None
    return {t: read_table(out, t).drop_columns(["scan_id"]) for t in TABLES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--records", type=int, default=48_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--nlp", choices=["spacy", "none"], default="spacy")
    parser.add_argument("--target", choices=["any", "main", "worker", "forkserver"],
                        default="any")
    parser.add_argument("--seed", type=int, default=None, help="of the moments and victims")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    tmp = Path(tempfile.mkdtemp(prefix="catoscan-chaos-"))
    try:
        corpus = tmp / "events.jsonl"
        write_corpus(corpus, args.records, 7)
        key = tmp / "key"
        key.write_text("cd" * 32)
        key.chmod(0o600)
        started = time.monotonic()
        proc = scan(corpus, tmp / "clean", key, args.workers, args.nlp)
        _, stderr = proc.communicate()
        clean_wall = time.monotonic() - started
        if proc.returncode != 0:
            print(f"the clean scan failed ({proc.returncode}):\n{stderr}", file=sys.stderr)
            return 2
        clean = tables(tmp / "clean")
        size = corpus.stat().st_size / 1e6
        print(f"corpus: {args.records:,} records, {size:.1f} MB; --workers {args.workers} "
              f"--nlp {args.nlp}; clean scan {clean_wall:.1f} s; seed {seed}")
        print(f"{'run':>3}  {'kill at':>7}  {'victim':<16} {'exit':>5} {'ended':>7}  "
              f"{'left':>4}  outcome")
        bad = 0
        counts: dict[str, int] = {}
        for run in range(1, args.runs + 1):
            out = tmp / f"run{run}"
            delay = rng.uniform(0.3, clean_wall * 0.95)
            proc = scan(corpus, out, key, args.workers, args.nlp)
            time.sleep(delay)
            while True:  # the first moment from then on with a process of the target's kind
                roles = group(proc.pid)
                wanted = [p for p, r in roles.items()
                          if args.target == "any" or r == args.target]
                if wanted or proc.poll() is not None:
                    break
                time.sleep(0.01)
            victim = rng.choice(sorted(wanted)) if wanted else None
            if victim is not None:
                os.kill(victim, signal.SIGKILL)
            killed_at = time.monotonic()
            try:
                _, stderr = proc.communicate(timeout=HUNG_SECONDS)
                ended = time.monotonic() - killed_at
                code: int | str = proc.returncode
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                _, stderr = proc.communicate()
                ended, code = 0.0, "-"
            deadline = time.monotonic() + 10
            while (left := group(proc.pid)) and time.monotonic() < deadline:
                time.sleep(0.1)
            if left:
                os.killpg(proc.pid, signal.SIGKILL)
            role = roles.get(victim, "-") if victim is not None else "-"
            if code == "-":
                outcome = "HUNG"
            elif victim is None:
                outcome = "finished before the kill"
            elif code == 0 and (found := tables(out)) is not None and all(
                found[t].equals(clean[t]) for t in clean
            ):
                outcome = "identical"
            elif code == 70 and tables(out) is None:
                outcome = "exit 70, nothing committed"
            elif code == -signal.SIGKILL and role == "main" and tables(out) is None:
                outcome = "killed, nothing committed"
            else:
                outcome = "WRONG"
                print(stderr[-2000:], file=sys.stderr)
            if outcome in ("HUNG", "WRONG") or left:
                bad += 1
            counts[outcome] = counts.get(outcome, 0) + 1
            took = "-" if code == "-" else f"{ended:.1f}s"
            print(f"{run:>3}  {delay:>6.2f}s  {role:<16} {code!s:>5} {took:>7}  "
                  f"{len(left):>4}  {outcome}", flush=True)
            shutil.rmtree(out, ignore_errors=True)
        summary = ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))
        print(f"summary: {summary}; {bad} hung, wrong or left processes behind")
        return 1 if bad else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
