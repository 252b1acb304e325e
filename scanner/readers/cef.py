"""CEF lines (legacy Cato Log Exporter, syslog-fed SIEMs), one record per line.

``[syslog header] CEF:Version|Vendor|Product|Version|SignatureID|Name|Severity|Extension``.
Header fields become ``deviceVendor``, ``deviceProduct``, ``deviceVersion``, ``signatureId``,
``name`` and ``severity``; a syslog header before ``CEF:`` becomes the field ``syslog``.
Extension values may contain spaces: a value runs up to the next `` key=``. Custom
strings ``csN`` are named by their ``csNLabel`` (``cs1Label=CATOSourceCountry`` makes
``cs1`` the field ``CATOSourceCountry``), so the field map can speak Cato's names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from scanner.flatten import take_fields
from scanner.readers import eventtime
from scanner.readers.textio import ReadOptions, iter_text_lines
from scanner.record import ReadProblem, Record

_HEADER_FIELDS = (
    "deviceVendor",
    "deviceProduct",
    "deviceVersion",
    "signatureId",
    "name",
    "severity",
)
_CEF_START = re.compile(r"CEF:\d+\|")
_PIPE = re.compile(r"(?<!\\)\|")
# A key starts the extension or follows a space; keys are word characters, dots, brackets.
# The extension is searched with a space before it, so every key follows one: a pattern
# that starts with a literal is searched for that character first (a third faster than the
# lookbehind ``(?<![^ ])`` it replaces). The space a split takes from a value is one that
# ``rstrip`` drops anyway.
_KEY = re.compile(r" ([A-Za-z_][\w.\[\]-]*)=")
_UNESCAPE = re.compile(r"\\([\\=|nr])")
_ESCAPES = {"\\": "\\", "=": "=", "|": "|", "n": "\n", "r": "\r"}
_LABELLED = re.compile(r"^(c[sn]\d+|cfp\d+|flexString\d+|flexNumber\d+|deviceCustomDate\d+)$")


def iter_records(
    stream: BinaryIO, head: bytes, opts: ReadOptions
) -> Iterator[Record | ReadProblem]:
    """Yield one record per CEF line; a line without ``CEF:`` is reported and skipped."""
    index = 0
    for item in iter_text_lines(stream, head, opts):
        if isinstance(item, ReadProblem):
            yield item
            continue
        lineno, text = item
        if not text.strip():
            continue
        pairs = parse_line(text)
        if pairs is None:
            yield ReadProblem(lineno, index, "not a CEF line (no 'CEF:' header)")
            index += 1
            continue
        pairs, problem = take_fields(pairs, opts.max_fields, lineno, index)
        if problem is not None:
            yield problem
        yield Record(index, lineno, pairs, eventtime.from_pairs(pairs, opts.time_fields))
        index += 1


def parse_line(text: str) -> list[tuple[str | None, str]] | None:
    """Parse one CEF line into ``(field, value)`` pairs, or None when it is not CEF."""
    m = _CEF_START.search(text)
    if m is None:
        return None
    pairs: list[tuple[str | None, str]] = []
    prefix = text[: m.start()].strip()
    if prefix:
        pairs.append(("syslog", prefix))
    body = text[m.start() :]
    if "\\" in body:
        parts = _PIPE.split(body, maxsplit=7)
        header = [_unescape(value) for value in parts[1:7]]
    else:  # no escaped pipe: every pipe splits, as the regex would (at a third of its cost)
        parts = body.split("|", 7)
        header = parts[1:7]
    named = zip(_HEADER_FIELDS, header, strict=False)  # a short header has fewer values
    pairs.extend((name, value) for name, value in named if value)
    if len(parts) == 8:
        pairs.extend(parse_extension(parts[7]))
    return pairs


def parse_extension(ext: str) -> list[tuple[str, str]]:
    """Split a CEF extension into pairs, naming ``csN`` fields by their labels."""
    # One split: [text before the first key, key, value, key, value, ...]
    parts = _KEY.split(" " + ext)
    if "\\" in ext:
        values = [_unescape(v.rstrip(" ")) for v in parts[2::2]]
    elif "  " in ext or ext[-1:] == " ":
        values = [v.rstrip(" ") for v in parts[2::2]]
    else:  # a value ends in a space only before a second one (each split takes one) or last
        values = parts[2::2]
    pairs = [(k, v) for k, v in zip(parts[1::2], values, strict=True) if v]
    if "Label=" not in ext:
        return pairs
    labels = {k[:-5]: v for k, v in pairs if k[-5:] == "Label"}
    names = {k: v for k, v in labels.items() if _LABELLED.match(k)}  # csN -> its label
    # The labels themselves are left out.
    return [(names.get(k, k), v) for k, v in pairs if k[-5:] != "Label" or k[:-5] not in labels]


def _unescape(value: str) -> str:
    if "\\" not in value:
        return value
    return _UNESCAPE.sub(lambda m: _ESCAPES[m.group(1)], value)
