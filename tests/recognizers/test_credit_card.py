import pytest
from assertions import assert_spans

from recognizers import RECOGNIZERS

CARD = "CREDIT_CARD"


@pytest.fixture(scope="module")
def recognizer():
    return RECOGNIZERS["CreditCardRecognizer"]()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4111111111111111", [(CARD, "4111111111111111")]),  # Visa
        ("4111 1111 1111 1111", [(CARD, "4111 1111 1111 1111")]),
        ("4111-1111-1111-1111", [(CARD, "4111-1111-1111-1111")]),
        ("4222222222222", [(CARD, "4222222222222")]),  # Visa, 13 digits
        ("5555555555554444", [(CARD, "5555555555554444")]),  # Mastercard 5x
        ("2223003122003222", [(CARD, "2223003122003222")]),  # Mastercard 2x
        ("378282246310005", [(CARD, "378282246310005")]),  # Amex
        ("3782 822463 10005", [(CARD, "3782 822463 10005")]),  # Amex grouping
        ("6011111111111117", [(CARD, "6011111111111117")]),  # Discover
        ("3530111333300000", [(CARD, "3530111333300000")]),  # JCB
        ("card=4111111111111111;exp=12/27", [(CARD, "4111111111111111")]),
        ("カード番号 4111-1111-1111-1111 で決済", [(CARD, "4111-1111-1111-1111")]),
        ("30569309025904", [(CARD, "30569309025904")]),  # Diners Club, 14 digits
        ("4111 1111 1111 1111 1", [(CARD, "4111 1111 1111 1111")]),  # a stray group after it
    ],
)
def test_finds(recognizer, text, expected):
    results = recognizer.analyze(text, [CARD], None)
    assert_spans(results, text, expected)
    assert all(r.score == 1.0 for r in results)


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111112",  # Luhn fails
        "4111 1111 1111 1112",
        "4111 1111-1111 1111",  # mixed separators
        "4444444444444444",  # one repeated digit
        "1741915425000",  # epoch ms: no card prefix
        "1234567812345670",  # Luhn-valid, but no known IIN
        "94111111111111111",  # inside a longer run
        "41111111111111110",
        "411111111111",  # 12 digits
        "6283630dfd7ec758a8bf4b61",
        "2025-03-14 01:23:45",
    ],
)
def test_never(recognizer, text):
    assert_spans(recognizer.analyze(text, [CARD], None), text, [])
