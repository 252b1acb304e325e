"""CSV exports: CMA Events/Users/Devices pages, catocli SCIM CSV and any other CSV.

The first row is the header; each following row is a record whose fields are the header
cells (``column_N`` for a missing or empty header cell, 1-based). Delimiter: comma, tab or
semicolon, whichever the header uses. Encodings as in :mod:`scanner.readers.textio` (UTF-8
with or without BOM, CP932). Rows may span lines (quoted newlines); ``line`` is where the
row starts. NUL bytes are removed and reported.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import BinaryIO

from scanner.readers import eventtime
from scanner.readers.textio import ReadOptions, iter_text_lines
from scanner.record import ReadProblem, Record

csv.field_size_limit(1 << 30)


def sniff_delimiter(header_line: str) -> str:
    """Return the delimiter the header line uses most (comma when tied)."""
    counts = {d: header_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def iter_records(
    stream: BinaryIO, head: bytes, opts: ReadOptions
) -> Iterator[Record | ReadProblem]:
    """Yield one record per data row."""
    problems: list[ReadProblem] = []
    physical = [0]  # last physical line number handed to the csv module

    def lines() -> Iterator[str]:
        for item in iter_text_lines(stream, head, opts):
            if isinstance(item, ReadProblem):
                problems.append(item)
                continue
            lineno, text = item
            physical[0] = lineno
            if "\x00" in text:
                problems.append(ReadProblem(lineno, None, "NUL bytes removed from the line"))
                text = text.replace("\x00", "")
            yield text + "\n"

    source = lines()
    try:
        first = next(source)
    except StopIteration:
        yield from problems
        return
    delimiter = sniff_delimiter(first)

    def with_first() -> Iterator[str]:
        yield first
        yield from source

    reader = csv.reader(with_first(), delimiter=delimiter)
    header: list[str] | None = None
    index = 0
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(ReadProblem(start, index, f"malformed CSV row: {exc}"))
            start = physical[0] + 1
            continue
        yield from problems
        problems.clear()
        if header is None:
            header = [h.strip().lstrip("\ufeff") for h in row]
            start = physical[0] + 1
            continue
        if not any(cell.strip() for cell in row):
            start = physical[0] + 1
            continue
        pairs: list[tuple[str | None, str]] = []
        for i, cell in enumerate(row):
            if cell == "":
                continue
            name = header[i] if i < len(header) and header[i] else f"column_{i + 1}"
            pairs.append((name, cell))
        yield Record(index, start, pairs, eventtime.from_pairs(pairs, opts.time_fields))
        index += 1
        start = physical[0] + 1
    yield from problems
