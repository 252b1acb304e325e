"""Phone numbers beyond the recognizer: regions from scanner.yaml, phone columns, hashes."""

from importlib import resources

import pytest

from recognizers.phone_regions import expand_phone_regions
from scanner.config import load_configs
from scanner.detect.detector import UNVALIDATED_PHONE, Detector
from scanner.errors import ConfigError
from scanner.hashing import canonical_phones, normalise
from scanner.record import Record

PACKAGED = ("JP", "US", "*")


def _detections(detector, value):
    record = Record(0, 1, [("Phone Number", value)], None)
    return [
        (d.value[d.span.start : d.span.end], d.span.score, d.span.detector)
        for d in detector.detect(record)
    ]


@pytest.fixture(scope="module")
def detector():
    return Detector(load_configs(), nlp="none")


def test_a_valid_number_in_a_phone_column_scores_one(detector):
    assert _detections(detector, "090-1234-5678") == [("090-1234-5678", 1.0, "field:Phone Number")]


@pytest.mark.parametrize("value", ["+1 768-555-7863", "+81 45-9761-9846", " +1 768 555 7863 "])
def test_an_invalid_number_in_a_phone_column_is_still_a_phone_number(detector, value):
    """An unassigned area code or an odd length: reported, with a score that says so."""
    [(text, score, name)] = _detections(detector, value)
    assert text == value.strip() and score == UNVALIDATED_PHONE < 1.0
    assert name == "field:Phone Number:unvalidated"


@pytest.mark.parametrize("value", ["n/a", "12", "call me", "+1 768-555-7863 ext 12", "x" * 9])
def test_what_is_no_phone_shape_stays_out(detector, value):
    assert _detections(detector, value) == []


def test_a_higher_min_score_drops_unvalidated_numbers():
    strict = Detector(load_configs(), nlp="none", min_score=0.7)
    assert _detections(strict, "+1 768-555-7863") == []
    assert [s for _t, s, _d in _detections(strict, "090-1234-5678")] == [1.0]


def test_the_packaged_regions_are_japan_the_us_then_every_region():
    regions = load_configs().scanner.phone_regions
    assert regions == PACKAGED
    every = expand_phone_regions(regions)
    assert every[:2] == ("JP", "US") and len(every) == len(set(every)) > 200


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("phone_regions: [JP, XX]", "unknown region 'XX'"),
        ("phone_regions: [JP, '*', US]", "unknown region '\\*'"),
        ("phone_regions: [JP, JP]", "listed twice"),
        ("phone_regions: []", "at least one region"),
    ],
)
def test_bad_regions_stop_the_run_naming_the_key(tmp_path, line, message):
    text = resources.files("configs").joinpath("scanner.yaml").read_text(encoding="utf-8")
    (tmp_path / "scanner.yaml").write_text(
        text.replace('phone_regions: [JP, US, "*"]', line), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=f"phone_regions.*{message}"):
        load_configs(tmp_path)


@pytest.mark.parametrize(
    ("number", "e164"),
    [
        ("03-5555-0101", "+81355550101"),  # valid in Japan, the first region
        ("(415) 555-0132", "+14155550132"),  # parses in Japan, valid in the US only
        ("+44 20 7123 4567", "+442071234567"),
    ],
)
def test_a_number_hashes_as_read_in_the_first_region_where_it_is_valid(number, e164):
    assert normalise("PHONE_NUMBER", number, PACKAGED) == e164


def test_lookup_forms_list_valid_readings_and_the_first_parse():
    forms = canonical_phones("(415) 555-0132", PACKAGED)
    assert forms[0] == ("US", "+14155550132")
    # the reading scans made before validity came first: Japanese, where it parses first
    assert forms[-1] == ("JP", "+814155550132")
