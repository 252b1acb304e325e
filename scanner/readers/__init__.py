"""Readers: one module per input format, each ``iter_records(stream, head, opts)``.

``READERS`` maps a reader name to its generator; ``FORMATS`` maps every format label that
can appear in ``source_format`` to the reader that reads it. Sniffing lives in
:mod:`scanner.sniff`; compression and archives in :mod:`scanner.sources`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

from scanner.errors import ConfigError
from scanner.readers import cef, csv, json_stream, parquet, text
from scanner.readers.textio import ReadOptions
from scanner.record import ReadProblem, Record

ReaderFn = Callable[[BinaryIO, bytes, ReadOptions], Iterator[Record | ReadProblem]]

READERS: dict[str, ReaderFn] = {
    "json": json_stream.iter_records,
    "cef": cef.iter_records,
    "csv": csv.iter_records,
    "text": text.iter_records,
    "parquet": parquet.iter_records,
}

#: format label -> (reader name, what it is)
FORMATS: dict[str, tuple[str, str]] = {
    "eventsfeed-jsonl": (
        "json",
        "eventsFeed.py / catocli events: JSON lines, concatenated or pretty",
    ),
    "eventsfeed-api": ("json", "eventsFeed GraphQL response page"),
    "auditfeed-jsonl": ("json", "auditFeed.py / catocli audit records, flattened change keys"),
    "auditfeed-api": ("json", "auditFeed GraphQL response page"),
    "audit-push-json": ("json", "pushed audit records wrapped in fieldsMap, nested change"),
    "push-ndjson": ("json", "S3/Azure/HTTP push NDJSON events or flows, typed values"),
    "legacy-json": ("json", "legacy Log Exporter JSON lines, camelCase keys"),
    "scim-json": ("json", "SCIM 2.0 users/groups, single objects or ListResponse"),
    "json": ("json", "any other JSON: lines, arrays, documents"),
    "cef": ("cef", "CEF lines, optional syslog header"),
    "cma-events-csv": ("csv", "CMA Events page CSV export"),
    "cma-users-csv": ("csv", "CMA Users page CSV export"),
    "scim-csv": ("csv", "catocli SCIM users/groups CSV"),
    "csv": ("csv", "any other CSV"),
    "text": ("text", "Cato Client PC logs and any other plain text, one record per line"),
    "parquet": ("parquet", "Parquet files of records"),
}


def reader_for(format_name: str) -> ReaderFn:
    """Return the reader for a format label; unknown labels are a config error."""
    try:
        return READERS[FORMATS[format_name][0]]
    except KeyError:
        valid = ", ".join(sorted(FORMATS))
        raise ConfigError(f"unknown format {format_name!r}; valid formats: {valid}") from None
