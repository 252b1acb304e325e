"""Detection quality floors on the small fixed corpus, spaCy on.

The corpus is the committed ``sample_data/`` with ``tests/labels/sample_data.jsonl``, written
by ``bench/corpus.py`` (every format, English and Japanese people, the hard cases). The
findings are a real scan's (``pipeline.run``: readers, blocks, value cache, templates of
free text); they join labels by keyed value hash. ``bench/eval.py`` prints the same figures beside presidio's.
"""

import importlib.util
import secrets
import sys
from pathlib import Path

import pytest

from scanner.config import load_configs
from scanner.detect.detector import Detector
from scanner.evaluation import evaluate, evidence_of, load_labels, scan_rows
from tests.quality_gates import ENTITY_FLOOR as FLOOR
from tests.quality_gates import MICRO_F1, sample_failures

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
LABELS = ROOT / "tests" / "labels" / "sample_data.jsonl"


@pytest.fixture(scope="module")
def evaluation():
    key = secrets.token_bytes(32)
    configs = load_configs()
    rows = scan_rows([SAMPLE], configs, key, nlp="spacy")
    ev = evaluate(rows, load_labels(LABELS), key, evidence_of(Detector(configs, nlp="none")))
    print(ev.table())
    return ev


def test_every_entity_type_is_labelled(evaluation):
    from scanner.entities import ENTITY_TYPES

    assert set(evaluation.by_entity) == set(ENTITY_TYPES)


def test_every_entity_type_meets_the_floor(evaluation):
    low = {
        name: (round(s.precision, 3), round(s.recall, 3))
        for name, s in evaluation.by_entity.items()
        if s.precision < FLOOR or s.recall < FLOOR
    }
    assert not low, (low, evaluation.false_positives[:20], evaluation.false_negatives[:20])


def test_every_siem_export_shape_meets_the_floor(evaluation):
    """Cato events as six SIEMs export them (sample_data/siem/): each shape on its own."""
    shapes = {k: s for k, s in evaluation.by_source.items() if k.startswith("siem/")}
    assert len(shapes) == 6
    low = {k: (round(s.precision, 3), round(s.recall, 3)) for k, s in shapes.items()
           if s.precision < FLOOR or s.recall < FLOOR}
    assert not low, (low, [r for r in evaluation.false_negatives if r["source_path"] in low])


def test_micro_f1_meets_the_floor(evaluation):
    assert evaluation.micro.f1 >= MICRO_F1, evaluation.micro


def test_every_gate_passes(evaluation):
    """Per entity, per SIEM shape, micro F1 and per kind of evidence (field rules, free text)."""
    assert sample_failures(evaluation) == [], (
        evaluation.false_positives[:20], evaluation.false_negatives[:20])


def test_the_committed_corpus_is_what_the_generator_writes(tmp_path):
    """sample_data/ and its labels are current: regenerate with `python bench/corpus.py`."""
    spec = importlib.util.spec_from_file_location("corpus", ROOT / "bench" / "corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    sys.modules["corpus"] = corpus
    try:
        spec.loader.exec_module(corpus)
        corpus.generate(tmp_path / "data", tmp_path / "labels.jsonl", scale=1)
    finally:
        del sys.modules["corpus"]
    assert (tmp_path / "labels.jsonl").read_bytes() == LABELS.read_bytes()
    written = sorted(p.relative_to(tmp_path / "data") for p in (tmp_path / "data").rglob("*") if p.is_file())
    committed = sorted(p.relative_to(SAMPLE) for p in SAMPLE.rglob("*") if p.is_file())
    assert written == committed
    for rel in written:
        if rel.suffix != ".parquet":  # parquet embeds the writer's version
            assert (tmp_path / "data" / rel).read_bytes() == (SAMPLE / rel).read_bytes(), rel
    assert sum((SAMPLE / rel).stat().st_size for rel in committed) < 2_000_000
