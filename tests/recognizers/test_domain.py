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


def test_the_suffix_list_is_read_when_a_domain_is_first_checked_and_once():
    """Building the recognizer reads no suffix list (a pooled scan's main process builds a
    detector and checks no domain); the first check reads it, and every recognizer of the
    process shares it."""
    from recognizers.domain import DomainRecognizer, suffix_list

    suffix_list.cache_clear()
    first, second = DomainRecognizer(), DomainRecognizer()
    assert suffix_list.cache_info().currsize == 0
    assert first.is_domain("mail.example.co.jp") and not second.is_domain("co.jp")
    assert suffix_list.cache_info().misses == 1


def test_the_workers_forkserver_reads_the_suffix_list_once_for_them():
    """The local engine's forkserver imports scanner.engines.preload, which reads it."""
    import subprocess
    import sys

    from scanner.engines import pool

    assert "scanner.engines.preload" in pool.PRELOAD
    probe = (
        "import scanner.engines.preload\n"
        "from recognizers.domain import suffix_list\n"
        "print(suffix_list.cache_info().currsize)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.strip() == "1"
