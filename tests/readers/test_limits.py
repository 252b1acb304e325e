"""Readers on broken and hostile input: bounded, reported per record, the rest read."""

import codecs
import io
import json
from dataclasses import replace

import pytest

from scanner.flatten import NestingTooDeep, flatten, take_fields
from scanner.readers import cef, csv, json_stream, parquet, text
from scanner.readers.textio import ReadOptions, detect_encoding
from tests.conftest import TIME_FIELDS, read

OPTS = ReadOptions(time_fields=TIME_FIELDS)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("山田,太郎,t@example.com\n".encode("cp932") * 20 + b"\x81\x20\xfd\n", "cp932"),
        ("日本語のログ\n".encode() * 20 + b"\xff\xfe\n", "utf-8"),
        (b"plain ascii with one bad \xff byte\n" * 5, "utf-8"),
        ("姓,名\n山田,太郎\n".encode("cp932"), "cp932"),
        ("é".encode() * 10 + "é".encode()[:1], "utf-8"),  # a character cut by the sample
    ],
)
def test_encoding_survives_a_few_bad_bytes(data, expected):
    assert detect_encoding(data) == expected


def test_utf16_lines_are_bounded_and_bad_units_reported():
    data = codecs.BOM_UTF16_LE + "one\n".encode("utf-16-le")
    data += ("x" * 500 + "\n").encode("utf-16-le")
    data += "two \ud800 three\n".encode("utf-16-le", "surrogatepass")  # a lone surrogate
    data += "four\n".encode("utf-16-le")
    records, problems = read(text.iter_records, data, replace(OPTS, max_line_bytes=100))
    assert [(r.line, r.fields[0][1]) for r in records] == [
        (1, "one"),
        (3, "two \ufffd three"),
        (4, "four"),
    ]
    assert [(p.line, p.reason.split(";")[0]) for p in problems] == [
        (2, "line of 501 bytes is over the 100-byte line limit"),
        (3, "invalid utf-16 bytes"),
    ]


def test_json_invalid_utf8_line_is_reported_and_read():
    data = b'{"a": "x"}\n{"b": "caf\xe9 y"}\n{"c": "z"}\n'
    records, problems = read(json_stream.iter_records, data)
    assert [r.line for r in records] == [1, 2, 3]
    assert records[1].fields == [("b", "caf\ufffd y")]
    assert [(p.line, p.reason) for p in problems] == [
        (2, "invalid UTF-8 bytes; read with replacements")
    ]


@pytest.mark.parametrize("depth", [80, 900, 5000, 100_000])
def test_deep_json_is_one_clean_problem(depth):
    deep = b"[" * depth + b"1" + b"]" * depth
    data = b'{"a": "x"}\n' + deep + b'\n{"b": "y"}\n'
    records, problems = read(json_stream.iter_records, data)
    # Parsed (orjson takes up to 1024 levels): the record's index is taken; never parsed
    # (deeper): a value of unknown content, like invalid JSON, takes none.
    taken = depth <= 1024
    assert [(r.index, r.line) for r in records] == [(0, 1), (2 if taken else 1, 3)]
    assert [(p.line, p.index) for p in problems] == [(2, 1 if taken else None)]
    assert "JSON nested deeper than 64 levels" in problems[0].reason


def test_deep_pretty_printed_document():
    doc = json.dumps({"a": {"b": 1}}, indent=2).encode()
    deep = b"{\n" + b'"a": {\n' * 3000 + b"1" + b"}\n" * 3001
    records, problems = read(json_stream.iter_records, doc + b"\n" + deep + b"\n" + doc)
    assert len(records) == 2
    assert len(problems) == 1 and "nested deeper" in problems[0].reason


def test_json_record_with_too_many_fields_keeps_the_first():
    wide = json.dumps({f"k{i}": str(i) for i in range(1000)}).encode()
    data = wide + b"\n" + b'{"z": "1"}\n'
    records, problems = read(json_stream.iter_records, data, replace(OPTS, max_fields=100))
    assert [len(r.fields) for r in records] == [100, 1]
    assert records[0].fields[-1] == ("k99", "99")
    assert [(p.line, p.index, p.reason) for p in problems] == [
        (
            1,
            0,
            "record has 1000 fields, over the 100-field limit "
            "(limits.max_fields_per_record); the first 100 were read",
        )
    ]


def test_api_page_record_with_too_many_fields():
    page = {
        "data": {
            "eventsFeed": {
                "accounts": [
                    {
                        "records": [
                            {"fieldsMap": {f"f{i}": "v" for i in range(50)}},
                            {"fieldsMap": {"src_ip": "192.0.2.1"}},
                        ]
                    }
                ]
            }
        }
    }
    records, problems = read(
        json_stream.iter_records, json.dumps(page).encode(), replace(OPTS, max_fields=10)
    )
    assert [(r.index, len(r.fields)) for r in records] == [(0, 10), (1, 1)]
    assert [(p.index, p.reason.split(",")[0]) for p in problems] == [(0, "record has 50 fields")]


