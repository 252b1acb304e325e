"""Parquet files of records: each row is a record; nested columns are flattened."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import BinaryIO

from scanner.flatten import flatten
from scanner.readers import eventtime
from scanner.readers.textio import ReadOptions
from scanner.record import ReadProblem, Record


def iter_records(
    stream: BinaryIO, head: bytes, opts: ReadOptions
) -> Iterator[Record | ReadProblem]:
    """Yield one record per row, reading the file in batches of 4096 rows."""
    import pyarrow as pa  # imported here: `catoscan --help` must not pay for pyarrow
    import pyarrow.parquet as pq

    if not stream.seekable():  # e.g. a .parquet.gz: Parquet needs random access
        data = stream.read(opts.max_document_bytes + 1)
        if len(data) > opts.max_document_bytes:
            yield ReadProblem(None, None, "compressed Parquet file is over the document limit")
            return
        stream = io.BytesIO(data)
    try:
        parquet = pq.ParquetFile(stream)
    except (pa.ArrowException, OSError) as exc:
        yield ReadProblem(None, None, f"not a readable Parquet file: {exc.__class__.__name__}")
        return
    index = 0
    try:
        for batch in parquet.iter_batches(batch_size=4096):
            for row in batch.to_pylist():
                pairs = list(flatten(row))
                yield Record(index, None, pairs, eventtime.from_mapping(row, opts.time_fields))
                index += 1
    except (pa.ArrowException, OSError) as exc:
        yield ReadProblem(
            None, index, f"Parquet data could not be decoded: {exc.__class__.__name__}"
        )
