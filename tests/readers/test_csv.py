from datetime import UTC, datetime

from scanner.readers.csv import iter_records
from tests.conftest import read

USERS = (
    "First Name,Last Name,Email,Phone Number,Status,Creation Date,Last Connection Date\r\n"
    "太郎,山田,taro.yamada@example.com,+81 3-5555-0101,Active,2024/11/02 09:15,2025/03/14 01:20\r\n"
    "Emily,Carter,emily.carter@example.com,,Locked,2025/01/20 18:44,2025/02/28 22:05\r\n"
)


def test_utf8_bom_header_and_rows():
    records, problems = read(iter_records, b"\xef\xbb\xbf" + USERS.encode("utf-8"))
    assert problems == []
    assert [(r.index, r.line) for r in records] == [(0, 2), (1, 3)]
    fields = dict(records[0].fields)
    assert fields["First Name"] == "太郎" and fields["Email"] == "taro.yamada@example.com"
    assert "Phone Number" not in dict(records[1].fields)  # empty cells are not fields
    assert records[0].event_time == datetime(2025, 3, 14, 1, 20, tzinfo=UTC)


def test_cp932_as_saved_by_japanese_excel():
    records, problems = read(iter_records, USERS.encode("cp932"))
    assert problems == []
    assert dict(records[0].fields)["Last Name"] == "山田"


def test_quoted_newline_row_start_lines_and_ragged_rows():
    data = b'a,b\n1,"two\nlines"\n3,4,5\n6,7\n'
    records, problems = read(iter_records, data)
    assert [r.line for r in records] == [2, 4, 5]
    assert dict(records[0].fields)["b"] == "two\nlines"
    assert dict(records[1].fields)["column_3"] == "5"


def test_invalid_bytes_reported_rest_read():
    data = b"name,mail\nok,a@example.com\nbad\xff\xfe,b@example.com\nok2,c@example.com\n"
    records, problems = read(iter_records, data)
    assert len(records) == 3
    assert problems and problems[0].line == 3


def test_nul_bytes_removed_and_reported():
    records, problems = read(iter_records, b"a,b\nx\x00y,z\n")
    assert dict(records[0].fields)["a"] == "xy"
    assert "NUL" in problems[0].reason


def test_tab_delimited():
    records, _ = read(iter_records, b"a\tb\n1\t2\n")
    assert records[0].fields == [("a", "1"), ("b", "2")]
