"""Free text at presidio's level: its own recognizer test cases through catoscan's free-text path.

The cases and how they are scored: ``bench/parity.py`` (which also prints presidio's
figures beside catoscan's). Floors: every entity type at least 0.95 recall and precision,
all cases together at least 0.98. The few cases catoscan misses on purpose are named in
``KNOWN_MISSES`` with the reason; a case that starts to pass, or a new miss, fails.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OVERALL_FLOOR = 0.98
ENTITY_FLOOR = 0.95

#: Cases catoscan misses by design: (source, reason).
KNOWN_MISSES = {
    "presidio-analyzer/tests/test_ip_recognizer.py:299": (
        "192.168.1.1.1 is a dotted run (an SNMP OID, a version), not an address followed by '.1'"
    ),
    "presidio-analyzer/tests/test_phone_recognizer.py:30": (
        "a bare digit run is a phone number only after a phone word (phone, tel, mobile, "
        "call...); 'number' alone precedes order and serial numbers too"
    ),
}


def _parity():
    spec = importlib.util.spec_from_file_location("parity", ROOT / "bench" / "parity.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("parity", module)
    spec.loader.exec_module(module)
    return module


parity = _parity()


@pytest.fixture(scope="module")
def find():
    return parity.catoscan_finder(0.0)


def _report(result) -> str:
    misses = "\n".join(
        f"  {case.source} {case.entity}: want {list(case.spans or [])}, got {found}"
        for case, found in result.misses
    )
    return f"\n{result.table()}\nnot exactly right:\n{misses or '  none'}"


@pytest.mark.parametrize("cases", ["presidio_cases.jsonl", "japanese_cases.jsonl"])
def test_parity_floors(find, cases):
    result, skipped = parity.evaluate_cases(ROOT / "tests" / "parity" / cases, find)
    report = _report(result)
    assert result.micro.recall >= OVERALL_FLOOR, report
    assert result.micro.precision >= OVERALL_FLOOR, report
    for entity, scores in result.by_entity.items():
        assert scores.recall >= ENTITY_FLOOR, f"{entity} recall{report}"
        assert scores.precision >= ENTITY_FLOOR, f"{entity} precision{report}"
    assert {case.source for case, _found in result.misses} <= set(KNOWN_MISSES), report


def test_known_misses_are_still_missed(find):
    """A known miss that now passes must leave the list (so the list stays true)."""
    result, _skipped = parity.evaluate_cases(
        ROOT / "tests" / "parity" / "presidio_cases.jsonl", find
    )
    missed = {case.source for case, _found in result.misses}
    assert missed == set(KNOWN_MISSES), _report(result)


def test_cases_cite_their_source():
    cases = parity.load_span_cases(ROOT / "tests" / "parity" / "presidio_cases.jsonl")
    assert len(cases) >= 200
    for case in cases:
        path, _, line = case.source.rpartition(":")
        assert path.startswith("presidio-analyzer/tests/test_") and line.isdigit(), case.source


def test_only_non_default_leniency_is_skipped():
    cases = parity.load_span_cases(ROOT / "tests" / "parity" / "presidio_cases.jsonl")
    _kept, skipped = parity.usable(cases)
    assert skipped and all(case.params.get("leniency") not in (None, 1) for case, _ in skipped)
    assert all(case.entity == "PHONE_NUMBER" for case, _ in skipped)


def test_quotes_around_an_expected_span_are_optional():
    from scanner.evaluation import SpanCase, score_span_cases

    case = SpanCase("x:1", "URL", '"https://example.org/"', ((0, 22),), 1)
    for found in ([(0, 22)], [(1, 21)]):
        result = score_span_cases([case], lambda _case, found=found: found)
        assert (result.micro.tp, result.micro.fp, result.micro.fn) == (1, 0, 0)
    result = score_span_cases([case], lambda _case: [(1, 9)])
    assert (result.micro.tp, result.micro.fp, result.micro.fn) == (0, 1, 1)
