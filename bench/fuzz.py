#!/usr/bin/env python3
"""Fuzz every reader, the CEF parser, the sniffer and the archive layer for a given time.

    python bench/fuzz.py --seconds 300                 # every target, time split between them
    python bench/fuzz.py --seconds 60 --target json    # one target
    python bench/fuzz.py --engine hypothesis ...       # without atheris
    python bench/fuzz.py --target columnar ...         # differential: fast path vs row path

Engines: atheris (coverage-guided libFuzzer, `pip install atheris`) when installed, else
hypothesis (`pip install hypothesis`: random and mutated inputs). Not run in CI. Seeds are
the files of sample_data/ (and a few generated archives); limits are set low so the limit
paths are exercised.

What counts as a crash: any exception out of a reader, the CEF parser, sniff() (other than
BinaryData) or the sources() generator; reading an archive member may raise only
scanner.sources.InputError. Also checked: records and problems are well-formed, a problem's
reason never quotes the input (inputs carry a marker that must not appear in any reason),
and one input never takes more than --timeout seconds. A crashing input is written to
bench/fuzz-crashes/<target>-<sha1>.bin; turn it into a regression test.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CRASHES = ROOT / "bench" / "fuzz-crashes"
MARKER = b"Zq7xMARKERk3W"  # in seeds; a problem reason that contains it quotes input
TIME_FIELDS = ("time", "event_timestamp", "audit_timestamp", "creationTime", "rt", "Time")
SEEDS = {
    "json": ("*.json", "*.jsonl"),
    "cef": ("*.log",),
    "cef-parse": ("cef/*.log",),
    "csv": ("*.csv",),
    "text": ("*.log", "*.txt"),
    "parquet": ("*.parquet",),
    "sniff": ("*",),
    "sources": ("*.gz", "*.bz2", "*.zip", "*.tar", "*.xz"),
    # differential: the columnar fast path must give the row path's rows exactly
    "columnar": ("*.jsonl", "cef/*.log", "*.csv"),
}
TARGETS = tuple(SEEDS)


class Violation(AssertionError):
    """An invariant of a target did not hold."""


def _opts():
    from scanner.readers.textio import ReadOptions

    return ReadOptions(
        time_fields=TIME_FIELDS,
        max_line_bytes=4096,
        max_document_bytes=64 * 1024,
        max_fields=200,
        max_json_depth=32,
    )


def _limits():
    from scanner.sources import Limits

    return Limits(
        max_archive_depth=3,
        max_member_bytes=1 << 20,
        max_nested_archive_bytes=1 << 20,
        max_expanded_bytes=4 << 20,
        max_expansion_ratio=100,
        ratio_floor_bytes=64 << 10,
    )


def _check_items(items) -> int:
    from scanner.record import ReadProblem, Record

    n = 0
    for item in items:
        n += 1
        if isinstance(item, Record):
            if not isinstance(item.index, int) or item.index < 0:
                raise Violation(f"bad record index {item.index!r}")
            if item.line is not None and (not isinstance(item.line, int) or item.line < 1):
                raise Violation(f"bad record line {item.line!r}")
            for pair in item.fields:
                key, value = pair
                if not (key is None or isinstance(key, str)) or not isinstance(value, str):
                    raise Violation(f"bad field pair types {type(key)}, {type(value)}")
        elif isinstance(item, ReadProblem):
            if not isinstance(item.reason, str) or not item.reason:
                raise Violation("empty problem reason")
            if MARKER.decode() in item.reason:
                raise Violation(f"problem reason quotes the input: {item.reason[:80]!r}")
        else:
            raise Violation(f"reader yielded {type(item).__name__}")
    return n


def target_fn(name: str) -> Callable[[bytes], None]:
    """The function one input is fed to."""
    from scanner.readers import READERS, cef
    from scanner.sniff import SNIFF_BYTES, BinaryData, sniff
    from scanner.sources import InputError, InputFile, Source, sources

    opts = _opts()
    if name in READERS:
        reader = READERS[name]

        def run_reader(data: bytes) -> None:
            _check_items(reader(io.BytesIO(data), data[:SNIFF_BYTES], opts))

        return run_reader
    if name == "cef-parse":

        def run_cef(data: bytes) -> None:
            text = data.decode("utf-8", errors="replace")
            for line in text.splitlines()[:50]:
                pairs = cef.parse_line(line)
                if pairs is not None and not all(isinstance(v, str) for _k, v in pairs):
                    raise Violation("CEF pair value not a string")

        return run_cef
    if name == "sniff":
        from scanner.readers import FORMATS

        def run_sniff(data: bytes) -> None:
            try:
                label = sniff(data[:SNIFF_BYTES], "fuzz.log")
            except BinaryData:
                return
            if label not in FORMATS:
                raise Violation(f"unknown format label {label!r}")

        return run_sniff
    if name == "sources":
        workdir = Path(tempfile.mkdtemp(prefix="catoscan-fuzz-"))
        path = workdir / "fuzz.bin"
        limits = _limits()

        def run_sources(data: bytes) -> None:
            path.write_bytes(data)
            for src in sources(InputFile(path, "fuzz.bin"), limits):
                if not isinstance(src, Source):
                    _check_items([src[1]])
                    continue
                if any(ord(c) < 32 for c in src.path):
                    raise Violation("control character in a source path")
                try:
                    with src.open() as fh:
                        head = fh.read(SNIFF_BYTES)
                        try:
                            fmt = sniff(head, src.name)
                        except BinaryData:
                            continue
                        from scanner.readers import reader_for

                        rest = io.BufferedReader(_Prefixed(head, fh))  # type: ignore[arg-type]
                        _check_items(reader_for(fmt)(rest, head, opts))
                except InputError:
                    pass  # reported by the pipeline as the member's error

        return run_sources
    if name == "columnar":
        return _columnar_target()
    raise SystemExit(f"unknown target {name!r}; targets: {', '.join(TARGETS)}")


def _columnar_target() -> Callable[[bytes], None]:
    """Scan the input with the columnar fast path and with the row path; rows must match."""
    from scanner import columnar, rowpath
    from scanner.config import ScanConfig, load_configs
    from scanner.dataset import FINDINGS_SCHEMA, FindingsSink
    from scanner.hashing import key_id
    from scanner.sources import InputFile
    from scanner.tasks import Task
    from scanner.worker import SourceScanner

    key = b"fuzz-key-0123456789abcdef0123456"
    config = ScanConfig(paths=(), out=Path(), configs=load_configs(), key=key,
                        key_id=key_id(key), key_source="fuzz", nlp="none", workers=1)
    scanner = SourceScanner(config)
    workdir = Path(tempfile.mkdtemp(prefix="catoscan-fuzz-"))
    path = workdir / "fuzz.jsonl"
    fast = (columnar.FORMATS, SourceScanner._detect, columnar.blocks.BLOCK_RECORDS)

    def scan() -> tuple[list, list]:
        sink = FindingsSink(workdir / "part.parquet", FINDINGS_SCHEMA, key_id=config.key_id,
                            include_values=False, batch_rows=64)
        result = scanner.run_task(Task(0, InputFile(path, "fuzz.jsonl")), sink)
        rows = []
        if result.part is not None:
            import pyarrow.parquet as pq

            rows = pq.read_table(result.part).to_pylist()
            result.part.unlink()
        problems = [(p.line, p.index, p.reason) for s in result.sources for p in s.problems]
        return rows, problems

    def run_columnar(data: bytes) -> None:
        path.write_bytes(data)
        columnar.blocks.BLOCK_RECORDS = 8
        try:
            with_blocks = scan()
            columnar.FORMATS = frozenset()
            SourceScanner._detect = rowpath.detect_records  # type: ignore[method-assign]
            row_by_row = scan()
        finally:
            columnar.FORMATS, SourceScanner._detect = fast[0], fast[1]  # type: ignore[method-assign]
            columnar.blocks.BLOCK_RECORDS = fast[2]
        if with_blocks != row_by_row:
            raise Violation("the columnar fast path and the row path disagree")

    return run_columnar


class _Prefixed(io.RawIOBase):
    def __init__(self, head: bytes, rest):
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self._head:
            n = min(len(b), len(self._head))
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(b))
        b[: len(data)] = data
        return len(data)


def seeds(name: str) -> list[bytes]:
    """Seed inputs: sample files of the target's kind, each also with the marker inside."""
    out: list[bytes] = []
    for pattern in SEEDS[name]:
        for path in sorted((ROOT / "sample_data").rglob(pattern)):
            if path.is_file() and path.stat().st_size < 256 * 1024:
                data = path.read_bytes()
                out.append(data)
                cut = len(data) // 2
                out.append(data[:cut] + MARKER + data[cut:])
    if name == "sources":
        out.extend(_archive_seeds())
    return out or [MARKER]


