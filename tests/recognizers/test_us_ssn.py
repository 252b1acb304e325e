import pytest
from assertions import assert_spans

from recognizers import RECOGNIZERS

SSN = "US_SSN"


@pytest.fixture(scope="module")
def recognizer():
    return RECOGNIZERS["UsSsnRecognizer"]()


@pytest.mark.parametrize(
    ("text", "expected", "score"),
    [
        ("123-45-6789", [(SSN, "123-45-6789")], 0.85),
        ("ssn=123-45-6789", [(SSN, "123-45-6789")], 0.95),
        ("Social Security Number 123 45 6789", [(SSN, "123 45 6789")], 0.95),
        ("123 45 6789", [(SSN, "123 45 6789")], 0.4),
        ("社員 Emily Carter の番号 234-56-7890 です", [(SSN, "234-56-7890")], 0.85),
        # Published specimens are still SSN-shaped values in a log: reported, not dropped.
        ("078-05-1120", [(SSN, "078-05-1120")], 0.85),
        ("SSN 219-09-9999 leaked", [(SSN, "219-09-9999")], 0.95),
        ("123.45.6789", [(SSN, "123.45.6789")], 0.4),
        # nine digits, or odd groupings: an SSN only with a context word
        ("123456789", [(SSN, "123456789")], 0.05),
        ("123-456789", [(SSN, "123-456789")], 0.05),
        ("ssn 123456789", [(SSN, "123456789")], 0.95),
    ],
)
def test_finds(recognizer, text, expected, score):
    results = recognizer.analyze(text, [SSN], None)
    assert_spans(results, text, expected)
    assert [r.score for r in results] == [score]


@pytest.mark.parametrize(
    "text",
    [
        "000-12-3456",  # area 000
        "666-12-3456",  # area 666
        "900-12-3456",  # area 9xx
        "987-65-4321",
        "123-00-4567",  # group 00
        "123-45-0000",  # serial 0000
        "1123-45-6789",  # inside longer runs
        "123-45-67890",
        "03-5555-0101",
        "2025-03-14",
        "123-45 6789",
        "078051120",  # a published specimen written without separators: just digits
        "111111111",
    ],
)
def test_never(recognizer, text):
    assert_spans(recognizer.analyze(text, [SSN], None), text, [])
