from datetime import UTC, datetime

import pytest

from scanner.timeparse import parse_time

T = datetime(2025, 3, 14, 1, 23, 45, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1741915425000", T),
        (1741915425000, T),
        (1741915425, T),
        ("1741915425000.000000", T),
        ("2025-03-14T01:23:45Z", T),
        ("2025-03-14T10:23:45+09:00", T),
        ("2025-03-14T01:23:45.000Z", T),
        ("2025-03-14 01:23:45", T),
        ("Fri Mar 14 01:23:45 UTC 2025", T),
        ("Mar 14, 2025 1:23:45 AM", T),
        ("2025/03/14 01:23:45", T),
        ("5.18.1.1234", None),
        ("1000033", None),
        ("", None),
        (True, None),
        ("2025-13-45T00:00:00Z", None),
    ],
)
def test_parse_time(value, expected):
    assert parse_time(value) == expected


def test_epoch_millisecond_strings_take_the_fast_path_to_the_same_result():
    import random

    from scanner import timeparse

    def general(text):  # the regex-and-float path every other form takes
        return timeparse._from_epoch(float(text)) if timeparse._NUMBER.match(text) else None

    rng = random.Random(7)
    values = [str(rng.randrange(10**12, 10**13)) for _ in range(20_000)]
    values += ["0946684800000", "0946684799999", "4102444799999", "4102444800000",
               "１７４１９１５４２５０２９"]  # full-width digits: not ASCII, general path
    assert [parse_time(v) for v in values] == [general(v) for v in values]


def test_the_last_text_s_memo_never_answers_for_another_value():
    texts = ["2025-03-14T01:23:45Z", "2025-03-14T01:23:45Z", "nonsense", "nonsense",
             "1741915425000", "2025-03-14T01:23:46Z", "2025-03-14T01:23:45Z"]  # fmt: skip
    got = [parse_time(t) for t in texts]
    assert got == [T, T, None, None, T, T.replace(second=46), T]
    # only texts are remembered: a number equal to the last text's digits is parsed afresh
    assert parse_time("1741915425") == T and parse_time(1741915425.5) != T


def _csv_time(names, row, fields):
    """The event time the CSV reader gives the row under ``names``."""
    import io

    from scanner.readers import csv as csv_reader
    from scanner.readers.textio import ReadOptions

    header = ",".join(n or "" for n in names)
    data = f"{header}\n{','.join(row) or ','}\n".encode()
    opts = ReadOptions(time_fields=fields)
    records = [r for r in csv_reader.iter_records(io.BytesIO(data), data, opts)
               if hasattr(r, "event_time")]  # fmt: skip
    return records[0].event_time if records else None


def test_times_from_a_header_s_columns_are_those_of_the_pairs():
    """The CSV reader's event times (``from_columns``), and ``from_pairs``, against the rule."""
    import random

    from scanner.readers import eventtime

    fields = ("time", "event_timestamp", "Time", "lastSeen", "created")
    rng = random.Random(5)
    names_pool = ["time", "TIME", "Time", "lastseen", "user", "created", "x", "rt", None]
    values = ["", "", "2025-03-14T01:23:45Z", "bad", "1741915425000", "2025/03/14 01:20"]
    def reference(pairs):  # the rule, written plainly: first pair per name, names in order
        lookup = {}
        for key, value in pairs:
            if key is not None:
                lookup.setdefault(key.lower(), value)
        for name in fields:
            found = lookup.get(name.lower())
            if found is not None and (parsed := parse_time(found)) is not None:
                return parsed
        return None

    compared = 0
    for _ in range(2000):
        names = [rng.choice(names_pool) for _ in range(rng.randint(0, 6))]
        row = [rng.choice(values) for _ in range(rng.randint(0, len(names)))]
        pairs = [(n, v) for n, v in zip(names, row, strict=False) if v]
        # pairs as other readers give them: empty values and a name-less value kept
        assert eventtime.from_pairs(list(zip(names, row, strict=False)), fields) == reference(
            list(zip(names, row, strict=False))
        )
        expected = reference(pairs)
        assert eventtime.from_pairs(pairs, fields) == expected, pairs
        columns = eventtime.time_columns(names, fields)
        assert eventtime.from_columns(row, columns) == expected, (names, row)
        if None not in names and any(cell.strip() for cell in row):  # a CSV row the reader keeps
            assert _csv_time(names, row, fields) == expected, (names, row)
        compared += expected is not None
    assert compared > 500


def test_cef_rt_without_strptime_reads_what_strptime_reads(monkeypatch):
    import random
    import re

    from scanner import timeparse

    rng = random.Random(9)
    days = ["Mon", "Fri", "Sun", "fri", "Xyz"]
    months = ["Jan", "Mar", "Dec", "mar", "Foo"]
    texts = []
    for _ in range(5000):
        texts.append(
            f"{rng.choice(days)} {rng.choice(months)}{rng.choice([' ', '  '])}"
            f"{rng.choice(['1', '01', '14', '31', '32', '0', '00', ' 4'])} "
            f"{rng.choice(['0', '01', '23', '24', '7'])}:{rng.choice(['00', '59', '60', '7'])}:"
            f"{rng.choice(['00', '45', '59', '60', '61'])} {rng.choice(['UTC', 'GMT', 'JST', 'utc'])} "
            f"{rng.choice(['2025', '1999', '202'])}"
        )
    fast = [timeparse._parse(t) for t in texts]
    read_fast = sum(1 for t in texts if timeparse._CEF_RT.fullmatch(t))
    monkeypatch.setattr(timeparse, "_CEF_RT", re.compile(r"(?!)"))  # strptime only
    slow = [timeparse._parse(t) for t in texts]
    assert fast == slow
    assert sum(t is not None for t in fast) > 200 and read_fast > 200


def test_pair_shapes_are_bounded_and_never_stale(monkeypatch):
    from scanner.readers import eventtime

    monkeypatch.setattr(eventtime, "_MAX_SHAPES", 3)
    eventtime._SHAPES.clear()
    fields = ("time", "rt")
    for n in range(20):
        pairs = [(f"k{n}", "x"), ("rt", "Fri Mar 14 01:23:45 UTC 2025"), ("time", "nonsense")]
        assert eventtime.from_pairs(pairs[n % 2 :], fields) == T
        assert len(eventtime._SHAPES) <= 3
