import pytest
from assertions import assert_spans

from recognizers import IpAddressRecognizer, ip_class

IP = "IP_ADDRESS"


@pytest.fixture(scope="module")
def recognizer():
    return IpAddressRecognizer()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # IPv4
        ("192.0.2.17", [(IP, "192.0.2.17")]),
        ("src=198.51.100.23 dst=203.0.113.45", [(IP, "198.51.100.23"), (IP, "203.0.113.45")]),
        ("192.0.2.1:443", [(IP, "192.0.2.1")]),
        ("10.0.0.0/8", [(IP, "10.0.0.0/8")]),  # a network keeps its prefix length
        ("route 2001:db8::/32.", [(IP, "2001:db8::/32")]),
        ("10.0.0.0/123", [(IP, "10.0.0.0")]),  # no such prefix length: the address alone
        ("::ffff:192.168.1", []),  # a cut address is no address (nor its '::ffff:192' head)
        ("255.255.255.255", [(IP, "255.255.255.255")]),
        ("192.168.001.010", [(IP, "192.168.001.010")]),  # zero-padded octets, 3 digits
        ('{"sourceIp":"192.0.2.88"}', [(IP, "192.0.2.88")]),
        ("client: 192.0.2.5", [(IP, "192.0.2.5")]),  # 'client' + ':' is a field label
        ("connected from 192.0.2.7.", [(IP, "192.0.2.7")]),  # sentence full stop
        # xff: a comma-separated list yields each address
        ("198.51.100.7, 192.0.2.1", [(IP, "198.51.100.7"), (IP, "192.0.2.1")]),
        (
            "198.51.100.7,192.0.2.1,2001:db8::7",
            [(IP, "198.51.100.7"), (IP, "192.0.2.1"), (IP, "2001:db8::7")],
        ),
        # IPv6
        ("2001:db8::1", [(IP, "2001:db8::1")]),
        (
            "2001:0db8:0000:0000:0000:ff00:0042:8329",
            [(IP, "2001:0db8:0000:0000:0000:ff00:0042:8329")],
        ),
        ("src=2001:db8:4a1::1c act=Connected", [(IP, "2001:db8:4a1::1c")]),
        ("::ffff:192.0.2.1", [(IP, "::ffff:192.0.2.1")]),  # mixed: one address, not two
        ("fe80::1%eth0 is up", [(IP, "fe80::1%eth0")]),
        ("[2001:db8::1]:443", [(IP, "2001:db8::1")]),
        ("http://[2001:db8::1]:8080/", [(IP, "2001:db8::1")]),
        ("::1", [(IP, "::1")]),
        ("peer 2001:DB8::A: down", [(IP, "2001:DB8::A")]),  # a trailing ':' is not part of it
        # Japanese around the address
        ("ユーザー 山田 太郎 のIPは 192.0.2.17 です", [(IP, "192.0.2.17")]),
        ("接続元IP:198.51.100.77から接続", [(IP, "198.51.100.77")]),
        ("IPv6アドレスは2001:db8::5です", [(IP, "2001:db8::5")]),
    ],
)
def test_finds(recognizer, text, expected):
    results = recognizer.analyze(text, [IP], None)
    assert_spans(results, text, expected)
    assert all(r.score >= 0.95 for r in results)
    assert all(r.recognition_metadata["recognizer_name"] == "IpAddressRecognizer" for r in results)


@pytest.mark.parametrize(
    "text",
    [
        # version strings
        "client 5.18.1.123",
        "Cato Client 5.21.5.8548",
        "version 5.18.1.123",
        "ver. 5.18.1.123",
        "v5.18.1.123",
        "build 10.0.19.45",
        "client_version=5.18.1.123",
        r"C:\Program Files (x86)\Cato Networks\Cato Client\cato_vpn_5.21.5.8548_20250314012030.log",
        "cato_ua_5.21.5.84_20250314012031.log",
        "Mozilla/5.0 (Windows NT 10.0) Chrome/120.0.0.0 Safari/537.36",
        # longer dotted runs and OIDs
        "1.2.3.4.5",
        "1.3.6.1.4.1",
        "oid 1.3.6.1.4.1.2021",
        "OID 1.3.6.1",  # four arcs, after 'OID'
        "snmp oid=1.3.6.1 polled",
        # times and dates
        "01:23:45",
        "2025-03-14",
        "2025-03-14T01:23:45Z",
        "Fri Mar 14 01:23:45 UTC 2025",
        "12:00:00.123",
        # bad octets
        "256.1.1.1",
        "192.168.1.300",
        "0192.168.1.1",
        "192.168.0001.1",
        # MACs, hashes and other hex-colon runs
        "00:00:5e:00:53:1a",
        "aa:bb:cc:dd:ee:ff:00:11:22",
        "std::vector",
        # numbers that are not addresses
        "1741915425000",
        "os_version=14.3.0",
    ],
)
def test_never(recognizer, text):
    assert_spans(recognizer.analyze(text, [IP], None), text, [])


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.10", "private"),
        ("100.64.0.1", "private"),  # carrier-grade NAT
        ("fd00::1", "private"),
        ("8.8.8.8", "public"),
        ("2606:4700:4700::1111", "public"),
        ("192.0.2.17", "documentation"),
        ("198.51.100.7", "documentation"),
        ("203.0.113.45", "documentation"),
        ("2001:db8::1", "documentation"),
        ("[2001:db8::1]", "documentation"),
        ("::ffff:192.0.2.1", "documentation"),  # mapped: the IPv4 address decides
        ("::ffff:8.8.8.8", "public"),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("169.254.10.1", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("198.18.0.1", "reserved"),  # benchmarking: not global, not private
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
    ],
)
def test_ip_class(address, expected):
    assert ip_class(address) == expected


def test_ip_class_rejects_non_addresses():
    with pytest.raises(ValueError):
        ip_class("5.18.1.1234")


@pytest.mark.parametrize("text", ["0.0.0.0", "::", "bind [::]:443", "0.0.0.0/0", "::/0"])
def test_unspecified_addresses_score_under_the_threshold(recognizer, text):
    """Any-address identifies no one: found (presidio finds it) but under min_score."""
    [result] = recognizer.analyze(text, [IP], None)
    assert result.score == recognizer.UNSPECIFIED_SCORE < 0.5
