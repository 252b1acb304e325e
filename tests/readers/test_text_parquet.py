import io
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq

from scanner.readers import parquet, text
from tests.conftest import read


def test_text_lines_are_records_with_leading_time():
    data = b"2025-03-14 01:20:30.123 [INFO] Login failed for user Emily Carter\n\nno time here\n"
    records, problems = read(text.iter_records, data)
    assert problems == []
    assert [(r.index, r.line) for r in records] == [(0, 1), (1, 2), (2, 3)]
    assert records[0].fields == [
        (None, "2025-03-14 01:20:30.123 [INFO] Login failed for user Emily Carter")
    ]
    assert records[1].fields == []
    assert records[0].event_time == datetime(2025, 3, 14, 1, 20, 30, 123000, tzinfo=UTC)
    assert records[2].event_time is None


def test_over_long_line_is_reported_not_cut(opts):
    from dataclasses import replace

    small = replace(opts, max_line_bytes=100)
    data = b"short\n" + b"x" * 1000 + b"\nafter\n"
    records, problems = read(text.iter_records, data, small)
    assert [r.fields for r in records] == [[(None, "short")], [(None, "after")]]
    assert problems[0].line == 2 and "1001" in problems[0].reason


def test_parquet_rows_flattened():
    table = pa.table(
        {
            "time": [1741915425000, 1741921811000],
            "src_ip": ["192.0.2.17", None],
            "user": [{"name": "Emily Carter"}, {"name": None}],
        }
    )
    buf = io.BytesIO()
    pq.write_table(table, buf)
    records, problems = read(parquet.iter_records, buf.getvalue())
    assert problems == []
    assert records[0].fields == [
        ("time", "1741915425000"),
        ("src_ip", "192.0.2.17"),
        ("user.name", "Emily Carter"),
    ]
    assert records[1].line is None and records[1].index == 1
    assert records[0].event_time == datetime(2025, 3, 14, 1, 23, 45, tzinfo=UTC)


def test_corrupt_parquet_is_a_problem():
    records, problems = read(parquet.iter_records, b"PAR1garbagePAR1")
    assert records == [] and problems
