"""Exceptions that cross module boundaries; the CLI maps each to an exit code."""

from __future__ import annotations

import errno
import os
import resource


class CatoscanError(Exception):
    """Base class of catoscan's own errors."""


class ConfigError(CatoscanError):
    """A configuration file, option or key is missing or invalid (exit code 2)."""


class ModelError(CatoscanError):
    """The configured spaCy model cannot be loaded (exit code 2)."""


class EngineError(CatoscanError):
    """The engine could not run the scan (a failed Spark job, a dead worker process).

    Nothing is committed (exit code 70).

    Attributes:
        kept: finished input files kept in the dataset for ``scan --resume`` (0: none).
    """

    kept = 0


class ResourceError(CatoscanError):
    """The system refused what catoscan needs to go on (exit code 74, sysexits' EX_IOERR).

    No space left, a disk quota, a file-size limit, a read-only file system, permission
    denied on the dataset or an output file, too many open files. Made by
    :func:`resource_error` (or from any ``OSError`` of a findings part, which is the
    dataset's, never an input's); a scan commits nothing (unless it had passed its commit
    point: ``journaled``).

    Attributes:
        code: the ``errno``.
        path: where it happened (the dataset folder, an output file), if anywhere.
        kept: finished input files kept in the dataset for ``scan --resume`` (0: none).
        written: bytes the scan had written into the dataset when it failed, if known
            (set for the errors of :data:`NO_ROOM`).
        free: bytes its file system had free for the dataset's user then, if known (set
            for ``ENOSPC`` only: a quota or a file-size limit is not about free space).
        journaled: the scan had passed its commit point; the next scan of the dataset
            finishes the commit.
    """

    kept = 0
    written: int | None = None
    free: int | None = None
    journaled = False

    def __init__(self, code: int, path: str | None = None):
        super().__init__(code, path)
        self.code = code
        self.path = path

    def __str__(self) -> str:
        what = RESOURCE_REASONS.get(self.code) or os.strerror(self.code).lower()
        if self.code == errno.EMFILE:
            soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
            what += f" (this process may open {soft}: raise ulimit -n, or use fewer --workers)"
        return f"{self.path}: {what}" if self.path and self.code not in EXHAUSTED else what


#: errno -> what the system refused, in words: what :func:`resource_error` turns into a
#: :class:`ResourceError` rather than a failure of one input or an internal error.
RESOURCE_REASONS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "file too large for the file system or for ulimit -f",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EMFILE: "too many open files",
    errno.ENFILE: "too many open files in the system",
    errno.EIO: "input/output error (a failing disk or a lost network share?)",
}
#: The errors of running out of room: their message says how much the scan had written.
NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
#: The errors of opening an input that are the system's, not the file's: any file would
#: fail (so the message names none).
EXHAUSTED = frozenset({errno.EMFILE, errno.ENFILE})


def resource_error(exc: BaseException, path: object = None) -> ResourceError | None:
    """The :class:`ResourceError` an ``OSError`` of writing ``path`` is, or None.

    None for other errors (a missing folder, a bug), which keep their own handling.
    """
    if isinstance(exc, OSError) and exc.errno in RESOURCE_REASONS:
        return ResourceError(exc.errno, None if path is None else str(path))
    return None


class ScanInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a scan before its commit (exit code 130).

    Attributes:
        kept: finished input files kept in the dataset for ``scan --resume`` (0: none).
    """

    def __init__(self, kept: int):
        super().__init__(kept)
        self.kept = kept
