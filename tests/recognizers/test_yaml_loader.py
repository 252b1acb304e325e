import re
import textwrap

import pytest
from presidio_analyzer import RecognizerRegistry

from recognizers import RECOGNIZERS, RecognizerConfigError, default_yaml_path, load_yaml_recognizers
from recognizers.base import PatternRecognizer
from scanner.errors import ConfigError

GOOD = """
recognizers:
  - name: TicketRecognizer
    supported_language: en
    supported_entity: TICKET
    patterns:
      - name: ticket
        regex: '(?<=ticket=)[A-Z]+-[0-9]+'
        score: 0.6
    context: [ticket]
"""


def write(tmp_path, text):
    path = tmp_path / "recognizers.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_loads_a_custom_recognizer(tmp_path):
    [recognizer] = load_yaml_recognizers(write(tmp_path, GOOD))
    assert isinstance(recognizer, PatternRecognizer)
    assert recognizer.name == "TicketRecognizer"
    assert recognizer.supported_entities == ["TICKET"]
    assert recognizer.context == ["ticket"]
    text = "see ticket=OPS-42 now"
    [result] = recognizer.analyze(text, ["TICKET"], None)
    assert text[result.start : result.end] == "OPS-42"
    assert result.score == 0.6


def test_packaged_file_loads_with_expected_names():
    names = [r.name for r in load_yaml_recognizers(default_yaml_path())]
    assert names == [
        "UsernameRecognizer",
        "DeviceNameRecognizer",
        "SecretRecognizer",
        "UrlPatternRecognizer",
        "UserIdRecognizer",
        "LocationRecognizer",
        "DeviceInfoRecognizer",
    ]


def test_packaged_file_is_also_valid_for_presidio():
    registry = RecognizerRegistry()
    registry.add_recognizers_from_yaml(str(default_yaml_path()))
    assert {r.name for r in registry.recognizers} >= {"UsernameRecognizer", "SecretRecognizer"}


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "score: 0.6",
            "score: 1.5",
            "recognizers[0] (TicketRecognizer).patterns[0] (ticket).score: "
            "expected a number from 0 to 1, got 1.5",
        ),
        (
            "score: 0.6",
            "score: high",
            "patterns[0] (ticket).score: expected a number from 0 to 1, got 'high'",
        ),
        (
            "regex: '(?<=ticket=)[A-Z]+-[0-9]+'",
            "regex: '([A-Z]+'",
            "recognizers[0] (TicketRecognizer).patterns[0] (ticket).regex: does not compile",
        ),
        (
            "    context: [ticket]",
            "    contxt: [ticket]",
            "recognizers[0]: unknown key 'contxt'; valid keys: context, name, patterns, "
            "supported_entity, supported_language, type",
        ),
        ("        score: 0.6", "        scor: 0.6", "patterns[0]: missing key 'score'"),
        (
            "    supported_entity: TICKET",
            "    supported_entity: ticket",
            "supported_entity: expected an upper-case name such as 'USERNAME', got 'ticket'",
        ),
        ("    supported_entity: TICKET", "", "recognizers[0]: missing key 'supported_entity'"),
        (
            "  - name: TicketRecognizer",
            "  - name: TicketRecognizer\n    type: predefined",
            "type: only 'custom' is supported, got 'predefined'",
        ),
        ("    context: [ticket]", "    context: ticket", "context: expected a list of words"),
        ("recognizers:", "recognisers:", "missing key 'recognizers'"),
    ],
)
def test_bad_entries_fail_with_file_and_key(tmp_path, old, new, message):
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(RecognizerConfigError) as error:
        load_yaml_recognizers(path)
    assert str(error.value).startswith(f"{path}: ")
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("recognizers: []\n", "recognizers: expected a non-empty list"),
        ("- a\n- b\n", "expected a mapping with a 'recognizers' list"),
        ("recognizers: [\n", "not valid YAML"),
        (
            "recognizers:\n  - name: X\n    supported_entity: X\n    patterns: []\n",
            "recognizers[0] (X).patterns: expected a non-empty list",
        ),
    ],
)
def test_bad_documents_fail(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(RecognizerConfigError, match=re.escape(message)):
        load_yaml_recognizers(path)


def test_duplicate_and_reserved_names_fail(tmp_path):
    entry = GOOD.split("recognizers:\n", 1)[1]
    path = write(tmp_path, GOOD + entry)
    with pytest.raises(
        RecognizerConfigError, match=r"recognizers\[1\]\.name: 'TicketRecognizer' is already used"
    ):
        load_yaml_recognizers(path)
    path = write(tmp_path, GOOD.replace("TicketRecognizer", "EmailRecognizer"))
    with pytest.raises(RecognizerConfigError, match="'EmailRecognizer' is already used"):
        load_yaml_recognizers(path, reserved_names=RECOGNIZERS)


def test_missing_file_fails(tmp_path):
    with pytest.raises(RecognizerConfigError, match="cannot read"):
        load_yaml_recognizers(tmp_path / "nope.yaml")


def test_error_is_a_value_error_of_this_package():
    # The scanner makes it a ConfigError where it builds the recognizers (tests/test_cli.py).
    assert issubclass(RecognizerConfigError, ValueError)
    assert not issubclass(RecognizerConfigError, ConfigError)


def test_prefilters_skip_a_pattern_only_where_it_cannot_match(tmp_path):
    text = GOOD + "prefilters:\n  TicketRecognizer:\n    ticket: 'ticket='\n"
    [recognizer] = load_yaml_recognizers(write(tmp_path, text))
    assert recognizer.prefilters == {"ticket": "ticket="}
    assert [(r.start, r.end) for r in recognizer.analyze("see ticket=AB-12", ["TICKET"])] == [
        (11, 16)
    ]
    # A prefilter that is not a necessary condition hides matches: that is why each one
    # must be the pattern's own required literal (and why the packaged file is tested).
    wrong = GOOD + "prefilters:\n  TicketRecognizer:\n    ticket: 'never'\n"
    [recognizer] = load_yaml_recognizers(write(tmp_path, wrong))
    assert recognizer.analyze("see ticket=AB-12", ["TICKET"]) == []


def test_packaged_file_has_a_prefilter_for_every_pattern():
    for recognizer in load_yaml_recognizers(default_yaml_path()):
        assert set(recognizer.prefilters) == {p.name for p in recognizer.patterns}, recognizer.name


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("prefilters: [a]\n", "prefilters: expected a mapping of recognizer names"),
        ("prefilters:\n  Nope:\n    ticket: x\n", "prefilters: 'Nope' is not a recognizer"),
        ("prefilters:\n  TicketRecognizer: x\n", "prefilters.TicketRecognizer: expected a mapping"),
        ("prefilters:\n  TicketRecognizer:\n    nope: x\n", "prefilters.TicketRecognizer.nope: no such"),
        ("prefilters:\n  TicketRecognizer:\n    ticket: '('\n", "ticket: does not compile"),
        ("prefilters:\n  TicketRecognizer:\n    ticket: ''\n", "ticket: expected a non-empty string"),
        ("prefilter: {}\n", "unknown key 'prefilter'; valid keys: prefilters, recognizers"),
    ],
)
def test_bad_prefilters_fail(tmp_path, section, message):
    path = write(tmp_path, GOOD + section)
    with pytest.raises(RecognizerConfigError, match=re.escape(message)):
        load_yaml_recognizers(path)
