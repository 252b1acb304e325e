"""Known answers for ``value_hash`` and ``key_id``: digests computed once and written here.

A ``value_hash`` is what joins a value across files, scans and datasets made months apart;
``key_id`` says which key made it. Both must stay the same for the same value and key. The
other hashing tests only compare values with each other, so they would pass after a change
to normalisation or to the HMAC message that silently broke every join with older scans. These
digests are literals, computed from the code once: when one of them fails, the change breaks
users' older joins too. Do not update a digest to make the test pass: undo the change, or make
it a deliberate break that the release notes announce (older scans stop joining newer ones).

Phone numbers are read with phonenumbers' metadata, so an upgrade of it that reads a number
otherwise fails here as well: that is a changed hash too.
"""

import json

import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.config import load_configs
from scanner.dataset import read_manifest, read_table
from scanner.entities import ENTITY_TYPES
from scanner.hashing import DEFAULT_PHONE_REGIONS, Hasher, key_id, normalise

#: 32 bytes, written literally: a key file holding them gives the same key.
KEY = b"catoscan known-answer test key!!"
KEY_ID = "975b68c9405f4e17"
#: configs/scanner.yaml's phone_regions, as packaged
PACKAGED = ("JP", "US", "*")
#: the regions of scans that recorded none (hashing.DEFAULT_PHONE_REGIONS)
HISTORICAL = ("JP", "US")

# The same value written in different ways shares one digest.
IPV4 = "b775d5f050e0acc1ee2ab9d556d353220ca6c2e6940780675c34ead6b227fa5a"
IPV6 = "54c45ca543962fe1daefcc40355a8f1c9ed431eecfd66b0fbe560071116246a5"
MAPPED = "0a99d5adeb27ff51d728b3fb6b5f3360b685045cf7c5ae578462e6ba13c1d3ba"
MAC = "837dd2a67f0da07124e25d56e1ee480660a9d3b0cd71f3c18bb7cee60f979884"
EMAIL = "a17a55aa9c72b61f5d98d399d233e79da6dde45381fa356bc27596231fac7b16"
CARD = "9c3dc2fc144bff9699127e020ff473335f574949248fa8a5c61f25ae51d2fb69"
NAME_JA = "576c836e962b54f553c4d692d68b789317ee07c162c43178c2a18eb2de7491a0"
NAME_EN = "ccb4949e7f4adab39fcf1614960718cbc4e68aae8dcf33f72ad38292fb72e046"
PHONE_JP = "5e1fcb4cfd4052aef321df2a9b6dd98c59e772a8f95ceef84c3feaae5b0b4818"
MOBILE_JP = "4ec9fda78bec06d5b6574b50d561d2b1f437048878baea24aee498be9a57a7ba"
PHONE_US = "786785a4a5534b8a2e4c2b86084d158e56c5d012dec5861995558e59b0310854"
PHONE_GB = "4c4aeedb71f57b25b477f3546305c325181803d77f15e666e3bcaeb9b445ab07"
DEVICE_NAME = "1c3e432a089046350d2e19e074fbcde8c4d019d29293551b213593aa4811c97f"

