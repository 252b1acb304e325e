"""Detection quality on a labelled corpus: catoscan beside presidio-analyzer alone.

usage: python bench/eval.py [--data sample_data] [--labels tests/labels/sample_data.jsonl]
                            [--nlp spacy|none] [--min-score X] [--worst 15]
                            [--no-presidio] [--presidio-min-score X] [--sweep] [--no-unseen]

catoscan: a real scan of the corpus with the packaged configs, into a temporary dataset
read back (``scanner.evaluation.scan_rows``: what a user's scan writes). presidio reads
the same records with the scan's own readers: ``AnalyzerEngine`` with its default
recognizers and NER configuration over every field value, on the same spaCy model (handed over loaded, so
nothing is downloaded); its entity names are mapped to ours where they correspond, and
types we do not have (DATE_TIME, NRP, US_DRIVER_LICENSE...) are counted but not scored.
Findings join labels by (source, record, field, entity, keyed value hash). ``--sweep``
scores catoscan at several ``min_score`` values (how the default was tuned). Values are
never printed: the worst false positives and negatives are grouped and shown masked.

What the figures measure: the labelled corpus (``sample_data/``) is this project's own,
written by the people who wrote the detector, so its figures are a regression guard. The
unseen split (``tests/unseen/test.jsonl``, ``bench/unseen.py``: names from Faker and gimei in
messages written apart from the detector, none in its lists) measures accuracy on free-text
names it was not written for; it is printed last, beside presidio's.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import secrets
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")  # presidio: no network

from scanner.config import load_configs  # noqa: E402
from scanner.evaluation import (  # noqa: E402
    Evaluation,
    Scores,
    evaluate,
    evidence_of,
    iter_records,
    load_labels,
    scan_rows,
    side_by_side,
)
from scanner.hashing import Hasher, mask  # noqa: E402

#: presidio entity -> catoscan entity, where they mean the same thing.
PRESIDIO_MAP = {
    e: e
    for e in (
        "EMAIL_ADDRESS",
        "IP_ADDRESS",
        "PHONE_NUMBER",
        "PERSON",
        "LOCATION",
        "URL",
        "CREDIT_CARD",
        "US_SSN",
        "MAC_ADDRESS",
    )
}
SWEEP = (0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8)


def presidio_analyzer(configs):  # noqa: ANN001, ANN201
    """presidio's AnalyzerEngine as shipped, on our already loaded spaCy model."""
    import presidio_analyzer
    import yaml
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

    from scanner.detect.nlp import load_model

    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    conf_file = Path(presidio_analyzer.__file__).parent / "conf" / "default.yaml"
    ner = yaml.safe_load(conf_file.read_text())["ner_model_configuration"]
    ner["low_score_entity_names"] = [n for n in ner.get("low_score_entity_names") or [] if n]
    settings = configs.scanner.nlp
    engine = SpacyNlpEngine(
        models=[{"lang_code": settings.language, "model_name": settings.model}],
        ner_model_configuration=NerModelConfiguration(**ner),
    )
    engine.nlp = {settings.language: load_model(settings)}  # loaded: nothing is fetched
    registry = RecognizerRegistry(supported_languages=[settings.language])
    registry.load_predefined_recognizers(languages=[settings.language], nlp_engine=engine)
    return AnalyzerEngine(
        registry=registry, nlp_engine=engine, supported_languages=[settings.language]
    )


def unseen_presidio_job() -> dict:
    """presidio's scores on the unseen test split (in its own process: see bench/unseen.py)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import unseen

    by_script, _ = unseen.score(unseen.load("test"), unseen.presidio_finder())
    return by_script


def print_unseen(nlp: str, with_presidio: bool) -> None:
    """The unseen split's free-text PERSON scores: accuracy, not a regression guard."""
    sys.path.insert(0, str(ROOT / "bench"))
    import unseen

    cases = unseen.load("test")
    print(
        f"\nunseen names (tests/unseen/test.jsonl, {len(cases)} messages, "
        f"{sum(len(c.names) for c in cases)} names no list of the detector holds):"
    )
    if with_presidio:
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            theirs = pool.apply(unseen_presidio_job)
    ours, _ = unseen.score(cases, unseen.catoscan_scan_finder(cases, nlp))
    print(f"catoscan (nlp={nlp})\n{unseen.table(ours)}")
    if with_presidio:
        print(f"presidio-analyzer alone\n{unseen.table(theirs)}")


def presidio_rows(analyzer, records, hasher: Hasher, min_score: float, other: Counter):  # noqa: ANN001, ANN201
    """presidio's findings on every field value, as evaluation rows (results cached per value)."""
    cache: dict[str, list[tuple[int, int, str, float]]] = {}
    for path, record in records:
        for fld, value in record.fields:
            found = cache.get(value)
            if found is None:
                found = [
                    (r.start, r.end, r.entity_type, r.score)
                    for r in analyzer.analyze(value, language="en", score_threshold=min_score)
                ]
                cache[value] = found
            for start, end, entity, _score in found:
                ours = PRESIDIO_MAP.get(entity)
                if ours is None:
                    other[entity] += 1
                    continue
                text = value[start:end]
                yield {
                    "source_path": path,
                    "record_index": record.index,
                    "field": fld,
                    "entity_type": ours,
                    "value_hash": hasher.hash(ours, text),
                    "value_masked": mask(ours, text),
                    "detector": f"presidio:{entity}",
                }


