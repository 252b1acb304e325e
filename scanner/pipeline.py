"""One scan from paths to a committed dataset: walk, read, detect, tag, write.

The flow of a record: :mod:`scanner.sources` finds files and peels compression and
archives, :mod:`scanner.sniff` names the format, a reader in :mod:`scanner.readers`
yields records, :class:`scanner.detect.engine.Detector` finds entities in their fields,
:class:`scanner.policy.Policy` tags each with CCPA categories, :mod:`scanner.hashing` keys
and masks the value, and :class:`scanner.dataset.DatasetWriter` writes the rows.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from scanner import SCHEMA_VERSION, __version__
from scanner.config import ScanConfig
from scanner.dataset import DatasetWriter, FieldStats, input_identity, read_interrupted
from scanner.detect.engine import Detector
from scanner.engines import RESUMABLE, get_engine, pool
from scanner.errors import ScanInterrupted
from scanner.readers import FORMATS
from scanner.record import ReadProblem
from scanner.sniff import SNIFF_BYTES, BinaryData, sniff
from scanner.sources import InputFile, container_kind, walk
from scanner.worker import SourceResult, Task, TaskResult, rare_collections

log = logging.getLogger(__name__)

#: Plain line-oriented files larger than this are split into ranges read in parallel.
CHUNK_BYTES = 8 * 1024**2
#: Files smaller than this are read in batches, one task (and one part) for many of them,
#: each batch of at most BATCH_FILES files and BATCH_BYTES bytes.
SMALL_FILE_BYTES = 1024**2
BATCH_FILES = 256
BATCH_BYTES = 4 * 1024**2
#: stderr names this many bad records of one file; errors/ has them all.
_WARNINGS_PER_FILE = 10
#: Formats whose every record is one line, so a file can be split at line boundaries.
_LINE_FORMATS = frozenset(
    {"eventsfeed-jsonl", "auditfeed-jsonl", "push-ndjson", "legacy-json", "json", "cef", "text"}
)


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

    @property
    def undeclared(self) -> int:
        """Number of findings the policy does not declare."""
        return sum(n for (_c, _e, _t, declared), n in self.by_entity.items() if not declared)


class Progress:
    """Receives progress events; the CLI's implementation draws on stderr."""

    def file_started(self, display: str) -> None:
        """A top-level file is about to be read."""

    def advance(self, records: int, bytes_done: int) -> None:
        """Records were read; ``bytes_done`` input bytes are finished."""

    def close(self) -> None:
        """The scan has ended."""


