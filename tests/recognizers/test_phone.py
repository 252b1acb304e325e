import pytest
from assertions import assert_spans

from recognizers import RECOGNIZERS

PHONE = "PHONE_NUMBER"
PhoneRecognizer = RECOGNIZERS["PhoneRecognizer"]


@pytest.fixture(scope="module")
def recognizer():
    return PhoneRecognizer()


@pytest.fixture(scope="module")
def every_region():
    """As packaged: JP and US first, then every other region ``phonenumbers`` knows."""
    return PhoneRecognizer(regions=("JP", "US", "*"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Japan
        ("03-5555-0101", [(PHONE, "03-5555-0101")]),
        ("090-1234-5678", [(PHONE, "090-1234-5678")]),
        ("+81 3-5555-0101", [(PHONE, "+81 3-5555-0101")]),
        ("+81-90-1234-5678", [(PHONE, "+81-90-1234-5678")]),
        ("+81 (0)3-5555-0101", [(PHONE, "+81 (0)3-5555-0101")]),
        ("+819012345678", [(PHONE, "+819012345678")]),
        ("03(5555)0101", [(PHONE, "03(5555)0101")]),
        ("0120-123-456", [(PHONE, "0120-123-456")]),
        # US
        ("+1 202-555-0143", [(PHONE, "+1 202-555-0143")]),
        ("(202) 555-0143", [(PHONE, "(202) 555-0143")]),
        ("+1 (202) 555-0143", [(PHONE, "+1 (202) 555-0143")]),
        ("202-555-0143", [(PHONE, "202-555-0143")]),
        ("202.555.0143", [(PHONE, "202.555.0143")]),
        # international
        ("+44 20 7946 0958", [(PHONE, "+44 20 7946 0958")]),
        # in structures and text
        ('{"primary":true,"type":"work","value":"+81 3-5555-0101"}', [(PHONE, "+81 3-5555-0101")]),
        ("tel:+81-90-1234-5678", [(PHONE, "+81-90-1234-5678")]),
        (
            "call 03-5555-0101 or +1 202-555-0143.",
            [(PHONE, "03-5555-0101"), (PHONE, "+1 202-555-0143")],
        ),
        ("+81 3-5555-0101 2025", [(PHONE, "+81 3-5555-0101")]),  # a run-on group is dropped
        ("ユーザー 山田 太郎 の電話番号は 090-1234-5678 です", [(PHONE, "090-1234-5678")]),
        ("電話:03-5555-0101(代表)", [(PHONE, "03-5555-0101")]),
    ],
)
def test_finds(recognizer, text, expected):
    assert_spans(recognizer.analyze(text, [PHONE], None), text, expected)


@pytest.mark.parametrize(
    "text",
    [
        # IP addresses
        "192.0.2.17",
        "198.51.100.7, 192.0.2.1",
        "2001:db8::1",
        "[2001:db8:4a1::1c]:443",
        # dates and times
        "2025-03-14",
        "2025/03/14 01:20",
        "14.03.2025",
        "03-14-2025",
        "2025 03 14",
        "13-10-1990",
        "13 10 1990",
        "13.10.1990",
        "10.20.3000",
        "2025-03-14T01:23:45Z",
        "Fri Mar 14 01:23:45 UTC 2025",
        # epoch ms, ports, ids, bare digit runs
        "1741915425000",
        "dpt=443 client_port=58672",
        "192.0.2.1:58672",
        "1000033",
        "6283630dfd7ec758a8bf4b61",
        "0355550101",
        "2025550143",
        "S-1-5-21-1111111111-2222222222-3333333333-1104",
        # versions
        "5.21.5.8548",
        "cato_vpn_5.21.5.8548_20250314012030.log",
        "CatoClient.Trace.5.21.5_2025-03-14.log",
        # other numbers
        "123-45-6789",
        "1234 5678 9018",
        "4111 1111 1111 1111",
        "4111 1111 1111 1112",  # a card failing Luhn: its head is valid in some region
        "000-12-3456",  # an SSN's shape: valid in one region, but not grouped as it writes
        "12 345 6789",
        "13812345678",  # a bare digit run without a phone word
        "order number 13812345678",
    ],
)
def test_never(recognizer, every_region, text):
    assert_spans(recognizer.analyze(text, [PHONE], None), text, [])
    if text not in POLISH:
        assert_spans(every_region.analyze(text, [PHONE], None), text, [])


#: Grouped as a Polish landline is written: a phone number once every region counts.
POLISH = {"12 345 6789"}


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("+81 3-5555-0101", PhoneRecognizer.VALID_SCORE),
        ("tel: 03-5555-0101", PhoneRecognizer.CONTEXT_SCORE),
        ("電話 090-1234-5678", PhoneRecognizer.CONTEXT_SCORE),
        ("(555) 555-0143", PhoneRecognizer.POSSIBLE_SCORE),  # area code 555 is not allocated
        ("+1 555 555 0143", PhoneRecognizer.POSSIBLE_SCORE),
    ],
)
def test_scores(recognizer, text, score):
    [result] = recognizer.analyze(text, [PHONE], None)
    assert result.score == score


def test_possible_only_needs_plus_or_area_code(recognizer):
    assert recognizer.analyze("555-555-0143", [PHONE], None) == []


def test_regions_decide_national_numbers():
    us_only = PhoneRecognizer(regions=("US",))
    assert us_only.analyze("03-5555-0101", [PHONE], None) == []
    [result] = us_only.analyze("+81 3-5555-0101", [PHONE], None)
    assert (result.start, result.end) == (0, 15)
    gb = PhoneRecognizer(regions=("gb",))
    assert len(gb.analyze("020 7946 0958", [PHONE], None)) == 1


@pytest.mark.parametrize("regions", [("JP", "XX"), ()])
def test_unknown_region_fails(regions):
    with pytest.raises(ValueError, match="phone regions"):
        PhoneRecognizer(regions=regions)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My Israeli number is 09-7625400", "09-7625400"),  # IL, grouped as IL writes it
        ("+91 4155 550132 or 91-415-555-0132", "+91 4155 550132"),
        ("020 7123 4567", "020 7123 4567"),  # GB
        ("01 42 68 53 00", "01 42 68 53 00"),  # FR
        ("01.42.68.53.00", "01.42.68.53.00"),
        ("12 345 6789", "12 345 6789"),  # PL
    ],
)
def test_every_region_finds_what_is_grouped_as_its_region_writes(every_region, text, expected):
    found = [text[r.start : r.end] for r in every_region.analyze(text, [PHONE], None)]
    assert found == [expected]


def test_named_regions_are_checked_at_valid_leniency():
    """A region named in phone_regions needs no particular grouping (IN: 91-415-555-0132)."""
    india = PhoneRecognizer(regions=("US", "IN"))
    text = "my international one is 91-415-555-0132"
    assert [text[r.start : r.end] for r in india.analyze(text, [PHONE], None)] == ["91-415-555-0132"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mobile 09012345678", ["09012345678"]),
        ("call me at 2025550143", ["2025550143"]),
        ("携帯 09012345678", ["09012345678"]),
        ("ticket 09012345678", []),
        ("phone 12345678901234", []),  # valid nowhere
    ],
)
def test_bare_digits_need_a_phone_word(recognizer, text, expected):
    assert [text[r.start : r.end] for r in recognizer.analyze(text, [PHONE], None)] == expected


@pytest.mark.parametrize("regions", [("JP", "*", "US"), ("JP", "JP"), ("*", "*")])
def test_bad_region_lists_fail(regions):
    with pytest.raises(ValueError, match="phone regions"):
        PhoneRecognizer(regions=regions)
