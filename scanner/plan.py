"""Planning a scan: list the input files, describe them, and cut the work into tasks.

walk (:func:`list_inputs`: the arguments' files, less those ``--include``/``--exclude``
leave out) -> describe (:func:`describe`: size, mtime and sha256 of each, and where a large
plain line-oriented file can be cut into :class:`LineRange` s) -> plan (:func:`plan_tasks`:
a task per range, per larger file, or per batch of small files, for the inputs that no
earlier scan's rows cover). Files named by URI are listed through Spark
(:func:`list_remote`) and hashed by the executor that reads them.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import orjson

from scanner.config import ScanConfig
from scanner.engines import pool
from scanner.errors import EXHAUSTED, ResourceError
from scanner.inputs import InputEntry
from scanner.progress import Progress
from scanner.readers import CSV_FORMATS, FORMATS
from scanner.record import ReadProblem
from scanner.sniff import SNIFF_BYTES, BinaryData, sniff
from scanner.sources import (
    InputFile,
    PathFilter,
    container_kind,
    distinct_roots,
    input_base,
    walk,
)
from scanner.tasks import Task

log = logging.getLogger(__name__)

#: Plain line-oriented files larger than this are split into ranges read in parallel.
CHUNK_BYTES = 8 * 1024**2
#: ... and plain text (free text on every line: a millisecond of a core a line, 20 times a
#: JSON event's cost a byte) larger than this: a client log of a few MB is worth two cores.
TEXT_CHUNK_BYTES = 2 * 1024**2
#: A large file is cut into a multiple of this many ranges (see :func:`range_bytes`).
RANGES_MULTIPLE = 4
#: A file is cut into at most this many ranges: past ``MAX_RANGES`` of the chunk size, its
#: ranges grow, up to ``RANGE_GROWTH`` times the chunk size (64 MB of JSON lines). Free text
#: is decided per task (its templates): each task's first messages of each template go
#: through spaCy again, a fifth of the time of a task of 8 MB of events with messages.
MAX_RANGES = 16
RANGE_GROWTH = 8
#: Files smaller than this are read in batches, one task (and one part) for many of them,
#: each batch of at most BATCH_FILES files and BATCH_BYTES bytes.
SMALL_FILE_BYTES = 1024**2
BATCH_FILES = 256
BATCH_BYTES = 4 * 1024**2
#: Formats whose every record is one line, so a file can be split at line boundaries.
_LINE_FORMATS = frozenset(f for f, spec in FORMATS.items() if spec.line_split)
#: Formats whose every record is free text: cut at TEXT_CHUNK_BYTES.
_TEXT_FORMATS = frozenset(f for f, spec in FORMATS.items() if spec.reader == "text")


class LineRange(NamedTuple):
    """A byte range of a plain line-oriented file (or CSV file), cut after a newline."""

    start: int
    end: int
    #: the line number of its first line in the file
    first_line: int
    #: the file's format (sniffed once for the whole file)
    format: str


class Described(NamedTuple):
    """An input file's manifest entry (PENDING), and the ranges to read it in (or none)."""

    entry: InputEntry
    ranges: list[LineRange]


@dataclass(frozen=True)
class Listing:
    """The local input files of a scan: found, filtered and described."""

    #: the scan arguments, without repeats
    roots: list[Path]
    #: the directory every file's ``source_path`` is relative to
    base: Path
    files: list[InputFile]
    #: each file's description, in the order of ``files``
    described: list[Described]
    #: files found but not readable (special files, broken links): (path, problem)
    problems: list[tuple[str, ReadProblem]]
    #: files left out by ``--include`` / ``--exclude``
    excluded: int
    #: which files the scan reads (also files named by URI)
    read: PathFilter

    @property
    def entries(self) -> list[InputEntry]:
        """The files' manifest entries, before any is read."""
        return [described.entry for described in self.described]

    @property
    def source_root(self) -> str | None:
        """What the manifest's ``source_root`` says: the base, when there were arguments."""
        return str(self.base) if self.roots else None


@dataclass(frozen=True)
class Remote:
    """The files a scan names by URI, listed through Spark."""

    files: list[tuple[InputFile, InputEntry]]
    #: files left out by ``--include`` / ``--exclude``
    excluded: int = 0


