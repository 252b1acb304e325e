"""The units of a scan's work and what they report: :class:`Task` and :class:`TaskResult`.

The planner (:mod:`scanner.plan`) makes the tasks, an engine (:mod:`scanner.engines`) runs
each with :meth:`scanner.worker.SourceScanner.run_task` wherever it likes (they are pickled
to worker processes and Spark executors), and the pipeline folds the results in task order.
A result is small: a part file's path, per-source counts and problems, ``fields`` rows or
statistics.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.record import ReadProblem
from scanner.sources import InputFile

if TYPE_CHECKING:
    from scanner.dataset import FieldStats
    from scanner.detect.detector import Decision

log = logging.getLogger(__name__)


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

    def internal_error(self, exc: Exception) -> None:
        """Report a bug met while reading or detecting this source: it failed."""
        # The frames, not the message: an exception's text may quote the data.
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.debug("internal error on %s (%s):\n%s", self.path, type(exc).__name__, frames)
        reason = f"internal error while reading ({type(exc).__name__}); rerun with --debug"
        self.problems.append(ReadProblem(None, None, reason))
        self.failed = True


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
    #: findings the task wrote in its part file
    rows: int = 0
    #: the decisions this task made first, for the other workers (a pooled scan's)
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
