"""Plain-text logs (Cato Client PC logs and any other text): each line is one record.

The whole line is one free-text value (its field is null). A timestamp at the start of
the line (``2025-03-14 01:20:30.123``, ``2025-03-14T01:20:30Z``, ``[2025/03/14 ...]``) is
the record's event time; Cato Client logs write UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import BinaryIO

from scanner.readers.textio import ReadOptions, iter_text_lines
from scanner.record import ReadProblem, Record
from scanner.timeparse import parse_time

_LEADING_TIME = re.compile(
    r"""^\W{0,2}(\d{4}[-/]\d{2}[-/]\d{2}      # date
        [T\ ]\d{2}:\d{2}:\d{2}                # time
        (?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?)  # fraction, zone
    """,
    re.VERBOSE,
)


def iter_records(
    stream: BinaryIO, head: bytes, opts: ReadOptions
) -> Iterator[Record | ReadProblem]:
    """Yield every line as a record with a null field; ``record_index`` = line - 1."""
    for item in iter_text_lines(stream, head, opts):
        if isinstance(item, ReadProblem):
            yield item
            continue
        lineno, text = item
        fields: list[tuple[str | None, str]] = [(None, text)] if text.strip() else []
        yield Record(lineno - 1, lineno, fields, _line_time(text))


def _line_time(text: str) -> datetime | None:
    m = _LEADING_TIME.match(text)
    if m is None:
        return None
    return parse_time(m.group(1).replace("/", "-").replace(",", "."))
