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


def test_extension_split_matches_a_plain_key_by_key_reading():
    """``parse_extension`` splits in one regex call; this reads key by key, as CEF says."""
    import random
    import re

    from scanner.readers.cef import _LABELLED, _unescape, parse_extension

    key = re.compile(r"(?:^|(?<= ))([A-Za-z_][\w.\[\]-]*)=")

    def plain(ext):
        found = list(key.finditer(ext))
        raw = []
        for i, m in enumerate(found):
            end = found[i + 1].start() if i + 1 < len(found) else len(ext)
            raw.append((m.group(1), _unescape(ext[m.end() : end].rstrip(" "))))
        labels = {k[:-5]: v for k, v in raw if k.endswith("Label") and v}
        pairs = []
        for k, v in raw:
            if k.endswith("Label") and k[:-5] in labels:
                continue
            if _LABELLED.match(k) and k in labels:
                k = labels[k]
            if v:
                pairs.append((k, v))
        return pairs

    rng = random.Random(3)
    pieces = ["a=b", " ", "  ", "cs1=x", "cs1Label=Country", " c=\\=", "\\", "=", "x y",
              "k.z[0]=v", "Label=", "csLabel=q", "cn2=5", "cn2Label=", "\t", "é=1", "\\n"]  # fmt: skip
    for _ in range(20_000):
        ext = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        assert parse_extension(ext) == plain(ext), ext


def test_header_pipes_escaped_or_not_and_pipes_in_the_extension():
    """A line without a backslash is split with str.split, one with the regex: the same rule."""
    plain = dict(parse_line("CEF:0|Cato|SASE|1.0|sig|Block|5|msg=a|b act=Block"))
    assert plain["deviceVendor"] == "Cato" and plain["name"] == "Block"
    assert plain["msg"] == "a|b" and plain["act"] == "Block"  # the extension keeps its pipes
    escaped = dict(parse_line("CEF:0|Cato\\|Networks|SASE|1.0|sig|Name \\| with pipe|5|msg=a|b"))
    assert escaped["deviceVendor"] == "Cato|Networks"
    assert escaped["name"] == "Name | with pipe" and escaped["msg"] == "a|b"


def test_header_split_without_the_regex_matches_it_on_random_lines():
    """Lines without a backslash skip the escaped-pipe regex: the pairs are the regex's."""
    import random

    from scanner.readers.cef import _CEF_START, _HEADER_FIELDS, _PIPE, _unescape, parse_extension

    def by_regex(text):
        m = _CEF_START.search(text)
        if m is None:
            return None
        pairs = [("syslog", text[: m.start()].strip())] if text[: m.start()].strip() else []
        parts = _PIPE.split(text[m.start() :], maxsplit=7)
        for name, value in zip(_HEADER_FIELDS, parts[1:7], strict=False):
            if _unescape(value):
                pairs.append((name, _unescape(value)))
        return pairs + (parse_extension(parts[7]) if len(parts) == 8 else [])

    rng = random.Random(5)
    pieces = ["CEF:0|", "CEF:1|", "|", "\\|", "\\", "a", " ", "  ", "x=y", "cs2=v", "cs2Label=L",
              "=", "\\=", "<13>Mar 14 host ", "é", "||"]  # fmt: skip
    for _ in range(20_000):
        line = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 16)))
        assert parse_line(line) == by_regex(line), line
