"""What bounds an input while it streams, and how its failures are told.

:class:`Limits` are the bounds; a :class:`Budget` counts one top-level file's decompressed
bytes against them (every layer) and remembers what the file looked like when opened; a
:class:`WatchedFile` reads the file on disk at the size it had then; a :class:`Guarded`
stream wraps a decompressor or an archive member, counts its bytes, checks its CRC and
turns a decoder's exception into a :class:`CorruptData`. Every failure is an
:class:`InputError`, an ``OSError`` whose message says what is wrong in words, never
quoting the data (:func:`os_reason`, :func:`corrupt_reason`).
"""

from __future__ import annotations

import contextlib
import errno
import io
import lzma
import os
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from scanner.errors import EXHAUSTED, ResourceError

#: Errors decompressors and archive readers raise on bad data (gzip/bz2 raise OSError).
DATA_ERRORS = (
    OSError,
    EOFError,
    zlib.error,
    lzma.LZMAError,
    zipfile.BadZipFile,
    tarfile.TarError,
)
#: LZMA's decoder allocates the dictionary the header asks for; the largest preset uses
#: 64 MiB.
MAX_LZMA_DICT = 256 * 1024**2


@dataclass(frozen=True)
class Limits:
    """Bounds that keep hostile archives from exhausting memory or time.

    Attributes:
        max_archive_depth: containers nested deeper than this are skipped.
        max_member_bytes: one decompressed stream (an archive member, a ``.gz`` file) may
            not expand past this many bytes; counted while reading.
        max_nested_archive_bytes: an archive inside a stream that cannot seek (a zip inside
            a gzip, any archive inside a tar) is held in memory up to this size.
        max_expanded_bytes: all decompressed bytes of one input file, every layer counted.
        max_expansion_ratio: decompressed bytes of one input file (every layer) over its
            size on disk; enforced once ``ratio_floor_bytes`` have been expanded.
        ratio_floor_bytes: below this many expanded bytes the ratio is not enforced (a
            small file of very repetitive text is harmless).
    """

    max_archive_depth: int = 3
    max_member_bytes: int = 8 * 1024**3
    max_nested_archive_bytes: int = 256 * 1024**2
    max_expanded_bytes: int = 64 * 1024**3
    max_expansion_ratio: int = 500
    ratio_floor_bytes: int = 16 * 1024**2


class InputError(OSError):
    """An input could not be read; the message says why in words and never quotes data."""


class CorruptData(InputError):
    """Compressed or archived data that does not decode."""


class LimitExceeded(InputError):
    """A stream expanded past a configured limit; the rest of it is not read."""


class InputChanged(InputError):
    """The file changed (grew, shrank, was rewritten) while it was being read."""


class Budget:
    """What one top-level file may still expand to, and what it looked like when opened."""

    def __init__(self, limits: Limits, top: Path, st: os.stat_result):
        self.limits = limits
        self.top = top
        self.size = st.st_size
        self.mtime = st.st_mtime_ns
        self.expanded = 0
        self.exceeded: LimitExceeded | None = None
        self.change_reported = False

    def spend(self, n: int) -> None:
        """Count ``n`` more decompressed bytes.

        Raises:
            LimitExceeded: the file now expands past ``max_expanded_bytes`` or the
                expansion ratio (and every later call says so again).
        """
        if self.exceeded is not None:
            raise LimitExceeded(str(self.exceeded))
        self.expanded += n
        lim = self.limits
        if self.expanded > lim.max_expanded_bytes:
            self.exceeded = LimitExceeded(
                f"the input file expands past {human_size(lim.max_expanded_bytes)} in total "
                "(limits.max_expanded_bytes); the rest was not read"
            )
        elif (
            self.expanded > lim.ratio_floor_bytes
            and self.expanded > lim.max_expansion_ratio * max(self.size, 1)
        ):
            self.exceeded = LimitExceeded(
                f"the input file expands more than {lim.max_expansion_ratio} times its size on "
                "disk (limits.max_expansion_ratio), like a zip bomb; the rest was not read"
            )
        if self.exceeded is not None:
            raise LimitExceeded(str(self.exceeded))

    def changed(self) -> str | None:
        """Why the file on disk is not the one that was opened, or None."""
        if self.change_reported:
            return None
        try:
            st = os.stat(self.top)
        except OSError:
            return "the file was removed while being read"
        if st.st_size != self.size:
            return f"the file changed size while being read ({self.size} -> {st.st_size} bytes)"
        if st.st_mtime_ns != self.mtime:
            return "the file was modified while being read"
        return None


