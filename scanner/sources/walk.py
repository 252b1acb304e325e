"""Which files a scan reads, and the name each one goes by.

The scan arguments without repeats (:func:`distinct_roots`), the directory every input
file's ``source_path`` is relative to (:func:`input_base`, :func:`base_length`: the same
rule for local files and, on Spark, files listed under URIs), ``--include``/``--exclude``
(:class:`PathFilter`) and the walk itself (:func:`walk`): regular files in a stable order,
hidden ones skipped, symlinked directories not followed, and anything else reported.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from scanner.escaping import printable
from scanner.record import ReadProblem
from scanner.sources.guards import os_reason

_SPECIAL = (
    (stat.S_ISFIFO, "named pipe (FIFO)"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISSOCK, "socket"),
)


@dataclass
class InputFile:
    """A top-level file found under a scan argument."""

    path: Path
    display: str
    #: a file named by URI and read through Spark (``path`` is then a local copy, if any)
    uri: str | None = None


def distinct_roots(paths: Sequence[Path]) -> tuple[list[Path], list[str]]:
    """The scan arguments without repeats, whose files would otherwise be read twice.

    An argument given twice, or inside a directory given too, is dropped.

    Returns:
        The arguments kept, in their order, and a sentence per argument dropped.
    """
    kept: list[Path] = []
    notes: list[str] = []
    real = {p: os.path.realpath(p) for p in paths}
    for path in paths:
        inside = next(
            (
                other
                for other in paths
                if other is not path
                and other.is_dir()
                and (real[path].startswith(real[other].rstrip(os.sep) + os.sep))
            ),
            None,
        )
        if inside is not None:
            notes.append(f"{printable(str(path))} is inside {printable(str(inside))}: read once")
        elif any(real[k] == real[path] for k in kept):
            notes.append(f"{printable(str(path))} is given twice: read once")
        else:
            kept.append(path)
    return kept, notes


def input_base(paths: Sequence[Path]) -> Path:
    """The directory every input file's name (``source_path``) is relative to.

    One directory argument: that directory (``cef/cato_cef.log``); one file: its directory
    (``events.jsonl``); several arguments: their common parent, so that files of the same
    name in two of them stay apart (``day1/events.jsonl``, ``day2/events.jsonl``).
    """
    if not paths:
        return Path(os.getcwd())
    absolute = [Path(os.path.abspath(p)) for p in paths]
    n = base_length([(p.parts, p.is_dir()) for p in absolute])
    return Path(*absolute[0].parts[:n])


def base_length(arguments: Sequence[tuple[Sequence[str], bool]]) -> int:
    """How many leading path components the input files' names leave out (see :func:`input_base`).

    ``arguments``: each argument's path components and whether it is a directory (the same
    rule names local files and, on Spark, files listed under URIs).
    """
    if len(arguments) == 1:
        parts, is_dir = arguments[0]
        return len(parts) if is_dir else len(parts) - 1
    n = 0
    for column in zip(*(parts for parts, _is_dir in arguments), strict=False):
        if len(set(column)) > 1:
            break
        n += 1
    return min([n] + [len(parts) - 1 for parts, is_dir in arguments if not is_dir])


@dataclass(frozen=True)
class PathFilter:
    """``--include`` / ``--exclude``: which input files a scan reads, by their ``source_path``.

    Globs as in ``fnmatch`` (case-sensitive; ``*`` also matches ``/``): a file is read when
    it matches one of ``include`` (if any is given) and none of ``exclude``.
    """

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def __call__(self, display: str) -> bool:
        """Whether the file named ``display`` is read."""
        if self.include and not any(fnmatch.fnmatchcase(display, g) for g in self.include):
            return False
        return not any(fnmatch.fnmatchcase(display, g) for g in self.exclude)


def walk(
    paths: Sequence[Path],
    problems: list[tuple[str, ReadProblem]],
    base: Path | None = None,
) -> Iterator[InputFile]:
    """Yield every regular file under ``paths`` in a stable (sorted) order.

    Each file is named relative to ``base`` (default: :func:`input_base` of ``paths``).
    Directories are read recursively; symlinks to files are followed once, symlinked
    directories are not followed (no loops) and are reported. Special files (FIFOs,
    devices, sockets), broken or looping links and unreadable entries are reported in
    ``problems`` and skipped. Hidden files and directories are skipped.
    """
    base = input_base(paths) if base is None else base
    for given in paths:
        root = Path(os.path.abspath(given))
        entries = sorted(_iter_dir(root, base, problems)) if root.is_dir() else [root]
        for path in entries:
            display = printable(path.relative_to(base).as_posix())
            try:
                st = path.stat()
            except OSError as exc:
                problems.append((display, ReadProblem(None, None, os_reason(exc, path))))
                continue
            if not stat.S_ISREG(st.st_mode):
                kind = next((k for test, k in _SPECIAL if test(st.st_mode)), "not a file")
                problems.append(
                    (display, ReadProblem(None, None, f"{kind}, not a regular file; skipped"))
                )
                continue
            yield InputFile(path, display)


def _iter_dir(root: Path, base: Path, problems: list[tuple[str, ReadProblem]]) -> Iterator[Path]:
    def rel(path: str) -> str:
        return printable(Path(path).relative_to(base).as_posix()) or "."

    def onerror(exc: OSError) -> None:
        where = rel(exc.filename) if exc.filename else printable(str(root))
        problems.append((where, ReadProblem(None, None, os_reason(exc))))

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=False):
        kept = []
        for d in sorted(dirnames):
            if d.startswith("."):
                continue
            link = os.path.join(dirpath, d)
            if os.path.islink(link):
                problems.append((rel(link), ReadProblem(None, None, _dir_link_reason(link))))
            else:
                kept.append(d)
        dirnames[:] = kept
        for name in filenames:
            if not name.startswith("."):
                yield Path(dirpath) / name


def _dir_link_reason(link: str) -> str:
    target = os.path.realpath(link)
    parent = os.path.realpath(os.path.dirname(link))
    if parent == target or parent.startswith(target.rstrip(os.sep) + os.sep):
        return "symbolic link loop (points to a directory above it); not followed"
    return "symbolic link to a directory; not followed (give it as a PATH to scan it)"
