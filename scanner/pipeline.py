"""One scan from paths to a committed dataset: the steps of :func:`run`, and its books.

The flow of a record: :mod:`scanner.sources` finds files and peels compression and
archives, :mod:`scanner.sniff` names the format, a reader in :mod:`scanner.readers`
yields records, :class:`scanner.detect.detector.Detector` finds entities in their fields,
:class:`scanner.policy.Policy` tags each with CCPA categories, :mod:`scanner.hashing` keys
and masks the value, and :class:`scanner.dataset.DatasetWriter` writes the rows.

The steps: list and describe the inputs and plan the tasks (:mod:`scanner.plan`), take
rows of earlier scans (:mod:`scanner.reuse`), run the tasks with an engine
(:mod:`scanner.engines`), fold their results into the dataset in task order
(:class:`Ledger`), commit with the scan's manifest entry.
"""

from __future__ import annotations

import errno
import logging
import secrets
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scanner import plan, reuse
from scanner.config import ScanConfig
from scanner.dataset import DatasetWriter, FieldStats, read_interrupted
from scanner.detect.detector import Detector
from scanner.engines import RESUMABLE, get_engine
from scanner.errors import NO_ROOM, EngineError, ResourceError, ScanInterrupted, resource_error
from scanner.inputs import Counts, InputEntry
from scanner.progress import Progress
from scanner.record import ReadProblem
from scanner.tasks import SourceResult, Task, TaskResult
from scanner.tuning import scanning

log = logging.getLogger(__name__)

#: stderr names this many bad records of one file; errors/ has them all.
_WARNINGS_PER_FILE = 10


@dataclass
class ScanResult:
    """What a finished scan reports back to the CLI."""

    scan_id: str
    out: Path
    files: int = 0
    sources: int = 0
    records: int = 0
    bytes_read: int = 0
    findings: int = 0
    errors: int = 0
    failed_sources: int = 0
    by_entity: Counter = field(default_factory=Counter)  # (categories, element, entity, declared)
    seconds: float = 0.0
    #: (scan id, files) of the interrupted scan whose finished files --resume adopted
    resumed: tuple[str, int] | None = None
    #: (scan id, finished files) of the interrupted scan kept in the dataset for --resume
    interrupted: tuple[str, int] | None = None
    #: input files left out by --include / --exclude
    excluded: int = 0
    #: (scan id, files) of the committed scan --incremental carried unchanged files from
    carried: tuple[str, int] | None = None

    @property
    def undeclared(self) -> int:
        """Number of findings the policy does not declare."""
        return sum(n for (_c, _e, _t, declared), n in self.by_entity.items() if not declared)


