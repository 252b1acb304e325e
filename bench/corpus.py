#!/usr/bin/env python3
"""Deterministic synthetic Cato Networks logs and exports, with ground-truth labels.

Every person, address and number here is invented: names from small pools, e-mails on
example.com/.org/.net, IPs from the documentation ranges (plus a few private ones), MACs from
00:00:5e:00:53:xx, phone numbers in the fictional 555 ranges.

    python bench/corpus.py                      # scale 1: the committed sample_data/
    python bench/corpus.py --scale 200 --out bench/corpus/s200 --labels bench/corpus/s200.jsonl
    python bench/corpus.py --check              # re-read what was written and verify the labels

Scale N multiplies record counts (and the number of invented users); records are written one at
a time, so large scales stream. The label format is described in tests/labels/README.md.
The generator is the package bench/labelled/ beside this file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the labelled package beside this file

from labelled.checks import check_labels
from labelled.generate import generate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("sample_data"))
    ap.add_argument("--labels", type=Path, default=Path("tests/labels/sample_data.jsonl"))
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--check", action="store_true",
                    help="after writing, re-read the files and verify every label")
    args = ap.parse_args(argv)
    if args.scale < 1:
        ap.error("--scale must be at least 1")
    sink = generate(args.out, args.labels, args.scale)
    total = sum(sink.records.values())
    print(f"wrote {total} records and {sum(sink.by_type.values())} labels to {args.out} and "
          f"{args.labels}", file=sys.stderr)
    if args.check:
        counts = check_labels(args.out, args.labels, args.scale)
        assert counts == dict(sink.records), (counts, sink.records)
        print("check_labels: ok", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