def new_scan_id(now: datetime | None = None) -> str:
    """A sortable, unique scan id: ``20261126T061500Z-3f9a1c``."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def run(config: ScanConfig, progress: Progress | None = None) -> ScanResult:
    """Scan ``config.paths`` and commit one scan to the dataset in ``config.out``.

    Raises:
        ScanInterrupted: on Ctrl-C; nothing was committed, the finished input files may be
            kept for ``--resume``.
    """
    progress = progress or Progress()
    started = time.monotonic()
    started_at = datetime.now(UTC)
    detector = Detector(config.configs, nlp=config.nlp, min_score=config.min_score)
    scan_id = new_scan_id(started_at)
    result = ScanResult(scan_id, config.out)
    reuse = _reuse_settings(config, detector)
    metadata = {
        "tool": "catoscan",
        "tool_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "scan_id": scan_id,
        **reuse,
        "recognizers": sorted(r.name for r in detector.recognizers),
        "model": None if detector.model is None else asdict(detector.model),
    }
    walk_problems: list[tuple[str, ReadProblem]] = []
    items = [item for root in config.paths for item in walk([root], walk_problems)]
    described = [_describe(item, config.format) for item in items]
    inputs = [{k: v for k, v in d.items() if k != "stat"} for d, _ranges in described]
    writer = DatasetWriter(
        config.out,
        scan_id,
        metadata,
        include_values=config.include_values,
        batch_rows=config.configs.scanner.batch_rows,
    )
    try:
        with writer:
            merger = _Merger(writer, result, progress, config.engine in RESUMABLE)
            carried = _carry_forward(config, reuse, writer, inputs, result)
            for path, problem in walk_problems:
                merger.error(path, None, problem, 0)
                result.failed_sources += 1
            # From here on every finished input file is checkpointed, for --resume.
            header = {k: v for k, v in metadata.items() if k != "scan_id"}
            writer.start_checkpoints(header)
            if config.resume:
                _resume(writer, header, inputs, result)
            tasks, owners = _plan(items, described, inputs)
            for uri, display, size, mtime_ns in _list_uris(config):
                # Hashed by the executor that reads it (below, from the task's result).
                inputs.append({"path": display, "size": size, "mtime_ns": mtime_ns})
                owners.append([inputs[-1]])
                tasks.append(Task(len(tasks), InputFile(Path(display), display, uri)))
            workers = config.workers or os.cpu_count() or 1
            scanned = sum(i["size"] for i in inputs if "records" not in i)
            pooled = workers > 1 and len(tasks) > 1 and scanned >= pool.POOL_MIN_BYTES
            execute = get_engine(config.engine)
            ner_loaded = False
            scan_workers = workers if pooled else 1
            with rare_collections():
                for task_result in execute(tasks, config, writer, detector, scan_workers):
                    task = tasks[task_result.seq]
                    if task.start is None or task.start == 0:
                        for item in task.files:
                            result.files += 1
                            progress.file_started(item.display)
                    if task_result.digest is not None:  # a remote file: never in a batch
                        owners[task.seq][0]["sha256"] = task_result.digest
                    merger.add(task, task_result, owners[task.seq])
                    ner_loaded = ner_loaded or task_result.ner_loaded
            result.findings = writer.counts["findings"]
            result.by_entity = writer.by_tag
            result.seconds = time.monotonic() - started
            interrupted = read_interrupted(config.out)
            if interrupted is not None:
                result.interrupted = (interrupted.scan_id, interrupted.files)
            entry = {
                **metadata,
                "started_at": started_at.isoformat(),
                "finished_at": datetime.now(UTC).isoformat(),
                "seconds": round(result.seconds, 3),
                "arguments": [str(p) for p in config.paths],
                "config_sources": config.configs.sources,
                "ner_loaded": ner_loaded,
                "engine": config.engine,
                "workers": scan_workers,
                "carried_forward": carried,
                "resumed": (
                    {"from": result.resumed[0], "files": result.resumed[1]}
                    if result.resumed
                    else None
                ),
                "inputs": inputs,
                "counts": {
                    "files": result.files,
                    "sources": result.sources,
                    "records": result.records,
                    "bytes": result.bytes_read,
                    "findings": result.findings,
                    "undeclared_findings": result.undeclared,
                    "errors": result.errors,
                    "failed_sources": result.failed_sources,
                },
            }
            writer.commit(entry)
    except KeyboardInterrupt:
        raise ScanInterrupted(writer.kept) from None
    progress.close()
    return result


def _carry_forward(
    config: ScanConfig,
    reuse: dict[str, Any],
    writer: DatasetWriter,
    inputs: list[dict[str, Any]],
    result: ScanResult,
) -> dict[str, Any] | None:
    """``--incremental``: carry forward the rows of the inputs unchanged since a committed scan.

    Returns:
        The manifest's ``carried_forward``: ``{"from": scan_id, "files": n}``, or None.
    """
    if not config.incremental:
        return None
    previous_id, previous = _previous_scan(config, reuse)
    carried = set()
    for entry in inputs:
        old = previous.get(entry["path"])
        if old is not None and all(old.get(k) == entry.get(k) for k in _SAME_FILE):
            # Unchanged since a committed scan with the same configuration and key: its
            # rows are carried forward instead of scanning the file again.
            entry.update(
                records=old["records"],
                sources=old["sources"],
                failed_sources=old.get("failed_sources", 0),  # older manifests lack it
                carried_from=previous_id,
            )
            carried.add(entry["path"])
            result.files += 1
            result.sources += entry["sources"]
            result.records += entry["records"]
            result.failed_sources += entry["failed_sources"]
            result.bytes_read += entry["size"]
    if previous_id is None or not carried:
        return None
    result.errors += writer.carry_forward(previous_id, carried)["errors"]
    return {"from": previous_id, "files": len(carried)}


#: How a setting of a checkpoint header is named when it differs.
_SETTING_NAMES = {
    "config_sha256": "configuration",
    "key_id": "HMAC key",
    "include_values": "--include-values",
    "nlp": "--nlp",
    "format": "--format",
    "min_score": "--min-score",
    "recognizers": "set of recognizers",
    "model": "spaCy model",
    "tool_version": "catoscan version",
    "schema_version": "dataset schema version",
}


def _resume(
    writer: DatasetWriter,
    header: dict[str, Any],
    inputs: list[dict[str, Any]],
    result: ScanResult,
) -> None:
    """``--resume``: adopt the finished input files of the interrupted scan kept in the dataset.

    They are adopted when the interrupted scan was made with the same settings (its
    checkpoint ``header``) and the file is unchanged (path, size, mtime, sha256); the other
    inputs are scanned. Each adopted file is checkpointed again, so that this scan can be
    resumed in turn, and the interrupted scan is then removed. ``result.resumed`` says what
    was adopted; stderr says why nothing was.
    """
    interrupted = read_interrupted(writer.out)
    if interrupted is None:
        log.warning("--resume: no interrupted scan in %s; scanning every file", writer.out)
        return
    differs = [k for k in header if interrupted.header.get(k) != header[k]]
    if differs:
        log.warning(
            "--resume: interrupted scan %s was made with another %s; scanning every file",
            interrupted.scan_id,
            _SETTING_NAMES.get(differs[0], differs[0]),
        )
        return
    files = 0
    pending = {}  # identity -> the entry of an input not yet done
    for entry in inputs:
        if "records" not in entry:  # not carried forward
            pending.setdefault(input_identity(entry), entry)
    for entry in inputs:
        if "records" in entry:  # carried forward, or adopted with an earlier batch
            continue
        line = interrupted.take(entry)
        if line is None:
            continue
        # A batch of small files was checkpointed as one: adopted whole, or not at all.
        members = [pending.get(input_identity(finished)) for finished in line["inputs"]]
        if any(m is None or "records" in m for m in members):
            continue
        if not writer.resume_input(interrupted, line):
            continue
        for member, finished in zip(members, line["inputs"], strict=True):
            # Its identity is this entry's; its counts complete it.
            member.update(finished, resumed_from=interrupted.scan_id)  # type: ignore[union-attr]
            files += 1
            result.files += 1
            result.sources += finished["sources"]
            result.records += finished["records"]
            result.failed_sources += finished["failed_sources"]
            result.bytes_read += finished["size"]
        writer.checkpoint(members)  # type: ignore[arg-type]
        result.errors += len(line["errors"])
    if not files:
        log.warning(
            "--resume: no finished file of interrupted scan %s is an unchanged input; "
            "scanning every file",
            interrupted.scan_id,
        )
        return
    interrupted.discard()
    result.resumed = (interrupted.scan_id, files)


def _plan(
    items: list[InputFile],
    described: list[tuple[dict[str, Any], list[tuple]]],
    inputs: list[dict[str, Any]],
) -> tuple[list[Task], list[dict[str, Any]]]:
    """The tasks that scan the inputs not yet done (neither carried forward nor resumed).

    Consecutive small files are batched into one task; a larger file gets a task, or one
    per range.

    Returns:
        The tasks, and the manifest entries of each task's input files (by task number).
    """
    tasks: list[Task] = []
    owners: list[list[dict[str, Any]]] = []
    batch: list[tuple[InputFile, dict[str, Any]]] = []
    batch_bytes = 0

    def end_batch() -> None:
        nonlocal batch, batch_bytes
        if batch:
            files = [item for item, _entry in batch]
            tasks.append(Task(len(tasks), files[0], batch=tuple(files[1:])))
            owners.append([entry for _item, entry in batch])
        batch, batch_bytes = [], 0

    for item, (desc, ranges), entry in zip(items, described, inputs, strict=True):
        if "records" in entry:
            continue
        size = desc.get("size", 0)
        if not ranges and size < SMALL_FILE_BYTES:
            if len(batch) >= BATCH_FILES or batch_bytes + size > BATCH_BYTES:
                end_batch()
            batch.append((item, entry))
            batch_bytes += size
            continue
        end_batch()
        stat = desc.get("stat")
        for start, end, first_line, fmt in ranges:
            tasks.append(
                Task(
                    len(tasks),
                    item,
                    start,
                    end,
                    first_line,
                    fmt,
                    last=False,
                    stat=stat,
                    first_index=first_line - 1,
                )
            )
        if ranges:
            tasks[-1] = replace(tasks[-1], last=True)
        else:
            tasks.append(Task(len(tasks), item))
        owners += [[entry]] * (len(tasks) - len(owners))
    end_batch()
    return tasks, owners


class _Merger:
    """Folds task results into the dataset in task order: parts, fields rows, errors.

    Once the last task of an input file (or the task of a batch of small files) is merged,
    the files' manifest entries get their records and sources, and the writer checkpoints
    them.
    """

    def __init__(
        self, writer: DatasetWriter, result: ScanResult, progress: Progress, resumable: bool
    ):
        self.writer = writer
        self.resumable = resumable  # checkpoint finished inputs (the engine allows it)
        self.result = result
        self.progress = progress
        self._offset = 0  # records of the earlier ranges of the current input file
        self._warned: dict[str, int] = {}
        self._counts = _no_counts()  # of the current (ranged) input file
        self._stats: dict[tuple, FieldStats] = {}

    def add(self, task: Task, task_result: TaskResult, entries: list[dict[str, Any]]) -> None:
        """Merge a task's result; ``entries`` are its input files' manifest entries."""
        if task.start is not None:
            self._add_range(task, task_result, entries[0])
            return
        if task_result.part is not None:
            self.writer.add_part(task_result.part, 0, task_result.rows)
        records = 0
        for entry, file_sources in zip(entries, task_result.by_file(), strict=True):
            counts = self._sources(file_sources, 0)
            counts["sources"] = len(file_sources)
            self.result.sources += len(file_sources)
            records += counts["records"]
            entry.update(counts)
            self.result.bytes_read += entry["size"]
        if task_result.fields is not None:
            self.writer.add_fields_rows(task_result.fields)
        else:  # a result made elsewhere (an engine's own), statistics only
            self.writer.add_fields(task_result.stats, [s.path for s in task_result.sources])
        self.progress.advance(records, self.result.bytes_read)
        self.writer.checkpoint(entries, resumable=self.resumable)

    def _add_range(self, task: Task, task_result: TaskResult, entry: dict[str, Any]) -> None:
        # The task counted record indexes from its first_index; the file's earlier ranges
        # say where they really start (the same unless some line held no or many records).
        shift = self._offset - task.first_index
        if task_result.part is not None:
            self.writer.add_part(task_result.part, shift, task_result.rows)
        counts = self._sources(task_result.sources, shift)
        self._offset += counts["records"]
        for key, value in counts.items():
            self._counts[key] += value
        for key, stats in task_result.stats.items():
            if key in self._stats:
                self._stats[key].merge(stats)
            else:
                self._stats[key] = stats
        self.result.bytes_read += (task.end or 0) - (task.start or 0)
        self.progress.advance(counts["records"], self.result.bytes_read)
        if task.last:
            self.result.sources += 1
            self.writer.add_fields(self._stats, [s.path for s in task_result.sources])
            self._stats, self._offset = {}, 0
            entry.update(self._counts, sources=1)
            self.writer.checkpoint([entry], resumable=self.resumable)
            self._counts = _no_counts()

    def _sources(self, sources: list[SourceResult], shift: int) -> dict[str, int]:
        """Record the sources' problems and counts; their records and failures."""
        counts = _no_counts()
        for source in sources:
            for problem in source.problems:
                self.error(source.path, source.format, problem, shift)
            self.result.records += source.records
            counts["records"] += source.records
            if source.failed:
                self.result.failed_sources += 1
                counts["failed_sources"] += 1
        return counts

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


