import json

import pytest

from scanner.hashing import Hasher
from scanner.inventory.lookup import Identifier, name_forms, probes_for

from .fixed import KEY, KEY_ID, RAW_VALUES, SCAN_A, SCAN_B, invoke, write_scan


def test_lookup_name_in_both_orders_exact(fixed_dataset, key_file):
    result = invoke(
        "lookup", fixed_dataset, "--key-file", key_file, "--name", "Taro Yamada", "--scan", SCAN_B
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "identifier  form      scan                     source              line  record  field  entity  categories  event time            review\n"
        "name 1      as given  20250401T000000Z-bbbbbb  client_logs/ua.log     5       4  -      PERSON  A,B         -                     -\n"
        "name 1      reversed  20250401T000000Z-bbbbbb  csv/users.csv          2       0  Name   PERSON  A,B         2025-03-30T00:00:00Z  -\n"
        "\n"
        "identifier  forms  findings  files  scans  categories  elements\n"
        "name 1          4         2      2      1  A,B         real name\n"
    )
    assert result.stderr == (
        f"catoscan: lookup: searched scan {SCAN_B}\n"
        f"catoscan: lookup: key_id {KEY_ID} (key {key_file}); identifiers: 1, hashed forms: 4, "
        "scans searched: 1, occurrences: 2\n"
    )


def test_lookup_full_width_space_matches_half_width(fixed_dataset, key_file):
    result = invoke(
        "lookup", fixed_dataset, "--key-file", key_file, "--name", "山田\u3000太郎", "--format", "csv",
        "--all-scans",
    )
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split(",")[:8] for line in lines[1:]] == [
        ["name 1", "as given", SCAN_A, "events/a.jsonl", "eventsfeed-jsonl", "1", "0", "src_site_name"],
        ["name 1", "as given", SCAN_B, "events/a.jsonl", "eventsfeed-jsonl", "1", "0", "src_site_name"],
    ]


def test_lookup_csv_every_column(fixed_dataset, key_file):
    h = Hasher(KEY).hash("PHONE_NUMBER", "090-5555-0123")
    result = invoke(
        "lookup", fixed_dataset, "--key-file", key_file, "--phone", "+81 90-5555-0123",
        "--scan", SCAN_B, "--format", "csv",
    )
    assert result.exit_code == 0
    assert result.stdout == (
        "identifier,form,scan_id,source_path,source_format,line,record_index,field,entity_type,"
        "categories,policy_element,policy_declared,event_time,value_masked,value_hash,review\n"
        f"phone 1,as given,{SCAN_B},cef/x.log,cef,1,0,cs5,PHONE_NUMBER,B,telephone number,false,"
        f"2024-12-01T00:00:00Z,***23,{h},\n"
        f"phone 1,as given,{SCAN_B},csv/users.csv,csv,2,0,Phone,PHONE_NUMBER,B,telephone number,"
        f"false,2025-03-30T00:00:00Z,***23,{h},\n"
    )