def new_scan_id(now: datetime | None = None) -> str:
    """A sortable, unique scan id: ``20261126T061500Z-3f9a1c``."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def run(config: ScanConfig, progress: Progress | None = None) -> ScanResult:
    """Scan ``config.paths`` and commit one scan to the dataset in ``config.out``.

    Raises:
        ScanInterrupted: on Ctrl-C; nothing was committed, the finished input files may be
            kept for ``--resume``.
        EngineError: the engine could not run the scan; the same (its ``kept``).
        ResourceError: the system refused the dataset a write (no space, a quota, a
            read-only file system, permission denied) or the scan its open files; the same.
    """
    progress = progress or Progress()
    started, started_at = time.monotonic(), datetime.now(UTC)
    progress.stage("preparing the detectors")
    detector = Detector(config.configs, nlp=config.nlp, min_score=config.min_score)
    result = ScanResult(new_scan_id(started_at), config.out)
    settings = reuse.reuse_settings(config, detector)
    metadata = _metadata(config, result.scan_id, settings, detector)
    listing = plan.list_inputs(config, progress)
    writer = DatasetWriter(
        config.out,
        result.scan_id,
        metadata,
        include_values=config.include_values,
        batch_rows=config.configs.scanner.batch_rows,
    )
    with _kept_on_failure(writer), writer:
        ledger = Ledger(writer, result, progress, resumable=config.engine in RESUMABLE)
        entries = listing.entries
        if config.incremental:
            progress.stage("carrying forward unchanged files")
            entries = ledger.carried(entries, reuse.carry_forward(settings, writer, entries))
        for path, problem in listing.problems:
            ledger.unreadable(path, problem)
        # From here on every finished input file is checkpointed, for --resume.
        header = {k: v for k, v in metadata.items() if k != "scan_id"}
        writer.start_checkpoints(header)
        if config.resume:
            progress.stage("adopting the files an interrupted scan finished")
            entries = ledger.resumed(entries, reuse.resume(writer, header, entries))
        scan = plan.plan_tasks(listing, entries, plan.list_remote(config, listing.read))
        workers = scan.workers(config.workers)
        execute = get_engine(config.engine)
        ledger.begin(scan)
        with scanning():
            for task_result in execute(scan.tasks, config, writer, detector, workers):
                ledger.add(task_result)
        ledger.finish(time.monotonic() - started)
        entry = {
            **metadata,
            **_run_entry(config, started_at, result, listing, ledger.ner_loaded, workers),
            **_inputs_entry(result, ledger.entries),
        }
        progress.stage("committing")
        writer.commit(entry)
    progress.close()
    return result


def _metadata(
    config: ScanConfig, scan_id: str, settings: dict[str, Any], detector: Detector
) -> dict[str, Any]:
    """What the scan's rows are: its id and settings, in the manifest and the Parquet files."""
    return {
        "tool": "catoscan",
        "scan_id": scan_id,
        **settings,  # tool_version, schema_version, model, ...
        "recognizers": sorted(r.name for r in detector.recognizers),
        # how phone numbers without "+" were read for value_hash (lookup reads them alike)
        "phone_regions": list(config.configs.scanner.phone_regions),
    }


def _run_entry(
    config: ScanConfig,
    started_at: datetime,
    result: ScanResult,
    listing: plan.Listing,
    ner_loaded: bool,
    workers: int,
) -> dict[str, Any]:
    """How the scan ran, for its manifest entry: when, on what arguments, with what."""
    return {
        "started_at": started_at.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "seconds": round(result.seconds, 3),
        "arguments": [str(p) for p in config.paths],
        # local inputs' paths are relative to it (see sources.input_base)
        "source_root": listing.source_root,
        "include": list(config.include),
        "exclude": list(config.exclude),
        "config_sources": config.configs.sources,
        "ner_loaded": ner_loaded,
        "engine": config.engine,
        "workers": workers,
    }


def _inputs_entry(result: ScanResult, entries: list[InputEntry]) -> dict[str, Any]:
    """What the scan read, for its manifest entry: rows reused, input files, counts."""
    return {
        "carried_forward": _origin(result.carried),
        "resumed": _origin(result.resumed),
        "inputs": [entry.to_manifest() for entry in entries],
        "counts": {
            "files": result.files,
            "excluded_files": result.excluded,
            "sources": result.sources,
            "records": result.records,
            "bytes": result.bytes_read,
            "findings": result.findings,
            "undeclared_findings": result.undeclared,
            "errors": result.errors,
            "failed_sources": result.failed_sources,
        },
    }


def _origin(reused: tuple[str, int] | None) -> dict[str, Any] | None:
    """The manifest's ``carried_forward`` or ``resumed``: ``{"from": id, "files": n}``."""
    return None if reused is None else {"from": reused[0], "files": reused[1]}


@contextmanager
def _kept_on_failure(writer: DatasetWriter) -> Iterator[None]:
    """Complete the errors a scan ends with by what ``writer`` kept for ``--resume``."""
    try:
        yield
    except KeyboardInterrupt:
        raise ScanInterrupted(writer.kept) from None
    except EngineError as exc:
        exc.kept = writer.kept
        raise
    except ResourceError as exc:  # a findings part (here or in a worker), no descriptor left
        _refused(exc, writer)
        raise
    except OSError as exc:
        # Inputs' errors are recorded as theirs; what else the block does is read and write
        # the dataset (and start workers): an error of the system here is about those.
        failure = resource_error(exc)
        if failure is None:
            raise
        raise _refused(failure, writer) from exc


