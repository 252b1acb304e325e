"""presidio's ``SpacyNlpEngine``, building the same ``NlpArtifacts`` for NER faster.

presidio makes two spaCy ``Token`` objects per token (for its lemma and offset) and looks
up each lemma's stop-word and punctuation flags in the vocabulary, and builds ``doc.ents``
(a walk over every token) twice; that was about 50 us of each free text's 700. Here
offsets and lemmas come from one ``Doc.to_array`` call, the entities are built once with
presidio's default score, as its ``_get_scores_for_entities`` gives, and the flags are
memoised per word (a word's lexeme flags never change). tests/test_nlp_ops.py compares
the artifacts with presidio's.

Importing this module imports presidio and spaCy: :func:`scanner.detect.nlp.build_analyzer`
imports it only when the model is loaded.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine
from spacy.attrs import IDX, LEMMA
from spacy.tokens import Doc


class NerOnlyNlpEngine(SpacyNlpEngine):
    """``SpacyNlpEngine`` with lean artifacts and memoised lexeme flags (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._flags = lru_cache(maxsize=65_536)(self._lexeme_flags)

    def _lexeme_flags(self, word: str, language: str) -> tuple[bool, bool]:
        # presidio types ``nlp`` as None (its value before models load); it is a dict here.
        lexeme = self.nlp[language].vocab[word]  # type: ignore[index]
        return lexeme.is_stop, lexeme.is_punct

    def is_stopword(self, word: str, language: str) -> bool:
        """Whether spaCy's vocabulary marks ``word`` as a stop word."""
        return self._flags(word, language)[0]

    def is_punct(self, word: str, language: str) -> bool:
        """Whether spaCy's vocabulary marks ``word`` as punctuation."""
        return self._flags(word, language)[1]

    def _doc_to_nlp_artifact(self, doc: Doc, language: str) -> NlpArtifacts:
        strings = doc.vocab.strings
        columns = doc.to_array([IDX, LEMMA]).tolist() if len(doc) else []
        # doc.ents walks every token; presidio asked for it twice (entities, scores).
        found = self._get_entities(doc)
        # presidio types default_score optional; build_analyzer always sets it.
        score: float = self.ner_model_configuration.default_score  # type: ignore[assignment]
        entities, scores = self._get_updated_entities(found, [score] * len(found))
        return NlpArtifacts(
            entities=entities,
            tokens=doc,
            tokens_indices=[idx for idx, _lemma in columns],
            lemmas=[strings[lemma] for _idx, lemma in columns],
            nlp_engine=self,
            language=language,
            scores=scores,
        )
