"""Where a scan spends its time: first decisions per distinct value, then per record warm.

usage: python bench/warm.py [--corpus bench/corpus/high] [--blocks 10] [--repeat 5]
                            [--nlp spacy|none]

Reads the first ``--blocks`` blocks of 4,096 lines of the bench corpus's eventsFeed JSON
lines (run bench/bench.py once to generate it; the default is its high-cardinality
corpus) and detects them once, as a scan's first pass does: it prints how many distinct
(rule, value) decisions that took and their mean cost in microseconds, per kind of rule
(an IP field, an e-mail field, free text...), hash, mask and policy tag included. Every
value is cached from then on, as in a long scan; it times the three stages of the
columnar fast path on the same blocks ``--repeat`` times, in one process, and prints the
best time of each per record:

- parse: orjson, grouping by field names, columns, event times (``columnar.json_blocks._parse``);
- findings: routing, cache look-ups per distinct value, finding rows by NumPy index
  arithmetic (``columnar.findings``);
- sink: Arrow rows, ``fields`` statistics and Parquet writing (``FindingsSink``).

The first decisions (spaCy, recognizers) are not in these figures: bench/bench.py measures
the whole scan.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    """Print the warm per-record cost of each stage."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "bench" / "corpus" / "high")
    parser.add_argument("--nlp", choices=("spacy", "none"), default="spacy")
    parser.add_argument("--blocks", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    lines_file = args.corpus / "eventsfeed.jsonl"
    if not lines_file.exists():
        sys.exit(f"{lines_file} not found: run python bench/bench.py once to generate it")

    from scanner import columnar
    from scanner.columnar import json_blocks
    from scanner.config import build_scan_config
    from scanner.dataset import FINDINGS_SCHEMA, FindingsSink
    from scanner.detect.nlp import one_blas_thread
    from scanner.readers import json_stream
    from scanner.tuning import collect_rarely
    from scanner.worker import SourceScanner

    one_blas_thread()
    collect_rarely()  # as during a scan
    size = columnar.blocks.BLOCK_RECORDS
    with open(lines_file, "rb") as fh:
        raw = [fh.readline() for _ in range(size * args.blocks)]
    raw = [line for line in raw if line]
    blocks = [
        [(start + i + 1, line) for i, line in enumerate(raw[start : start + size])]
        for start in range(0, len(raw), size)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        key = Path(tmp) / "key"
        key.write_text(secrets.token_hex(32))
        key.chmod(0o600)
        config = build_scan_config(
            key_file=key, config_dir=None, paths=(lines_file,), out=Path(tmp) / "out", nlp=args.nlp
        )
        scanner = SourceScanner(config)
        sink = FindingsSink(
            Path(tmp) / "part.parquet",
            FINDINGS_SCHEMA,
            key_id=config.key_id,
            include_values=False,
            batch_rows=config.configs.scanner.batch_rows,
        )
        scanner.sink = sink
        origin = [(0, columnar.Origin(lines_file.name, "eventsfeed-jsonl"))]

        def parse(items: list) -> columnar.Block:
            decoder = json_stream.LineDecoder(scanner.opts)
            (block,) = json_blocks._block_or_rows(items, decoder, scanner.opts)
            return block  # type: ignore[return-value]

        first = _time_decisions(scanner)
        scanner.detector.begin_task()
        for items in blocks:  # decide every value once: the caches are warm from here on
            columnar.findings(parse(items), origin, scanner.detector, scanner.cache)
        _report_decisions(first)
        best = [float("inf")] * 3
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            parsed = [parse(items) for items in blocks]
            t1 = time.perf_counter()
            detecting = writing = 0.0
            for b in parsed:  # a block's rows go to the sink before the next is decided
                t2 = time.perf_counter()
                f = columnar.findings(b, origin, scanner.detector, scanner.cache)
                t3 = time.perf_counter()
                if f is not None:
                    sink.add_indexed(
                        f.recs, f.fields, f.rec_index, f.rows, f.field_index, f.store, f.generation
                    )
                detecting, writing = detecting + t3 - t2, writing + time.perf_counter() - t3
            t2 = time.perf_counter()
            sink._flush()
            writing += time.perf_counter() - t2
            times = (t1 - t0, detecting, writing)
            best = [min(b, t) for b, t in zip(best, times, strict=True)]
        sink.close()
    n = len(raw)
    per = [b / n * 1e6 for b in best]
    print(f"warm path, {n:,} eventsFeed records, best of {args.repeat}, one process:")
    print(
        f"parse {per[0]:.1f} us/record  findings {per[1]:.1f}  sink {per[2]:.1f}  "
        f"total {sum(per):.1f} (= {1e6 / sum(per):,.0f} records/s per core)"
    )


def _time_decisions(scanner) -> dict:  # noqa: ANN001 - worker.SourceScanner
    """Time the scanner's first decisions, per kind of rule (restored by _report_decisions)."""
    from collections import defaultdict

    totals: dict = defaultdict(lambda: [0, 0.0])
    cache = scanner.cache
    decide, many, prefetch = cache.decide, cache.decide_many, cache.detector.prefetch

    def kind(rule) -> str:  # noqa: ANN001
        return "free text" if rule.detect == "text" else f"{rule.detect} field"

    def timed_values(rule, value):  # noqa: ANN001, ANN202
        t0 = time.perf_counter()
        found = decide(rule, value)
        entry = totals[kind(rule)]
        entry[0] += 1
        entry[1] += time.perf_counter() - t0
        return found

    def timed_many(rule, values):  # noqa: ANN001, ANN202
        t0 = time.perf_counter()
        found = many(rule, values)
        entry = totals[kind(rule)]
        entry[0] += len(values)
        entry[1] += time.perf_counter() - t0
        return found

    def timed_prefetch(pairs, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        t0 = time.perf_counter()
        prefetch(pairs, *args, **kwargs)  # NER and templates: charged to free text
        totals["free text"][1] += time.perf_counter() - t0

    cache.decide = timed_values
    cache.decide_many = timed_many
    cache.detector.prefetch = timed_prefetch
    return {"totals": totals, "restore": (scanner, decide, many, prefetch)}


def _report_decisions(first: dict) -> None:
    scanner, decide, many, prefetch = first["restore"]
    scanner.cache.decide = decide
    scanner.cache.decide_many = many
    scanner.detector.prefetch = prefetch
    totals = first["totals"]
    count = sum(n for n, _t in totals.values())
    seconds = sum(t for _n, t in totals.values())
    print(f"first decisions: {count:,} distinct (rule, value), {seconds:.2f} s")
    print(f"  {'rule kind':<24} {'values':>8} {'us/value':>9}")
    for name, (n, t) in sorted(totals.items(), key=lambda kv: -kv[1][1]):
        print(f"  {name:<24} {n:>8,} {t / max(n, 1) * 1e6:>9.1f}")
    structured = [(n, t) for k, (n, t) in totals.items() if k != "free text"]
    n = sum(n for n, _t in structured)
    t = sum(t for _n, t in structured)
    print(f"  {'every structured value':<24} {n:>8,} {t / max(n, 1) * 1e6:>9.1f}")


if __name__ == "__main__":
    main()
