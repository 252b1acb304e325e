"""Scan a labelled corpus and print precision, recall and F1 per entity type.

usage: python bench/eval.py [--data sample_data] [--labels tests/labels/sample_data.jsonl]
                            [--nlp spacy|none] [--worst 15]
Values are never printed: false positives and negatives are shown masked.
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

from scanner.config import ScanConfig, load_configs  # noqa: E402
from scanner.dataset import read_table  # noqa: E402
from scanner.evaluation import evaluate, load_labels  # noqa: E402
from scanner.hashing import key_id  # noqa: E402
from scanner.pipeline import run  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "sample_data")
    parser.add_argument("--labels", type=Path, default=ROOT / "tests/labels/sample_data.jsonl")
    parser.add_argument("--nlp", choices=["spacy", "none"], default="spacy")
    parser.add_argument("--worst", type=int, default=15)
    args = parser.parse_args()
    key = secrets.token_bytes(32)
    with tempfile.TemporaryDirectory() as tmp:
        config = ScanConfig(
            paths=(args.data,),
            out=Path(tmp),
            configs=load_configs(),
            key=key,
            key_id=key_id(key),
            key_source="ephemeral",
            nlp=args.nlp,
        )
        started = time.monotonic()
        result = run(config)
        seconds = time.monotonic() - started
        findings = read_table(Path(tmp), "findings").to_pylist()
    ev = evaluate(findings, load_labels(args.labels), key)
    print(
        f"catoscan ({args.nlp}): {result.records} records, {result.findings} findings in {seconds:.1f} s"
    )
    print(ev.table())
    for title, rows in (
        ("false positives", ev.false_positives),
        ("false negatives", ev.false_negatives),
    ):
        print(f"\n{title} ({len(rows)}):")
        for row in rows[: args.worst]:
            print("  " + "  ".join(f"{k}={v}" for k, v in row.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