@dataclass(frozen=True)
class ScanPlan:
    """What a scan reads: every input file's entry, and the tasks for those still to read."""

    #: every input file, in the manifest's order; carried forward and resumed ones are done
    entries: tuple[InputEntry, ...]
    tasks: list[Task]
    #: per task, the indexes in ``entries`` of the files it reads
    owners: tuple[tuple[int, ...], ...]
    #: input files left out by ``--include`` / ``--exclude``
    excluded: int

    @property
    def total_bytes(self) -> int:
        """The size of every input file, read or reused."""
        return sum(entry.size for entry in self.entries)

    @property
    def todo(self) -> list[InputEntry]:
        """The input files the tasks read."""
        return [entry for entry in self.entries if not entry.done]

    def workers(self, requested: int | None) -> int:
        """The processes to read with: 1 when a pool would cost more than it saves."""
        workers = requested or os.cpu_count() or 1
        todo_bytes = sum(entry.size for entry in self.todo)
        # A plain-text file cut into ranges is seconds of work for each: worth a pool.
        text = any(task.format in _TEXT_FORMATS for task in self.tasks)
        pooled = workers > 1 and len(self.tasks) > 1 and (todo_bytes >= pool.POOL_MIN_BYTES or text)
        return workers if pooled else 1


def list_inputs(config: ScanConfig, progress: Progress) -> Listing:
    """Find the files under ``config.paths`` that the scan reads, and describe each."""
    problems: list[tuple[str, ReadProblem]] = []
    roots, repeats = distinct_roots(config.paths)
    for note in repeats:
        log.warning("%s", note)
    base = input_base(roots)
    progress.stage("listing and checksumming the inputs")
    files = list(walk(roots, problems, base))
    read = PathFilter(config.include, config.exclude)
    excluded = 0
    if config.include or config.exclude:
        kept = [item for item in files if read(item.display)]
        readable = [(path, problem) for path, problem in problems if read(path)]
        excluded = len(files) - len(kept) + len(problems) - len(readable)
        files, problems = kept, readable
    described = [describe(item, config.format) for item in files]
    return Listing(roots, base, files, described, problems, excluded, read)


def list_remote(config: ScanConfig, read: PathFilter) -> Remote:
    """The files under ``config.uris`` the scan reads (listed through Spark)."""
    if not config.uris:
        return Remote([])
    from scanner.engines.spark_session import list_uris, session

    files = []
    excluded = 0
    for uri, display, size, mtime_ns in list_uris(
        session(config.spark_master, debug=config.debug), config.uris
    ):
        if not read(display):
            excluded += 1
            continue
        # Hashed by the executor that reads it (the task's result brings the digest).
        entry = InputEntry(display, size, mtime_ns, None)
        files.append((InputFile(Path(display), display, uri), entry))
    return Remote(files, excluded)


def plan_tasks(listing: Listing, entries: list[InputEntry], remote: Remote) -> ScanPlan:
    """The tasks that read the inputs not yet done (neither carried forward nor resumed).

    ``entries`` are the local files' (those of ``listing``, in its order). Consecutive
    small files are batched into one task; a larger file gets a task, or one per range;
    each remote file gets a task, after the local ones.
    """
    tasks: list[Task] = []
    owners: list[tuple[int, ...]] = []
    batch: list[tuple[InputFile, int]] = []
    batch_bytes = 0

    def end_batch() -> None:
        nonlocal batch, batch_bytes
        if batch:
            files = [item for item, _index in batch]
            tasks.append(Task(len(tasks), files[0], batch=tuple(files[1:])))
            owners.append(tuple(index for _item, index in batch))
        batch, batch_bytes = [], 0

    for index, (item, (_pending, ranges), entry) in enumerate(
        zip(listing.files, listing.described, entries, strict=True)
    ):
        if entry.done:
            continue
        if not ranges and entry.size < SMALL_FILE_BYTES:
            if len(batch) >= BATCH_FILES or batch_bytes + entry.size > BATCH_BYTES:
                end_batch()
            batch.append((item, index))
            batch_bytes += entry.size
            continue
        end_batch()
        tasks += _file_tasks(len(tasks), item, entry, ranges)
        owners += [(index,)] * (len(tasks) - len(owners))
    end_batch()
    everything = list(entries)
    for item, entry in remote.files:
        owners.append((len(everything),))
        everything.append(entry)
        tasks.append(Task(len(tasks), item))
    return ScanPlan(tuple(everything), tasks, tuple(owners), listing.excluded + remote.excluded)


def _file_tasks(
    seq: int, item: InputFile, entry: InputEntry, ranges: list[LineRange]
) -> list[Task]:
    """The tasks of one file read alone: one per range, or one for the whole file."""
    if not ranges:
        return [Task(seq, item)]
    # (size, mtime_ns) when planned: the last range's task tells if the file changed since.
    stat = None if entry.mtime_ns is None else (entry.size, entry.mtime_ns)
    return [
        Task(
            seq + n,
            item,
            span.start,
            span.end,
            span.first_line,
            span.format,
            last=n == len(ranges) - 1,
            stat=stat,
            # records before it, one a line; a CSV file's first line is its header
            first_index=max(span.first_line - (2 if span.format in CSV_FORMATS else 1), 0),
        )
        for n, span in enumerate(ranges)
    ]


