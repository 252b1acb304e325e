import pytest
from assertions import assert_spans

LOCATION = "LOCATION"


@pytest.fixture(scope="module")
def recognizer(by_name):
    return by_name["LocationRecognizer"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Connected to PoP Tokyo from 198.51.100.23", [(LOCATION, "Tokyo")]),
        ("Connected to PoP Los Angeles", [(LOCATION, "Los Angeles")]),
        ("remote location 35.66950, 139.70820 (approx.)", [(LOCATION, "35.66950, 139.70820")]),
        ("geo=-33.86882,151.20929", [(LOCATION, "-33.86882,151.20929")]),
    ],
)
def test_finds(recognizer, text, expected):
    assert_spans(recognizer.analyze(text, [LOCATION], None), text, expected)


@pytest.mark.parametrize(
    "text",
    [
        "PoP tokyo",  # lower case: not a name
        "rtt 35.12, 139.9",  # too few decimals for coordinates
        "version 5.21, 5.8548",
        "1741915425.123, 1741915426.456",
        "PoP",
    ],
)
def test_never(recognizer, text):
    assert_spans(recognizer.analyze(text, [LOCATION], None), text, [])
