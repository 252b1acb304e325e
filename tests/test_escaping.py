"""The output-safety rules, one function per kind of output (scanner.escaping)."""

import json

import pytest

from scanner.escaping import csv_cell, for_html, for_lines, for_terminal, json_text, printable


def test_printable_is_the_stored_form_of_a_name():
    assert printable("a\x1b[2J\nb\x9b") == "a\\x1b[2J\\x0ab\\x9b"
    assert printable("caf\udce9.log") == "caf\\xe9.log"  # an undecodable byte
    # Bidi controls are shown escaped, not stored escaped: the dataset keeps the name.
    assert printable("report\u202elmth.exe") == "report\u202elmth.exe"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[31mred\x1b]0;title\x07", "\\x1b[31mred\\x1b]0;title\\x07"),
        ("tab\tnew\nline\rnul\x00del\x7f", "tab\\x09new\\x0aline\\x0dnul\\x00del\\x7f"),
        ("\x9b31m", "\\x9b31m"),  # the 8-bit CSI
        ("report\u202elmth.exe", "report\\u202elmth.exe"),
        (
            "\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069",
            "".join(
                f"\\u{c:04x}"
                for c in (0x202A, 0x202B, 0x202C, 0x202D, 0x2066, 0x2067, 0x2068, 0x2069)
            ),
        ),
        ("\u200e\u200f\u061c", "\\u200e\\u200f\\u061c"),
        ("a\u2028b\u2029", "a\\u2028b\\u2029"),
        ("caf\udce9 \ud800", "caf\\xe9 \\ud800"),
        ("山田 太郎 <b>=1</b>", "山田 太郎 <b>=1</b>"),  # everything else as it is
    ],
)
def test_for_terminal(text, shown):
    assert for_terminal(text) == shown
    assert for_terminal(shown) == shown  # escapes are printable ASCII: nothing more to do


def test_for_lines_keeps_its_own_line_breaks_only():
    assert for_lines("one \x1b[2J\ntwo\r\u202e") == "one \\x1b[2J\ntwo\\x0d\\u202e"


@pytest.mark.parametrize(
    "first", ["=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20"]
)
def test_a_csv_cell_never_starts_a_formula(first):
    cell = csv_cell(f"{first}cmd|' /C calc'!A0")
    assert cell.startswith("'")
    assert "\t" not in cell and "\r" not in cell


def test_a_csv_cell_is_otherwise_the_escaped_text():
    assert csv_cell("a=1") == "a=1"
    assert csv_cell("\x1b[31m=x") == "\\x1b[31m=x"  # begins with a backslash: not a formula
    assert csv_cell("\u202e=x") == "\\u202e=x"
    assert csv_cell("") == ""


def test_for_html_escapes_tags_quotes_and_the_terminal_rules():
    assert for_html('<img src=x onerror="a(1)">\u202e\x1b') == (
        "&lt;img src=x onerror=&quot;a(1)&quot;&gt;\\u202e\\x1b"
    )


def test_json_text_reads_back_exact():
    data = {"k\u202e\x9b\x1b\x00\u2028": ["\udc80", "\u2066x\u2069", "山田", "\x7f"]}
    text = json_text(json.dumps(data, ensure_ascii=False))
    assert json.loads(text) == data
    assert all(c.isprintable() or c == " " for c in text), text
