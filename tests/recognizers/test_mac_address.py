import pytest
from assertions import assert_spans

from recognizers import RECOGNIZERS

MAC = "MAC_ADDRESS"


@pytest.fixture(scope="module")
def recognizer():
    return RECOGNIZERS["MacAddressRecognizer"]()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("00:00:5e:00:53:1a", [(MAC, "00:00:5e:00:53:1a")]),
        ("00-00-5E-00-53-1A", [(MAC, "00-00-5E-00-53-1A")]),
        ("00-00-5e-00-53-01", [(MAC, "00-00-5e-00-53-01")]),
        ("0000.5e00.531a", [(MAC, "0000.5e00.531a")]),
        ("0000.5E00.531A", [(MAC, "0000.5E00.531A")]),
        (
            '"smac":"00:00:5e:00:53:1a","dmac":"00:00:5E:00:53:2B"',
            [(MAC, "00:00:5e:00:53:1a"), (MAC, "00:00:5E:00:53:2B")],
        ),
        (
            "host_mac=00:00:5e:00:53:01, wifi_bssid=00:00:5e:00:53:ff",
            [(MAC, "00:00:5e:00:53:01"), (MAC, "00:00:5e:00:53:ff")],
        ),
        ("端末のMACアドレスは00:00:5e:00:53:1aです", [(MAC, "00:00:5e:00:53:1a")]),
    ],
)
def test_finds(recognizer, text, expected):
    results = recognizer.analyze(text, [MAC], None)
    assert_spans(results, text, expected)
    assert all(r.score >= 0.85 for r in results)


@pytest.mark.parametrize(
    "text",
    [
        "00:00:00:00:00:00",
        "00-00-00-00-00-00",
        "ff:ff:ff:ff:ff:ff",
        "FF-FF-FF-FF-FF-FF",
        "ffff.ffff.ffff",
        # part of a longer hex/colon run: IPv6, fingerprints, hashes
        "2001:db8:0:0:0:0:0:1",
        "fe80::200:5eff:fe00:531a",
        "00:00:5e:00:53:1a:ff",
        "ff:00:00:5e:00:53:1a",
        "SHA1 Fingerprint=4a:3b:2c:1d:0e:ff:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77",
        "00-00-5e-00-53-1a-2b-3c",
        "deadbeef00:00:5e:00:53:1a",
        "00:00:5e:00:53",  # five bytes
        "00:00:5e-00:53:1a",  # mixed separators
        "0000.5e00.531a.example.com",
        "01:23:45",
    ],
)
def test_never(recognizer, text):
    assert_spans(recognizer.analyze(text, [MAC], None), text, [])


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("face.beef.cafe", 0.3),  # no digit: as often a word game, under min_score
        ("Physical address is aabb.ccdd.eeff", 0.85),  # a context word says it is a MAC
        ("bssid AABB.CCDD.EEFF", 0.85),
        ("0000.5e00.531a", 0.85),  # a digit: a Cisco-dotted MAC as usual
    ],
)
def test_dotted_letters_only_need_a_context_word(recognizer, text, score):
    [result] = recognizer.analyze(text, [MAC], None)
    assert result.score == score