def _archive_seeds() -> list[bytes]:
    import bz2
    import gzip
    import lzma
    import tarfile
    import zipfile

    line = (
        b'{"event_timestamp":"2025-03-14T01:23:45Z","src_ip":"192.0.2.1","m":"' + MARKER + b'"}\n'
    )
    out = [gzip.compress(line * 3), bz2.compress(line), lzma.compress(line)]
    for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", method) as z:
            z.writestr("a.jsonl", line)
            z.writestr("../b.log", b"x\n")
            z.writestr("c.csv", b"a,b\n1," + MARKER + b"\n")
        out.append(buf.getvalue())
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in (("a.jsonl", line), ("d/e.log.gz", gzip.compress(b"hi\n"))):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    out.append(buf.getvalue())
    out.append(gzip.compress(buf.getvalue()))
    return out


def save_crash(name: str, data: bytes, exc: BaseException) -> Path:
    CRASHES.mkdir(parents=True, exist_ok=True)
    path = CRASHES / f"{name}-{hashlib.sha1(data).hexdigest()[:12]}.bin"
    path.write_bytes(data)
    (path.with_suffix(".txt")).write_text("".join(traceback.format_exception(exc)))
    return path


# -- hypothesis ---------------------------------------------------------------------------
def run_hypothesis(name: str, seconds: float, timeout: float) -> dict:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    fn = target_fn(name)
    pool = seeds(name)

    @st.composite
    def mutated(draw):
        data = bytearray(draw(st.sampled_from(pool)))
        for _ in range(draw(st.integers(0, 8))):
            op = draw(st.integers(0, 3))
            pos = draw(st.integers(0, max(len(data) - 1, 0)))
            if op == 0 and data:
                data[pos] = draw(st.integers(0, 255))
            elif op == 1:
                data[pos:pos] = draw(st.binary(max_size=16))
            elif op == 2:
                del data[pos : pos + draw(st.integers(1, 64))]
            else:
                data[pos:pos] = draw(
                    st.sampled_from(
                        [
                            b"{" * 40,
                            b"[" * 2000,
                            b'"',
                            b"\\",
                            b"\x00",
                            b"\xff\xfe",
                            b"|",
                            b"=",
                            b"\n",
                            b",",
                            MARKER,
                        ]
                    )
                )
        return bytes(data)

    stats = {"runs": 0, "crashes": [], "slow": []}

    @settings(
        max_examples=200,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.one_of(mutated(), st.binary(max_size=2048)))
    def one(data):
        stats["runs"] += 1
        started = time.monotonic()
        try:
            fn(data)
        except Exception as exc:  # noqa: BLE001 - every exception is a finding
            stats["crashes"].append(str(save_crash(name, data, exc)))
            print(f"  CRASH {name}: {type(exc).__name__}: {exc}"[:300], flush=True)
        elapsed = time.monotonic() - started
        if elapsed > timeout:
            stats["slow"].append(
                str(save_crash(name + "-slow", data, TimeoutError(f"{elapsed:.1f} s")))
            )

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        one()
    return stats