def describe(item: InputFile, forced: str | None) -> Described:
    """Size, mtime and sha256 of an input file, and the byte ranges to read it in.

    Only a large plain line-oriented file is split into ranges, each cut after a newline;
    the same pass computes the hash. A file that cannot be read gets an entry without
    mtime and hash (reading it reports why). The ranges' length: :func:`range_bytes`.
    """
    digest = hashlib.sha256()
    try:
        st = item.path.stat()
        size = st.st_size
        with open(item.path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
            digest.update(head)
            smallest = min(CHUNK_BYTES, TEXT_CHUNK_BYTES)
            fmt = _splittable(head, item.path.name, forced) if size > smallest else None
            longest = chunk_bytes(fmt)
            if size <= longest:
                fmt = None
            quoted = fmt in CSV_FORMATS and b'"' in head
            ranges: list[LineRange] = []
            start, first_line, lines, pos = 0, 1, head.count(b"\n"), len(head)
            step = range_bytes(size, longest)
            target = step
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
                quoted = quoted or (fmt in CSV_FORMATS and b'"' in chunk)
                while fmt is not None and pos + len(chunk) > target:
                    cut = chunk.find(b"\n", max(target - pos, 0))
                    if cut < 0:
                        break
                    boundary = pos + cut + 1
                    ranges.append(LineRange(start, boundary, first_line, fmt))
                    first_line = lines + chunk.count(b"\n", 0, cut + 1) + 1
                    start, target = boundary, boundary + step
                lines += chunk.count(b"\n")
                pos += len(chunk)
            if ranges and fmt is not None:
                ranges.append(LineRange(start, pos, first_line, fmt))
            if quoted:  # a quoted cell may hold a newline: a line need not start a row
                ranges = []
    except OSError as exc:
        if exc.errno in EXHAUSTED:  # the system's limit, not this file's problem
            raise ResourceError(exc.errno) from None
        # The read of the file reports what is wrong with it.
        return Described(InputEntry(item.display, 0, None, None), [])
    return Described(InputEntry(item.display, size, st.st_mtime_ns, digest.hexdigest()), ranges)


def chunk_bytes(fmt: str | None) -> int:
    """The longest range of a file of format ``fmt`` (plain text's are shorter)."""
    return min(TEXT_CHUNK_BYTES, CHUNK_BYTES) if fmt in _TEXT_FORMATS else CHUNK_BYTES


def range_bytes(size: int, chunk: int | None = None) -> int:
    """How long a file's ranges are: of equal length, at most ``chunk`` (``CHUNK_BYTES``)...

    ... in a file of up to ``MAX_RANGES`` chunks. A larger file is cut into ``MAX_RANGES``
    ranges, or more when they would exceed ``RANGE_GROWTH`` chunks: a 300 MB file is 16
    ranges of 19 MB, a 1 GB file 16 of 63 MB, a 2 GB file 32 of 64 MB. Each task learns
    its free text's templates afresh, and a task of 8 MB of events spent a fifth of its
    time on the messages that teach them; 16 ranges still keep 16 workers busy.

    As many as a multiple of ``RANGES_MULTIPLE``, so that two or four workers end a file
    together: a 20 MB file is four ranges of 5 MB, not 8, 8 and 4 MB, which left one of two
    workers idle for a third of the time. The cut does not depend on the number of workers:
    free text is decided per task (its templates), so the findings must not either.
    """
    chunk = chunk or CHUNK_BYTES
    count = max(-(-size // chunk), 1)  # an empty file is one (empty) range
    if count > MAX_RANGES:
        count = max(MAX_RANGES, -(-size // (chunk * RANGE_GROWTH)))
    count = -(-count // RANGES_MULTIPLE) * RANGES_MULTIPLE
    return max(-(-size // count), 1)


def _splittable(head: bytes, name: str, forced: str | None) -> str | None:
    """The format of a file that can be split at line boundaries, else None."""
    if container_kind(head[:262]) is not None:
        return None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None  # a newline is two bytes, and only the first range has the BOM
    try:
        fmt = forced or sniff(head, name)
    except BinaryData:
        return None
    if fmt in CSV_FORMATS:
        # Its header, the first line, must be one the worker of each range can read first.
        return fmt if b"\n" in head else None
    if fmt not in _LINE_FORMATS:
        return None
    if FORMATS[fmt].reader == "json":
        # Only one complete JSON value per line can be split: check the first lines.
        lines = [line for line in head.split(b"\n")[:-1] if line.strip()][:5]
        try:
            if not lines or not all(isinstance(orjson.loads(line), dict) for line in lines):
                return None
        except orjson.JSONDecodeError:
            return None
    return fmt
