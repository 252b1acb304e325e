"""The work of one task, in a worker process or inline: read sources, detect, write a part.

A task is a whole input file (with every archive member in it) or a byte range of a large
uncompressed line-oriented file. Its findings go to one Parquet part file through a
:class:`~scanner.dataset.FindingsSink`; what comes back to the main process is small:
the part's path, per-source record counts, ``fields`` statistics and read problems.
"""

from __future__ import annotations

import gc
import io
import logging
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

from recognizers import ip_class
from scanner import columnar
from scanner.config import FieldRule, ScanConfig
from scanner.dataset import (
    FieldStats,
    FindingRow,
    FindingsSink,
    FindingValue,
    ValueStore,
    fields_rows,
)
from scanner.detect.engine import CONDITIONAL, Decision, Detector
from scanner.hashing import Hasher, mask
from scanner.policy import Policy
from scanner.readers import reader_for
from scanner.readers.textio import ReadOptions
from scanner.record import ReadProblem, Record
from scanner.sniff import SNIFF_BYTES, BinaryData, sniff
from scanner.sources import InputFile, Limits, Source, sources

log = logging.getLogger(__name__)

#: Records detected together: the unit of NER batching.
_CHUNK_RECORDS = 2048
_NO_VALUES: dict[str, tuple[FindingValue, ...]] = {}
#: The cyclic garbage collector's first threshold while scanning (Python's default: 700).
#: A block holds thousands of parsed records, each a dict: at the default, a collection
#: every 700 of them walked the whole young block, about a tenth of a warm scan's time.
#: Scanning makes almost no reference cycles, so collections can be rare.
GC_THRESHOLD = 20_000


def collect_rarely() -> tuple[int, ...]:
    """Raise the garbage collector's first threshold to :data:`GC_THRESHOLD`.

    Returns:
        The thresholds before, for ``gc.set_threshold``.
    """
    before = gc.get_threshold()
    gc.set_threshold(max(GC_THRESHOLD, before[0]), *before[1:])
    return before


@contextmanager
def rare_collections() -> Iterator[None]:
    """:func:`collect_rarely` meanwhile (a scan in a process that is not only ours)."""
    before = collect_rarely()
    try:
        yield
    finally:
        gc.set_threshold(*before)


@dataclass(frozen=True)
class Task:
    """One unit of work: a byte range of a file, or whole files.

    ``start``/``end`` set: a byte range of a plain line-oriented file. Otherwise ``item``
    and then the small files of ``batch``, in that order.
    """

    seq: int
    item: InputFile
    start: int | None = None
    end: int | None = None
    first_line: int = 1
    format: str | None = None
    last: bool = True  # the last (or only) task of its input file
    stat: tuple[int, int] | None = None  # (size, mtime_ns) when planned, for ranges
    #: record_index of the range's first record if every earlier line held one record (the
    #: common case); the merge shifts the part only when the real count differs
    first_index: int = 0
    #: small whole files read after ``item`` by the same task, into the same part: a part
    #: per file would cost a Parquet writer and a pool round trip per file
    batch: tuple[InputFile, ...] = ()
    #: 0, or the how-manieth run of a task whose worker died (its part gets its own name)
    attempt: int = 0

    @property
    def files(self) -> tuple[InputFile, ...]:
        """The input files the task reads (one for a range)."""
        return (self.item, *self.batch)


@dataclass
class SourceResult:
    """What one source (file, member or chunk) yielded."""

    path: str
    format: str | None
    records: int = 0
    failed: bool = False
    problems: list[ReadProblem] = field(default_factory=list)


