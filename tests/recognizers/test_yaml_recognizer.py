"""catoscan's pattern search (``recognizers.base``) gives exactly what presidio's gives.

Each packaged YAML recognizer (with its prefilters) is rebuilt as a plain presidio
``PatternRecognizer`` with the same patterns and flags (no prefilters), and both analyse
every line of sample_data, the hostile cases, the recognizer tests' own examples and
generated near-misses. The code recognizers built on the same search (e-mail, MAC, SSN,
My Number, with their validation) are compared with a presidio twin that validates as they
do, on the same texts. presidio's explanations are the one thing not compared: catoscan's
results carry none.
"""

import gzip
import random
from collections import Counter
from pathlib import Path

import pytest
from presidio_analyzer import Pattern, PatternRecognizer

from recognizers import base, default_yaml_path, load_yaml_recognizers
from recognizers.email import EmailRecognizer
from recognizers.jp_my_number import JpMyNumberRecognizer
from recognizers.mac_address import MacAddressRecognizer
from recognizers.us_ssn import UsSsnRecognizer
from recognizers.yaml_loader import REGEX_FLAGS, YamlRecognizer

ROOT = Path(__file__).resolve().parents[2]

_PIECES = [
    "C:\\Users\\", "/home/", "/Users/", "CORP\\", "user=", "login_name: ", "logged in user ",
    "?uid=", "DESKTOP-", "-LAPTOP", "MBP-", "-MacBook-Pro", "'s iPhone", "の", "iPad",
    "password=", "\"token\":\"", "Bearer ", "https://", "user_id=", "S-1-5-21-", "PoP ",
    "35.6895, 139.6917", "taro.yamada", "Tokyo", "x", "0", " ", "\\", "\"", "'", "-", ".",
    "=", ":", "&", "TARO", "ab12", "12345678", "null", "****", "@", "ı", "İ", "K",
    "a.b@example.com", "x%40ex.co.jp", "icon@2x.png", "00:00:5e:00:53:01", "ff-ff-ff-ff-ff-ff",
    "0000.5e00.5301", "aabb.ccdd.eeff", "078-05-1120", "219-09-9999", "000-12-3456",
    "1234 5678 9018", "123456789018", "4111 1111 1111 1111", ";",
]


def _texts() -> list[str]:
    texts: set[str] = set()
    for path in sorted((ROOT / "sample_data").rglob("*")) + sorted((ROOT / "tests").rglob("*")):
        if path.suffix in {".json", ".jsonl", ".log", ".csv", ".cef", ".txt", ".py"}:
            data = path.read_text(encoding="utf-8", errors="replace")
        elif path.suffix == ".gz":
            data = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        else:
            continue
        texts.update(line[:500] for line in data.splitlines() if line.strip())
    rng = random.Random(7)
    for _ in range(3000):
        texts.add("".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 12))))
    return sorted(texts)


def _presidio_twin(recognizer: base.PatternRecognizer) -> PatternRecognizer:
    """presidio's PatternRecognizer with the same patterns, flags and validation hooks."""

    class Twin(PatternRecognizer):
        def validate_result(self, pattern_text):
            return recognizer.validate_result(pattern_text)

        def invalidate_result(self, pattern_text):
            return recognizer.invalidate_result(pattern_text)

    return Twin(
        supported_entity=recognizer.supported_entities[0],
        name=recognizer.name,
        supported_language=recognizer.supported_language,
        patterns=[Pattern(p.name, p.regex, p.score) for p in recognizer.patterns],
        context=recognizer.context,
        global_regex_flags=recognizer.global_regex_flags,
    )


def _facts(results):
    return [
        (r.entity_type, r.start, r.end, r.score, r.recognition_metadata["recognizer_name"])
        for r in results
    ]


@pytest.fixture(scope="module")
def texts():
    return _texts()


@pytest.mark.parametrize(
    "recognizer", load_yaml_recognizers(default_yaml_path()), ids=lambda r: r.name
)
def test_same_results_as_presidio(recognizer, texts):
    assert isinstance(recognizer, YamlRecognizer)
    twin = _presidio_twin(recognizer)
    entities = recognizer.supported_entities
    assert recognizer.prefilters  # the packaged prefilters are part of what is compared
    matched = Counter()
    for text in texts:
        ours = recognizer.analyze(text, entities, None)
        theirs = twin.analyze(text, entities, None)
        assert _facts(ours) == _facts(theirs), text
        # The identifier is per instance; each carries its own.
        assert all(r.recognition_metadata["recognizer_identifier"] == recognizer.id for r in ours)
        matched.update(r.analysis_explanation.pattern_name for r in theirs)
    # The texts reach every pattern's matches, not just misses (so a prefilter that is
    # not a necessary condition shows up as a difference).
    assert {p.name: matched[p.name] >= 3 for p in recognizer.patterns} == {
        p.name: True for p in recognizer.patterns
    }


def test_a_zero_score_pattern_reports_nothing_as_in_presidio():
    kwargs = dict(supported_entity="THING", name="T", global_regex_flags=REGEX_FLAGS)
    patterns = [("zero", r"thing", 0.0), ("half", r"th", 0.5)]
    ours = YamlRecognizer(**kwargs, patterns=[base.Pattern(*p) for p in patterns])
    theirs = PatternRecognizer(**kwargs, patterns=[Pattern(*p) for p in patterns])
    ours, theirs = ours.analyze("a thing", ["THING"]), theirs.analyze("a thing", ["THING"])
    assert _facts(ours) == _facts(theirs)
    assert [(r.start, r.end) for r in ours] == [(2, 4)]


@pytest.mark.parametrize(
    "recognizer",
    [EmailRecognizer(), MacAddressRecognizer(), UsSsnRecognizer(), JpMyNumberRecognizer()],
    ids=lambda r: r.name,
)
def test_code_recognizers_search_as_presidio_does(recognizer, texts):
    entities = recognizer.supported_entities
    twin = _presidio_twin(recognizer)
    matched = 0
    for text in texts:
        # the pattern search alone (the subclasses add context boosts of their own)
        ours = base.PatternRecognizer.analyze(recognizer, text, entities, None)
        theirs = twin.analyze(text, entities, None)
        assert _facts(ours) == _facts(theirs), text
        matched += len(theirs)
    assert matched >= 10


def test_validation_raises_and_drops_scores_as_in_presidio():
    class Checked(base.PatternRecognizer):
        def validate_result(self, pattern_text):
            return {"good": True, "bad": False}.get(pattern_text)

        def invalidate_result(self, pattern_text):
            return pattern_text == "other"

    patterns = [base.Pattern("word", r"[a-z]+", 0.4), base.Pattern("none", r"zero", 0.0)]
    recognizer = Checked(supported_entity="THING", name="C", patterns=patterns)
    twin = _presidio_twin(recognizer)
    for text in ["good bad other", "zero", "bad", "good zero other good", "fine other"]:
        ours = recognizer.analyze(text, ["THING"])
        theirs = twin.analyze(text, ["THING"])
        assert _facts(ours) == _facts(theirs), text
    assert [(r.start, r.score) for r in recognizer.analyze("good bad fine", ["THING"])] == [
        (0, 1.0), (9, 0.4),
    ]  # fmt: skip
