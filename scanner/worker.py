"""The work of one task, in a worker process or inline: read sources, detect, write a part.

A task (:mod:`scanner.tasks`) is whole input files (with every archive member in them) or
a byte range of a large uncompressed line-oriented file. :class:`SourceScanner` reads its
sources, routes their fields and decides their values a block at a time
(:mod:`scanner.columnar`: a block's columns, each distinct value decided once), with the
values it decided before (:class:`~scanner.valuecache.ValueCache`). The
findings go to one Parquet part file through a :class:`~scanner.dataset.FindingsSink`;
what comes back to the main process is small: a :class:`~scanner.tasks.TaskResult`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import TYPE_CHECKING, BinaryIO, cast

from scanner import columnar
from scanner.columnar.pending import PendingBlocks
from scanner.config import ScanConfig
from scanner.dataset import FindingsSink, fields_rows
from scanner.detect.detector import Detector
from scanner.errors import EXHAUSTED, ResourceError
from scanner.readers import CSV_FORMATS, reader_for
from scanner.readers.textio import ReadOptions
from scanner.record import ReadProblem, Record
from scanner.sniff import SNIFF_BYTES, BinaryData, sniff
from scanner.sources import InputFile, Limits, Source, sources
from scanner.tasks import SourceResult, Task, TaskResult
from scanner.valuecache import ValueCache

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

#: A reader's records become a block at ``BLOCK_RECORDS`` records or this many fields,
#: whichever comes first (records of wide documents hold up to ``max_fields_per_record``).
_CHUNK_FIELDS = 1 << 18


def read_settings(config: ScanConfig) -> tuple[Limits, ReadOptions]:
    """The archive limits and reader options of scanner.yaml."""
    limits = config.configs.scanner.limits
    return (
        Limits(
            max_archive_depth=limits.max_archive_depth,
            max_member_bytes=limits.max_member_bytes,
            max_nested_archive_bytes=limits.max_nested_archive_bytes,
            max_expanded_bytes=limits.max_expanded_bytes,
            max_expansion_ratio=limits.max_expansion_ratio,
        ),
        ReadOptions(
            time_fields=config.configs.fields.time_fields,
            max_line_bytes=limits.max_line_bytes,
            max_document_bytes=limits.max_document_bytes,
            max_fields=limits.max_fields_per_record,
            max_json_depth=limits.max_json_depth,
        ),
    )


class SourceScanner:
    """Detection state of one process: detector, settings, the decided values' caches."""

    def __init__(self, config: ScanConfig, detector: Detector | None = None):
        self.config = config
        self.detector = detector or Detector(
            config.configs, nlp=config.nlp, min_score=config.min_score
        )
        self.limits, self.opts = read_settings(config)
        #: the findings of each (rule, value) decided so far
        self.cache = ValueCache(config, self.detector)
        self.sink: FindingsSink
        #: blocks read but not yet detected (small files' blocks are detected together)
        self.blocks = PendingBlocks(self.detector, self.cache, debug=config.debug)

    # -- tasks -------------------------------------------------------------------------
    def run_task(self, task: Task, sink: FindingsSink) -> TaskResult:
        """Scan everything a task covers into ``sink``."""
        self.sink = sink
        self.cache.begin_task()
        results: list[SourceResult] = []
        per_file: list[int] = []
        try:
            if task.start is not None:
                results.append(self._scan_range(task))
            else:
                for item in task.files:
                    before = len(results)
                    self._scan_file(item, results)
                    per_file.append(len(results) - before)
            self.blocks.detect(self.sink)
            part, stats = sink.close()
        except BaseException:
            self.blocks.drop()
            sink.abort()
            raise
        rows = None
        if task.start is None:
            rows, stats = fields_rows(stats, [r.path for r in results]), {}
        return TaskResult(
            task.seq,
            part,
            results,
            stats,
            self.detector.ner_loaded,
            rows=sink.rows,
            per_file=per_file or None,
            fields=rows,
        )

    def _scan_file(self, item: InputFile, results: list[SourceResult]) -> None:
        """Scan a whole input file (every archive member in it) into the sink."""
        try:
            for src in sources(item, self.limits):
                if isinstance(src, tuple):
                    path, problem = src
                    results.append(SourceResult(path, None, failed=True, problems=[problem]))
                else:
                    results.append(self.scan_source(src))
        except ResourceError:
            raise  # the system's limit (no space for the findings, no file descriptor)
        except Exception as exc:
            # A bug in the archive layer costs this file, not the scan.
            if self.config.debug:
                raise
            reason = f"internal error while opening ({type(exc).__name__}); rerun with --debug"
            problem = ReadProblem(None, None, reason)
            results.append(SourceResult(item.display, None, failed=True, problems=[problem]))

    def _scan_range(self, task: Task) -> SourceResult:
        item = task.item
        # A range of a CSV file (after the first) is read after the file's header line.
        header = bool(task.start) and task.format in CSV_FORMATS

        def open_range() -> BinaryIO:
            fh = open(item.path, "rb")  # closed by the reader's with-block
            first = fh.readline(SNIFF_BYTES) if header else b""
            fh.seek(task.start or 0)
            return cast(BinaryIO, _Bounded(fh, (task.end or 0) - (task.start or 0), first))

        src = Source(item.display, item.path.name, open_range, item.path)
        result = self.scan_source(
            src,
            fmt=task.format,
            line_offset=task.first_line - 1 - header,
            index_offset=task.first_index,
        )
        if task.last and task.stat is not None:
            try:
                st = item.path.stat()
                now = (st.st_size, st.st_mtime_ns)
            except OSError:
                now = None
            if now != task.stat:
                reason = "the file changed while being read; its findings may be incomplete"
                result.problems.append(ReadProblem(None, None, reason))
                result.failed = True
        return result

    def scan_records(
        self, path: str, fmt: str, records: Iterable[Record], sink: FindingsSink
    ) -> int:
        """Detect records that did not come from a reader (a Spark DataFrame's rows).

        They go through the columnar fast path in blocks, as CEF and CSV records do.

        Returns:
            The number of records scanned; their findings are in ``sink``.
        """
        self.sink = sink
        count = 0
        chunk: list[Record] = []
        fields = 0
        for record in records:
            chunk.append(record)
            fields += len(record.fields)
            if _full(chunk, fields):
                self._chunk(path, fmt, chunk, None)
                count += len(chunk)
                chunk, fields = [], 0
        if chunk:
            self._chunk(path, fmt, chunk, None)
            count += len(chunk)
        self.blocks.detect(self.sink)
        return count

    # -- one source ----------------------------------------------------------------------
    def scan_source(
        self, src: Source, fmt: str | None = None, line_offset: int = 0, index_offset: int = 0
    ) -> SourceResult:
        """Read one source to the end; problems are recorded, never raised.

        ``line_offset`` and ``index_offset`` are added to the line numbers and record
        indexes the reader counts (a range of a split file starts counting at 0).
        """
        result = SourceResult(src.path, fmt)
        try:
            with src.open() as raw:
                stream = io.BufferedReader(cast(io.RawIOBase, raw), buffer_size=1 << 20)
                head = stream.peek(SNIFF_BYTES)[:SNIFF_BYTES]
                if not head:
                    result.problems.append(ReadProblem(None, None, "empty file"))
                    result.failed = True
                    return result
                if fmt is None:
                    try:
                        fmt = self.config.format or sniff(head, src.name)
                    except BinaryData as exc:
                        result.problems.append(ReadProblem(None, None, f"{exc}; skipped"))
                        result.failed = True
                        return result
                result.format = fmt
                reader = columnar.read_blocks if fmt in columnar.FORMATS else reader_for(fmt)
                chunk: list[Record] = []
                fields = 0  # in the chunk's records: a block's memory

                def flush() -> None:
                    nonlocal chunk, fields
                    batch, chunk, fields = chunk, [], 0
                    self._chunk(src.path, fmt, batch, result)
                    result.records += len(batch)

                try:
                    for item in reader(stream, head, self.opts):
                        if isinstance(item, columnar.Block):
                            if chunk:  # rows stay in record order
                                flush()
                            origin = columnar.Origin(src.path, fmt, line_offset, index_offset)
                            columnar.embed(item, self.opts)
                            self.blocks.add(item, origin, result, self.sink)
                            result.records += item.size
                            continue
                        if line_offset and item.line is not None:
                            item.line += line_offset
                        if index_offset and item.index is not None:
                            item.index += index_offset
                        if isinstance(item, ReadProblem):
                            result.problems.append(item)
                            continue
                        chunk.append(item)
                        fields += len(item.fields)
                        if _full(chunk, fields):
                            flush()
                finally:
                    # Records read before a failure (a truncated gzip) are kept.
                    if chunk:
                        flush()
        except (OSError, EOFError, ValueError) as exc:
            if isinstance(exc, OSError) and exc.errno in EXHAUSTED:
                raise ResourceError(exc.errno) from None  # no file could be opened now
            # Decompression and I/O failures surface here, mid-stream: keep what was read.
            # Decompressors' messages describe the stream; a ValueError's may quote data.
            text = str(exc).splitlines()[0][:200] if str(exc) else ""
            detail = text if text and not isinstance(exc, ValueError) else type(exc).__name__
            result.problems.append(ReadProblem(None, None, f"read failed: {detail}"))
            result.failed = True
        except ResourceError:
            raise  # the findings part cannot be written: not this source's problem
        except Exception as exc:
            # A bug in a reader or recognizer must not cost the other files' findings:
            # this source is reported and the scan goes on (--debug re-raises).
            if self.config.debug:
                raise
            result.internal_error(exc)
        if result.problems and not result.records:
            # Nothing read, only problems (a document that is almost JSON): not read at all,
            # which the manifest's failed_sources and the report's "files not read" must say.
            result.failed = True
        return result

    def _chunk(
        self, path: str, fmt: str, records: list[Record], result: SourceResult | None
    ) -> None:
        """Detect and write records a reader made.

        A bug met while detecting costs these records' findings, reported on ``result``
        (None, or ``--debug``: raised), not the rest of the source; the system's errors
        (``OSError``, and ``ResourceError`` when a findings part cannot be written) are
        raised as they are.
        """
        try:
            self._detect(path, fmt, records, result)
        except (OSError, ResourceError):
            raise
        except Exception as exc:
            if self.config.debug or result is None:
                raise
            result.internal_error(exc)

    def _detect(
        self, path: str, fmt: str, records: list[Record], result: SourceResult | None
    ) -> None:
        """Detect records as one columnar block (``scanner.rowpath`` is its reference).

        Documents inside values become fields (a column is tested at once), then the block
        waits with the others: small files' blocks are detected together.
        """
        block = columnar.block_of(records)
        columnar.embed(block, self.opts)
        self.blocks.add(block, columnar.Origin(path, fmt), result, self.sink)


def _full(chunk: list[Record], fields: int) -> bool:
    """Whether records a reader made (``fields`` fields in all) make a block now."""
    return len(chunk) >= columnar.blocks.BLOCK_RECORDS or fields >= _CHUNK_FIELDS


class _Bounded(io.RawIOBase):
    """A read-only view of the next ``size`` bytes of a file, after ``prefix``."""

    def __init__(self, fh: io.BufferedReader, size: int, prefix: bytes = b""):
        self._fh = fh
        self._left = size
        self._prefix = prefix

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        if self._prefix:
            n = min(len(buffer), len(self._prefix))  # type: ignore[arg-type]
            memoryview(buffer)[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        if self._left <= 0:
            return 0
        view = memoryview(buffer)[: self._left]
        n = self._fh.readinto(view) or 0
        self._left -= n
        return n

    def close(self) -> None:
        self._fh.close()
        super().close()
