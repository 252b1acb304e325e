"""The fast paths of structured values decide exactly as the general code they bypass."""

import ipaddress
import random

import pytest

import recognizers.ip_address as ip_module
from recognizers.ipv4 import canonical_ipv4
from scanner.detect import detector
from scanner.hashing import _canonical_ip, mask


def _addresses():
    rng = random.Random(20261206)
    edges = ip_module._IPV4_STARTS
    numbers = {0, 1, 2**32 - 1, *edges, *(e - 1 for e in edges if e), *(e + 1 for e in edges)}
    numbers |= {rng.getrandbits(32) for _ in range(30_000)}
    return [str(ipaddress.IPv4Address(n)) for n in sorted(n for n in numbers if n < 2**32)]


ADDRESSES = _addresses()


def test_the_ipv4_class_table_agrees_with_ipaddress_everywhere():
    wrong = [a for a in ADDRESSES if ip_module.ip_class(a) != ip_module._ip_class(a)]
    assert wrong == []
    assert set(ip_module._IPV4_CLASSES) == set(ip_module.IP_CLASSES)


def test_canonical_quads_are_recognised_and_nothing_else():
    for text in ADDRESSES[:2000]:
        assert canonical_ipv4(text) == int(ipaddress.IPv4Address(text))
    for text in ["01.2.3.4", "1.2.3.256", "1.2.3", "1.2.3.4.5", " 1.2.3.4", "1.2.3.4/8",
                 "１.2.3.4", "1.2.3.4%eth0", "[1.2.3.4]", "::ffff:1.2.3.4", "1.2.3.04", ""]:  # fmt: skip
        assert canonical_ipv4(text) is None, text


@pytest.mark.parametrize("text", ["01.2.3.4", "[192.0.2.1]", "10.0.0.0/8", "::ffff:192.0.2.1"])
def test_other_forms_still_take_the_general_path(text):
    def outcome(classify):
        try:
            return classify(text)
        except ValueError as exc:
            return type(exc)

    assert outcome(ip_module.ip_class) == outcome(ip_module._ip_class)


def test_hash_input_mask_and_field_span_of_a_quad_are_as_before():
    for text in ADDRESSES[::7]:
        ip = ipaddress.ip_address(text)
        assert _canonical_ip(text) == str(ip)
        a, b, _c, _d = str(ip).split(".")
        assert mask("IP_ADDRESS", text) == f"{a}.{b}.*.*"
        assert detector._bare_ip(f" {text} ") == (None if ip.is_unspecified else (1, 1 + len(text)))