# (entity type, value as found, its canonical text, its digest under KEY)
KNOWN = [
    ("IP_ADDRESS", "192.0.2.17", "192.0.2.17", IPV4),
    ("IP_ADDRESS", "１９２.０.２.１７", "192.0.2.17", IPV4),  # full-width digits
    ("IP_ADDRESS", "2001:DB8:0:0::1", "2001:db8::1", IPV6),
    ("IP_ADDRESS", "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1", IPV6),
    ("IP_ADDRESS", "[2001:db8::1]", "2001:db8::1", IPV6),
    (
        "IP_ADDRESS",
        "fe80::1%eth0",  # the zone is dropped
        "fe80::1",
        "bde2dafffcaff70a4cf4cb6c44ad040fdd4d475f9f17c0ed75bf277b93c00bd7",
    ),
    # IPv4-mapped: Python 3.13 writes it dotted; the hash must not follow it
    ("IP_ADDRESS", "::FFFF:192.0.2.17", "::ffff:c000:211", MAPPED),
    (
        "IP_ADDRESS",
        "192.0.2.17/24",  # a network: its address, host bits cleared
        "192.0.2.0/24",
        "e910cdf35d206bfb620d96511390f6c3f45f5d130e50b296ec9b6e19e99d6a6b",
    ),
    (
        "IP_ADDRESS",
        "2001:DB8::/32",
        "2001:db8::/32",
        "1d73dd1b0811c2da7f88b650653fb3912d3acc064fdd0eaf084088c43c9e70c7",
    ),
    (
        "IP_ADDRESS",
        "::ffff:192.0.2.0/120",
        "::ffff:c000:200/120",
        "3c947662f6f58f0a8665c6dbe70caf0e438b9680ce014effe8976a23300af8a0",
    ),
    (
        "IP_ADDRESS",
        "Not-An-IP",  # not an address: lower case
        "not-an-ip",
        "15315786dccc69a2c6731cb9af34f151aed932c4d9c84dae048c04f5cac2b641",
    ),
    ("MAC_ADDRESS", "00:00:5e:00:53:1a", "00:00:5e:00:53:1a", MAC),
    ("MAC_ADDRESS", "00-00-5E-00-53-1A", "00:00:5e:00:53:1a", MAC),
    ("MAC_ADDRESS", "0000.5e00.531a", "00:00:5e:00:53:1a", MAC),
    ("EMAIL_ADDRESS", "taro.yamada@example.com", "taro.yamada@example.com", EMAIL),
    ("EMAIL_ADDRESS", "Taro.Yamada%40Example.COM", "taro.yamada@example.com", EMAIL),
    ("EMAIL_ADDRESS", "taro.yamada＠example.com", "taro.yamada@example.com", EMAIL),
    ("EMAIL_ADDRESS", "TARO.YAMADA@EXAMPLE.COM", "taro.yamada@example.com", EMAIL),
    (
        "EMAIL_ADDRESS",
        "Straße@Example.com",  # case folded, not lowered
        "strasse@example.com",
        "7bdc43676b9c4a72058692150cd803ec375c6e6ac1a90953c0f712ec524f024e",
    ),
    ("CREDIT_CARD", "4111 1111 1111 1111", "4111111111111111", CARD),
    ("CREDIT_CARD", "4111-1111-1111-1111", "4111111111111111", CARD),
    (
        "JP_MY_NUMBER",
        "1234 5678 9018",
        "123456789018",
        "1b19bb06c54edaea897f0e856a77af2b5824d91612a667d3c1654579159e1349",
    ),
    (
        "US_SSN",
        "078-05-1120",
        "078051120",
        "ee8ee35cbb6d7153c180a551c10a08f48dadbe08d44e8c8e25c5f8e2401c8ded",
    ),
    ("PERSON", "山田 太郎", "山田 太郎", NAME_JA),
    ("PERSON", "山田\u3000太郎", "山田 太郎", NAME_JA),  # full-width space
    ("PERSON", " 山田\u3000\u3000太郎 ", "山田 太郎", NAME_JA),
    ("PERSON", "Taro YAMADA", "taro yamada", NAME_EN),
    ("PERSON", "ＴＡＲＯ\u3000ＹＡＭＡＤＡ", "taro yamada", NAME_EN),  # full-width letters
    (
        "USERNAME",
        "CORP\\Taro.Yamada",
        "corp\\taro.yamada",
        "0105d91c064415e755e2bf994d562f131621159f62413a52b9c1aacfe4f804e5",
    ),
    (
        "USERNAME",
        "Straße",  # case folded, not lowered
        "strasse",
        "36d9a6fccb68e2659a3e49d388925a8176b1c8db8a64c3c00a8fe666f5f05f55",
    ),
    (
        "USER_ID",
        "S-1-5-21-ABCDEF",
        "s-1-5-21-abcdef",
        "80f74e4b1c23e2c479456cfde199e60434e755944485efd65fb3f240debdb773",
    ),
    ("DEVICE_NAME", "TARO-LAPTOP", "taro-laptop", DEVICE_NAME),
    (
        "DEVICE_ID",
        "65F1A2B3C4D5E6F708192A3B",
        "65f1a2b3c4d5e6f708192a3b",
        "e74f474f355d6dddf922eec8508bc2bd6556f818e99cde39494b3e86d384dd8b",
    ),
    (
        "DEVICE_INFO",
        "Windows NT 10.0",
        "windows nt 10.0",
        "e5671027125579c589d241a9c41112a99919626a652da2a8d35760ce2a9f080e",
    ),
    (
        "URL",
        "https://Proxy.Example.net/Login",
        "https://proxy.example.net/login",
        "e5e00818c4e291468c8da21f3402472fd2345ceb2c6d885bcabfd11376db9f04",
    ),
    (
        "LOCATION",
        "Tokyo",
        "tokyo",
        "2e1b5082bad8c45cebb7f45609cf157a7996e817894e46f466deeff8793233eb",
    ),
    (
        "SECRET",
        "Hunter2  Pass",  # case kept, spaces folded
        "Hunter2 Pass",
        "2cc6273f781d7e0d95ca124eaebe74c09d461f812e3ab76d6ff2d92e536f7f86",
    ),
]

