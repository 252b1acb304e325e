"""CSV exports: CMA Events/Users/Devices pages, catocli SCIM CSV and any other CSV.

The first row is the header; each following row is a record whose fields are the header
cells (``column_N`` for a missing or empty header cell, 1-based). Delimiter: comma, tab or
semicolon, whichever the header uses. Encodings as in :mod:`scanner.readers.textio` (UTF-8
with or without BOM, CP932). Rows may span lines (quoted newlines); ``line`` is where the
row starts. NUL bytes are removed and reported.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from typing import BinaryIO

from scanner.flatten import take_fields
from scanner.readers import eventtime
from scanner.readers.textio import ReadOptions, iter_text_lines
from scanner.record import ReadProblem, Record

csv.field_size_limit(1 << 30)


def sniff_delimiter(header_line: str) -> str:
    """Return the delimiter the header line uses most (comma when tied)."""
    counts = {d: header_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


class _RowTooLong(Exception):
    """A CSV row ran past the byte limit (an unclosed quote swallowing lines)."""


class _Lines:
    """Decoded lines for the csv module; problems collected, row length bounded."""

    def __init__(self, stream: BinaryIO, head: bytes, opts: ReadOptions):
        self._items = iter_text_lines(stream, head, opts)
        self.problems: list[ReadProblem] = []
        self.physical = 0  # last physical line number handed to the csv module
        self.row_chars = 0  # characters of the row being parsed so far
        self.limit = opts.max_line_bytes

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        while True:
            item = next(self._items)
            if isinstance(item, ReadProblem):
                self.problems.append(item)
                continue
            lineno, text = item
            self.physical = lineno
            if "\x00" in text:
                self.problems.append(ReadProblem(lineno, None, "NUL bytes removed from the line"))
                text = text.replace("\x00", "")
            self.row_chars += len(text) + 1
            if self.row_chars > self.limit:
                raise _RowTooLong
            return text + "\n"


def iter_records(
    stream: BinaryIO, head: bytes, opts: ReadOptions
) -> Iterator[Record | ReadProblem]:
    """Yield one record per data row."""
    lines = _Lines(stream, head, opts)
    problems = lines.problems
    first = next(lines, None)
    if first is None:
        yield from problems
        return
    delimiter = sniff_delimiter(first)
    reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
    header: list[str] | None = None
    names: list[str | None] = []  # each column's field name
    times: tuple[tuple[int, ...], ...] = ()  # the time fields' columns (eventtime)
    index = 0
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except _RowTooLong:
            problems.append(
                ReadProblem(
                    start,
                    index,
                    f"CSV row runs past {opts.max_line_bytes} bytes (an unclosed quote?) "
                    f"(limits.max_line_bytes); skipped up to line {lines.physical}",
                )
            )
            reader = csv.reader(lines, delimiter=delimiter)  # parse afresh from the next line
            lines.row_chars = 0
            start = lines.physical + 1
            continue
        except csv.Error as exc:
            problems.append(ReadProblem(start, index, f"malformed CSV row: {exc}"))
            lines.row_chars = 0
            start = lines.physical + 1
            continue
        lines.row_chars = 0
        yield from problems
        problems.clear()
        if header is None:
            header = [h.strip().lstrip("\ufeff") for h in row]
            names = [h or f"column_{i + 1}" for i, h in enumerate(header)]
            times = eventtime.time_columns(names, opts.time_fields)
            start = lines.physical + 1
            continue
        if not any(cell.strip() for cell in row):
            start = lines.physical + 1
            continue
        if len(row) > len(names):  # cells past the header's: column_N
            names += [f"column_{i + 1}" for i in range(len(names), len(row))]
            times = eventtime.time_columns(names, opts.time_fields)
        # a row shorter than the header lacks its last fields
        pairs: list[tuple[str | None, str]] = [p for p in zip(names, row, strict=False) if p[1]]
        if len(pairs) > opts.max_fields:
            pairs, problem = take_fields(pairs, opts.max_fields, start, index)
            if problem is not None:
                yield problem
            time = eventtime.from_pairs(pairs, opts.time_fields)
        else:
            time = eventtime.from_columns(row, times)
        yield Record(index, start, pairs, time)
        index += 1
        start = lines.physical + 1
    yield from problems
