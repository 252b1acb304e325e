"""Parquet files of records: each row is a record; nested columns are flattened."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any, BinaryIO

from scanner.flatten import NestingTooDeep, flatten, take_fields, too_deep
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
    except (pa.ArrowException, OSError, ValueError) as exc:  # ValueError: names not UTF-8
        yield ReadProblem(None, None, f"not a readable Parquet file: {exc.__class__.__name__}")
        return
    index = 0
    try:
        for batch in parquet.iter_batches(batch_size=4096):
            for row in _rows(batch):
                if row is None:  # a string that is not UTF-8 (a corrupt or hostile file)
                    yield ReadProblem(None, index, "Parquet row with invalid UTF-8 text; skipped")
                    index += 1
                    continue
                try:
                    pairs, problem = take_fields(
                        flatten(row, max_depth=opts.max_json_depth), opts.max_fields, None, index
                    )
                except NestingTooDeep:
                    yield too_deep(None, index, opts.max_json_depth)
                    index += 1
                    continue
                if problem is not None:
                    yield problem
                yield Record(index, None, pairs, eventtime.from_mapping(row, opts.time_fields))
                index += 1
    except (pa.ArrowException, OSError, ValueError) as exc:
        yield ReadProblem(
            None, index, f"Parquet data could not be decoded: {exc.__class__.__name__}"
        )


def _rows(batch: Any) -> Iterator[dict[str, Any] | None]:
    """The rows of a batch; None for a row pyarrow cannot turn into Python values."""
    try:
        yield from batch.to_pylist()
    except UnicodeDecodeError:
        for i in range(batch.num_rows):  # only a broken batch pays for row-by-row
            try:
                yield batch.slice(i, 1).to_pylist()[0]
            except UnicodeDecodeError:
                yield None
