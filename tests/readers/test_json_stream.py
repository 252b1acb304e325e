import gzip
import json
from datetime import UTC, datetime

from scanner.readers.json_stream import iter_records
from tests.conftest import read

E1 = {
    "event_timestamp": "2025-03-14T01:23:45Z",
    "src_ip": "192.0.2.17",
    "user_name": "山田 太郎",
    "time": "1741915425000",
}
E2 = {"event_timestamp": "2025-03-14T03:10:11Z", "src_ip": "192.0.2.88", "time": "1741921811000"}


def test_json_lines_line_numbers_and_time():
    data = "\n".join(json.dumps(e, ensure_ascii=False) for e in (E1, E2)).encode()
    records, problems = read(iter_records, data)
    assert problems == []
    assert [(r.index, r.line) for r in records] == [(0, 1), (1, 2)]
    assert ("user_name", "山田 太郎") in records[0].fields
    assert records[0].event_time == datetime(2025, 3, 14, 1, 23, 45, tzinfo=UTC)


def test_concatenated_objects_without_separator():
    data = (json.dumps(E1) + json.dumps(E2) + json.dumps(E1)).encode()
    records, problems = read(iter_records, data)
    assert problems == []
    assert len(records) == 3
    assert [r.line for r in records] == [1, 1, 1]
    assert [r.index for r in records] == [0, 1, 2]


def test_pretty_printed_objects_start_lines():
    text = json.dumps(E1, indent=2) + "\n" + json.dumps(E2, indent=2) + "\n"
    records, problems = read(iter_records, text.encode())
    assert problems == []
    assert [r.line for r in records] == [1, 2 + text.split("\n").index("{", 1) - 1]
    assert records[1].fields[1] == ("src_ip", "192.0.2.88")


def test_typed_push_values_become_text_and_lists_get_indexes():
    rec = {
        "time": 1741915425000,
        "user_id": 1000033,
        "static_host": False,
        "categories": ["General", "Search"],
        "custom_category_id": [400000307],
        "lat": 35.5,
    }
    records, _ = read(iter_records, json.dumps(rec).encode())
    fields = dict(records[0].fields)
    assert fields["user_id"] == "1000033"
    assert fields["categories.1"] == "Search"
    assert fields["custom_category_id.0"] == "400000307"
    assert "static_host" not in fields
    assert fields["lat"] == "35.5"
    assert records[0].event_time == datetime(2025, 3, 14, 1, 23, 45, tzinfo=UTC)


def test_eventsfeed_api_page_records_have_no_line():
    page = {
        "data": {
            "eventsFeed": {
                "marker": "x",
                "fetchedCount": 2,
                "accounts": [
                    {
                        "id": "1",
                        "records": [
                            {
                                "time": "2025-03-14T01:23:45Z",
                                "fieldsMap": {"src_ip": "192.0.2.17"},
                                "flatFields": [["src_ip", "192.0.2.17"]],
                            },
                            {
                                "time": "2025-03-14T01:25:02Z",
                                "fieldsMap": {"src_ip": "203.0.113.50"},
                                "flatFields": [],
                            },
                        ],
                    }
                ],
            }
        }
    }
    records, problems = read(iter_records, json.dumps(page, indent=1).encode())
    assert problems == []
    assert [(r.index, r.line) for r in records] == [(0, None), (1, None)]
    assert records[0].fields == [("src_ip", "192.0.2.17")]  # fieldsMap only, no flatFields
    assert records[1].event_time == datetime(2025, 3, 14, 1, 25, 2, tzinfo=UTC)


def test_auditfeed_api_entities_are_fields():
    page = {
        "data": {
            "auditFeed": {
                "accounts": [
                    {
                        "records": [
                            {
                                "admin": {"id": "5501", "name": "鈴木 一郎", "type": "admin"},
                                "apiKey": None,
                                "object": {"id": "7", "name": "Block", "type": "rule"},
                                "time": "2025-03-14T02:00:07Z",
                                "fieldsMap": {
                                    "admin": "鈴木 一郎",
                                    "creation_date": "1741917600000",
                                },
                            }
                        ]
                    }
                ]
            }
        }
    }
    records, _ = read(iter_records, json.dumps(page).encode())
    fields = dict(records[0].fields)
    assert fields["admin"] == "鈴木 一郎" and fields["admin.name"] == "鈴木 一郎"
    assert fields["object.name"] == "Block"
    assert records[0].event_time == datetime(2025, 3, 14, 2, 0, tzinfo=UTC)


def test_push_audit_wrapper_drops_fieldsmap_prefix():
    rec = {
        "fieldsMap": {
            "admin": "x",
            "change": {"After": {"name": "IpsConfiguration"}},
            "creation_date": "1741917600000",
        }
    }
    records, _ = read(iter_records, json.dumps(rec).encode())
    assert ("change.After.name", "IpsConfiguration") in records[0].fields


def test_scim_list_response_and_array():
    env = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 2,
        "Resources": [
            {"userName": "a@example.com", "emails": [{"value": "a@example.com"}]},
            {"userName": "b@example.com"},
        ],
    }
    records, _ = read(iter_records, json.dumps(env).encode())
    assert len(records) == 2 and records[0].line is None
    assert ("emails.0.value", "a@example.com") in records[0].fields
    records, _ = read(iter_records, json.dumps([{"a": "1"}, {"b": "2"}], indent=2).encode())
    assert [r.index for r in records] == [0, 1]


def test_bad_line_is_reported_and_reading_goes_on():
    data = (
        json.dumps(E1) + "\n" + '{"src_ip": "192.0.2.1", broken\n' + json.dumps(E2) + "\n"
    ).encode()
    records, problems = read(iter_records, data)
    assert len(records) == 2
    assert [r.line for r in records] == [1, 3]
    assert len(problems) == 1 and problems[0].line == 2
    assert "192.0.2.1" not in problems[0].reason


def test_truncated_json_at_end_of_file():
    data = (json.dumps(E1) + "\n" + json.dumps(E2)[:25]).encode()
    records, problems = read(iter_records, data)
    assert len(records) == 1
    assert problems[0].line == 2 and "truncated" in problems[0].reason


def test_bom_is_ignored():
    records, problems = read(iter_records, b"\xef\xbb\xbf" + json.dumps(E1).encode())
    assert len(records) == 1 and problems == []


def test_gzip_is_not_this_layers_business():
    # Readers get decompressed bytes; gzip is peeled by scanner.sources.
    assert gzip.decompress(gzip.compress(b"{}")) == b"{}"
