"""Findings part files: how one is written and read back, and merging runs of small ones.

Every findings file is written by :func:`writer` (zstd; dictionaries as large as a batch's
distinct values; Parquet min/max statistics only on the columns a reader filters on by
range) and read back whole by :func:`read`.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from scanner.dataset.schema import RECORD_COLUMNS
from scanner.errors import ResourceError

#: Findings columns whose Parquet pages carry min/max statistics: those a reader filters
#: on by range (where, when). A keyed hash's or a mask's min and max prune nothing, and
#: computing them for every column cost about a fifth of the Parquet writing.
STATISTICS = list(RECORD_COLUMNS)

#: The largest dictionary page of a column chunk. Parquet's default (1 MiB) holds the
#: distinct keyed hashes of about 15,000 values: a row group of high-cardinality logs has
#: more, and the writer built a dictionary only to give it up and write every 64-character
#: hash in full. With room for a whole batch's (``batch_rows``), the bench's high-cardinality
#: findings take 39% less space and 10% less time to write (7% less space on a log whose
#: values repeat more).
DICTIONARY_PAGE_LIMIT = 32 << 20


def writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    """A Parquet writer of findings: zstd, statistics on :data:`STATISTICS` only."""
    names = [name for name in STATISTICS if name in schema.names]
    return pq.ParquetWriter(
        path,
        schema,
        compression="zstd",
        write_statistics=names,
        dictionary_pagesize_limit=DICTIONARY_PAGE_LIMIT,
    )


def read(path: Path, schema: pa.Schema) -> pa.Table:
    """A findings part as ``schema`` (Spark's and resumed parts carry other metadata)."""
    # ParquetFile.read, not read_table: a third of the CPU (no dataset machinery).
    table = pq.ParquetFile(path).read(use_threads=False)
    return table if table.schema.equals(schema, check_metadata=False) else table.cast(schema)


@contextlib.contextmanager
def refused_writes() -> Iterator[None]:
    """Raise a :class:`ResourceError`, never an ``OSError``, when a findings write fails.

    Any ``OSError`` (no space, a quota, EIO, ...): a findings part is the dataset's, and a
    reader, which takes the ``OSError`` s of its stream for its input's problems, must not
    record it as an unreadable input and go on with the findings lost.
    """
    try:
        yield
    except OSError as exc:
        raise ResourceError(exc.errno or errno.EIO) from exc


def merge_runs(parts: list[tuple[Path, int]], schema: pa.Schema, max_rows: int) -> None:
    """Merge runs of consecutive small parts into parts of up to ``max_rows`` rows.

    ``parts``: the part files in order, with their row counts. Every input file gives at
    least one part; 100,000 small files would otherwise make 100,000 Parquet files of a
    few rows each (8 KB apiece on disk, and slow to read). Only consecutive parts are
    merged, so the row order is kept; a merged part takes the name of the first of its run.
    """
    run: list[Path] = []
    total = 0  # rows in the run
    for part, rows in [*parts, (None, 0)]:
        if part is not None and total + rows <= max_rows:
            run.append(part)
            total += rows
            continue
        if len(run) > 1:
            merged = run[0].with_suffix(".merging")
            tables = [read(p, schema) for p in run]
            with writer(merged, schema) as out:
                out.write_table(pa.concat_tables(tables))
            for p in run:
                p.unlink()
            os.replace(merged, run[0])
        run, total = ([part], rows) if part is not None else ([], 0)