def test_csv_unclosed_quote_is_bounded_and_reading_resumes():
    rows = [b"Name,Email", b'Ann,"ann@example.com'] + [b"filler line %d" % i for i in range(50)]
    rows += [b"Bob,bob@example.com", b""]
    # The unclosed quote swallows lines until the row is over the limit; then the
    # reader starts afresh and finds the next rows.
    records, problems = read(csv.iter_records, b"\n".join(rows), replace(OPTS, max_line_bytes=200))
    assert problems[0].line == 2
    assert "CSV row runs past 200 bytes (an unclosed quote?)" in problems[0].reason
    assert ("Email", "bob@example.com") in records[-1].fields


def test_csv_and_cef_rows_with_too_many_fields():
    header = ",".join(f"c{i}" for i in range(300))
    row = ",".join("v" for _ in range(300))
    records, problems = read(
        csv.iter_records, f"{header}\n{row}\n".encode(), replace(OPTS, max_fields=20)
    )
    assert len(records[0].fields) == 20 and "record has 300 fields" in problems[0].reason
    ext = " ".join(f"k{i}=v{i}" for i in range(300))
    line = f"CEF:0|Cato|SASE|1|1|x|5|{ext}\n".encode()
    records, problems = read(cef.iter_records, line, replace(OPTS, max_fields=20))
    assert len(records[0].fields) == 20 and "fields, over the 20-field limit" in problems[0].reason


def test_parquet_rows_with_too_many_fields_or_deep_nesting():
    import pyarrow as pa
    import pyarrow.parquet as pq

    nested: object = "leaf"
    for _ in range(70):
        nested = {"n": nested}
    table = pa.table(
        {
            "wide": [[str(i) for i in range(40)], ["a"]],
            "deep": [nested, nested],
        }
    )
    buf = io.BytesIO()
    pq.write_table(table, buf)
    records, problems = read(parquet.iter_records, buf.getvalue(), replace(OPTS, max_fields=30))
    assert records == []
    assert [p.index for p in problems] == [0, 1]
    assert all("nested deeper than 64" in p.reason for p in problems)
    shallow = pa.table({"wide": [[str(i) for i in range(40)], ["a"]]})
    buf = io.BytesIO()
    pq.write_table(shallow, buf)
    records, problems = read(parquet.iter_records, buf.getvalue(), replace(OPTS, max_fields=30))
    assert [len(r.fields) for r in records] == [30, 1]
    assert [p.index for p in problems] == [0]


def test_flatten_bounds():
    deep: object = 1
    for _ in range(10):
        deep = [deep]
    assert list(flatten(deep, max_depth=10)) == [("0.0.0.0.0.0.0.0.0.0", "1")]
    with pytest.raises(NestingTooDeep):
        list(flatten(deep, max_depth=9))
    kept, problem = take_fields(iter([("a", "1"), ("b", "2"), ("c", "3")]), 2, 7, 0)
    assert kept == [("a", "1"), ("b", "2")] and problem and problem.line == 7
    assert take_fields(iter([("a", "1")]), 2, 7, 0) == ([("a", "1")], None)


def test_parquet_with_invalid_utf8_strings_reports_those_rows():
    # Found by bench/fuzz.py: pyarrow raised UnicodeDecodeError out of the reader.
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"user": ["alice@example.com", "QQQQbroken", "bob@example.com"]})
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="NONE", use_dictionary=False, write_statistics=False)
    data = buf.getvalue().replace(b"QQQQ", b"\xf6\xff\xfe\xfd")
    records, problems = read(parquet.iter_records, data)
    assert [(r.index, r.fields) for r in records] == [
        (0, [("user", "alice@example.com")]),
        (2, [("user", "bob@example.com")]),
    ]
    assert [(p.index, p.reason) for p in problems] == [
        (1, "Parquet row with invalid UTF-8 text; skipped")
    ]


def test_parquet_with_invalid_utf8_column_name_is_a_problem():
    # Found by bench/fuzz.py: UnicodeDecodeError out of pq.ParquetFile().
    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.table({"QQQQ": ["x"]}), buf, store_schema=False)
    data = buf.getvalue().replace(b"QQQQ", b"\xf6\xff\xfe\xfd")
    records, problems = read(parquet.iter_records, data)
    assert records == []
    assert [p.reason for p in problems] == ["not a readable Parquet file: UnicodeDecodeError"]
