import pytest
from assertions import assert_spans

URL = "URL"


@pytest.fixture(scope="module")
def recognizer(by_name):
    return by_name["DomainRecognizer"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("microsoft.com", [(URL, "microsoft.com")]),
        ("my domains: example.com example.co.jp", [(URL, "example.com"), (URL, "example.co.jp")]),
        ("blocked proxy.example.net/login?x=1.", [(URL, "proxy.example.net/login?x=1")]),
        ("dst=files.example.org:8443/a", [(URL, "files.example.org:8443/a")]),
        ("Visit Example.com today", [(URL, "Example.com")]),
        ("接続先 intranet.example.co.jp へ", [(URL, "intranet.example.co.jp")]),
    ],
)
def test_finds(recognizer, text, expected):
    assert_spans(recognizer.analyze(text, [URL], None), text, expected)


@pytest.mark.parametrize(
    "text",
    [
        "taro.yamada@example.com",  # an e-mail's domain is the e-mail's
        "co.uk",  # a suffix alone
        "www.microsoft",  # www is a host, not a name under the .microsoft brand suffix
        "printer.local",  # no public suffix
        "System.IO.FileNotFoundException",  # .NET names
        "Microsoft.Windows.Photos",
        "setup.py notes.md archive.zip CatoClient.app",  # file names
        r"C:\Tools\example.com",  # a path
        "/var/tmp/example.com",
        "5.21.5.8548",
        "e.g. i.e.",
        "example.com.evil",  # a longer dotted run that is no domain
    ],
)
def test_never(recognizer, text):
    assert_spans(recognizer.analyze(text, [URL], None), text, [])
