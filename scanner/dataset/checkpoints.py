"""Checkpoints: the record of a scan's finished input files, for ``scan --resume``.

While it scans, the writer appends a line per finished input file (or batch of small
files) to the stage's ``checkpoint.jsonl`` (:class:`CheckpointLog`). A scan stopped before
its commit that finished some input files is kept as ``DIR/.interrupted-<id>/``
(:func:`keep_interrupted`); :func:`read_interrupted` finds it again, and
:meth:`Interrupted.take` gives a finished input's line.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from scanner.dataset.schema import FIELDS_TIMES, SCHEMAS

#: A staged scan's record of its finished input files: a header, then one line per input.
CHECKPOINT = "checkpoint.jsonl"
#: An input file with more ``fields`` and ``errors`` rows than this gets no checkpoint (it is
#: scanned again on ``--resume``): the rows of one input are held in memory until it is done.
CHECKPOINT_MAX_ROWS = 100_000
#: What identifies an input file (and its type); a checkpoint is reused only for an equal one.
_IDENTITY = {"path": str, "size": int, "mtime_ns": int, "sha256": str}
#: An input file's counts, in the manifest's ``inputs`` and in its checkpoint.
_COUNTS = ("records", "sources", "failed_sources")
#: The checkpoint file is synced to disk at most this often.
_SYNC_SECONDS = 1.0
_PART_NAME = re.compile(r"part-\d{6}\.parquet")


def input_identity(entry: dict[str, Any]) -> tuple:
    """What identifies an input file (a manifest ``inputs`` entry or a checkpointed one)."""
    return tuple(entry.get(k) for k in _IDENTITY)


class CheckpointLog:
    """The checkpoint file as a scan writes it, and what the current input added since.

    Records nothing until :meth:`start`: rows and parts added before (carried-forward
    files, walk problems) belong to no checkpoint.
    """

    def __init__(self) -> None:
        self._fh: BinaryIO | None = None
        self._synced = 0.0  # when the file was last synced to disk
        #: fields and errors rows, and (name, rows) of findings parts, of the current input
        self._since: dict[str, list[Any]] = {}
        self._overflow = False  # the current input has more than CHECKPOINT_MAX_ROWS rows
        self._next_input()

    def start(self, path: Path, header: dict[str, Any]) -> None:
        """Create the file with its header line (see ``DatasetWriter.start_checkpoints``)."""
        self._fh = open(path, "wb")  # closed by close()
        self._write({"header": header})
        self._next_input()

    def rows(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Note ``fields`` or ``errors`` rows added for the current input."""
        if self._fh is None or self._overflow:
            return
        self._since[table].extend(rows)
        if len(self._since["fields"]) + len(self._since["errors"]) > CHECKPOINT_MAX_ROWS:
            self._overflow = True
            self._since["fields"], self._since["errors"] = [], []

    def part(self, name: str, rows: int) -> None:
        """Note a findings part (its name in the stage, its rows) of the current input."""
        if self._fh is not None:
            self._since["parts"].append((name, rows))

    def finished(self, entries: list[dict[str, Any]], *, resumable: bool) -> None:
        """Record finished inputs read together, if they can be adopted: see ``checkpoint``."""
        if (
            resumable
            and entries
            and all(entry.get("sha256") is not None for entry in entries)
            and not self._overflow
        ):
            finished = [{k: entry[k] for k in (*_IDENTITY, *_COUNTS)} for entry in entries]
            self._write({"inputs": finished, **self._since})
        self._next_input()

    def close(self) -> None:
        """Close the file (nothing when it was never started)."""
        if self._fh is not None:
            self._fh.close()

    def _next_input(self) -> None:
        self._since = {"fields": [], "errors": [], "parts": []}
        self._overflow = False

    def _write(self, line: dict[str, Any]) -> None:
        """Append a line; it survives a killed process at once, a power cut within a second.

        An fsync per line would cost a flush of every part written since (ext4 ordered
        mode): 15 ms per file, half an hour on 100,000 small files.
        """
        fh = self._fh
        if fh is None:
            raise RuntimeError("start_checkpoints() was not called")
        fh.write(orjson.dumps(line) + b"\n")
        fh.flush()
        if time.monotonic() - self._synced >= _SYNC_SECONDS:
            os.fsync(fh.fileno())
            self._synced = time.monotonic()


