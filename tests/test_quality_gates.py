"""The quality gates can fail: each breaks the detector on purpose and a gate must say so.

- the name lexicon emptied: the free-text PERSON gate on sample_data fails;
- NER off: the unseen split's gate for names in Latin letters fails;
- a field rule removed (the one for ``user_id``): the field-rules gate fails.
"""

import secrets
from importlib import resources
from pathlib import Path

import pytest

import recognizers.person_name as person_name
import scanner.detect.not_person as not_person
from scanner.config import load_configs
from scanner.detect.detector import Detector
from scanner.evaluation import evaluate, evidence_of, load_labels, scan_rows
from tests.quality_gates import sample_failures, unseen_failures
from tests.test_unseen import unseen

ROOT = Path(__file__).resolve().parent.parent


def _sample(configs, **scan_options):
    """A scan of sample_data by a (broken) detector; evidence kinds by the packaged rules."""
    key = secrets.token_bytes(32)
    rows = scan_rows([ROOT / "sample_data"], configs, key, **scan_options)
    labels = load_labels(ROOT / "tests" / "labels" / "sample_data.jsonl")
    reference = Detector(load_configs(), nlp="none")
    return evaluate(rows, labels, key, evidence_of(reference))


def test_an_empty_name_lexicon_fails_the_free_text_gate(monkeypatch):
    empty = frozenset()
    nothing = frozenset({"\x00"})  # the recognizer wants a longest surname
    forms = {k: nothing for k in person_name.japanese_forms()}
    monkeypatch.setattr(person_name, "japanese_forms", lambda: forms)
    monkeypatch.setattr(person_name, "EN_GIVEN", empty)
    monkeypatch.setattr(not_person, "_NAMES", [empty])
    failures = sample_failures(_sample(load_configs(), nlp="spacy"))
    assert any(f.startswith("evidence free text PERSON: recall") for f in failures), failures


def test_ner_off_fails_the_unseen_gate():
    cases = unseen.load("test")
    by_script, _misses = unseen.score(cases, unseen.catoscan_scan_finder(cases, "none"))
    failures = unseen_failures(by_script)
    assert any(f.startswith("unseen latin: recall") for f in failures), failures


def test_a_removed_field_rule_fails_the_field_rules_gate(tmp_path):
    text = resources.files("configs").joinpath("fields.yaml").read_text(encoding="utf-8")
    start = text.index("  - fields: [user_id, vpn_user_id")
    end = text.index("\n  - ", start + 1)
    (tmp_path / "fields.yaml").write_text(text[:start] + text[end + 1 :], encoding="utf-8")
    failures = sample_failures(_sample(load_configs(tmp_path), nlp="none"))
    assert any(f.startswith("evidence field rules: recall") for f in failures), failures


@pytest.mark.parametrize("options", [{"nlp": "spacy"}])
def test_the_unbroken_detector_passes_the_same_gates(options):
    """The control: the same evaluation without a mutation passes (so the three above fail
    because of what they break, not because of how they evaluate)."""
    assert sample_failures(_sample(load_configs(), **options)) == []
    cases = unseen.load("test")
    by_script, _ = unseen.score(cases, unseen.catoscan_scan_finder(cases, "spacy"))
    assert unseen_failures(by_script) == []
