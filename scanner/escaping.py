r"""Text from the input made safe for each output: the one place the escaping rules live.

Whoever can write a log line, a field name or a file name that catoscan reads chooses part
of what catoscan writes. Every writer of text meant for people uses a function of this
module; the Parquet tables stay exact (they are for machines).

- :func:`printable`: names as the dataset stores them and stderr shows them. C0 and C1
  control characters and undecodable bytes become ``\xNN``, so a file name cannot rewrite
  the terminal or forge a log line.
- :func:`for_terminal`: a cell of a table, or a name inside plain text. Also the Unicode
  bidirectional controls (which can show ``report<U+202E>lmth.exe`` as ``reportexe.html``)
  and the line and paragraph separators become ``\uNNNN``.
- :func:`for_lines`: a whole message or text output: :func:`for_terminal`, except that its
  own line breaks stay.
- :func:`csv_cell`: a cell of a CSV file meant for a spreadsheet: :func:`for_terminal`, then
  the OWASP rule against formula injection (CWE-1236): a cell that begins with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return (or their full-width forms, which spreadsheets in
  East Asian locales also take as formulas) gets a ``'`` in front, so it stays text.
- :func:`for_html`: :func:`for_terminal`, then HTML escaping (quotes included).
- :func:`json_text`: JSON text whose strings hold no control, bidirectional or separator
  character as such: each is written as a ``\uNNNN`` escape, which a JSON parser reads back
  as the very same character, so the names stay exact.

Every escape this module writes is printable ASCII, so applying a function twice changes
nothing more.
"""

from __future__ import annotations

import html
import re

#: C0 controls, DEL and C1 controls, and the bytes surrogateescape keeps from undecodable
#: names (U+DC80..U+DCFF stand for the bytes 0x80..0xFF).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\udc80-\udcff]")

#: The Unicode bidirectional controls (marks, embeddings, overrides, isolates): they can
#: reorder what a name shows. And the line and paragraph separators, which break lines.
_BIDI_AND_SEPARATORS = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
#: What a terminal, a spreadsheet or a browser would act on or reorder: C0 controls (ESC,
#: BEL, CR, LF, TAB, NUL), DEL, C1 controls, surrogates (undecodable bytes kept by
#: surrogateescape, lone UTF-16 halves), and the above.
_UNSAFE = re.compile(rf"[\x00-\x1f\x7f-\x9f\ud800-\udfff{_BIDI_AND_SEPARATORS}]")
#: What JSON text may hold raw but a terminal must not: json.dumps escapes C0 itself.
_JSON_UNSAFE = re.compile(rf"[\x7f-\x9f\ud800-\udfff{_BIDI_AND_SEPARATORS}]")

#: First characters a spreadsheet takes as the start of a formula (OWASP, CSV injection).
FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte kept by surrogateescape
        return f"\\x{code & 0xFF:02x}"
    return f"\\u{code:04x}"


def printable(name: str) -> str:
    r"""A file or member name safe to store and to print on stderr.

    Control characters and undecodable bytes become ``\xNN`` escapes, so a hostile name
    cannot rewrite the terminal or forge a log line. This is the form the dataset stores
    (``source_path``); :func:`for_terminal` adds the rules for what people read.
    """
    return _CONTROL.sub(_escape, name)


def for_terminal(text: str) -> str:
    r"""A table cell or a name inside plain text: no control, bidi or separator character.

    Control characters (line breaks and tabs included) and undecodable bytes become
    ``\xNN``; surrogates, the bidirectional controls and U+2028/U+2029 become ``\uNNNN``.
    """
    return _UNSAFE.sub(_escape, text)


def for_lines(text: str) -> str:
    """A message or a whole text output: as :func:`for_terminal`, keeping its line breaks."""
    return "\n".join(for_terminal(line) for line in text.split("\n"))


def csv_cell(text: str) -> str:
    """A CSV cell for a spreadsheet: escaped as :func:`for_terminal`, never a formula."""
    safe = for_terminal(text)
    return f"'{safe}" if text[:1] in FORMULA_STARTS else safe


def for_html(text: str) -> str:
    """Text or an attribute value in HTML: escaped as :func:`for_terminal`, then for HTML."""
    return html.escape(for_terminal(text))


def json_text(text: str) -> str:
    r"""JSON text (from ``json.dumps(..., ensure_ascii=False)``) safe to show on a terminal.

    Outside its strings JSON text is ASCII, so every character matched is inside a string,
    where its ``\uNNNN`` escape means the same character: the data read back is unchanged.
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