def presidio_job(data: Path, key: bytes, min_score: float) -> tuple[list[dict], Counter, float]:
    """The whole baseline, run in a fresh process.

    presidio's recognizer loader finds classes by name among all subclasses of its base
    class, so in a process that has imported catoscan's ``recognizers`` (same class names:
    ``CreditCardRecognizer``...) it would build ours. This process never imports them.
    """
    configs = load_configs()
    records = list(iter_records([data], configs))
    started = time.monotonic()
    other: Counter = Counter()
    analyzer = presidio_analyzer(configs)
    rows = list(presidio_rows(analyzer, records, Hasher(key), min_score, other))
    return rows, other, time.monotonic() - started


def worst(rows: list[dict], n: int) -> list[str]:
    """The most frequent kinds of error: (entity, field, detector) with a masked example."""
    groups: Counter = Counter()
    example: dict = {}
    for r in rows:
        k = (r["entity_type"], r["field"], r.get("detector", "-"))
        groups[k] += 1
        example.setdefault(k, f"{r['source_path']}#{r['record_index']} {r['value_masked']}")
    return [
        f"  {count:>5}  {e:<14} field={f} detector={d}  e.g. {example[(e, f, d)]}"
        for (e, f, d), count in groups.most_common(n)
    ]


def report(title: str, ev: Evaluation, n: int) -> None:
    for kind, rows in (
        ("false positives", ev.false_positives),
        ("false negatives", ev.false_negatives),
    ):
        print(f"\n{title}: worst {kind} ({len(rows)} in all):")
        print("\n".join(worst(rows, n)) or "  none")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "sample_data")
    parser.add_argument("--labels", type=Path, default=ROOT / "tests/labels/sample_data.jsonl")
    parser.add_argument("--nlp", choices=["spacy", "none"], default="spacy")
    parser.add_argument("--min-score", type=float, default=None)
    parser.add_argument("--worst", type=int, default=15)
    parser.add_argument("--no-presidio", action="store_true")
    parser.add_argument("--presidio-min-score", type=float, default=0.0)
    parser.add_argument("--sweep", action="store_true", help="score several min_score values")
    parser.add_argument("--no-unseen", action="store_true", help="skip the unseen split")
    args = parser.parse_args()
    key = secrets.token_bytes(32)
    configs = load_configs()
    labels = load_labels(args.labels)
    records = list(iter_records([args.data], configs))
    fields = sum(len(r.fields) for _p, r in records)
    print(
        f"corpus: {args.data} ({len(records)} records, {fields} field values, {len(labels)} labels)"
    )

    if not args.no_presidio:
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            base_rows, other, base_s = pool.apply(
                presidio_job, (args.data, key, args.presidio_min_score)
            )
    from scanner.detect.detector import Detector

    started = time.monotonic()
    rows = scan_rows([args.data], configs, key, nlp=args.nlp, min_score=args.min_score)
    ours_s = time.monotonic() - started
    ours = evaluate(rows, labels, key, evidence_of(Detector(configs, nlp="none")))
    threshold = configs.scanner.min_score if args.min_score is None else args.min_score
    print(
        f"catoscan (nlp={args.nlp}, min_score={threshold}): {len(rows)} findings in {ours_s:.1f} s"
    )

    if args.no_presidio:
        print(ours.table())
    else:
        base = evaluate(base_rows, labels, key)
        print(
            f"presidio-analyzer alone (default recognizers, min score {args.presidio_min_score}): "
            f"{len(base_rows)} comparable findings in {base_s:.1f} s (one analyze per distinct value)"
        )
        print()
        print(side_by_side(ours, base, ("catoscan", "presidio alone")))
        print(
            "\npresidio findings of types catoscan does not report (not scored): "
            + (", ".join(f"{k} {v}" for k, v in other.most_common()) or "none")
        )
    print("\ncatoscan per SIEM export shape (sample_data/siem/, docs/siem.md):")
    print(ours.shapes())
    if ours.by_evidence:
        print("\ncatoscan per kind of evidence (fields a rule maps, or free text):")
        for name in ("field rules", "free text", "free text PERSON"):
            s = ours.by_evidence.get(name, Scores())
            print(
                f"{name:<18} {s.tp:>6} {s.fp:>5} {s.fn:>5} {s.precision:>6.3f} "
                f"{s.recall:>6.3f} {s.f1:>6.3f}"
            )
    report("catoscan", ours, args.worst)
    if not args.no_presidio:
        report("presidio alone", base, args.worst)

    if not args.no_unseen:
        print_unseen(args.nlp, not args.no_presidio)
    if args.sweep:
        print("\nmin_score sweep (catoscan):")
        print(f"{'min_score':>9} {'prec':>6} {'rec':>6} {'f1':>6} {'worst entity (f1)':>24}")
        for t in SWEEP:
            ev = evaluate(scan_rows([args.data], configs, key, nlp=args.nlp, min_score=t), labels, key)
            name, s = min(ev.by_entity.items(), key=lambda kv: kv[1].f1)
            m = ev.micro
            print(
                f"{t:>9.2f} {m.precision:>6.3f} {m.recall:>6.3f} {m.f1:>6.3f} {name:>18} {s.f1:.3f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
