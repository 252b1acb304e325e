"""Rows on a stream as an aligned text table, JSON or CSV.

Rows are lists of plain values (str, int, float, bool, None, lists). The table pads by
display width, so Japanese field names and paths line up; lists are joined with ``,`` in
tables and ``|`` in CSV; None is ``-`` in tables and empty in CSV.

Names come from the input, so every text is escaped for its output by
:mod:`scanner.escaping`: table cells and CSV cells show control and bidirectional
characters as escapes, a CSV cell never starts a spreadsheet formula; JSON keeps every
name exact.
"""

from __future__ import annotations

import contextlib
import csv
import json
import numbers
import os
import shutil
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from scanner.escaping import csv_cell, for_terminal, json_text

#: What the inventory commands write on stdout (``--format``).
OUTPUT_FORMATS = ("table", "json", "csv")


def display_width(text: str) -> int:
    """Columns a string takes in a terminal (wide East Asian characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def cell(value: Any, list_sep: str = ",") -> str:
    """A value as table text, escaped for a terminal."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, list | tuple):
        return for_terminal(list_sep.join(str(v) for v in value)) or "-"
    return for_terminal(str(value))


def format_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    indent: str = "",
    *,
    show_headers: bool = True,
) -> str:
    """An aligned table: numbers right-aligned, text left-aligned, two spaces between columns."""
    texts = [[cell(v) for v in row] for row in rows]
    numeric = [
        bool(rows)
        and all(isinstance(r[i], int | float) or r[i] is None for r in rows)
        and any(isinstance(r[i], int | float) and not isinstance(r[i], bool) for r in rows)
        for i in range(len(headers))
    ]
    widths = [
        max([display_width(h), *(display_width(t[i]) for t in texts)])
        for i, h in enumerate(headers)
    ]
    lines = []
    for row in [list(headers), *texts] if show_headers else texts:
        parts = []
        for i, text in enumerate(row):
            pad = " " * (widths[i] - display_width(text))
            parts.append(pad + text if numeric[i] else text + pad)
        lines.append((indent + "  ".join(parts)).rstrip())
    return "\n".join(lines)


def write_csv(stream: TextIO, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """CSV for spreadsheets, with a header row; lists joined with ``|``, None empty.

    Booleans are true/false; text is escaped (:func:`scanner.escaping.csv_cell`), so that
    no cell is a formula; numbers are written as they are.
    """
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return csv_cell("|".join(str(v) for v in value))
    if isinstance(value, numbers.Number):  # -3 is a number, not a formula
        return str(value)
    return csv_cell(str(value))


def write_json(stream: TextIO, data: Any) -> None:
    """Indented UTF-8 JSON and a newline; every string reads back exact (see json_text)."""
    stream.write(json_text(json.dumps(data, ensure_ascii=False, indent=2)))
    stream.write("\n")


def records(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    """Rows as a list of ``{header: value}`` objects (for JSON)."""
    return [dict(zip(headers, row, strict=True)) for row in rows]


@contextlib.contextmanager
def replacing(paths: Sequence[Path]) -> Iterator[list[Path]]:
    """Temporary files beside ``paths``, renamed onto them when the block ends without error.

    A write the system refuses half-way (a full disk) leaves no truncated file under a
    final name, where a pipeline could take it for a whole one, and the files there before
    stay as they were; the temporaries are removed. A file replaced keeps its mode.
    """
    temps = [path.with_name(f".{path.name}.tmp") for path in paths]
    try:
        yield temps
        for tmp, path in zip(temps, paths, strict=True):
            if path.exists():
                shutil.copymode(path, tmp)
            os.replace(tmp, path)
    finally:
        for tmp in temps:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
