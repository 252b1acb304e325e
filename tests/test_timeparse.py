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
