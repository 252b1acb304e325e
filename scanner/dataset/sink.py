"""The findings sink: findings buffered column-wise, written to one Parquet part file.

Used wherever findings are produced (the main process or a worker); the writer then adopts
the part (:meth:`scanner.dataset.writer.DatasetWriter.add_part`). The sink also folds
each batch into the ``fields`` statistics of what it wrote (:mod:`scanner.dataset.stats`).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from scanner.dataset import parts
from scanner.dataset.schema import RECORD_COLUMNS, RecordKey
from scanner.dataset.stats import FieldStats, StatsKey, fold
from scanner.dataset.values import FindingValue, ValueStore

#: One finding: (RecordKey, field, FindingValue); the first and last are shared objects.
FindingRow = tuple[RecordKey, str | None, FindingValue]


class _Findings(NamedTuple):
    """A built findings table, and its distinct records' columns (what it took them from)."""

    table: pa.Table
    recs: pa.Table


class FindingsSink:
    """Buffers findings and writes them to one Parquet part file in row groups.

    Findings come one by one (:meth:`add_findings`) or column-wise as rows of a
    :class:`ValueStore` (:meth:`add_indexed`, the scan's path); both are built into Arrow
    tables once per distinct record and value, folded into per-source ``fields``
    statistics, and written in batches of ``batch_rows``.
    """

    def __init__(
        self,
        path: Path,
        schema: pa.Schema,
        *,
        key_id: str | None,
        include_values: bool,
        batch_rows: int,
    ):
        self.path = path
        self.schema = schema
        self.include_values = include_values
        self.batch_rows = batch_rows
        self.rows = 0
        self._key_id = key_id
        self._buf: list[FindingRow] = []
        self._tables: list[_Findings] = []  # built, not yet written
        self._held = 0  # rows in _tables
        self._stats: dict[StatsKey, FieldStats] = {}
        self._writer: pq.ParquetWriter | None = None
        #: the FindingValues given to add_findings, in Arrow form
        self._own = ValueStore(include_values)

    def add_findings(self, rows: list[FindingRow]) -> None:
        """Buffer findings, each a :data:`FindingRow`.

        All rows of one record must come in one call: statistics count records per batch.
        """
        self._buf.extend(rows)
        self.rows += len(rows)
        if len(self._buf) + self._held >= self.batch_rows:
            self._flush()

    def add_indexed(
        self,
        recs: list[RecordKey],
        fields: pa.Array,
        rec_index: Any,
        rows: Any,
        field_index: Any,
        store: ValueStore,
        generation: int | None = None,
    ) -> None:
        """Buffer findings given column-wise, their values as rows of a ValueStore.

        Finding ``i`` is of record ``recs[rec_index[i]]``, field
        ``fields[field_index[i]]`` and value ``rows[i]``, a row of ``store``.

        The index arguments are int32-convertible arrays of equal length (NumPy or Arrow);
        ``fields`` is a string array of field names. As with :meth:`add_findings`, all
        rows of a record must come in one call.

        Raises:
            ValueError: ``store`` was cleared since the rows were taken (``generation``),
                or holds values of another ``--include-values`` setting.
        """
        if store.include_values != self.include_values:
            raise ValueError("a ValueStore of another --include-values setting")
        if generation is not None and generation != store.generation:
            raise ValueError("rows of a ValueStore since cleared")
        self._hold()
        self.rows += self._add(recs, fields, rec_index, rows, field_index, store)
        if self._held >= self.batch_rows:
            self._flush()

    def close(self) -> tuple[Path | None, dict[tuple, FieldStats]]:
        """Write what is buffered and finish the part.

        Returns:
            The part file (None when nothing was found) and the ``fields`` statistics of
            everything written, keyed by (source, format, field, entity, element).

        Raises:
            ResourceError: the system refused the write (no space, ...), as every write of
                the sink does: a reader's handling of its own ``OSError`` never takes it
                for a problem of the input.
        """
        self._flush()
        part = None
        if self._writer is not None:
            with parts.refused_writes():
                self._writer.close()
            self._writer = None
            part = self.path
        stats, self._stats = self._stats, {}
        return part, stats

    def abort(self) -> None:
        """Drop the part file (the task failed)."""
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
            self._writer = None
        self.path.unlink(missing_ok=True)

    def _hold(self) -> None:
        """Turn the buffered rows into a table waiting for the next write.

        A record's (path, format, line, index, time) tuple and a value's FindingValue are
        shared by many rows, so the columns are built once per distinct object and
        expanded with ``take``: the per-row Python work is three dictionary look-ups.
        """
        rows, self._buf = self._buf, []
        if not rows:
            return
        rec_pos: dict[int, int] = {}
        field_pos: dict[str | None, int] = {}
        recs: list[RecordKey] = []
        fields: list[str | None] = []
        rec_index: list[int] = []
        field_index: list[int] = []
        for rec, fld, _val in rows:
            i = rec_pos.get(id(rec))
            if i is None:
                i = rec_pos[id(rec)] = len(recs)
                recs.append(rec)
            k = field_pos.get(fld)
            if k is None:
                k = field_pos[fld] = len(fields)
                fields.append(fld)
            rec_index.append(i)
            field_index.append(k)
        value_rows = self._own.rows_of([val for _rec, _fld, val in rows])
        recs_at, fields_at = (np.array(index, np.int64) for index in (rec_index, field_index))
        self._add(recs, pa.array(fields, pa.string()), recs_at, value_rows, fields_at, self._own)

    def _add(
        self,
        recs: list[RecordKey],
        fields: pa.Array,
        rec_index: Any,
        rows: Any,
        field_index: Any,
        store: ValueStore,
    ) -> int:
        """Build findings into a table waiting for the next write, and fold their statistics.

        Returns:
            The number of findings.
        """
        rows = np.asarray(rows, np.int64)
        found = self._table(recs, fields, rec_index, rows, field_index, store)
        fold(self._stats, store, found.recs, fields, rec_index, field_index, rows)
        self._tables.append(found)
        self._held += found.table.num_rows
        return found.table.num_rows

    def _table(
        self,
        recs: list[RecordKey],
        fields: pa.Array,
        rec_index: Any,
        rows: np.ndarray,
        field_index: Any,
        store: ValueStore,
    ) -> _Findings:
        """One findings table from distinct records and fields, store rows and indexes."""
        r = list(zip(*recs, strict=True))
        types = {f.name: f.type for f in self.schema}
        distinct = pa.table(
            [pa.array(col, types[name]) for col, name in zip(r, RECORD_COLUMNS, strict=True)],
            names=list(RECORD_COLUMNS),
        )
        rec_table = distinct.take(pa.array(rec_index, pa.int32()))
        val_table = store.table.take(pa.array(rows))
        columns = {name: rec_table.column(name) for name in RECORD_COLUMNS}
        columns.update({name: val_table.column(name) for name in val_table.column_names})
        columns["field"] = fields.take(pa.array(field_index, pa.int32()))
        columns["key_id"] = pa.repeat(pa.scalar(self._key_id, pa.string()), rec_table.num_rows)
        table = pa.Table.from_arrays(
            [columns[name] for name in self.schema.names], schema=self.schema
        )
        return _Findings(table, distinct)

    def _flush(self) -> None:
        """Write what is buffered as one batch."""
        self._hold()
        found, self._tables, self._held = self._tables, [], 0
        if not found:
            return
        tables = [f.table for f in found]
        batch = tables[0] if len(tables) == 1 else pa.concat_tables(tables)
        with parts.refused_writes():
            if self._writer is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._writer = parts.writer(self.path, self.schema)
            self._writer.write_table(batch)
