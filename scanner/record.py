"""The unit every reader yields: one record with its flattened fields, or one read problem."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(slots=True)
class Record:
    """One log event, export row, directory object or text line.

    Attributes:
        index: 0-based position of the record in reading order within its file.
        line: 1-based line where the record starts in the decompressed file, or None for
            records inside a JSON document (API pages, arrays) and Parquet rows.
        fields: ``(key path, text value)`` pairs; nested keys joined by ``.``; the key is
            None for a plain-text line.
        event_time: the record's event time in UTC, or None when it has none.
    """

    index: int
    line: int | None
    fields: list[tuple[str | None, str]]
    event_time: datetime | None = None


@dataclass(slots=True)
class ReadProblem:
    """A record (or the rest of a file) that could not be read; the reader goes on after it.

    ``reason`` names what is wrong in words a person understands; it never quotes the data.
    """

    line: int | None
    index: int | None
    reason: str
