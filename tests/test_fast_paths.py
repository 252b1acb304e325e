"""The fast paths of structured values decide exactly as the general code they bypass."""

import ipaddress
import random

import pytest

import recognizers.ip_address as ip_module
from recognizers.ipv4 import canonical_ipv4
from scanner.detect import detector, gates
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


# ------------------------------------------------- a column's new values, decided together
TRICKY = [
    "192.0.2.17", " 192.0.2.17 ", "0.0.0.0", "01.2.3.4", "１９２.0.2.1", "2001:db8::1",
    "fe80::1%eth0", "10.0.0.0/8", "[192.0.2.1]", "192.0.2.1|198.51.100.7", "", " ", "-", "N/A",
    "unknown", "***", "System User #40276", "山田 太郎", "Ｔａｒｏ　Ｙａｍａｄａ", "taro.yamada",
    "CORP\\tyamada", "Taro.Yamada@Example.COM", "taro%40example.com", "noreply@example.com",
    "a|b|c", "S-1-5-21-1004336348-1177238915-682003330-512", "123456", "DESKTOP-ENI0ABC",
    "00:1A:2B:3C:4D:5E", "001a.2b3c.4d5e", "3c:22:fb:10:9a:0e", "3C-22-FB-10-9A-0E",
    "3c:22:fb:10:9a:0e:11", "3c:22-fb:10:9a:0e", "00:00:00:00:00:00", "FF-FF-FF-FF-FF-FF",
    "ff:ff:ff:ff:ff:fe", " 3c:22:fb:10:9a:0e", "３c:22:fb:10:9a:0e", "https://example.com/a?user=taro.yamada",
    "+81 90-5555-0123", "mail565.files-e9e4f.co.uk", "https://example.com/?id=taro.yamada",
    "http://10.1.2.3/login", "https://example.com/u/taro@example.com", "ｈｔｔｐｓ://example.com",
    "https://example.com/a%40b", "icon@2x.png", "a@b@c.com", "user@localhost", "x@example.c",
    "Ｔaro@example.com", "taro@example.com ", "taro.@example.com", ".taro@example.com",
    "taro@-example.com", "taro@example.com.", "taro@xn--eckwd4c7c.xn--zckzah", "a_b@x.io",
    "a+b@sub.example.co.jp", "taro@example.com.evil", "no-reply@example.com", "https://example.com/C:/Users/tyamada/x", "CORP\\tyamada", "administrator", "Windows 11 Pro", "Tokyo", "35.6812, 139.7671",
    "tab\tinside", "nbsp\u00a0inside", "\x1cseparator", "ß-straße", "del\x7f",
]  # fmt: skip


@pytest.fixture(scope="module")
def scan_config(tmp_path_factory):
    import secrets

    from scanner.config import build_scan_config

    tmp = tmp_path_factory.mktemp("fast")
    key = tmp / "key"
    key.write_text(secrets.token_hex(32))
    key.chmod(0o600)
    return build_scan_config(
        key_file=key, config_dir=None, paths=(tmp,), out=tmp / "out", nlp="none"
    )


def _structured_rules(config):
    fieldmap = detector.Detector(config.configs, nlp="none").fieldmap
    return [r for r in fieldmap.rules if r.detect not in ("text", "ignore")]


def test_a_columns_values_decided_together_are_decided_as_one_by_one(scan_config):
    """take_many (the loops for IP and whole-value fields) against take, rule by rule,
    with the decisions the other workers are sent; then the findings built from them."""
    from scanner.valuecache import ValueCache

    rng = random.Random(7)
    values = list(dict.fromkeys(TRICKY + rng.sample(ADDRESSES, 300)))
    rules = _structured_rules(scan_config)
    assert {r.detect for r in rules} >= {"IP_ADDRESS", "USER_ID", "DEVICE_NAME", "identity"}
    together = detector.Detector(scan_config.configs, nlp="none")
    alone = detector.Detector(scan_config.configs, nlp="none")
    together.learning, alone.learning = [], []
    for rule in rules:
        assert together.take_many(rule, values) == [alone.take(rule, v) for v in values], rule
    assert together.learning == alone.learning
    fast_kinds = {together._fast[id(r)] for r in rules}
    assert fast_kinds == {"ip", "mac", "whole", "inside", "identity", "email", ""}  # all used
    many = ValueCache(scan_config, detector.Detector(scan_config.configs, nlp="none"))
    one = ValueCache(scan_config, detector.Detector(scan_config.configs, nlp="none"))
    for rule in rules:
        rows = many.decide_many(rule, values)
        assert [many.store.findings_at(row) for row in rows] == [
            one.finding_values(rule, v) for v in values
        ], rule


