"""Readers: one module per input format, each ``iter_records(stream, head, opts)``.

``READERS`` maps a reader name to its generator; ``FORMATS`` maps every format label that
can appear in ``source_format`` to its :class:`FormatSpec`: the reader that reads it, and
the facts the scan needs to cut its files into line ranges (:mod:`scanner.pipeline`) and
to read them a block at a time (:mod:`scanner.columnar`). Sniffing lives in
:mod:`scanner.sniff`; compression and archives in :mod:`scanner.sources`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Literal

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

FastPath = Literal["lines", "records"]


@dataclass(frozen=True)
class FormatSpec:
    """One format label: what reads it, and how a scan may cut and batch its files."""

    #: the name in ``source_format`` and ``--format``
    label: str
    #: the key of ``READERS`` whose generator reads it
    reader: str
    #: what it is, as ``catoscan formats`` lists it
    description: str
    #: how its records become the blocks :mod:`scanner.columnar` detects: ``lines``, JSON
    #: lines parsed a block at a time (``read_blocks``); ``records``, its reader's records
    #: gathered into blocks (``block_of``)
    fast_path: FastPath
    #: every record is one line, so a large file is split into line ranges read in parallel
    line_split: bool
    #: :func:`scanner.sniff.sniff` names it from the content; False: only ``--format`` does
    sniffed: bool = True


_SPECS = (
    FormatSpec(
        "eventsfeed-jsonl",
        reader="json",
        description="eventsFeed.py / catocli events: JSON lines, concatenated or pretty",
        fast_path="lines",
        line_split=True,
    ),
    FormatSpec(
        "eventsfeed-api",
        reader="json",
        description="eventsFeed GraphQL response page",
        fast_path="records",
        line_split=False,
    ),
    FormatSpec(
        "auditfeed-jsonl",
        reader="json",
        description="auditFeed.py / catocli audit records, flattened change keys",
        fast_path="lines",
        line_split=True,
    ),
    FormatSpec(
        "auditfeed-api",
        reader="json",
        description="auditFeed GraphQL response page",
        fast_path="records",
        line_split=False,
    ),
    FormatSpec(
        "audit-push-json",
        reader="json",
        description="pushed audit records wrapped in fieldsMap, nested change",
        fast_path="records",
        line_split=False,
    ),
    FormatSpec(
        "push-ndjson",
        reader="json",
        description="S3/Azure/HTTP push NDJSON events or flows, typed values",
        fast_path="lines",
        line_split=True,
    ),
    FormatSpec(
        "legacy-json",
        reader="json",
        description="legacy Log Exporter JSON lines, camelCase keys",
        fast_path="records",
        line_split=True,
    ),
    FormatSpec(
        "scim-json",
        reader="json",
        description="SCIM 2.0 users/groups, single objects or ListResponse",
        fast_path="records",
        line_split=False,
    ),
    # SIEM exports, one document per line (nested: flattened per record)
    FormatSpec(
        "elastic-ecs-json",
        reader="json",
        description="Elastic cato_networks documents (ECS); the raw record in event.original",
        fast_path="lines",
        line_split=True,
    ),
    FormatSpec(
        "sekoia-json",
        reader="json",
        description="Sekoia.io events; the raw record in message, cato.sase.*",
        fast_path="lines",
        line_split=True,
    ),
    FormatSpec(
        "datadog-json",
        reader="json",
        description="Datadog log exports: Cato keys, usr.*, network.client.ip",
        fast_path="lines",
        line_split=True,
    ),
    FormatSpec(
        "splunk-json",
        reader="json",
        description="Splunk JSON exports: result._raw, _time, CIM fields",
        fast_path="lines",
        line_split=True,
    ),
    FormatSpec(
        "sentinel-json",
        reader="json",
        description="Microsoft Sentinel rows: CatoNetworksEvents_CL, LogData, CommonSecurityLog",
        fast_path="lines",
        line_split=True,
    ),
    FormatSpec(
        "udm-json",
        reader="json",
        description="Google SecOps UDM events: principal.*, target.*, metadata",
        fast_path="lines",
        line_split=True,
    ),
    FormatSpec(
        "json",
        reader="json",
        description="any other JSON: lines, arrays, documents",
        fast_path="records",
        line_split=True,
    ),
    FormatSpec(
        "cef",
        reader="cef",
        description="CEF lines, optional syslog header",
        fast_path="records",
        line_split=True,
    ),
    FormatSpec(
        "cma-events-csv",
        reader="csv",
        description="CMA Events page CSV export",
        fast_path="records",
        line_split=False,
    ),
    FormatSpec(
        "cma-users-csv",
        reader="csv",
        description="CMA Users page CSV export",
        fast_path="records",
        line_split=False,
    ),
    FormatSpec(
        "scim-csv",
        reader="csv",
        description="catocli SCIM users/groups CSV",
        fast_path="records",
        line_split=False,
    ),
    FormatSpec(
        "csv",
        reader="csv",
        description="any other CSV",
        fast_path="records",
        line_split=False,
    ),
    FormatSpec(
        "text",
        reader="text",
        description="Cato Client PC logs and any other plain text, one record per line",
        fast_path="records",
        line_split=True,
    ),
    FormatSpec(
        "parquet",
        reader="parquet",
        description="Parquet files of records",
        fast_path="records",
        line_split=False,
    ),
)
#: Every format label that can appear in ``source_format``, in the order listed.
FORMATS: dict[str, FormatSpec] = {spec.label: spec for spec in _SPECS}
#: CSV formats: a row spans lines only inside a quoted cell, so a large CSV file without a
#: quote character is split into line ranges too (``scanner.plan``); each range but the
#: first is read after the file's header line.
CSV_FORMATS = frozenset(label for label, spec in FORMATS.items() if spec.reader == "csv")


def reader_for(format_name: str) -> ReaderFn:
    """Return the reader for a format label; unknown labels are a config error."""
    try:
        return READERS[FORMATS[format_name].reader]
    except KeyError:
        valid = ", ".join(sorted(FORMATS))
        raise ConfigError(f"unknown format {format_name!r}; valid formats: {valid}") from None