def _no_counts() -> dict[str, int]:
    """An input file's counts in the manifest, before it is read."""
    return {"records": 0, "sources": 0, "failed_sources": 0}


#: An input is unchanged when these are equal to the committed scan's record of it.
_SAME_FILE = ("size", "mtime_ns", "sha256")


def _reuse_settings(config: ScanConfig, detector: Detector) -> dict[str, Any]:
    """The settings a scan's rows depend on besides its inputs.

    Rows of another scan are reused (``--incremental``) only when these are equal: otherwise
    its findings would not be the ones this scan would make.
    """
    return {
        "config_sha256": config.configs.sha256,
        "key_id": config.key_id,
        "include_values": config.include_values,
        "nlp": config.nlp,
        "format": config.format,
        "min_score": detector.min_score,
    }


def _previous_scan(
    config: ScanConfig, reuse: dict[str, Any]
) -> tuple[str | None, dict[str, dict[str, Any]]]:
    """The newest committed scan whose rows ``--incremental`` may reuse, and its inputs.

    Only a scan made with the same :func:`_reuse_settings` qualifies (a scan recorded before
    ``format`` was recorded counts as made without ``--format``).
    """
    from scanner.dataset import read_manifest

    if not (config.out / "manifest.json").exists():
        return None, {}
    for scan in reversed(read_manifest(config.out)["scans"]):
        if all(scan.get(k) == v for k, v in reuse.items()):
            inputs = {
                i["path"]: i
                for i in scan.get("inputs", [])
                if "mtime_ns" in i and "records" in i and "sources" in i
            }
            return scan["scan_id"], inputs
    return None, {}


