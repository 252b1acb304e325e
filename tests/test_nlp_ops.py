"""The NER's matrix products run through numpy (scanner/detect/nlp.py), not blis.

float32 products from two BLAS libraries may differ in the last bit; this checks that the
entities do not: the pipeline as catoscan loads it against spaCy's own loading, on every
line of text in sample_data (free text, log lines, CEF, CSV rows), one by one and batched.
"""

import gzip
import json
from pathlib import Path

import pytest

from scanner.config import load_configs

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


def _texts() -> list[str]:
    texts: set[str] = set()
    for path in sorted(SAMPLE.rglob("*")):
        if path.suffix in {".json", ".jsonl", ".log", ".csv", ".cef", ".txt"}:
            data = path.read_text(encoding="utf-8", errors="replace")
        elif path.suffix == ".gz":
            data = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        else:
            continue
        for line in data.splitlines():
            line = line.strip()
            if not line:
                continue
            texts.add(line[:400])
            try:  # the string values of JSON lines, as the detector sees them
                texts.update(v for v in _strings(json.loads(line)) if " " in v)
            except ValueError:
                pass
    return sorted(texts)


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)


@pytest.fixture(scope="module")
def pipelines():
    import spacy

    from scanner.detect.nlp import load_model

    settings = load_configs(None).scanner.nlp
    ours = load_model(settings)
    full = spacy.load(settings.model)
    theirs = spacy.load(
        settings.model, exclude=[name for name in full.pipe_names if name not in ours.pipe_names]
    )
    return ours, theirs


def _ents(docs):
    return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in docs]


def test_numpy_matmul_is_what_catoscan_loads(pipelines):
    ours, theirs = pipelines
    ner = ours.get_pipe("ner").model
    assert all(node.ops.use_blis is False for node in ner.walk())
    assert any(node.ops.use_blis for node in theirs.get_pipe("ner").model.walk())


def test_entities_are_the_same_as_with_blis(pipelines):
    ours, theirs = pipelines
    texts = _texts()
    assert len(texts) > 500
    batched = _ents(ours.pipe(texts, batch_size=256))
    assert batched == _ents(theirs.pipe(texts, batch_size=256))
    assert sum(map(len, batched)) > 100  # the comparison covers real entities
    sample = texts[::7]
    assert _ents(ours(t) for t in sample) == _ents(theirs(t) for t in sample)


def test_nlp_artifacts_are_the_same_as_presidios(pipelines):
    """The engine builds NlpArtifacts its own faster way; presidio's way gives the same."""
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    from scanner.detect.detector import Detector

    engine = Detector(load_configs(None))._get_analyzer().nlp_engine
    assert type(engine) is not SpacyNlpEngine and isinstance(engine, SpacyNlpEngine)
    texts = _texts() + ["", " ", "Mr. O'Neil's laptop: Taro-PC, can't be reached!"]
    nlp = engine.nlp["en"]

    def facts(a):
        return (
            [(e.start_char, e.end_char, e.label_) for e in a.entities],
            a.tokens_indices, a.lemmas, a.keywords, a.scores, len(a.tokens),
        )

    with_entities = 0
    for doc in nlp.pipe(texts, batch_size=256):
        ours = engine._doc_to_nlp_artifact(doc, "en")
        assert facts(ours) == facts(SpacyNlpEngine._doc_to_nlp_artifact(engine, doc, "en"))
        with_entities += bool(ours.entities)
    assert with_entities > 50


def test_the_tokenizer_is_the_models_own_though_built_without_exceptions_first(pipelines):
    """load_model spares spaCy building the standard tokenizer's exceptions that the model's
    saved tokenizer replaces: the tokenizer that results is the same, part for part."""
    ours, theirs = pipelines
    assert ours.config["nlp"]["tokenizer"]["@tokenizers"].startswith("catoscan.")
    assert ours.tokenizer.to_bytes() == theirs.tokenizer.to_bytes()
    texts = _texts()[::3] + ["Mr. O'Neil can't log in: don't e-mail j.doe@example.com :)"]
    tokens = [[t.text for t in doc] for doc in ours.tokenizer.pipe(texts)]
    assert tokens == [[t.text for t in doc] for doc in theirs.tokenizer.pipe(texts)]


def test_other_tokenizers_and_models_without_a_saved_one_load_as_they_are(tmp_path):
    from scanner.detect.nlp import _tokenizer_without_exceptions

    standard = {"nlp": {"tokenizer": {"@tokenizers": "spacy.Tokenizer.v1"}}}
    japanese = {"nlp": {"tokenizer": {"@tokenizers": "spacy.ja.JapaneseTokenizer"}}}
    assert _tokenizer_without_exceptions(standard, tmp_path) == {}  # nothing saved
    (tmp_path / "tokenizer").write_bytes(b"")
    assert _tokenizer_without_exceptions(japanese, tmp_path) == {}
    assert _tokenizer_without_exceptions(standard, tmp_path) == {
        "nlp": {"tokenizer": {"@tokenizers": "catoscan.tokenizer_without_exceptions.v1"}}
    }
