"""Where a warm scan spends its time per record: parsing, detecting columns, writing.

usage: python bench/warm.py [--corpus bench/corpus] [--blocks 10] [--repeat 5]

Reads the first ``--blocks`` blocks of 4,096 lines of the bench corpus's eventsFeed JSON
lines (run bench/bench.py once to generate it), detects them once so every value is
cached, as in a long scan, then times the three stages of the columnar fast path on them
``--repeat`` times, in one process, and prints the best time of each per record:

- parse: orjson, grouping by field names, columns, event times (``columnar._parse``);
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
    parser.add_argument("--corpus", type=Path, default=ROOT / "bench" / "corpus")
    parser.add_argument("--blocks", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    lines_file = args.corpus / "eventsfeed.jsonl"
    if not lines_file.exists():
        sys.exit(f"{lines_file} not found: run python bench/bench.py once to generate it")

    from scanner import columnar
    from scanner.config import build_scan_config
    from scanner.dataset import FINDINGS_SCHEMA, FindingsSink
    from scanner.detect.nlp import one_blas_thread
    from scanner.readers import json_stream
    from scanner.worker import SourceScanner, collect_rarely

    one_blas_thread()
    collect_rarely()  # as during a scan
    size = columnar.BLOCK_RECORDS
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
            key_file=key, config_dir=None, paths=(lines_file,), out=Path(tmp) / "out"
        )
        scanner = SourceScanner(config)
        sink = FindingsSink(
            Path(tmp) / "part.parquet",
            FINDINGS_SCHEMA,
            key_id=config.key_id,
            include_values=False,
            batch_rows=config.configs.scanner.batch_rows,
            values=scanner.values,
        )
        scanner.sink = sink
        origin = [(0, columnar.Origin(lines_file.name, "eventsfeed-jsonl"))]

        def parse(items: list) -> columnar.Block:
            decoder = json_stream.LineDecoder(scanner.opts)
            (block,) = columnar._block_or_rows(items, decoder, scanner.opts)
            return block  # type: ignore[return-value]

        for items in blocks:  # decide every value once: the caches are warm from here on
            found = columnar.findings(parse(items), origin, scanner.detector, scanner._decide)
        best = [float("inf")] * 3
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            parsed = [parse(items) for items in blocks]
            t1 = time.perf_counter()
            found = [
                columnar.findings(b, origin, scanner.detector, scanner._decide) for b in parsed
            ]
            t2 = time.perf_counter()
            for f in found:
                if f is not None:
                    sink.add_indexed(
                        f.recs, f.vals, f.fields, f.rec_index, f.val_index, f.field_index
                    )
            sink._flush()
            t3 = time.perf_counter()
            best = [min(b, t) for b, t in zip(best, (t1 - t0, t2 - t1, t3 - t2), strict=True)]
        sink.close()
    n = len(raw)
    per = [b / n * 1e6 for b in best]
    print(f"warm path, {n:,} eventsFeed records, best of {args.repeat}, one process:")
    print(
        f"parse {per[0]:.1f} us/record  findings {per[1]:.1f}  sink {per[2]:.1f}  "
        f"total {sum(per):.1f} (= {1e6 / sum(per):,.0f} records/s per core)"
    )


if __name__ == "__main__":
    main()