def test_an_allow_entry_for_the_fields_entity_keeps_its_rule_off_the_fast_loop(scan_config):
    from scanner.detect.filters import Filters, ListsFile

    found = detector.Detector(scan_config.configs, nlp="none")
    rule = next(r for r in _structured_rules(scan_config) if r.detect == "IP_ADDRESS")
    assert found._fast_kind(rule) == "ip"
    lists = {"version": 1, "allow": [{"entity": "IP_ADDRESS", "exact": ["192.0.2.17"]}], "deny": []}
    found.filters = Filters(ListsFile.model_validate(lists), found.resolver)
    assert found._fast_kind(rule) == ""
    assert found.take_many(rule, ["192.0.2.17", "198.51.100.7"])[0] == []


def test_the_keyed_hash_of_each_entity_is_hmac_of_the_normal_form():
    import hmac

    from scanner.entities import ENTITY_TYPES
    from scanner.hashing import Hasher, normalise

    key = b"\x01" * 32
    hasher = Hasher(key, ("JP", "US"))
    for entity in (*ENTITY_TYPES, "NOT_AN_ENTITY"):
        for value in TRICKY:
            message = f"{entity}\0{normalise(entity, value, ('JP', 'US'))}".encode()
            expected = hmac.digest(key, message, "sha256").hex()
            assert hasher.hash(entity, value) == expected, (entity, value)


def test_a_zero_padded_address_the_recognizer_finds_has_a_class(scan_config):
    """The recognizer reads 010.1.2.3 as 10.1.2.3; ip_class raised on it, and the file that
    held it was lost to an internal error."""
    from scanner.detect.fieldmap import PLAIN_TEXT
    from scanner.valuecache import ValueCache

    assert ip_module.ip_class("01.2.3.4") == "public"
    assert ip_module.ip_class("010.000.001.001") == "private"
    cache = ValueCache(scan_config, detector.Detector(scan_config.configs, nlp="none"))
    (found,) = cache.finding_values(PLAIN_TEXT, "login from 192.168.001.010 failed")
    assert (found.entity_type, found.ip_class) == ("IP_ADDRESS", "private")


def test_the_joined_search_finds_every_text_a_regex_matches():
    """may_match searches a column's ASCII values as one string: it must flag every value
    that a search of the value alone matches (more is allowed, never fewer)."""
    import re

    import regex

    rng = random.Random(11)
    alphabet = "ab@%40.:-_ \n\\/=?&user login12"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12))) for _ in range(3000)]
    texts += ["user=x", "é@x", "@", "", "\n", "a\nb@c", "40", "%4", "0"]
    patterns = [
        re.compile(r"@|%40", re.I), re.compile(r"(?:\d\D*){3}"), re.compile(r"\d\.\d|::"),
        regex.compile(r"(?:user|login)[a-z_]*\\?[\"']?\s*[=:]", regex.I | regex.M | regex.S),
        regex.compile(r"[?&](?:id|u)=", regex.I), re.compile(r"\Aa"), re.compile(r"b\Z"),
        re.compile(r"^u", re.M), re.compile(r"(?<![a-z])login"), re.compile(r"\bab\b"),
        re.compile(r"x*"),
    ]  # fmt: skip
    for rx in patterns:
        flagged = gates.may_match([rx], texts)
        missed = [t for t, f in zip(texts, flagged, strict=True) if not f and rx.search(t)]
        assert missed == [], (rx.pattern, missed[:3])
    alone = [any(rx.search(t) for rx in patterns[:5]) for t in texts]
    together = gates.may_match(patterns[:5], texts)
    assert all(t or not a for a, t in zip(alone, together, strict=True))
    assert sum(together) < len(texts)  # it still tells the values apart


def test_a_min_score_above_a_recognizers_score_keeps_the_loop_to_what_it_drops(scan_config):
    """A MAC pattern scores 0.95, an e-mail 0.9: with min_score 0.99 the recognizers drop them,
    and the loops must not keep them."""
    rules = _structured_rules(scan_config)
    strict = detector.Detector(scan_config.configs, nlp="none", min_score=0.99)
    alone = detector.Detector(scan_config.configs, nlp="none", min_score=0.99)
    values = ["3c:22:fb:10:9a:0e", "3C-22-FB-10-9A-0E", "192.0.2.17", "mail.example.co.uk", "a@b.io"]
    for rule in rules:
        assert strict.take_many(rule, values) == [alone.take(rule, v) for v in values], rule