@dataclass
class Interrupted:
    """A scan stopped before its commit, kept as ``DIR/.interrupted-<id>/`` for ``--resume``."""

    scan_id: str
    path: Path
    #: the settings it was made with (``DatasetWriter.start_checkpoints``)
    header: dict[str, Any]
    #: identity (path, size, mtime_ns, sha256) -> offsets of its finished inputs' lines
    finished: dict[tuple, list[int]]
    files: int  # finished input files

    def take(self, entry: dict[str, Any]) -> dict[str, Any] | None:
        """The checkpoint line of the finished input equal to ``entry``, once per input.

        Equal: the same path, size, mtime_ns and sha256 (``entry`` is a manifest ``inputs``
        entry). The line may name other inputs too (``inputs``: a batch of small files).
        The times of its ``fields`` rows are datetimes again.
        """
        offsets = self.finished.get(input_identity(entry))
        if not offsets:
            return None
        with open(self.path / CHECKPOINT, "rb") as fh:
            fh.seek(offsets.pop(0))
            line = orjson.loads(fh.readline())
        for row in line["fields"]:
            for name in FIELDS_TIMES:
                if row[name] is not None:
                    row[name] = datetime.fromisoformat(row[name])
        return line

    def discard(self) -> None:
        """Remove it from the dataset directory."""
        shutil.rmtree(self.path, ignore_errors=True)


def read_interrupted(out: Path) -> Interrupted | None:
    """The interrupted scan kept in dataset ``out``, if there is one with a finished input."""
    kept = sorted(out.glob(".interrupted-*"))
    if not kept:
        return None
    index = _read_checkpoints(kept[-1] / CHECKPOINT)
    if index.header is None or not index.finished:
        return None
    scan_id = kept[-1].name.removeprefix(".interrupted-")
    return Interrupted(scan_id, kept[-1], index.header, index.finished, index.files)


def keep_interrupted(stage: Path) -> int:
    """Keep a stage that never reached its commit as ``.interrupted-<id>``, or remove it.

    It is kept when its checkpoint names at least one finished input file; then everything
    but the checkpoint (cut after its last whole line) and the findings parts it names is
    removed. It replaces any other interrupted scan: it is the newest, since every scan
    recovers the stages of the ones before it when it opens the dataset.

    Returns:
        The number of finished input files kept (0: the stage was removed, also when
        keeping it failed).
    """
    index = _read_checkpoints(stage / CHECKPOINT)
    kept = stage.with_name(".interrupted-" + stage.name.removeprefix(".staging-"))
    with contextlib.suppress(OSError):  # then it is removed
        if index.finished:
            for child in stage.iterdir():
                if child.name == "findings":
                    for part in child.iterdir():
                        if part.name not in index.parts:
                            part.unlink()
                elif child.name != CHECKPOINT:
                    shutil.rmtree(child)
            os.truncate(stage / CHECKPOINT, index.size)
            os.replace(stage, kept)
    if not kept.exists():
        shutil.rmtree(stage, ignore_errors=True)
        return 0
    for other in stage.parent.glob(".interrupted-*"):
        if other != kept:
            shutil.rmtree(other, ignore_errors=True)
    return index.files


@dataclass
class _Checkpoints:
    """What a checkpoint file holds up to its first torn or invalid line."""

    header: dict[str, Any] | None = None
    #: identity (path, size, mtime_ns, sha256) -> byte offsets of the inputs' lines
    finished: dict[tuple, list[int]] = field(default_factory=dict)
    parts: set[str] = field(default_factory=set)  # the findings parts the lines name
    size: int = 0  # bytes of the valid lines

    @property
    def files(self) -> int:
        """The number of finished input files."""
        return sum(len(offsets) for offsets in self.finished.values())


def _read_checkpoints(path: Path) -> _Checkpoints:
    """Index a checkpoint file; a torn or invalid line ends it (the lines before count)."""
    index = _Checkpoints()
    try:
        fh = open(path, "rb")  # closed by the with-block below
    except OSError:
        return index
    with fh:
        for line in fh:
            parsed = _checkpoint_line(line, header=index.header is None)
            if parsed is None:
                break
            if index.header is None:
                index.header = parsed["header"]
            else:
                for finished in parsed["inputs"]:
                    index.finished.setdefault(input_identity(finished), []).append(index.size)
                index.parts.update(name for name, _rows in parsed["parts"])
            index.size += len(line)
    return index


def _checkpoint_line(line: bytes, *, header: bool) -> dict[str, Any] | None:
    """A checkpoint line parsed and checked, or None when it is torn or not one."""
    if not line.endswith(b"\n"):
        return None
    try:
        parsed = orjson.loads(line)
        if header:
            valid = isinstance(parsed["header"], dict)
        else:
            inputs = parsed["inputs"]
            valid = (
                isinstance(inputs, list)
                and bool(inputs)
                and all(
                    isinstance(finished[k], t)
                    for finished in inputs
                    for k, t in (*_IDENTITY.items(), *((k, int) for k in _COUNTS))
                )
                and all(
                    _PART_NAME.fullmatch(name) and isinstance(rows, int)
                    for name, rows in parsed["parts"]
                )
                and all(
                    set(row) == set(SCHEMAS[table].names)
                    for table in ("fields", "errors")
                    for row in parsed[table]
                )
            )
    except (KeyError, TypeError, ValueError):  # orjson.JSONDecodeError is a ValueError
        return None
    return parsed if valid else None
