"""Free-text parity: presidio-analyzer's own recognizer test cases, catoscan beside presidio.

usage: python bench/parity.py [--misses]

The cases (``tests/parity/``): every parametrized case of presidio-analyzer's
``tests/test_{email,ip,credit_card,phone,url,us_ssn,spacy,mac}_recognizer.py``, each
cited by file and line, and catoscan's own Japanese cases. Each text goes through
catoscan's free-text path (``Detector.spans`` on a plain-text line: recognizers, spaCy,
precedence, filters), once at presidio's threshold (0: presidio's tests ask whether a
recognizer finds a span, whatever its score) and once at the configured ``min_score``.
presidio: ``AnalyzerEngine`` with its default recognizers on the same spaCy model, the
phone cases with the regions their test passes.

On presidio's own terms, with two documented differences: phone cases that set a
``leniency`` other than presidio's default (VALID) are skipped, as catoscan checks named
regions at VALID only; an expected span with quotes around it (``"https://..."``) is
matched with or without them. Only case sources and spans are printed, never texts.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")  # presidio: no network

from scanner.evaluation import SpanCase, SpanEvaluation, load_span_cases, score_span_cases  # noqa: E402

PRESIDIO_CASES = ROOT / "tests" / "parity" / "presidio_cases.jsonl"
JAPANESE_CASES = ROOT / "tests" / "parity" / "japanese_cases.jsonl"
#: presidio's phone tests name the United Kingdom "UK"; ``phonenumbers`` knows it as GB.
REGION_NAMES = {"UK": "GB"}
PRESIDIO_DEFAULT_LENIENCY = 1  # phonenumbers.Leniency.VALID

Finder = Callable[[SpanCase], list[tuple[int, int]]]


def skip_reason(case: SpanCase) -> str | None:
    """Why a case is left out, or None."""
    leniency = case.params.get("leniency")
    if leniency is not None and leniency != PRESIDIO_DEFAULT_LENIENCY:
        return f"phone leniency {leniency}: catoscan checks named regions at VALID (1) only"
    return None


def usable(cases: list[SpanCase]) -> tuple[list[SpanCase], list[tuple[SpanCase, str]]]:
    """The cases that are scored, and the skipped ones with the reason."""
    kept, skipped = [], []
    for case in cases:
        reason = skip_reason(case)
        if reason is None:
            kept.append(case)
        else:
            skipped.append((case, reason))
    return kept, skipped


def case_regions(case: SpanCase) -> tuple[str, ...] | None:
    """The phone regions a case's test passes (``phonenumbers`` codes), or None."""
    import phonenumbers

    regions = case.params.get("supported_regions")
    if not regions:
        return None
    named = (REGION_NAMES.get(r, r) for r in regions)
    return tuple(dict.fromkeys(r for r in named if r in phonenumbers.SUPPORTED_REGIONS))


def catoscan_finder(min_score: float | None = None) -> Finder:
    """catoscan's free-text path; a phone case's regions replace ``phone_regions``."""
    from scanner.config import load_configs
    from scanner.detect.detector import Detector
    from scanner.detect.fieldmap import PLAIN_TEXT

    configs = load_configs()
    detectors: dict[tuple[str, ...] | None, Detector] = {}

    def find(case: SpanCase) -> list[tuple[int, int]]:
        regions = case_regions(case)
        detector = detectors.get(regions)
        if detector is None:
            chosen = configs
            if regions is not None:
                scanner = configs.scanner.model_copy(update={"phone_regions": regions})
                chosen = replace(configs, scanner=scanner)
            detector = detectors[regions] = Detector(chosen, nlp="spacy", min_score=min_score)
        return [
            (s.start, s.end)
            for s in detector.spans(PLAIN_TEXT, case.text)
            if s.entity == case.entity
        ]

    return find


def presidio_finder() -> Finder:
    """presidio's ``AnalyzerEngine`` as shipped (threshold 0), phones with the case's regions."""
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    from scanner.config import load_configs

    sys.path.insert(0, str(ROOT / "bench"))
    from eval import presidio_analyzer  # noqa: PLC0415 - bench/eval.py builds it offline

    analyzer = presidio_analyzer(load_configs())
    phones: dict[tuple[str, ...], PhoneRecognizer] = {}

    def find(case: SpanCase) -> list[tuple[int, int]]:
        regions = case.params.get("supported_regions")
        if case.entity == "PHONE_NUMBER" and regions:
            key = tuple(regions)
            if key not in phones:
                phones[key] = PhoneRecognizer(supported_regions=list(regions))
            results = phones[key].analyze(case.text, ["PHONE_NUMBER"], None)
        else:
            try:
                results = analyzer.analyze(case.text, language="en", entities=[case.entity])
            except ValueError:  # no recognizer of that entity (JP_MY_NUMBER)
                results = []
        return [(r.start, r.end) for r in results if r.entity_type == case.entity]

    return find


def evaluate_cases(path: Path, find: Finder) -> tuple[SpanEvaluation, list]:
    """Score one case file; returns the evaluation and the skipped cases."""
    kept, skipped = usable(load_span_cases(path))
    return score_span_cases(kept, find), skipped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="list each case not exactly right")
    parser.add_argument("--no-presidio", action="store_true")
    args = parser.parse_args()
    from scanner.config import load_configs

    configured = load_configs().scanner.min_score
    sides: list[tuple[str, Finder]] = [
        ("catoscan, threshold 0 (presidio's)", catoscan_finder(0.0)),
        (f"catoscan, min_score {configured} (configured)", catoscan_finder()),
    ]
    if not args.no_presidio:
        sides.append(("presidio-analyzer, threshold 0", presidio_finder()))
    for path in (PRESIDIO_CASES, JAPANESE_CASES):
        for name, find in sides:
            result, skipped = evaluate_cases(path, find)
            print(
                f"\n{path.name}: {name} ({sum(1 for _ in load_span_cases(path)) - len(skipped)} "
                f"cases, {len(skipped)} skipped)"
            )
            print(result.table())
            if args.misses:
                for case, found in result.misses:
                    print(
                        f"  miss {case.source} {case.entity}: want {list(case.spans or [])}"
                        f" (count {case.expected_count}), got {found}"
                    )
        for case, reason in skipped:
            print(f"  skipped {case.source}: {reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
