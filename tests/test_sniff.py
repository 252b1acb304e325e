import json
import random

import pytest

from scanner.sniff import BinaryData, sniff


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (
            '{"event_timestamp": "2025-03-14T01:23:45Z", "src_ip": "192.0.2.1"}\n',
            "x.log",
            "eventsfeed-jsonl",
        ),
        ('{"audit_timestamp": "2025-03-14T02:00:07Z", "admin": "a"}\n', "x", "auditfeed-jsonl"),
        ('{"time": 1741915425000, "src_ip": "192.0.2.1"}\n', "x", "push-ndjson"),
        ('{"fieldsMap": {"change_type": "CREATED"}}\n', "x", "audit-push-json"),
        (
            '{"creationTime": 1741915425000, "prettyType": "Internet Firewall"}\n',
            "x",
            "legacy-json",
        ),
        (json.dumps({"data": {"eventsFeed": {"accounts": []}}}, indent=2), "x", "eventsfeed-api"),
        (json.dumps({"data": {"auditFeed": {"accounts": []}}}), "x", "auditfeed-api"),
        (
            '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a"}',
            "x",
            "scim-json",
        ),
        ('[{"a": 1}]', "x", "json"),
        ("CEF:0|CatoNetworks||1.0|Security|IPS|7|rt=x\n", "x", "cef"),
        ("<134>Mar 14 01:23:45 host CEF:0|CatoNetworks||1.0|Security|IPS|7|rt=x\n", "x", "cef"),
        (
            "First Name,Last Name,Email,Last Connection Date\nA,B,c@example.com,x\n",
            "u.txt",
            "cma-users-csv",
        ),
        (
            "Time,Event Type,Sub-Type,User Name\n2025-03-14T01:23:45.000Z,a,b,c\n",
            "e",
            "cma-events-csv",
        ),
        ("email,given_name,family_name,external_id,password\n", "scim_users.csv", "scim-csv"),
        ("a,b,c\n1,2,3\n4,5,6\n", "data", "csv"),
        (
            "2025-03-14 01:20:30.123 [INFO] a, b, c\n2025-03-14 01:20:31.000 [INFO] d, e, f\n",
            "x.log",
            "text",
        ),
        ("just some text\n", "x", "text"),
    ],
)
def test_sniff(head, name, expected):
    assert sniff(head.encode(), name) == expected


def test_parquet_magic():
    assert sniff(b"PAR1\x15\x04", "x") == "parquet"


def test_binary_is_refused():
    with pytest.raises(BinaryData):
        sniff(b"\x7fELF\x02\x01\x01\x00\x00\x00" * 50, "a.out")


def test_cp932_csv():
    head = "姓,名,メール\n山田,太郎,t@example.com\n佐藤,花子,h@example.com\n".encode("cp932")
    assert sniff(head, "users.csv") == "csv"


def test_a_few_nul_bytes_do_not_make_a_file_binary():
    assert sniff(b"Name,Email\nD\x00an,dan@example.com\nAnn,ann@example.com\n", "u.csv") == "csv"
    assert sniff(b"2025-03-14 01:20:30 ok\n" * 40 + b"\x00" * 4, "x.log") == "text"


def test_many_nul_bytes_or_random_bytes_are_binary():
    with pytest.raises(BinaryData, match="NUL"):
        sniff(b"text\x00\x00" * 100, "x.log")
    rng = random.Random(1)
    with pytest.raises(BinaryData, match="not text"):
        sniff(bytes(rng.randrange(1, 256) for _ in range(8000)), "x.log")


@pytest.mark.parametrize("head", [b"[" * 60000, b'{"a":' * 12000, b"[" * 900 + b"]" * 900])
def test_deeply_nested_json_sniffs_without_recursion_errors(head):
    assert sniff(head, "deep.json") == "json"


def test_cp932_with_a_few_invalid_bytes_is_still_text():
    head = "姓,名,メール\n山田,太郎,t@example.com\n".encode("cp932") * 10 + b"\x81\x20\xfd,x,y\n"
    assert sniff(head, "users.csv") == "csv"
