"""The dataset writer: one scan written into a dataset directory, all or nothing.

:class:`DatasetWriter` stages the scan in ``DIR/.staging-<id>/``: it adopts the findings
parts sinks wrote (:mod:`scanner.dataset.sink`), stages ``fields`` and ``errors`` rows
(:mod:`scanner.dataset.rows`), carries forward rows of a committed scan or resumes those
of an interrupted one, records checkpoints (:mod:`scanner.dataset.checkpoints`), and
commits through the journal (:mod:`scanner.dataset.journal`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from scanner.dataset import journal, parts
from scanner.dataset.checkpoints import CHECKPOINT, CheckpointLog, Interrupted, keep_interrupted
from scanner.dataset.rows import StagedRows
from scanner.dataset.schema import ERRORS_SCHEMA, FIELDS_SCHEMA, TABLES, findings_schema
from scanner.dataset.sink import FindingsSink
from scanner.dataset.stats import FieldStats, fields_rows
from scanner.errors import ConfigError, ResourceError, resource_error

#: The umask of a scan with --include-values (and its workers): files 0600, folders 0700.
PRIVATE_UMASK = 0o077


class DatasetWriter:
    """Writes one scan into a dataset directory, all or nothing.

    Use as a context manager; call :meth:`commit` at the end. Leaving the block without
    a commit (an exception, Ctrl-C) commits nothing: the stage is kept for ``--resume`` as
    ``.interrupted-<id>`` when it has checkpointed input files (:meth:`checkpoint`), and
    removed otherwise.
    """

    def __init__(
        self,
        out: Path,
        scan_id: str,
        metadata: dict[str, Any],
        *,
        include_values: bool = False,
        batch_rows: int = 65536,
    ):
        self.out = out
        self.scan_id = scan_id
        self.include_values = include_values
        self.batch_rows = batch_rows
        meta = {b"catoscan": json.dumps(metadata, sort_keys=True).encode()}
        self._schemas = {
            "findings": findings_schema(include_values).with_metadata(meta),
            "fields": FIELDS_SCHEMA.with_metadata(meta),
            "errors": ERRORS_SCHEMA.with_metadata(meta),
        }
        self._stage = out / f".staging-{scan_id}"
        self._rows: dict[str, StagedRows] = {}  # fields and errors, from __enter__ on
        self._key_id = metadata.get("key_id")
        self._parts = 0
        self._part_rows: list[tuple[Path, int]] = []  # findings parts in order, with rows
        #: findings per (categories, element, entity, declared), for the closing summary
        self.by_tag: Counter[tuple[tuple[str, ...], str, str, bool]] = Counter()
        self._lock_fh: Any = None
        self._umask: int | None = None  # the process's, while --include-values sets its own
        self.counts = {"findings": 0, "fields": 0, "errors": 0}
        self._committed = False
        self._journaled = False
        self._checkpoints = CheckpointLog()
        #: finished input files kept for --resume when the scan ended without a commit
        self.kept = 0
        #: bytes staged when the scan failed on an OSError (how much it had written)
        self.staged_bytes: int | None = None
        #: bytes free then on the dataset's file system (for its user)
        self.free_bytes: int | None = None

    # -- lifecycle -------------------------------------------------------------------
    def __enter__(self) -> DatasetWriter:
        if self.include_values:
            # Raw values: nothing of the dataset for anyone but its owner (files 0600,
            # folders 0700), the stage, journal and lock included; workers do the same.
            self._umask = os.umask(PRIVATE_UMASK)
        try:
            try:
                self.out.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                refused = resource_error(exc, self.out)
                raise refused or ConfigError(
                    f"--out {self.out}: cannot create: {exc.strerror}"
                ) from None
            self._lock_fh = journal.lock_dataset(self.out, "another scan is writing this dataset")
            try:
                if self.include_values:
                    os.chmod(self.out, 0o700)
                    os.fchmod(self._lock_fh.fileno(), 0o600)
                journal.recover(self.out)
                for table in TABLES:
                    (self._stage / table).mkdir(parents=True, exist_ok=True)
                for table in ("fields", "errors"):
                    path = self._stage / table / "part-00000.parquet"
                    self._rows[table] = StagedRows(path, self._schemas[table], self.batch_rows)
                (self._stage / "parts").mkdir()
            except OSError as exc:
                refused = resource_error(exc, self.out)
                raise refused or ConfigError(
                    f"--out {self.out}: cannot write: {journal.reason(exc)}"
                ) from None
        except BaseException:
            self._restore()
            raise
        return self

    def _restore(self) -> None:
        """Give the lock back and the process its umask."""
        if self._lock_fh is not None:
            self._lock_fh.close()
            self._lock_fh = None
        if self._umask is not None:
            os.umask(self._umask)
            self._umask = None

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        try:
            if kind is not None and issubclass(kind, OSError | ResourceError):
                # What the failure message reports, measured before anything is removed.
                self.staged_bytes = _tree_bytes(self._stage)
                with contextlib.suppress(OSError):
                    self.free_bytes = shutil.disk_usage(self.out).free
            # Past the journal (the commit point) the staged data belongs to the commit:
            # a crash there is rolled forward by recover(), so it must not be removed.
            if not self._committed and not self._journaled:
                for rows in self._rows.values():
                    rows.abort()
                # Its buffer may hold a line a full disk refused: the lines before it are
                # on disk, and keep_interrupted cuts a torn last line.
                with contextlib.suppress(OSError):
                    self._checkpoints.close()
                self.kept = keep_interrupted(self._stage)
        finally:
            self._restore()

    @property
    def journaled(self) -> bool:
        """Whether the commit point was passed (the next open of the dataset completes it)."""
        return self._journaled and not self._committed

    @property
    def findings_schema(self) -> pa.Schema:
        """The findings schema of this scan (with ``value`` under --include-values)."""
        return self._schemas["findings"]

    @property
    def stage(self) -> Path:
        """The staging directory of this scan (hidden from dataset readers)."""
        return self._stage

    # -- rows ------------------------------------------------------------------------
    def sink(self, name: str) -> FindingsSink:
        """A findings sink writing a part file into this scan's staging area."""
        return FindingsSink(
            self._stage / "parts" / f"{name}.parquet",
            self.findings_schema,
            key_id=self._key_id,
            include_values=self.include_values,
            batch_rows=self.batch_rows,
        )

    def add_part(self, part: Path, record_offset: int, rows: int | None = None) -> None:
        """Adopt a sink's part file as the next findings file (in call order).

        ``record_offset`` is added to ``record_index`` (chunks of one file are read by
        different workers, each counting from 0). ``rows`` is the part's row count when
        the sink that wrote it said so; otherwise it is read from the file's metadata
        (which costs about a millisecond per part: it adds up over many small files).
        """
        self._parts += 1
        target = self._stage / "findings" / f"part-{self._parts:06d}.parquet"
        if record_offset == 0:
            os.replace(part, target)
        else:
            # Read whole, without the dataset machinery: this runs once per range of
            # every large file, in the main process.
            table = parts.read(part, self._schemas["findings"])
            index = table.schema.get_field_index("record_index")
            shifted = pc.add(table.column(index), pa.scalar(record_offset, pa.int64()))
            table = table.set_column(index, "record_index", shifted)
            with parts.writer(target, table.schema) as out:
                out.write_table(table)
            part.unlink()
        if rows is None:
            rows = pq.ParquetFile(target).metadata.num_rows
        self.counts["findings"] += rows
        self._part_rows.append((target, rows))
        self._checkpoints.part(target.name, rows)

    def add_fields(self, stats: dict[tuple, FieldStats], order: list[str] | None = None) -> None:
        """Write the ``fields`` rows of finished sources (all their chunks merged).

        ``order``: the sources' paths as read (see :func:`~scanner.dataset.stats.fields_rows`).
        """
        self.add_fields_rows(fields_rows(stats, order or []))

    def add_fields_rows(self, rows: list[dict[str, Any]]) -> None:
        """Write ``fields`` rows made by ``fields_rows`` (or read back from a scan)."""
        by_tag = self.by_tag
        for row in rows:
            key = (tuple(row["ccpa_categories"]), row["policy_element"], row["entity_type"])
            by_tag[(*key, row["policy_declared"])] += row["findings"]
        self._extend("fields", rows)

    def add_error(
        self,
        source_path: str,
        source_format: str | None,
        line: int | None,
        record_index: int | None,
        reason: str,
    ) -> None:
        """Record a file or record that could not be read."""
        scope = "file" if line is None and record_index is None else "record"
        row = {
            "source_path": source_path,
            "source_format": source_format,
            "scope": scope,
            "line": line,
            "record_index": record_index,
            "reason": reason,
        }
        self._extend("errors", [row])

    def carry_forward(self, scan_id: str, tops: set[str]) -> dict[str, int]:
        """Copy the rows of input files ``tops`` from a committed scan into this one.

        Used by ``--incremental`` for files unchanged since that scan: findings (one part,
        read and written batch by batch), ``fields`` and ``errors`` rows, whose source path
        is a top-level file of ``tops`` or a member of one (``a.zip!member``).

        Returns:
            Rows carried per table.
        """
        wanted = pa.array(sorted(tops), pa.string())
        carried = {table: 0 for table in TABLES}
        for table in TABLES:
            root = self.out / table / f"scan_id={scan_id}"
            if not root.exists():
                continue
            import pyarrow.dataset as ds

            schema = self._schemas[table].remove_metadata()  # as this scan writes it
            dataset = ds.dataset(root, format="parquet", schema=schema)
            part_writer = None
            part = self._stage / "parts" / f"carry-{table}.parquet"
            for batch in dataset.to_batches():
                paths = batch.column("source_path")
                top = pc.list_element(pc.split_pattern(paths, "!", max_splits=1), 0)
                keep = pc.or_(pc.is_in(paths, wanted), pc.is_in(top, wanted))
                rows = batch.filter(keep)
                if rows.num_rows == 0:
                    continue
                carried[table] += rows.num_rows
                if table == "findings":
                    if part_writer is None:
                        part_writer = parts.writer(part, self.findings_schema)
                    part_writer.write_table(
                        pa.Table.from_batches([rows]).cast(self.findings_schema)
                    )
                elif table == "fields":
                    self.add_fields_rows(rows.to_pylist())
                else:
                    self._extend("errors", rows.to_pylist())
            if part_writer is not None:
                part_writer.close()
                self.add_part(part, 0)
        return carried

    def resume_input(self, interrupted: Interrupted, line: dict[str, Any]) -> bool:
        """Adopt a finished input file of an interrupted scan, as if this scan had read it.

        ``line`` is its checkpoint (:meth:`Interrupted.take`). Its findings parts are
        rewritten batch by batch with this scan's schema (and metadata), and its ``fields``
        and ``errors`` rows are added. Nothing is adopted when a part is missing, unreadable
        or holds another number of rows than its checkpoint says.

        Returns:
            Whether the input was adopted (if not, it must be scanned).
        """
        schema = self.findings_schema
        staged: list[Path] = []
        try:
            for name, rows in line["parts"]:
                with pq.ParquetFile(interrupted.path / "findings" / name) as source:
                    if source.metadata.num_rows != rows:
                        raise ValueError(f"{name}: not the {rows} rows checkpointed")
                    staged.append(self._stage / "parts" / f"resumed-{len(staged):06d}.parquet")
                    with parts.writer(staged[-1], schema) as part:
                        for batch in source.iter_batches(batch_size=self.batch_rows):
                            part.write_table(pa.Table.from_batches([batch]).cast(schema))
        except (OSError, ValueError, pa.ArrowException):
            for part_path in staged:
                part_path.unlink(missing_ok=True)
            return False
        for part_path in staged:
            self.add_part(part_path, 0)
        self.add_fields_rows(line["fields"])
        self._extend("errors", line["errors"])
        return True

    def _extend(self, table: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        self._rows[table].extend(rows)
        self.counts[table] += len(rows)
        self._checkpoints.rows(table, rows)

    # -- checkpoints -----------------------------------------------------------------
    def start_checkpoints(self, header: dict[str, Any]) -> None:
        """Begin recording finished input files, for ``--resume`` should the scan not finish.

        Args:
            header: the settings the rows depend on (the first line); an interrupted scan's
                checkpoints are reused only by a scan with the same header. Rows and parts
                added before this call (carried-forward files, walk problems) belong to no
                checkpoint.
        """
        self._checkpoints.start(self._stage / CHECKPOINT, header)

    def checkpoint(self, entries: list[dict[str, Any]], *, resumable: bool = True) -> None:
        """Record finished input files, read together: one line in the stage's checkpoint.

        The line holds the inputs' identities and counts (``entries``: path, size,
        mtime_ns, sha256, records, sources, failed_sources, as in the manifest's
        ``inputs``), and what they added since the previous checkpoint: their findings
        parts (names and row counts), ``fields`` and ``errors`` rows. That is everything
        ``--resume`` needs to adopt them without reading them again; ``fields`` and
        ``errors`` hold no values. Several inputs share a line when they share a part (a
        batch of small files); they are adopted together or not at all. Inputs of which
        one could not be hashed, or with more than CHECKPOINT_MAX_ROWS rows, or whose
        findings are not in parts of their own (``resumable`` False: Spark's findings
        files mix inputs), get no line: they are scanned again.
        """
        self._checkpoints.finished(entries, resumable=resumable)

    # -- commit ----------------------------------------------------------------------
    def commit(self, manifest_entry: dict[str, Any]) -> None:
        """Make the scan visible: all three tables and the manifest entry, or nothing."""
        self._checkpoints.close()
        for table in ("fields", "errors"):
            self._rows[table].close()
        if self._parts == 0:
            empty = self._schemas["findings"]
            pq.write_table(empty.empty_table(), self._stage / "findings" / "part-000000.parquet")
        # Runs of small parts merged, only now: until the commit a part belongs to one
        # input file's checkpoint, for --resume.
        parts.merge_runs(self._part_rows, self._schemas["findings"], self.batch_rows)
        self._part_rows = []
        shutil.rmtree(self._stage / "parts", ignore_errors=True)
        record = {"scan_id": self.scan_id, "staging": self._stage.name, "entry": manifest_entry}
        # Ctrl-C waits until the commit is done: the journal and the renames take
        # milliseconds, and an interrupt in between would be rolled forward anyway.
        with journal.uninterrupted():
            journal.write_atomic(self.out / f"_journal-{self.scan_id}.json", record)
            self._journaled = True
            journal.roll_forward(self.out, record)
        self._committed = True


def _tree_bytes(root: Path) -> int:
    """The bytes of the files under ``root`` (0 if it is gone)."""
    total = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(folder, name)).st_size
    return total
