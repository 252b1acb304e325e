from datetime import UTC, datetime

from scanner.readers.cef import iter_records, parse_line
from tests.conftest import read

LINE = (
    "CEF:0|CatoNetworks||1.0|Security|Internet Firewall|5|cs1=Japan rt=Fri Mar 14 01:23:45 UTC 2025 "
    "cs1Label=CATOSourceCountry dproc=General, Search Engines and Portals shost=山田 太郎 "
    "src=198.51.100.23 msg=a \\= b user_email=taro.yamada@example.com"
)


def test_header_and_extension_values_with_spaces():
    fields = dict(parse_line(LINE))
    assert fields["deviceVendor"] == "CatoNetworks"
    assert "deviceProduct" not in fields  # empty in Cato's legacy exporter
    assert fields["signatureId"] == "Security" and fields["name"] == "Internet Firewall"
    assert fields["severity"] == "5"
    assert fields["dproc"] == "General, Search Engines and Portals"
    assert fields["shost"] == "山田 太郎"
    assert fields["msg"] == "a = b"
    assert fields["user_email"] == "taro.yamada@example.com"


def test_custom_strings_are_named_by_their_label():
    fields = dict(parse_line(LINE))
    assert fields["CATOSourceCountry"] == "Japan"
    assert "cs1" not in fields and "cs1Label" not in fields


def test_syslog_header_and_event_time():
    data = ("<134>Mar 14 01:23:45 cato-exporter " + LINE + "\n").encode()
    records, problems = read(iter_records, data)
    assert problems == []
    assert records[0].fields[0] == ("syslog", "<134>Mar 14 01:23:45 cato-exporter")
    assert records[0].event_time == datetime(2025, 3, 14, 1, 23, 45, tzinfo=UTC)
    assert records[0].line == 1


def test_non_cef_line_reported_then_continues():
    data = (LINE + "\nnot cef at all\n" + LINE + "\n").encode()
    records, problems = read(iter_records, data)
    assert [r.line for r in records] == [1, 3]
    assert problems[0].line == 2 and "CEF" in problems[0].reason
