"""``recognizers.base`` keeps presidio's recognizer API and its results' behaviour.

The recognizers no longer subclass presidio's classes (whose package imports spaCy), so
what the detector relies on is compared here with presidio's own: de-duplication of
results, their equality, and a base recognizer's attributes.
"""

import random

import presidio_analyzer
import pytest

from recognizers import base


def _pair(entity, start, end, score, name):
    metadata = {"recognizer_name": name}
    return (
        base.RecognizerResult(entity, start, end, score, None, dict(metadata)),
        presidio_analyzer.RecognizerResult(entity, start, end, score, None, dict(metadata)),
    )


def _facts(results):
    return [(r.entity_type, r.start, r.end, r.score, r.recognition_metadata["recognizer_name"])
            for r in results]  # fmt: skip


def test_remove_duplicates_keeps_what_presidio_keeps():
    rng = random.Random(11)
    compared = dropped = 0
    for _ in range(3000):
        ours, theirs = [], []
        for n in range(rng.randint(0, 8)):
            start = rng.randint(0, 12)
            entity = rng.choice(["PERSON", "PERSON", "LOCATION", "EMAIL_ADDRESS"])
            score = rng.choice([0, 0.4, 0.6, 0.85, 1.0])
            a, b = _pair(entity, start, start + rng.randint(1, 6), score, f"r{n}")
            ours.append(a)
            theirs.append(b)
        kept = base.EntityRecognizer.remove_duplicates(ours)
        expected = presidio_analyzer.EntityRecognizer.remove_duplicates(theirs)
        # The same results survive (of equal ones, the first: presidio's set keeps it too)
        assert sorted(_facts(kept)) == sorted(_facts(expected))
        # in presidio's order; it leaves ties of score and span in a set's order
        order = [(-r.score, r.start, -(r.end - r.start)) for r in kept]
        assert order == sorted(order)
        compared += 1
        dropped += len(ours) - len(kept)
    assert compared == 3000 and dropped > 1000


def test_remove_duplicates_takes_presidio_results_too():
    ours, _ = _pair("PERSON", 0, 8, 0.85, "PersonNameRecognizer")
    _, spacy = _pair("PERSON", 0, 8, 0.85, "SpacyRecognizer")
    _, inner = _pair("PERSON", 0, 3, 0.5, "SpacyRecognizer")
    kept = base.EntityRecognizer.remove_duplicates([ours, spacy, inner])
    assert kept == [ours] and kept[0].recognition_metadata["recognizer_name"] == (
        "PersonNameRecognizer"
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [((0, 4, 0.5), (0, 4, 0.5)), ((0, 4, 0.5), (0, 4, 0.6)), ((0, 4, 0.5), (1, 3, 0.5)),
     ((1, 3, 0.5), (0, 4, 0.5)), ((0, 2, 0.5), (3, 4, 0.5)), ((0, 3, 0.5), (3, 4, 0.5))],
)  # fmt: skip
def test_results_compare_as_presidio_s(a, b):
    ours = base.RecognizerResult("X", *a), base.RecognizerResult("X", *b)
    theirs = presidio_analyzer.RecognizerResult("X", *a), presidio_analyzer.RecognizerResult("X", *b)
    for method in ("intersects", "contained_in", "contains", "equal_indices", "has_conflict"):
        assert getattr(ours[0], method)(ours[1]) == getattr(theirs[0], method)(theirs[1]), method
    assert (ours[0] == ours[1]) == (theirs[0] == theirs[1])
    assert (ours[0] > ours[1]) == (theirs[0] > theirs[1])
    assert str(ours[0]) == str(theirs[0])


def test_a_recognizer_has_presidio_s_attributes():
    class Probe(base.LocalRecognizer):
        loaded = 0

        def load(self):
            type(self).loaded += 1

    mine = Probe(supported_entities=["THING"], context=["word"])
    theirs = presidio_analyzer.LocalRecognizer.__new__(presidio_analyzer.LocalRecognizer)
    presidio_analyzer.EntityRecognizer.__init__(theirs, ["THING"], context=["word"])
    assert Probe.loaded == 1 and mine.is_loaded
    assert mine.name == "Probe" and mine.id.startswith("Probe_")
    for attribute in ("supported_entities", "supported_language", "version", "context"):
        assert getattr(mine, attribute) == getattr(theirs, attribute), attribute
    with pytest.raises(ValueError, match="between 0 and 1"):
        base.Pattern("p", "x", 1.5)
