"""The ``fields`` and ``errors`` rows a scan stages: buffered column-wise, written in batches.

Each table is one Parquet file in the stage (``<table>/part-00000.parquet``), which a
commit renames into place with the findings.
"""

from __future__ import annotations

import contextlib
from operator import itemgetter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq


class StagedRows:
    """One table's rows (dicts with its columns), written ``batch_rows`` at a time."""

    def __init__(self, path: Path, schema: pa.Schema, batch_rows: int):
        self.path = path
        self.schema = schema
        self.batch_rows = batch_rows
        self._columns: dict[str, list[Any]] = {name: [] for name in schema.names}
        self._writer: pq.ParquetWriter | None = None

    def extend(self, rows: list[dict[str, Any]]) -> None:
        """Add rows; a row without a column has a null there."""
        columns = self._columns
        try:  # every row has every column (the usual): transpose in C
            transposed = zip(*map(itemgetter(*columns), rows), strict=True)
            for values, column in zip(columns.values(), transposed, strict=True):
                values.extend(column)
        except KeyError:
            for name, values in columns.items():
                values.extend([row.get(name) for row in rows])
        if len(columns["source_path"]) >= self.batch_rows:
            self._flush()

    def close(self) -> None:
        """Write the rows left and finish the file (an empty table still gets its file)."""
        self._flush()
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def abort(self) -> None:
        """Close the file, whatever state it is in (the scan failed; the stage goes)."""
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
            self._writer = None

    def _flush(self) -> None:
        columns = self._columns
        if not columns["source_path"] and self._writer is not None:
            return
        batch = pa.RecordBatch.from_pydict(columns, schema=self.schema)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, self.schema, compression="zstd")
        self._writer.write_batch(batch)
        for values in columns.values():
            values.clear()
