"""Person names the detector never saw (``tests/unseen/``, written by ``bench/unseen.py``).

The test split is scored by a real scan of it (plain-text lines and unmapped fields, spaCy
on, free text per template) and held to ``tests/quality_gates.UNSEEN_FLOORS``; the split is checked to share no name
or message with the detector's lexicon, lists, filters and the labelled corpus.
"""

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from tests.quality_gates import unseen_failures

ROOT = Path(__file__).resolve().parent.parent


def _unseen():
    spec = importlib.util.spec_from_file_location("unseen", ROOT / "bench" / "unseen.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("unseen", module)
    spec.loader.exec_module(module)
    return module


unseen = _unseen()


@pytest.fixture(scope="module")
def scores():
    cases = unseen.load("test")
    by_script, misses = unseen.score(cases, unseen.catoscan_scan_finder(cases, "spacy"))
    print("\n" + unseen.table(by_script))
    return by_script, misses


def test_the_unseen_split_meets_its_floors(scores):
    by_script, misses = scores
    assert unseen_failures(by_script) == [], [
        (case.id, case.names, found) for case, found in misses[:30]
    ]


def test_the_splits_are_large_and_apart():
    dev, test = unseen.load("dev"), unseen.load("test")
    assert len(test) >= 400 and len(dev) >= 400
    for script in ("latin", "japanese"):
        assert sum(len(c.names) for c in test if c.script == script) >= 150
    assert not {c.template for c in dev} & {c.template for c in test}
    names = [{c.text[s:e] for c in split for s, e in c.names} for split in (dev, test)]
    assert not names[0] & names[1]
    assert len({c.template for c in dev + test if c.names}) >= 40
    assert {c.field for c in test} >= {None, *unseen.UNMAPPED_FIELDS[:3]}


def test_no_name_is_known_to_the_detector():
    """No part of a planted name is in the lexicon, the lists or the filters' word lists."""
    known = unseen.excluded_words()
    for case in unseen.load("dev") + unseen.load("test"):
        for start, end in case.names:
            name = case.text[start:end]
            parts = re.split(r"[ \u3000]", name)
            assert not {p.casefold() for p in parts} & known, (case.id, name)


def test_no_template_comes_from_the_detector_or_the_corpus():
    """The messages were written apart from the detector's code, lists and labelled corpus.

    Phrases are compared (three words or more; six Japanese characters or more): a word or
    two (``disabled``, ``assigned to``) is English, not a copied message.
    """
    corpus = sorted((ROOT / "bench" / "labelled").glob("*.py"))
    assert corpus, "the labelled corpus generator is not in bench/labelled/: compare its modules"
    sources = [
        *(ROOT / "recognizers").glob("*.py"),
        *(ROOT / "scanner" / "detect").glob("*.py"),
        *(ROOT / "configs").glob("*.yaml"),
        ROOT / "bench" / "corpus.py",
        *corpus,
    ]
    text = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    templates = {c.template for c in unseen.load("dev") + unseen.load("test")}
    for template in templates:
        for piece in re.split(r"\{[a-z]+\}", template):
            piece = piece.strip(" :,./()（）、")
            phrase = piece.count(" ") >= 2 if piece.isascii() else len(piece) >= 6
            if phrase:
                assert piece not in text, (template, piece)


#: Words both in the detector's Japanese lists and in test messages that are the grammar a
#: name comes with (particles, honorifics) or role words older than the split.
_GRAMMAR = {"の", "さん", "様", "氏", "宛", "アカウント", "管理者"}


def test_no_word_of_a_test_message_is_in_the_detectors_japanese_lists():
    """The place, role and title words the Japanese rules use were not taken from test messages.

    A single word can leak where no phrase does: a place noun listed because a test decoy
    put it after a name would make the test split measure itself.
    """
    from recognizers import japanese_names, person_name
    from scanner.detect import not_person

    words = {*japanese_names.NOT_FAMILY, *japanese_names.TITLES, *person_name.NOT_GIVEN}
    words |= {*person_name.NOT_FAMILY, *not_person.ORGANISATION_WORDS_JA}
    words |= set(re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]+", not_person._PLACE_AFTER_JA.pattern))
    templates = {c.template for c in unseen.load("test")}
    shared = {w for w in words - _GRAMMAR if any(w in t for t in templates)}
    assert not shared, sorted(shared)