def _refused(failure: ResourceError, writer: DatasetWriter) -> ResourceError:
    """Complete a :class:`ResourceError` of the scan with what the writer knows.

    Where (the dataset folder: a findings part's error names no path), what was kept for
    ``--resume``, and when the scan ran out of room, how much it had written by then and,
    for a full file system, how much was free.
    """
    failure.path = failure.path or str(writer.out)
    failure.kept = writer.kept
    failure.journaled = writer.journaled
    if failure.code in NO_ROOM:
        failure.written = writer.staged_bytes
    if failure.code == errno.ENOSPC:
        failure.free = writer.free_bytes
    return failure


class Ledger:
    """The scan's books while its tasks finish: counts, manifest entries, warnings, writes.

    Task results come in task order: their findings parts, ``fields`` rows and read problems
    go to the writer. Once the last task of an input file (or the task of a batch of small
    files) is in, the files' manifest entries get their counts, and the writer checkpoints
    them (for ``--resume``, when the engine's parts each belong to one task: ``resumable``).
    Input files whose rows come from another scan are counted as they are adopted.
    """

    def __init__(
        self, writer: DatasetWriter, result: ScanResult, progress: Progress, *, resumable: bool
    ):
        self.writer = writer
        self.result = result
        self.progress = progress
        self.resumable = resumable
        #: every input file's manifest entry, once :meth:`begin` has the plan
        self.entries: list[InputEntry] = []
        self.ner_loaded = False
        self._tasks: list[Task] = []
        self._owners: tuple[tuple[int, ...], ...] = ()
        self._warned: dict[str, int] = {}
        # the ranges merged so far of the current (ranged) input file
        self._offset = 0  # their records
        self._counts = Counts()
        self._stats: dict[tuple, FieldStats] = {}

    # -- before the tasks ----------------------------------------------------------------
    def carried(self, entries: list[InputEntry], reused: reuse.Reused | None) -> list[InputEntry]:
        """Count the inputs ``--incremental`` carried forward; ``entries`` with them."""
        if reused is not None:
            self.result.carried = (reused.origin, len(reused.adopted))
        return self._adopt(entries, reused)

    def resumed(self, entries: list[InputEntry], reused: reuse.Reused | None) -> list[InputEntry]:
        """Count the inputs ``--resume`` adopted; ``entries`` with them."""
        if reused is not None:
            self.result.resumed = (reused.origin, len(reused.adopted))
        return self._adopt(entries, reused)

    def _adopt(self, entries: list[InputEntry], reused: reuse.Reused | None) -> list[InputEntry]:
        if reused is None:
            return entries
        entries = list(entries)
        for index, entry in reused.adopted.items():
            entries[index] = entry
            counts = entry.counts or Counts()
            self.result.files += 1
            self.result.sources += counts.sources
            self.result.records += counts.records
            self.result.failed_sources += counts.failed_sources
            self.result.bytes_read += entry.size
        self.result.errors += reused.errors
        return entries

    def unreadable(self, path: str, problem: ReadProblem) -> None:
        """Record a file found but not readable (a special file, a broken link)."""
        self.error(path, None, problem, 0)
        self.result.failed_sources += 1

    def begin(self, scan: plan.ScanPlan) -> None:
        """The tasks are planned: their results come next."""
        self.entries = list(scan.entries)
        self._tasks, self._owners = scan.tasks, scan.owners
        self.result.excluded = scan.excluded
        self.progress.planned(scan.total_bytes, len(scan.todo), self.result.bytes_read)

    # -- as the tasks finish ---------------------------------------------------------------
    def add(self, task_result: TaskResult) -> None:
        """Merge the result of the next task, in task order."""
        task = self._tasks[task_result.seq]
        owned = self._owners[task.seq]
        if task.start is None or task.start == 0:
            for item in task.files:
                self.result.files += 1
                self.progress.file_started(item.display)
        if task_result.digest is not None:  # a remote file: never in a batch
            self.entries[owned[0]] = self.entries[owned[0]].hashed(task_result.digest)
        self.ner_loaded = self.ner_loaded or task_result.ner_loaded
        if task.start is not None:
            self._add_range(task, task_result, owned[0])
        else:
            self._add_files(task_result, owned)

    def finish(self, seconds: float) -> None:
        """The tasks are done: the totals the writer keeps, and what --resume could still use."""
        self.result.findings = self.writer.counts["findings"]
        self.result.by_entity = self.writer.by_tag
        self.result.seconds = seconds
        interrupted = read_interrupted(self.writer.out)
        if interrupted is not None:
            self.result.interrupted = (interrupted.scan_id, interrupted.files)

    def _add_files(self, task_result: TaskResult, owned: tuple[int, ...]) -> None:
        if task_result.part is not None:
            self.writer.add_part(task_result.part, 0, task_result.rows)
        records = 0
        for index, file_sources in zip(owned, task_result.by_file(), strict=True):
            counts = replace(self._sources(file_sources, 0), sources=len(file_sources))
            self.result.sources += len(file_sources)
            records += counts.records
            self.entries[index] = self.entries[index].scanned(counts)
            self.result.bytes_read += self.entries[index].size
        if task_result.fields is not None:
            self.writer.add_fields_rows(task_result.fields)
        else:  # a result made elsewhere (an engine's own), statistics only
            self.writer.add_fields(task_result.stats, [s.path for s in task_result.sources])
        self.progress.advance(records, self.result.bytes_read)
        self._checkpoint(owned)

    def _add_range(self, task: Task, task_result: TaskResult, index: int) -> None:
        # The task counted record indexes from its first_index; the file's earlier ranges
        # say where they really start (the same unless some line held no or many records).
        shift = self._offset - task.first_index
        if task_result.part is not None:
            self.writer.add_part(task_result.part, shift, task_result.rows)
        counts = self._sources(task_result.sources, shift)
        self._offset += counts.records
        self._counts += counts
        for key, stats in task_result.stats.items():
            if key in self._stats:
                self._stats[key].merge(stats)
            else:
                self._stats[key] = stats
        self.result.bytes_read += (task.end or 0) - (task.start or 0)
        self.progress.advance(counts.records, self.result.bytes_read)
        if task.last:
            self.result.sources += 1
            self.writer.add_fields(self._stats, [s.path for s in task_result.sources])
            self.entries[index] = self.entries[index].scanned(replace(self._counts, sources=1))
            self._checkpoint((index,))
            self._stats, self._offset, self._counts = {}, 0, Counts()

    def _checkpoint(self, owned: tuple[int, ...]) -> None:
        entries = [self.entries[index].to_manifest() for index in owned]
        self.writer.checkpoint(entries, resumable=self.resumable)

    def _sources(self, sources: list[SourceResult], shift: int) -> Counts:
        """Record the sources' problems and counts; their records and failures."""
        records = failed = 0
        for source in sources:
            for problem in source.problems:
                self.error(source.path, source.format, problem, shift)
            self.result.records += source.records
            records += source.records
            if source.failed:
                self.result.failed_sources += 1
                failed += 1
        return Counts(records, 0, failed)

    def error(self, path: str, fmt: str | None, problem: ReadProblem, offset: int) -> None:
        """Record a read problem (``offset``: the shift of its range's record indexes)."""
        index = None if problem.index is None else problem.index + offset
        self.writer.add_error(path, fmt, problem.line, index, problem.reason)
        self.result.errors += 1
        where = f" line {problem.line}" if problem.line else ""
        if problem.line is None and problem.index is None:  # about the whole file: always
            log.warning("%s: %s", path, problem.reason)
            return
        shown = self._warned[path] = self._warned.get(path, 0) + 1
        if shown <= _WARNINGS_PER_FILE:
            log.warning("%s%s: %s", path, where, problem.reason)
        elif shown == _WARNINGS_PER_FILE + 1:
            log.warning("%s: more bad records; all of them are in errors/", path)
