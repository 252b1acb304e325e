"""Device and terminal information in free text (PC-log lines): OS, client, browser."""

import pytest
from assertions import assert_spans

INFO = "DEVICE_INFO"


@pytest.fixture(scope="module")
def recognizer(by_name):
    return by_name["DeviceInfoRecognizer"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("posture check: os=Windows 11 Pro build=22631", [(INFO, "Windows 11 Pro")]),
        ("OS: macOS Sonoma 14.3.1; model MacBookPro18,3", [(INFO, "macOS Sonoma 14.3.1")]),
        ('{"os_version":"14.3.0","platform":"macOS"}', [(INFO, "14.3.0"), (INFO, "macOS")]),
        (
            "Running on Microsoft Windows 10 Enterprise 10.0.19045.4046",
            [(INFO, "Microsoft Windows 10 Enterprise 10.0.19045.4046")],
        ),
        (
            "upgraded to Windows 11 23H2 (build 22631.3155)",
            [(INFO, "Windows 11 23H2 (build 22631.3155)")],
        ),
        ("host runs Ubuntu 22.04.3 LTS kernel 6.5.0", [(INFO, "Ubuntu 22.04.3 LTS")]),
        ("Android 14 device, iOS 17.2.1 device", [(INFO, "Android 14"), (INFO, "iOS 17.2.1")]),
        ("Mac OS X 10_15_7 detected", [(INFO, "Mac OS X 10_15_7")]),
        ("client 5.21.5.8548 starting, service CatoNetworksVPNService", [(INFO, "5.21.5.8548")]),
        ("CatoClient 5.18.1.1234 launched", [(INFO, "5.18.1.1234")]),
        ("client_version=5.21.5.8548", [(INFO, "5.21.5.8548")]),
        (
            'ua="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 '
            '(KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36"',
            [
                (
                    INFO,
                    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                    "(KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
                )
            ],
        ),
        ("agent curl/8.5.0 GET /status", [(INFO, "curl/8.5.0")]),
        ("端末 OS: Windows 11 Home を検出", [(INFO, "Windows 11 Home")]),
    ],
)
def test_finds(recognizer, text, expected):
    found = recognizer.analyze(text, [INFO], None)
    # Nested patterns overlap (the OS inside a user agent); the engine keeps the longest.
    longest = [
        r
        for r in found
        if not any(o is not r and o.start <= r.start and r.end <= o.end for o in found)
    ]
    assert_spans(longest, text, expected)


@pytest.mark.parametrize(
    "text",
    [
        "Windows Update failed",  # no version
        r"C:\Windows\System32\drivers",
        "version 2 of the rule",
        "os=null",
        "os=unknown",
        "192.0.2.17",
        "cato_vpn_5.21.5.8548_20250314012030.log",  # a version in a file name
        "macOS",  # a name alone
        "Windows 2000 Server",  # not in the list of releases it knows
    ],
)
def test_never(recognizer, text):
    assert_spans(recognizer.analyze(text, [INFO], None), text, [])


def test_a_version_alone_is_not_a_client_version(recognizer):
    text = "policy version 1.4.2 published"
    assert_spans(recognizer.analyze(text, [INFO], None), text, [])
