import pytest
from assertions import assert_spans

from recognizers import RECOGNIZERS

EMAIL = "EMAIL_ADDRESS"


@pytest.fixture(scope="module")
def recognizer():
    return RECOGNIZERS["EmailRecognizer"]()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("taro.yamada@example.com", [(EMAIL, "taro.yamada@example.com")]),
        ("user_email=taro.yamada@example.com", [(EMAIL, "taro.yamada@example.com")]),
        (
            '"vpn_user_email":"hanako.sato+vpn@example.co.jp"',
            [(EMAIL, "hanako.sato+vpn@example.co.jp")],
        ),
        ("Contact: emily.carter@mail.example.org.", [(EMAIL, "emily.carter@mail.example.org")]),
        ("<soc.analyst@example.com>", [(EMAIL, "soc.analyst@example.com")]),
        ("mailto:ichiro.suzuki@example.com", [(EMAIL, "ichiro.suzuki@example.com")]),
        ("a@b.co, c@d.jp", [(EMAIL, "a@b.co"), (EMAIL, "c@d.jp")]),
        ("TARO.YAMADA@EXAMPLE.COM", [(EMAIL, "TARO.YAMADA@EXAMPLE.COM")]),
        ("user@xn--eckwd4c7c.xn--zckzah", [(EMAIL, "user@xn--eckwd4c7c.xn--zckzah")]),
        # percent-encoded inside URLs and query strings
        ("user=taro.yamada%40example.com", [(EMAIL, "taro.yamada%40example.com")]),
        (
            "https://portal.example.net/login?user=taro.yamada%40example.com&next=%2F",
            [(EMAIL, "taro.yamada%40example.com")],
        ),
        ("to=%20hanako%40example.com", [(EMAIL, "hanako%40example.com")]),
        ("q=taro%2Byamada%40example.com", [(EMAIL, "taro%2Byamada%40example.com")]),
        # Japanese around the address
        (
            "ユーザー 山田 太郎 のメールは taro.yamada@example.com です",
            [(EMAIL, "taro.yamada@example.com")],
        ),
        ("メールはtaro@example.comです", [(EMAIL, "taro@example.com")]),
        ("連絡先:hanako.sato@example.co.jp(佐藤)", [(EMAIL, "hanako.sato@example.co.jp")]),
    ],
)
def test_finds(recognizer, text, expected):
    results = recognizer.analyze(text, [EMAIL], None)
    assert_spans(results, text, expected)
    assert all(r.score >= 0.9 for r in results)


@pytest.mark.parametrize(
    "text",
    [
        "taro@localhost",  # no TLD
        "taro@example.c",  # one-letter TLD
        "taro@example.c0m",
        "taro@.example.com",
        "@example.com",
        "taro.yamada",
        "logo@2x.png",  # retina image names
        "icon@3x.jpg",
        "user%example.com",
        "5.21.5.8548",
        "taro yamada at example dot com",
    ],
)
def test_never(recognizer, text):
    assert_spans(recognizer.analyze(text, [EMAIL], None), text, [])