def _list_uris(config: ScanConfig) -> list[tuple[str, str, int, int]]:
    """The files under ``config.uris`` (listed through Spark): uri, display, size, mtime."""
    if not config.uris:
        return []
    from scanner.engines.spark import list_uris, session

    return list_uris(session(config.spark_master), config.uris)


def _describe(item: InputFile, forced: str | None) -> tuple[dict[str, Any], list[tuple]]:
    """Size and sha256 of an input file, and the byte ranges to read it in.

    Only a large plain line-oriented file is split: ``(start, end, first_line, format)``
    per range, cut after a newline; the same pass computes the hash.
    """
    digest = hashlib.sha256()
    try:
        st = item.path.stat()
        size = st.st_size
        with open(item.path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
            digest.update(head)
            fmt = _splittable(head, item.path.name, forced) if size > CHUNK_BYTES else None
            ranges: list[tuple] = []
            start, first_line, lines, pos = 0, 1, head.count(b"\n"), len(head)
            target = CHUNK_BYTES
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
                while fmt is not None and pos + len(chunk) > target:
                    cut = chunk.find(b"\n", max(target - pos, 0))
                    if cut < 0:
                        break
                    boundary = pos + cut + 1
                    ranges.append((start, boundary, first_line, fmt))
                    first_line = lines + chunk.count(b"\n", 0, cut + 1) + 1
                    start, target = boundary, boundary + CHUNK_BYTES
                lines += chunk.count(b"\n")
                pos += len(chunk)
            if ranges:
                ranges.append((start, pos, first_line, fmt))
    except OSError:
        return {"path": item.display, "size": 0, "sha256": None}, []
    described = {
        "path": item.display,
        "size": size,
        "mtime_ns": st.st_mtime_ns,
        "sha256": digest.hexdigest(),
    }
    if ranges:
        described["stat"] = (st.st_size, st.st_mtime_ns)
    return described, ranges


def _splittable(head: bytes, name: str, forced: str | None) -> str | None:
    """The format of a file that can be split at line boundaries, else None."""
    if container_kind(head[:262]) is not None:
        return None
    try:
        fmt = forced or sniff(head, name)
    except BinaryData:
        return None
    if fmt not in _LINE_FORMATS:
        return None
    if FORMATS[fmt][0] == "json":
        # Only one complete JSON value per line can be split: check the first lines.
        lines = [line for line in head.split(b"\n")[:-1] if line.strip()][:5]
        try:
            if not lines or not all(isinstance(orjson.loads(line), dict) for line in lines):
                return None
        except orjson.JSONDecodeError:
            return None
    return fmt