# -- atheris ------------------------------------------------------------------------------
def run_atheris_child(name: str, seconds: float, timeout: float) -> None:
    import atheris

    with atheris.instrument_imports():
        import scanner.flatten  # noqa: F401
        import scanner.readers  # noqa: F401
        import scanner.sniff  # noqa: F401
        import scanner.sources  # noqa: F401
    fn = target_fn(name)

    def one(data: bytes) -> None:
        try:
            fn(data)
        except Exception as exc:
            print(f"CRASH saved to {save_crash(name, data, exc)}", flush=True)
            raise

    corpus = Path(tempfile.mkdtemp(prefix=f"catoscan-fuzz-{name}-"))
    for i, data in enumerate(seeds(name)):
        (corpus / f"seed-{i}").write_bytes(data)
    CRASHES.mkdir(parents=True, exist_ok=True)
    atheris.Setup(
        [
            sys.argv[0],
            str(corpus),
            f"-max_total_time={int(seconds)}",
            f"-timeout={int(timeout)}",
            "-rss_limit_mb=2048",
            "-max_len=65536",
            f"-artifact_prefix={CRASHES}/{name}-",
            "-print_final_stats=1",
        ],
        one,
    )
    atheris.Fuzz()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=300, help="total fuzzing time")
    ap.add_argument("--target", choices=TARGETS, action="append", help="default: all")
    ap.add_argument("--engine", choices=("atheris", "hypothesis"), default=None)
    ap.add_argument("--timeout", type=float, default=5, help="seconds one input may take")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    targets = args.target or list(TARGETS)
    engine = args.engine
    if engine is None:
        try:
            import atheris  # noqa: F401

            engine = "atheris"
        except ImportError:
            engine = "hypothesis"
    if args.child:
        run_atheris_child(targets[0], args.seconds, args.timeout)
        return 0
    each = args.seconds / len(targets)
    failed = []
    for name in targets:
        print(f"fuzzing {name} for {each:.0f} s with {engine}", flush=True)
        if engine == "hypothesis":
            stats = run_hypothesis(name, each, args.timeout)
            print(
                f"  {stats['runs']} inputs, {len(stats['crashes'])} crashes, {len(stats['slow'])} slow"
            )
            if stats["crashes"] or stats["slow"]:
                failed.append(name)
        else:
            proc = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    "--engine",
                    "atheris",
                    "--target",
                    name,
                    "--seconds",
                    str(each),
                    "--timeout",
                    str(args.timeout),
                ],
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                capture_output=True,
                text=True,
            )
            stats = [line for line in proc.stderr.splitlines() if line.startswith("stat::")]
            runs = next(
                (line.split()[-1] for line in stats if "number_of_executed_units" in line), "?"
            )
            print(f"  {runs} inputs, exit {proc.returncode}")
            if proc.returncode != 0:
                failed.append(name)
                print("\n".join((proc.stdout + proc.stderr).splitlines()[-40:]))
    print("crashes in: " + ", ".join(failed) if failed else "no crashes")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