@dataclass
class TaskResult:
    """Everything a task sends back to the main process."""

    seq: int
    part: Path | None
    sources: list[SourceResult]
    stats: dict[tuple, FieldStats]
    ner_loaded: bool = False
    #: sha256 of the input, when the engine read it from elsewhere (Spark, remote URIs)
    digest: str | None = None
    #: findings the task wrote (in its part file, or, on Spark, handed to Spark's writer)
    rows: int = 0
    #: the decisions this task made first, for the other workers (``run_shared``)
    learned: list[Decision] = field(default_factory=list)
    #: how many of ``sources`` belong to each of the task's files (None: all to one)
    per_file: list[int] | None = None
    #: a task of whole files: its ``fields`` rows, made here (``stats`` is then empty); a
    #: range's statistics are merged with the file's other ranges by the main process
    fields: list[dict[str, Any]] | None = None

    def by_file(self) -> list[list[SourceResult]]:
        """``sources`` split by the task's input files, in order."""
        counts = self.per_file if self.per_file is not None else [len(self.sources)]
        out, at = [], 0
        for n in counts:
            out.append(self.sources[at : at + n])
            at += n
        return out


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
    """Detection state of one process: detector, policy, hasher and the value caches."""

    def __init__(self, config: ScanConfig, detector: Detector | None = None):
        self.config = config
        self.detector = detector or Detector(
            config.configs, nlp=config.nlp, min_score=config.min_score
        )
        self.policy = Policy(config.configs.policy)
        self.hasher = Hasher(config.key)
        self.limits, self.opts = read_settings(config)
        # rule -> value -> findings; rules live as long as the configuration
        self._by_rule: dict[int, dict[str, tuple[FindingValue, ...]]] = {}
        self._cached = 0
        self._cache_size = max(config.configs.scanner.cache_size, 1)
        self._tags: dict[tuple[int, str], Any] = {}
        #: the FindingValues this process has turned into Arrow, for all its sinks
        self.values = ValueStore(config.include_values)
        self.sink: FindingsSink
        #: blocks read but not yet detected (small files' blocks are detected together),
        #: each with the result of its source (None: records given by scan_records)
        self._pending: list[tuple[columnar.Block, columnar.Origin, SourceResult | None]] = []
        self._pending_records = 0

    # -- tasks -------------------------------------------------------------------------
    def run_task(self, task: Task, sink: FindingsSink) -> TaskResult:
        """Scan everything a task covers into ``sink``."""
        self.sink = sink
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
            self._detect_pending()
            part, stats = sink.close()
        except BaseException:
            self._pending, self._pending_records = [], 0
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
        except Exception as exc:
            # A bug in the archive layer costs this file, not the scan.
            if self.config.debug:
                raise
            reason = f"internal error while opening ({type(exc).__name__}); rerun with --debug"
            problem = ReadProblem(None, None, reason)
            results.append(SourceResult(item.display, None, failed=True, problems=[problem]))

    def _scan_range(self, task: Task) -> SourceResult:
        item = task.item

        def open_range() -> BinaryIO:
            fh = open(item.path, "rb")  # noqa: SIM115 - closed by the reader's with-block
            fh.seek(task.start or 0)
            return _Bounded(fh, (task.end or 0) - (task.start or 0))  # type: ignore[return-value]

        src = Source(item.display, item.path.name, open_range, item.path)
        result = self.scan_source(
            src, fmt=task.format, line_offset=task.first_line - 1, index_offset=task.first_index
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
        it = iter(records)
        while batch := list(islice(it, columnar.BLOCK_RECORDS)):
            self._chunk(path, fmt, batch, True, None)
            count += len(batch)
        self._detect_pending()
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
                stream: BinaryIO = io.BufferedReader(raw, buffer_size=1 << 20)  # type: ignore[arg-type]
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
                in_blocks = fmt in columnar.RECORD_FORMATS
                chunk_records = columnar.BLOCK_RECORDS if in_blocks else _CHUNK_RECORDS
                chunk: list[Record] = []
                try:
                    for item in reader(stream, head, self.opts):
                        if isinstance(item, columnar.Block):
                            if chunk:  # rows stay in record order
                                batch, chunk = chunk, []
                                self._chunk(src.path, fmt, batch, in_blocks, result)
                                result.records += len(batch)
                            origin = columnar.Origin(src.path, fmt, line_offset, index_offset)
                            self._block(item, origin, result)
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
                        if len(chunk) >= chunk_records:
                            batch, chunk = chunk, []
                            self._chunk(src.path, fmt, batch, in_blocks, result)
                            result.records += len(batch)
                finally:
                    # Records read before a failure (a truncated gzip) are kept.
                    if chunk:
                        batch, chunk = chunk, []
                        self._chunk(src.path, fmt, batch, in_blocks, result)
                        result.records += len(batch)
        except (OSError, EOFError, ValueError) as exc:
            # Decompression and I/O failures surface here, mid-stream: keep what was read.
            # Decompressors' messages describe the stream; a ValueError's may quote data.
            text = str(exc).splitlines()[0][:200] if str(exc) else ""
            detail = text if text and not isinstance(exc, ValueError) else type(exc).__name__
            result.problems.append(ReadProblem(None, None, f"read failed: {detail}"))
            result.failed = True
        except Exception as exc:
            # A bug in a reader or recognizer must not cost the other files' findings:
            # this source is reported and the scan goes on (--debug re-raises).
            if self.config.debug:
                raise
            _internal_error(result, exc)
        return result

    def _chunk(
        self,
        path: str,
        fmt: str,
        records: list[Record],
        in_blocks: bool,
        result: SourceResult | None,
    ) -> None:
        """Detect and write records a reader made, as a columnar block or row by row."""
        if in_blocks:
            self._block(columnar.block_of(records), columnar.Origin(path, fmt), result)
        else:
            self._records(path, fmt, records)

    def _records(self, path: str, fmt: str, records: list[Record]) -> None:
        """Detect and write one chunk of records (after the blocks read before them).

        Two passes: the first routes every field and decides it from the cache where it
        can, collecting the free-text values that need NER; those go through spaCy as one
        batch; the second pass emits the rows in record and field order. A finding's
        value-dependent columns are a :class:`FindingValue` built once per (rule, value).
        """
        self._detect_pending()  # rows stay in reading order
        detector = self.detector
        routes = detector.routes
        route = detector.route
        by_rule = self._by_rule
        pending: dict[tuple[int, str], tuple[FieldRule, str]] = {}
        plan: list[list[tuple]] = []
        for record in records:
            entries: list[tuple] = []
            lookup = None
            for fpath, value in record.fields:
                rule = routes.get(fpath, route)
                if rule is route:  # first sight of this field name
                    rule = route(fpath)
                if rule is None:
                    continue
                if rule is CONDITIONAL:
                    if lookup is None:
                        lookup = detector.condition_lookup(record.fields)
                    rule = detector.conditional_rule(fpath, lookup)
                    if rule is None:
                        continue
                cache = by_rule.get(id(rule))
                if cache is None:
                    cache = by_rule[id(rule)] = {}
                found = cache.get(value)
                if found is None:
                    if detector.needs_ner(rule, value):
                        pending[(id(rule), value)] = (rule, value)
                        entries.append((fpath, None, rule, value))
                        continue
                    found = self._finding_values(rule, value)
                if found:
                    entries.append((fpath, found, rule, value))
            plan.append(entries)
        if pending:
            detector.prefetch(list(pending.values()))
        rows: list[FindingRow] = []
        append = rows.append
        for record, entries in zip(records, plan, strict=True):
            rec = (path, fmt, record.line, record.index, record.event_time)
            for fpath, found, rule, value in entries:
                if found is None:
                    found = self._finding_values(rule, value)
                for fv in found:
                    append((rec, fpath, fv))
            if len(rows) >= 4096:
                self.sink.add_findings(rows)
                rows = []
                append = rows.append
        if rows:
            self.sink.add_findings(rows)

    def _block(
        self, block: columnar.Block, origin: columnar.Origin, result: SourceResult | None
    ) -> None:
        """Detect and write a block of the columnar fast path, or keep it for the next.

        A small file's block is detected together with the blocks of the files after it
        (up to a block's worth of records): one column look-up, one NER batch and one set
        of Arrow rows for all of them, instead of a fixed cost per file. ``result`` is its
        source's, where a detection error is reported (None: raise it).
        """
        self._pending.append((block, origin, result))
        self._pending_records += block.size
        if self._pending_records >= columnar.BLOCK_RECORDS:
            self._detect_pending()

    def _detect_pending(self) -> None:
        """Detect and write the blocks kept by :meth:`_block`, in reading order.

        A detection error is reported on the source of the block it happened in (the
        blocks are retried one by one to find it); the other blocks' rows are kept.
        """
        pending, self._pending, self._pending_records = self._pending, [], 0
        if len(pending) > 1:
            try:
                block, runs = columnar.merge([(b, o) for b, o, _r in pending])
                found = columnar.findings(block, runs, self.detector, self._decide)
            except Exception:
                if self.config.debug or any(r is None for _b, _o, r in pending):
                    raise
            else:
                self._write(found)
                return
        for one in pending:
            self._detect(*one)

    def _detect(
        self, block: columnar.Block, origin: columnar.Origin, result: SourceResult | None
    ) -> None:
        try:
            found = columnar.findings(block, [(0, origin)], self.detector, self._decide)
        except Exception as exc:
            if self.config.debug or result is None:
                raise
            _internal_error(result, exc)
            return
        self._write(found)

    def _write(self, found: columnar.Findings | None) -> None:
        if found is not None:
            self.sink.add_indexed(
                found.recs,
                found.vals,
                found.fields,
                found.rec_index,
                found.val_index,
                found.field_index,
            )

    def _decide(
        self, columns: list[tuple[FieldRule, list[str]]]
    ) -> list[list[tuple[FindingValue, ...]]]:
        """The findings of each column's distinct values, from the value cache where it can.

        Values the cache misses are decided here; those that need NER go through spaCy
        together, in batches, as in :meth:`_records`.
        """
        detector = self.detector
        by_rule = self._by_rule
        out: list[list[tuple[FindingValue, ...]]] = []
        ner: list[tuple[int, int]] = []
        for rule, values in columns:
            found = list(map(by_rule.get(id(rule), _NO_VALUES).get, values))
            if None in found:
                for j, cached in enumerate(found):
                    if cached is None:
                        value = values[j]
                        if detector.needs_ner(rule, value):
                            ner.append((len(out), j))
                            found[j] = ()
                        else:
                            found[j] = self._finding_values(rule, value)
            out.append(found)  # type: ignore[arg-type]
        for start in range(0, len(ner), _CHUNK_RECORDS):
            part = ner[start : start + _CHUNK_RECORDS]
            pairs = list(dict.fromkeys((columns[c][0], columns[c][1][j]) for c, j in part))
            detector.prefetch(pairs)
            for c, j in part:
                out[c][j] = self._finding_values(columns[c][0], columns[c][1][j])
        return out

    def _finding_values(self, rule: FieldRule, value: str) -> tuple[FindingValue, ...]:
        """The findings of one value under one rule, with hash, mask and policy tag."""
        include = self.config.include_values
        found = []
        for span in self.detector.spans(rule, value):
            text = value[span.start : span.end]
            tag = self._tag(rule, span.entity)
            found.append(
                FindingValue(
                    span.start,
                    span.end,
                    span.entity,
                    tag.categories,
                    tag.element,
                    tag.declared,
                    span.score,
                    span.detector,
                    self.hasher.hash(span.entity, text),
                    mask(span.entity, text),
                    ip_class(text) if span.entity == "IP_ADDRESS" else None,
                    text if include else None,
                )
            )
        self._cached += 1
        if self._cached > self._cache_size:  # bounded memory: start afresh
            self._by_rule.clear()
            self._cached = 0
        result = self._by_rule.setdefault(id(rule), {})[value] = tuple(found)
        return result

    def _tag(self, rule: Any, entity: str) -> Any:
        key = (id(rule), entity)
        tag = self._tags.get(key)
        if tag is None:
            # A rule's policy override applies to the entity the rule names, not to
            # e-mails or IPs found inside its values.
            if rule.policy and rule.detect == entity:
                tag = self.policy.tag(rule.policy)
            else:
                tag = self.policy.for_entity(entity)
            self._tags[key] = tag
        return tag


def _internal_error(result: SourceResult, exc: Exception) -> None:
    """Report a bug met while reading or detecting a source on that source."""
    # The frames, not the message: an exception's text may quote the data.
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.debug("internal error on %s (%s):\n%s", result.path, type(exc).__name__, frames)
    reason = f"internal error while reading ({type(exc).__name__}); rerun with --debug"
    result.problems.append(ReadProblem(None, None, reason))
    result.failed = True


class _Bounded(io.RawIOBase):
    """A read-only view of the next ``size`` bytes of a file."""

    def __init__(self, fh: BinaryIO, size: int):
        self._fh = fh
        self._left = size

    def readable(self) -> bool:  # noqa: D102
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001, D102
        if self._left <= 0:
            return 0
        view = memoryview(buffer)[: self._left]
        n = self._fh.readinto(view) or 0
        self._left -= n
        return n

    def close(self) -> None:  # noqa: D102
        self._fh.close()
        super().close()


# -- worker processes ------------------------------------------------------------------
_STATE: dict[str, Any] = {}
#: The folder of a scan's stage where each pool worker names the task it runs.
RUNNING = "running"


def init_worker(config: ScanConfig, stage: Path, schema: Any) -> None:
    """Process-pool initializer: build the detection state once per worker."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    collect_rarely()  # the process is the pool's: for good
    _STATE["scanner"] = SourceScanner(config)
    _STATE["stage"] = stage
    _STATE["schema"] = schema


def run_in_worker(task: Task) -> TaskResult:
    """Run one task with this worker's state (see :func:`run_shared`)."""
    scanner: SourceScanner = _STATE["scanner"]
    config = scanner.config
    again = f"-{task.attempt}" if task.attempt else ""  # a first run may still be writing
    sink = FindingsSink(
        _STATE["stage"] / "parts" / f"task-{task.seq:06d}{again}.parquet",
        _STATE["schema"],
        key_id=config.key_id,
        include_values=config.include_values,
        batch_rows=config.configs.scanner.batch_rows,
        values=scanner.values,
    )
    return scanner.run_task(task, sink)


def run_shared(
    task: Task, start: int, decisions: list[Decision]
) -> tuple[TaskResult, int, int]:
    """Process-pool entry point that shares decisions between the workers of a scan.

    ``decisions`` is the scan's log of decisions from position ``start`` on: this worker
    adopts the part it has not seen, so a value another worker already decided (a free
    text through spaCy, most of all) is not decided again. The decisions this task makes
    go back in ``TaskResult.learned`` for the log.

    Returns:
        The task's result, this worker's pid and how much of the log it has adopted.
    """
    import os

    # Named for the main process first: if this process dies, the task is run again.
    running = _STATE["stage"] / RUNNING
    running.mkdir(parents=True, exist_ok=True)
    marker = running / str(os.getpid())
    marker.with_suffix(".new").write_text(str(task.seq))
    os.replace(marker.with_suffix(".new"), marker)  # never read half-written
    detector = _STATE["scanner"].detector
    seen = _STATE.get("seen", 0)
    if start <= seen:
        detector.adopt(decisions[seen - start :])
        _STATE["seen"] = start + len(decisions)
    else:  # a gap before ``start``: adopt what came, and ask for the gap next time
        detector.adopt(decisions)
    detector.learning = []
    try:
        result = run_in_worker(task)
        result.learned = detector.learning
    finally:
        detector.learning = None
    return result, os.getpid(), _STATE.get("seen", 0)