class WatchedFile(io.RawIOBase):
    """A file on disk read as the size it had when opened; a change is an error at its end."""

    def __init__(self, path: Path, budget: Budget):
        self._fh = open(path, "rb", buffering=0)  # closed in close()
        st = os.fstat(self._fh.fileno())
        self._size, self._mtime, self._pos = st.st_size, st.st_mtime_ns, 0
        self._budget = budget

    def readable(self) -> bool:
        """Always True."""
        return True

    def seekable(self) -> bool:
        """Always True."""
        return True

    def tell(self) -> int:
        """The position in the file."""
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move within the file's size at opening (``SEEK_END`` is relative to it)."""
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        self._fh.seek(self._pos)
        return self._pos

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        """Read up to the size at opening; at the end, raise :class:`InputChanged` if needed."""
        want = min(len(b), self._size - self._pos)
        n = self._fh.readinto(memoryview(b)[:want]) if want > 0 else 0
        if not n:
            self._check()
            return 0
        self._pos += n
        return n

    def _check(self) -> None:
        st = os.fstat(self._fh.fileno())
        reason = None
        if st.st_size > self._size:
            reason = (
                f"the file grew from {self._size} to {st.st_size} bytes while being read; "
                f"only the first {self._size} were read"
            )
        elif st.st_size < self._size or self._pos < self._size:
            reason = (
                f"the file was truncated from {self._size} to {st.st_size} bytes while "
                "being read; the rest could not be read"
            )
        elif st.st_mtime_ns != self._mtime:
            reason = "the file was modified while being read"
        if reason:
            self._budget.change_reported = True
            raise InputChanged(reason)

    def close(self) -> None:
        """Close the file."""
        if not self.closed:
            self._fh.close()
        super().close()


class Guarded(io.RawIOBase):
    """A decompressed or member stream: counts bytes against the limits, names failures."""

    def __init__(
        self,
        inner: IO[bytes],
        label: str,
        budget: Budget,
        *,
        count: bool = True,
        crc: int | None = None,
        declared: int | None = None,
    ):
        self._inner = inner
        self._declared = declared
        self._label = label
        self._budget = budget
        self._count = count
        self._out = 0
        self._crc = 0 if crc is not None else None
        self._expected_crc = crc

    def readable(self) -> bool:
        """Always True."""
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        """Read from the inner stream, counting and checking what it gives."""
        try:
            # read1, not readinto: a decompressor that fails mid-stream must not take the
            # bytes it already produced with it (a truncated .gz keeps all but its tail).
            data = self._inner.read1(len(b))  # type: ignore[attr-defined]
        except InputError:
            raise
        except DATA_ERRORS as exc:
            raise CorruptData(corrupt_reason(self._label, exc)) from None
        n = len(data)
        b[:n] = data
        if not n:
            if self._crc is not None and self._crc != self._expected_crc:
                raise CorruptData(f"corrupt {self._label}: checksum mismatch")
            return 0
        if self._crc is not None:
            self._crc = zlib.crc32(memoryview(b)[:n], self._crc)
        if self._count:
            self._out += n
            if self._declared is not None and self._out > self._declared:
                raise CorruptData(f"corrupt {self._label}: larger than its header says")
            limit = self._budget.limits.max_member_bytes
            if self._out > limit:
                raise LimitExceeded(
                    f"{self._label} expands past {human_size(limit)} (limits.max_member_bytes); "
                    "the rest was not read"
                )
            self._budget.spend(n)
        return n

    def close(self) -> None:
        """Close the inner stream too; its errors on closing are of no use."""
        if not self.closed:
            with contextlib.suppress(Exception):
                self._inner.close()
        super().close()


def corrupt_reason(label: str, exc: BaseException) -> str:
    """What is wrong with ``label``'s data, in words, from a decoder's exception."""
    # Only fixed library texts are passed on (zlib's and liblzma's); others may quote bytes.
    text = str(exc)
    if isinstance(exc, OSError) and exc.errno is not None:
        return f"cannot read: {exc.strerror}"
    if isinstance(exc, EOFError) or "unexpected end" in text or "truncated" in text:
        detail = "truncated (the data ends early)"
    elif isinstance(exc, zlib.error | lzma.LZMAError):
        detail = text.rpartition(": ")[2].lower()
    elif "CRC" in text or "checksum" in text:
        detail = "checksum mismatch"
    else:
        detail = "invalid data"
    return f"corrupt {label}: {detail}"


def os_reason(exc: OSError, path: Path | None = None) -> str:
    """Why an input cannot be read, in words.

    Raises:
        ResourceError: too many open files: the system's limit, which would fail any file.
    """
    if exc.errno in EXHAUSTED:
        raise ResourceError(exc.errno) from None
    if exc.errno == errno.ELOOP:
        return "symbolic link loop; skipped"
    if exc.errno == errno.ENOENT and path is not None and path.is_symlink():
        return "broken symbolic link (its target does not exist); skipped"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "cannot read: permission denied"
    return f"cannot read: {exc.strerror or exc.__class__.__name__}"


def human_size(n: float) -> str:
    """A byte count as a limit is told: ``100 bytes``, ``8 GiB``, ``1.5 MiB``."""
    if n < 1024:
        return f"{int(n)} bytes"
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        n /= 1024
        if n < 1024 or unit == "TiB":
            break
    return f"{n:.0f} {unit}" if n == int(n) else f"{n:.1f} {unit}"
