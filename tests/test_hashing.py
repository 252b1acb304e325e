import os

import pytest

from scanner.errors import ConfigError
from scanner.hashing import Hasher, key_id, load_key, mask, normalise


@pytest.mark.parametrize(
    ("entity", "a", "b"),
    [
        ("IP_ADDRESS", "2001:DB8:0:0::1", "2001:db8::1"),
        ("MAC_ADDRESS", "00-00-5E-00-53-1A", "00:00:5e:00:53:1a"),
        ("MAC_ADDRESS", "0000.5e00.531a", "00:00:5E:00:53:1A"),
        ("EMAIL_ADDRESS", "Taro.Yamada%40example.com", "taro.yamada@EXAMPLE.com"),
        ("EMAIL_ADDRESS", "taro＠example.com", "taro@example.com"),
        ("PERSON", "山田　太郎", "山田 太郎"),
        ("PHONE_NUMBER", "03-5555-0101", "+81 3-5555-0101"),
    ],
)
def test_equal_values_normalise_alike(entity, a, b):
    assert normalise(entity, a) == normalise(entity, b)
    h = Hasher(b"k" * 32)
    assert h.hash(entity, a) == h.hash(entity, b)


def test_hash_is_keyed_and_typed():
    assert Hasher(b"a" * 32).hash("PERSON", "x") != Hasher(b"b" * 32).hash("PERSON", "x")
    assert Hasher(b"a" * 32).hash("PERSON", "x") != Hasher(b"a" * 32).hash("USERNAME", "x")


@pytest.mark.parametrize(
    ("entity", "value", "masked"),
    [
        ("EMAIL_ADDRESS", "taro.yamada@example.com", "t***@example.com"),
        ("EMAIL_ADDRESS", "taro.yamada%40example.com", "t***@example.com"),
        ("IP_ADDRESS", "192.0.2.17", "192.0.*.*"),
        ("IP_ADDRESS", "2001:db8:4a1::1c", "2001:0db8:*:*:*:*:*:*"),
        ("MAC_ADDRESS", "00-00-5E-00-53-1A", "00:00:5e:**:**:**"),
        ("PERSON", "山田 太郎", "山***"),
        ("URL", "https://proxy.example.net/login", "https://p***"),
        ("SECRET", "hunter2", "***"),
        ("PHONE_NUMBER", "+81 3-5555-0101", "***01"),
    ],
)
def test_mask_hides_the_value(entity, value, masked):
    assert mask(entity, value) == masked
    assert value not in mask(entity, value)


def test_key_created_once_with_0600(tmp_path, monkeypatch):
    monkeypatch.delenv("CATOSCAN_KEY_FILE", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    key, where, created = load_key(None)
    assert created and oct(os.stat(where).st_mode & 0o777) == "0o600"
    key2, where2, created2 = load_key(None)
    assert (key2, where2, created2) == (key, where, False)
    assert key.hex() not in key_id(key) and len(key_id(key)) == 16


def test_group_readable_key_refused(tmp_path):
    path = tmp_path / "k"
    path.write_text("0" * 64)
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_key(path)


def test_hmac_sha256_hex_is_hmac_digest():
    """The precomputed pads give RFC 2104's HMAC, for keys shorter and longer than a block."""
    import hmac
    import random

    from scanner.hashing import hmac_sha256_hex

    rng = random.Random(5)
    for key_length in (0, 1, 32, 63, 64, 65, 200):
        key = rng.randbytes(key_length)
        digest = hmac_sha256_hex(key)
        for length in (0, 1, 55, 56, 63, 64, 65, 1000):
            message = rng.randbytes(length)
            assert digest(message) == hmac.digest(key, message, "sha256").hex()
        assert digest("EMAIL_ADDRESS\0ユーザー@example.jp".encode()) == hmac.new(
            key, "EMAIL_ADDRESS\0ユーザー@example.jp".encode(), "sha256"
        ).hexdigest()


def test_hashes_masks_and_quads_of_many_values_are_those_of_each_value():
    """The bulk forms the value cache uses (Hasher.many, masks, dotted_quads) against the
    one-value forms, on dotted quads and on what only looks like one."""
    import random

    from recognizers import ip_class, ipv4_classes
    from recognizers.ipv4 import canonical_ipv4
    from scanner.detect.values import dotted_quads
    from scanner.hashing import known_forms, masks

    rng = random.Random(11)

    def octet():
        return rng.choice([str(rng.randint(0, 255)), str(rng.randint(0, 999)),
                           f"0{rng.randint(0, 99)}", "00", "0", "255", "256", "٣", ""])

    texts = [".".join(str(rng.randint(0, 255)) for _ in range(4)) for _ in range(1500)]
    texts += [".".join(octet() for _ in range(rng.choice([3, 4, 4, 4, 5]))) for _ in range(1500)]
    texts += ["0.0.0.0", "255.255.255.255", "1.2.3.4\n", " 1.2.3.4", "1.2.3.4 ", "１.2.3.4",
              "[10.0.0.1]", "10.0.0.1/8", "2001:db8::1", "::ffff:10.0.0.1", "x", ""]
    quads = dotted_quads(texts)
    assert [None if q < 0 else q for q in quads.tolist()] == [canonical_ipv4(t) for t in texts]
    assert (quads >= 0).sum() > 500 and (quads < 0).sum() > 500  # both kinds met
    macs = [sep.join(f"{rng.randint(0, 255):02{rng.choice('xX')}}" for _ in range(6))
            for sep in ":-" for _ in range(300)]
    macs += ["00:11:22:33:44:5", "00:11-22:33:44:55", "0011.2233.4455", "00:11:22:33:44:55 ",
             "00:11:22:33:44:55:66", "ＡＡ:11:22:33:44:55", "aa:bb:cc:dd:ee:fg"]
    h = Hasher(b"k" * 32)
    for entity in ("IP_ADDRESS", "MAC_ADDRESS", "URL", "USER_ID", "EMAIL_ADDRESS"):
        values = macs + texts[:200] if entity == "MAC_ADDRESS" else texts
        forms = known_forms(entity, values, quads if entity == "IP_ADDRESS" else None)
        if entity in ("IP_ADDRESS", "MAC_ADDRESS"):  # both kinds met
            assert 500 < sum(f is not None for f in forms) < len(values) - 200, entity
        assert h.many(entity, values, forms) == [h.hash(entity, t) for t in values], entity
        assert masks(entity, values, forms) == [mask(entity, t) for t in values], entity
    numbers = [q for q in quads.tolist() if q >= 0]
    assert ipv4_classes(numbers) == [ip_class(t) for t, q in zip(texts, quads, strict=True)
                                     if q >= 0]
