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
