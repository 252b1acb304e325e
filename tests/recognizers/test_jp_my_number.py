import pytest
from assertions import assert_spans

from recognizers import RECOGNIZERS

MYNUM = "JP_MY_NUMBER"


@pytest.fixture(scope="module")
def recognizer():
    return RECOGNIZERS["JpMyNumberRecognizer"]()


@pytest.mark.parametrize(
    ("text", "expected", "score"),
    [
        ("123456789018", [(MYNUM, "123456789018")], 0.4),
        ("1234 5678 9018", [(MYNUM, "1234 5678 9018")], 0.5),
        ("1234-5678-9018", [(MYNUM, "1234-5678-9018")], 0.5),
        ("マイナンバー: 123456789018", [(MYNUM, "123456789018")], 0.95),
        ("個人番号 1234-5678-9018", [(MYNUM, "1234-5678-9018")], 0.95),
        ("山田 太郎 の個人番号は1234 5678 9018です", [(MYNUM, "1234 5678 9018")], 0.95),
        ("My Number: 1234 5678 9018", [(MYNUM, "1234 5678 9018")], 0.95),
        ('"mynumber":"123456789018"', [(MYNUM, "123456789018")], 0.95),
        ("123456789018 (マイナンバー)", [(MYNUM, "123456789018")], 0.95),  # context after
    ],
)
def test_finds(recognizer, text, expected, score):
    results = recognizer.analyze(text, [MYNUM], None)
    assert_spans(results, text, expected)
    assert [r.score for r in results] == [score]


def test_context_far_away_does_not_count(recognizer):
    text = "マイナンバー" + "。" * 50 + "123456789018"
    [result] = recognizer.analyze(text, [MYNUM], None)
    assert result.score == 0.4


def test_context_boost_is_marked_so_presidio_does_not_boost_again(recognizer):
    [result] = recognizer.analyze("マイナンバー 123456789018", [MYNUM], None)
    assert result.recognition_metadata["is_score_enhanced_by_context"] is True


@pytest.mark.parametrize(
    "text",
    [
        "123456789012",  # wrong check digit
        "マイナンバー: 123456789012",
        "1234 5678 9012",
        "1123456789018",  # inside a longer digit run
        "1234567890181",
        "1 1234 5678 9018",
        "1234 5678 9018 1",
        "1234 5678-9018",  # mixed separators
        "1741915425000",  # epoch ms
        "202503140120",  # compact timestamp, check digit happens to be right
        "4111 1111 1111 1111",  # a card number's tail
        "000000000000",
        "cato_vpn_5.21.5.8548_20250314012030.log",
    ],
)
def test_never(recognizer, text):
    assert_spans(recognizer.analyze(text, [MYNUM], None), text, [])