def test_lookup_json_answers_an_access_request(fixed_dataset, key_file, tmp_path):
    ids = tmp_path / "ids.csv"
    ids.write_text("Email,name\nTARO.YAMADA@example.com,山田 太郎\n,Taro Yamada\n", encoding="utf-8")
    result = invoke(
        "lookup", fixed_dataset, "--key-file", key_file, "--identifiers", ids, "--ip", "192.0.2.17",
        "--format", "json", "--all-scans",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["key_id"] == KEY_ID
    assert data["scans_searched"] == [SCAN_A, SCAN_B]
    assert data["scope"] == "all" and data["notes"] == [] and data["phone_regions"] == ["JP", "US"]
    assert data["scans_skipped_other_key"] == []
    summary = {s["identifier"]: (s["findings"], s["categories"]) for s in data["identifiers"]}
    assert summary == {
        "email 1": (4, ["A"]),
        "name 1": (2, ["A", "B"]),
        "name 2": (2, ["A", "B"]),
        "ip 1": (2, ["A"]),
    }
    first = data["occurrences"][0]
    assert first == {
        "identifier": "email 1",
        "form": "as given",
        "scan_id": SCAN_A,
        "source_path": "events/a.jsonl",
        "source_format": "eventsfeed-jsonl",
        "line": 1,
        "record_index": 0,
        "field": "vpn_user_email",
        "entity_type": "EMAIL_ADDRESS",
        "categories": ["A"],
        "policy_element": "e-mail address",
        "policy_declared": True,
        "event_time": "2025-01-10T09:00:00Z",
        "value_masked": "t***@example.com",
        "value_hash": Hasher(KEY).hash("EMAIL_ADDRESS", "taro.yamada@example.com"),
        "review": None,
    }


def test_lookup_shows_review_decisions(dataset, key_file):
    invoke("review", "add", dataset, "--field", "cs5", "--entity-type", "PHONE_NUMBER",
           "--verdict", "confirmed", "--reason", "real numbers", "--by", "alice")
    result = invoke("lookup", dataset, "--key-file", key_file, "--phone", "09055550123",
                    "--scan", SCAN_A, "--format", "csv")
    assert result.stdout.splitlines()[1].endswith(",r1 confirmed")


def test_lookup_nothing_found(fixed_dataset, key_file):
    result = invoke("lookup", fixed_dataset, "--key-file", key_file, "--email", "nobody@example.com")
    assert result.exit_code == 0
    assert result.stdout == (
        "no occurrences\n\n"
        "identifier  forms  findings  files  scans  categories  elements\n"
        "email 1         1         0      0      0  -           -\n"
    )


def test_lookup_never_prints_the_identifiers(fixed_dataset, key_file):
    args = []
    for value in RAW_VALUES:
        kind = "email" if "@" in value else "name"
        args += [f"--{kind}", value]
    for fmt in ("table", "json", "csv"):
        result = invoke("lookup", fixed_dataset, "--key-file", key_file, *args, "--format", fmt)
        assert result.exit_code == 0, result.output
        blob = result.stdout + result.stderr
        assert [v for v in RAW_VALUES if v in blob] == []


def test_lookup_with_another_key_exits_2(fixed_dataset, tmp_path):
    other = tmp_path / "other.key"
    other.write_bytes(b"another-key-0123456789abcdef")
    other.chmod(0o600)
    result = invoke("lookup", fixed_dataset, "--key-file", other, "--name", "Taro Yamada")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {fixed_dataset}: no scan to search was hashed with key_id ")
    assert result.stderr.endswith(f"the scans used key_id {KEY_ID}: give that key with --key-file\n")


def test_lookup_skips_scans_of_another_key(dataset, key_file):
    write_scan(dataset, "20250501T000000Z-cccccc", [], key=b"another-key-0123456789abcdef")
    result = invoke("lookup", dataset, "--key-file", key_file, "--username", "tyamada")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == (
        "catoscan: lookup: not searched (hashed with another key): 20250501T000000Z-cccccc"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Error: give at least one identifier: --email, --name, --ip, --username, --phone or --identifiers FILE\n"),
        (["--ip", "192.0.2.1", "--ip", "not-an-ip"], "Error: --ip value 2 is not an IPv4 or IPv6 address\n"),
        (["--email", "taro.yamada"], "Error: --email value 1 is not an e-mail address\n"),
        (["--phone", "12-34"], "Error: --phone value 1 is not a phone number (fewer than 5 digits)\n"),
        (["--name", "  "], "Error: --name value 1 is empty\n"),
    ],
)
def test_lookup_bad_identifiers_exit_2_without_echoing_them(fixed_dataset, key_file, args, message):
    result = invoke("lookup", fixed_dataset, "--key-file", key_file, *args)
    assert result.exit_code == 2
    assert result.stderr.endswith(message)


def test_lookup_identifiers_csv_with_unknown_column(fixed_dataset, key_file, tmp_path):
    ids = tmp_path / "ids.csv"
    ids.write_text("email,ssn\n", encoding="utf-8")
    result = invoke("lookup", fixed_dataset, "--key-file", key_file, "--identifiers", ids)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: --identifiers {ids}: unknown column 'ssn'; valid: email, name, ip, username, phone\n"
    )


def test_lookup_without_any_key_exits_2(fixed_dataset, monkeypatch, tmp_path):
    monkeypatch.delenv("CATOSCAN_KEY_FILE", raising=False)
    monkeypatch.setattr("scanner.hashing.default_key_path", lambda: tmp_path / "none" / "hmac.key")
    result = invoke("lookup", fixed_dataset, "--name", "Taro Yamada")
    assert result.exit_code == 2
    assert "no key: give --key-file with the key the scans were made with" in result.stderr
    assert not (tmp_path / "none").exists()


def test_name_forms():
    assert name_forms("Taro Yamada") == [
        ("as given", "Taro Yamada"),
        ("half-width space", "Taro Yamada"),
        ("full-width space", "Taro\u3000Yamada"),
        ("reversed", "Yamada Taro"),
        ("reversed, full-width space", "Yamada\u3000Taro"),
        ("comma", "Taro, Yamada"),
        ("reversed, comma", "Yamada, Taro"),
    ]
    assert ("reversed, no space", "太郎山田") in name_forms("山田　太郎")
    assert name_forms("Madonna") == [
        ("as given", "Madonna"),
        ("half-width space", "Madonna"),
        ("full-width space", "Madonna"),
    ]


def test_full_and_half_width_forms_hash_alike():
    probes = probes_for((Identifier("name", 1, "山田　太郎"),), Hasher(KEY))
    assert [p.form for p in probes] == [
        "as given", "reversed", "comma", "reversed, comma", "no space", "reversed, no space"
    ]
    assert probes[0].value_hash == Hasher(KEY).hash("PERSON", "山田 太郎")
    assert "山田" not in repr(Identifier("name", 1, "山田 太郎"))
