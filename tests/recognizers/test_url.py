import pytest
from assertions import assert_spans

URL = "URL"


@pytest.fixture(scope="module")
def recognizer(by_name):
    return by_name["UrlPatternRecognizer"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://www.example.com", [(URL, "https://www.example.com")]),
        (
            "url=https://phish.example.org/login act=Block",
            [(URL, "https://phish.example.org/login")],
        ),
        (
            "see https://example.com/path?q=1&u=taro%40example.com.",
            [(URL, "https://example.com/path?q=1&u=taro%40example.com")],
        ),
        ("(https://example.com/a)", [(URL, "https://example.com/a")]),
        ("(see https://example.com/a).", [(URL, "https://example.com/a")]),
        (
            "https://en.wikipedia.org/wiki/Foo_(bar), ok",
            [(URL, "https://en.wikipedia.org/wiki/Foo_(bar)")],
        ),
        ("https://example.com/x?a=1;", [(URL, "https://example.com/x?a=1")]),
        ('"request":"https://proxy.example.net/"', [(URL, "https://proxy.example.net/")]),
        ("<http://example.com/x>", [(URL, "http://example.com/x")]),
        ("[http://example.com/x]", [(URL, "http://example.com/x")]),
        ("ftp://files.example.com/a.zip, then", [(URL, "ftp://files.example.com/a.zip")]),
        ("http://[2001:db8::1]:8080/status;", [(URL, "http://[2001:db8::1]:8080/status")]),
        ("HTTPS://EXAMPLE.COM/A", [(URL, "HTTPS://EXAMPLE.COM/A")]),
        (
            "http://a.example/ https://b.example/x",
            [(URL, "http://a.example/"), (URL, "https://b.example/x")],
        ),
        (
            "ユーザー 山田 太郎 が https://www.example.com/ja/ を閲覧",
            [(URL, "https://www.example.com/ja/")],
        ),
        ("URLはhttps://example.com/です", [(URL, "https://example.com/")]),
    ],
)
def test_finds(recognizer, text, expected):
    assert_spans(recognizer.analyze(text, [URL], None), text, expected)


@pytest.mark.parametrize(
    "text",
    [
        "www.example.com",  # no scheme
        "https://",
        "https:// example.com",
        "https://[oops",
        "xhttps://example.com",
        "mailto:taro@example.com",
        "file:///Users/hanako/x",
    ],
)
def test_never(recognizer, text):
    assert_spans(recognizer.analyze(text, [URL], None), text, [])