# (value as found, phone regions, its canonical text, its digest under KEY)
KNOWN_PHONES = [
    ("03-5555-0101", PACKAGED, "+81355550101", PHONE_JP),
    ("03-5555-0101", HISTORICAL, "+81355550101", PHONE_JP),
    ("+81 3-5555-0101", PACKAGED, "+81355550101", PHONE_JP),
    ("+81 3-5555-0101", HISTORICAL, "+81355550101", PHONE_JP),
    ("＋８１ ３-５５５５-０１０１", PACKAGED, "+81355550101", PHONE_JP),
    ("＋８１ ３-５５５５-０１０１", HISTORICAL, "+81355550101", PHONE_JP),
    ("090-1234-5678", PACKAGED, "+819012345678", MOBILE_JP),
    ("090-1234-5678", HISTORICAL, "+819012345678", MOBILE_JP),
    ("(212) 555-0123", PACKAGED, "+12125550123", PHONE_US),  # not valid in JP: read in US
    ("(212) 555-0123", HISTORICAL, "+12125550123", PHONE_US),
    ("+1 212-555-0123", PACKAGED, "+12125550123", PHONE_US),
    ("+1 212-555-0123", HISTORICAL, "+12125550123", PHONE_US),
    # Valid in neither JP nor US: "*" finds where it is valid, ("JP", "US") reads it in JP.
    ("0044 20 7946 0018", PACKAGED, "+442079460018", PHONE_GB),
    (
        "0044 20 7946 0018",
        HISTORICAL,
        "+8100442079460018",
        "e8661d1c6017329c6f7cba498d0ad0e0b4f8e2fda11fafffdeb8eda08a857541",
    ),
]


def test_key_id_is_pinned():
    assert len(KEY) == 32
    assert key_id(KEY) == KEY_ID


def test_phone_region_defaults_are_the_pinned_ones():
    """Two facts, not one: what older scans read numbers in, and what scanner.yaml says now.

    DEFAULT_PHONE_REGIONS is how a scan that recorded no regions hashed its numbers; it
    must not follow scanner.yaml, or a lookup in those scans would hash numbers otherwise.
    """
    assert DEFAULT_PHONE_REGIONS == HISTORICAL
    assert DEFAULT_PHONE_REGIONS != PACKAGED
    assert tuple(load_configs().scanner.phone_regions) == PACKAGED


@pytest.mark.parametrize(("entity", "value", "canonical", "digest"), KNOWN)
def test_value_hash_is_pinned(entity, value, canonical, digest):
    assert normalise(entity, value, PACKAGED) == canonical
    assert Hasher(KEY, PACKAGED).hash(entity, value) == digest


def test_every_entity_type_has_a_known_answer():
    assert {entity for entity, *_ in KNOWN} | {"PHONE_NUMBER"} == set(ENTITY_TYPES)


@pytest.mark.parametrize(("value", "regions", "canonical", "digest"), KNOWN_PHONES)
def test_phone_value_hash_is_pinned(value, regions, canonical, digest):
    assert normalise("PHONE_NUMBER", value, regions) == canonical
    assert Hasher(KEY, regions).hash("PHONE_NUMBER", value) == digest
    if regions == HISTORICAL:  # what a Hasher without regions does
        assert Hasher(KEY).hash("PHONE_NUMBER", value) == digest


#: One event as Cato's events feed writes it, with field -> (entity type, pinned digest).
EVENT = {
    "event_timestamp": "2025-03-14T01:20:50Z",
    "event_type": "Connectivity",
    "event_sub_type": "Connected",
    "vpn_user_email": "Taro.Yamada%40Example.COM",
    "src_ip": "2001:DB8:0:0::1",
    "host_ip": "::FFFF:192.0.2.17",
    "host_mac": "00-00-5E-00-53-1A",
    "device_name": "TARO-LAPTOP",
    "ad_name": "山田\u3000太郎",
    "phone": "0044 20 7946 0018",
}
EXPECTED = {
    "vpn_user_email": ("EMAIL_ADDRESS", EMAIL),
    "src_ip": ("IP_ADDRESS", IPV6),
    "host_ip": ("IP_ADDRESS", MAPPED),
    "host_mac": ("MAC_ADDRESS", MAC),
    "device_name": ("DEVICE_NAME", DEVICE_NAME),
    "ad_name": ("PERSON", NAME_JA),
    "phone": ("PHONE_NUMBER", PHONE_GB),  # the packaged regions: "*" reads it in GB
}


def test_scan_writes_the_pinned_digests(tmp_path):
    src = tmp_path / "logs"
    src.mkdir()
    (src / "events.jsonl").write_text(json.dumps(EVENT, ensure_ascii=False) + "\n")
    key = tmp_path / "key"
    key.write_bytes(KEY + b"\n")  # the trailing newline is not part of the key
    key.chmod(0o600)
    out = tmp_path / "inv"
    result = CliRunner().invoke(
        cli, ["scan", str(src), "--out", str(out), "--key-file", str(key), "--nlp", "none"]
    )
    assert result.exit_code == 0, result.output
    findings = read_table(out, "findings")
    rows = {
        r["field"]: (r["entity_type"], r["value_hash"])
        for r in findings.select(["field", "entity_type", "value_hash"]).to_pylist()
    }
    assert rows == EXPECTED
    assert set(findings.column("key_id").to_pylist()) == {KEY_ID}
    assert read_manifest(out)["scans"][-1]["key_id"] == KEY_ID
    assert "value" not in findings.column_names
