"""Inputs as byte streams: walk paths, peel compression, open archive members.

This is the layer under the readers: whatever the container (plain file, ``.gz``, ``.bz2``,
``.xz``, ``.zip`` with every member, ``.tar``/``.tar.gz``, nested up to a depth limit), a
reader gets a binary stream of the decompressed bytes. Nothing is extracted to disk.
Containers are recognised by their magic bytes, not their names.

Hostile input is bounded while it streams, not from what headers claim: every decompressed
byte counts against the per-stream and per-file limits and the expansion ratio (a zip bomb
stops at the first limit it passes), archive member names are never used as paths (members
with absolute or ``..`` names are refused), links inside archives are never followed, and a
file that changes while it is read is reported. Every failure is an :class:`InputError`, an
``OSError`` whose message says what is wrong in words, never quoting the data.
"""

from __future__ import annotations

import bz2
import contextlib
import copy
import errno
import gzip
import io
import lzma
import os
import re
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from scanner.record import ReadProblem

_GZIP = b"\x1f\x8b"
_BZ2 = b"BZh"
_XZ = b"\xfd7zXZ\x00"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_COMPRESSED_SUFFIXES = {".gz": "gzip", ".gzip": "gzip", ".bz2": "bzip2", ".xz": "xz"}
# Errors decompressors and archive readers raise on bad data (gzip/bz2 raise OSError).
_DATA_ERRORS = (
    OSError,
    EOFError,
    zlib.error,
    lzma.LZMAError,
    zipfile.BadZipFile,
    tarfile.TarError,
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\udc80-\udcff]")
_SPECIAL = (
    (stat.S_ISFIFO, "named pipe (FIFO)"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISSOCK, "socket"),
)


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


@dataclass
class Source:
    """One readable stream: a plain file, a decompressed file or an archive member.

    Attributes:
        path: as shown in the inventory: relative to the scan argument, members as
            ``a.zip!dir/member`` (nested: ``a.zip!b.tar!c.log``).
        name: the innermost file name with compression suffixes removed, for sniffing.
        open: returns a fresh binary stream of the decompressed bytes.
        top: the top-level file on disk this source comes from.
        compression: the chain of containers, e.g. ``["zip", "gzip"]``.
    """

    path: str
    name: str
    open: Callable[[], BinaryIO]
    top: Path
    compression: list[str] = field(default_factory=list)


@dataclass
class InputFile:
    """A top-level file found under a scan argument."""

    path: Path
    display: str
    #: a file named by URI and read through Spark (``path`` is then a local copy, if any)
    uri: str | None = None


def printable(name: str) -> str:
    r"""A file or member name safe to print and store.

    Control characters and undecodable bytes become ``\xNN`` escapes, so a hostile name
    cannot rewrite the terminal or forge a log line.
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()) & 0xFF:02x}", name)


# -- walking -----------------------------------------------------------------------------
def walk(paths: list[Path], problems: list[tuple[str, ReadProblem]]) -> Iterator[InputFile]:
    """Yield every regular file under ``paths`` in a stable (sorted) order.

    Directories are read recursively; symlinks to files are followed once, symlinked
    directories are not followed (no loops) and are reported. Special files (FIFOs,
    devices, sockets), broken or looping links and unreadable entries are reported in
    ``problems`` and skipped. Hidden files and directories are skipped.
    """
    for root in paths:
        base = root if root.is_dir() else root.parent
        if root.is_dir():
            entries = sorted(_iter_dir(root, problems))
        else:
            entries = [root]
        for path in entries:
            display = printable(path.relative_to(base).as_posix() if root.is_dir() else path.name)
            try:
                st = path.stat()
            except OSError as exc:
                problems.append((display, ReadProblem(None, None, _os_reason(exc, path))))
                continue
            if not stat.S_ISREG(st.st_mode):
                kind = next((k for test, k in _SPECIAL if test(st.st_mode)), "not a file")
                problems.append(
                    (display, ReadProblem(None, None, f"{kind}, not a regular file; skipped"))
                )
                continue
            yield InputFile(path, display)


def _iter_dir(root: Path, problems: list[tuple[str, ReadProblem]]) -> Iterator[Path]:
    def rel(path: str) -> str:
        return printable(Path(path).relative_to(root).as_posix()) or "."

    def onerror(exc: OSError) -> None:
        where = rel(exc.filename) if exc.filename else printable(str(root))
        problems.append((where, ReadProblem(None, None, _os_reason(exc))))

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


def _os_reason(exc: OSError, path: Path | None = None) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop; skipped"
    if exc.errno == errno.ENOENT and path is not None and path.is_symlink():
        return "broken symbolic link (its target does not exist); skipped"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "cannot read: permission denied"
    return f"cannot read: {exc.strerror or exc.__class__.__name__}"


# -- containers --------------------------------------------------------------------------
class _Budget:
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
        if self.exceeded is not None:
            raise LimitExceeded(str(self.exceeded))
        self.expanded += n
        lim = self.limits
        if self.expanded > lim.max_expanded_bytes:
            self.exceeded = LimitExceeded(
                f"the input file expands past {_size(lim.max_expanded_bytes)} in total "
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


class _WatchedFile(io.RawIOBase):
    """A file on disk read as the size it had when opened; a change is an error at its end."""

    def __init__(self, path: Path, budget: _Budget):
        self._fh = open(path, "rb", buffering=0)  # noqa: SIM115 - closed in close()
        st = os.fstat(self._fh.fileno())
        self._size, self._mtime, self._pos = st.st_size, st.st_mtime_ns, 0
        self._budget = budget

    def readable(self) -> bool:  # noqa: D102
        return True

    def seekable(self) -> bool:  # noqa: D102
        return True

    def tell(self) -> int:  # noqa: D102
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:  # noqa: D102
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        self._fh.seek(self._pos)
        return self._pos

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]  # noqa: D102
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

    def close(self) -> None:  # noqa: D102
        if not self.closed:
            self._fh.close()
        super().close()


class _Guarded(io.RawIOBase):
    """A decompressed or member stream: counts bytes against the limits, names failures."""

    def __init__(
        self,
        inner: BinaryIO,
        label: str,
        budget: _Budget,
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

    def readable(self) -> bool:  # noqa: D102
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]  # noqa: D102
        try:
            # read1, not readinto: a decompressor that fails mid-stream must not take the
            # bytes it already produced with it (a truncated .gz keeps all but its tail).
            data = self._inner.read1(len(b))  # type: ignore[attr-defined]
        except InputError:
            raise
        except _DATA_ERRORS as exc:
            raise CorruptData(_corrupt_reason(self._label, exc)) from None
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
                    f"{self._label} expands past {_size(limit)} (limits.max_member_bytes); "
                    "the rest was not read"
                )
            self._budget.spend(n)
        return n

    def close(self) -> None:  # noqa: D102
        if not self.closed:
            with contextlib.suppress(Exception):
                self._inner.close()
        super().close()


def _corrupt_reason(label: str, exc: BaseException) -> str:
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


def sources(item: InputFile, limits: Limits) -> Iterator[Source | tuple[str, ReadProblem]]:
    """Yield the readable streams inside one top-level file, or problems with them."""
    try:
        st = os.stat(item.path)
        with open(item.path, "rb") as fh:
            head = fh.read(262)
    except OSError as exc:
        yield item.display, ReadProblem(None, None, _os_reason(exc, item.path))
        return
    budget = _Budget(limits, item.path, st)
    path = item.path

    def top_open() -> BinaryIO:
        try:
            watched = _WatchedFile(path, budget)
        except OSError as exc:
            raise InputError(_os_reason(exc, path)) from None
        return io.BufferedReader(watched, 1 << 16)  # type: ignore[return-value]

    yield from _expand(item.display, path.name, top_open, head, budget, [], 0)
    # Archives are read by seeking and tar streams may stop before the end of the file:
    # a change the reads did not see is caught here.
    if container_kind(head) is not None and (reason := budget.changed()):
        yield item.display, ReadProblem(None, None, reason)


def _expand(
    display: str,
    name: str,
    opener: Callable[[], BinaryIO],
    head: bytes,
    budget: _Budget,
    chain: list[str],
    depth: int,
) -> Iterator[Source | tuple[str, ReadProblem]]:
    kind = container_kind(head)
    limits = budget.limits
    if kind is None:
        yield Source(display, name, opener, budget.top, chain)
        return
    if depth >= limits.max_archive_depth:
        reason = (
            f"archive nested deeper than {limits.max_archive_depth} levels "
            "(limits.max_archive_depth); skipped"
        )
        yield display, ReadProblem(None, None, reason)
        return
    if kind in ("gzip", "bzip2", "xz"):
        inner_name = _strip_suffix(name)
        decompress = _DECOMPRESSORS[kind]

        def inner_open(opener: Callable[[], BinaryIO] = opener) -> BinaryIO:
            return _Guarded(decompress(opener()), f"{kind} data", budget)  # type: ignore[return-value]

        try:
            with inner_open() as s:
                inner_head = s.read(262)
        except InputError as exc:
            yield display, ReadProblem(None, None, str(exc))
            return
        if container_kind(inner_head) == "tar":
            yield from _tar_members(display, inner_open, budget, [*chain, kind], depth)
        else:
            yield from _expand(
                display, inner_name, inner_open, inner_head, budget, [*chain, kind], depth + 1
            )
    elif kind == "zip":
        yield from _zip_members(display, opener, budget, chain, depth)
    elif kind == "tar":
        yield from _tar_members(display, opener, budget, chain, depth)


def container_kind(head: bytes) -> str | None:
    """Name the container format from the first 262 bytes, or None for plain data."""
    if head.startswith(_GZIP):
        return "gzip"
    if head.startswith(_BZ2) and len(head) > 3 and head[3:4].isdigit():
        return "bzip2"
    if head.startswith(_XZ):
        return "xz"
    if head.startswith(_ZIP):
        return "zip"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    return None


# LZMA's decoder allocates the dictionary the header asks for; the largest preset uses 64 MiB.
_MAX_LZMA_DICT = 256 * 1024**2


def _xz(raw: BinaryIO) -> BinaryIO:
    # LZMAFile, with a memory limit LZMAFile does not offer (a hostile header can ask for a
    # multi-GiB dictionary). _compression is the stdlib's shared reader behind LZMAFile.
    import _compression

    reader = _compression.DecompressReader(
        raw,
        lzma.LZMADecompressor,
        trailing_error=lzma.LZMAError,
        memlimit=_MAX_LZMA_DICT + (16 << 20),
    )
    return io.BufferedReader(reader)  # type: ignore[return-value]


# The file objects' own reads are bounded (they pass a max length to the decompressor).
_DECOMPRESSORS: dict[str, Callable[[BinaryIO], BinaryIO]] = {
    "gzip": lambda raw: gzip.GzipFile(fileobj=raw, mode="rb"),  # type: ignore[dict-item]
    "bzip2": lambda raw: bz2.BZ2File(raw, mode="rb"),  # type: ignore[dict-item]
    "xz": _xz,
}


def _strip_suffix(name: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    if dot and f".{suffix.lower()}" in _COMPRESSED_SUFFIXES:
        return stem
    if suffix.lower() == "tgz":
        return f"{stem}.tar"
    return name


def _size(n: float) -> str:
    if n < 1024:
        return f"{int(n)} bytes"
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        n /= 1024
        if n < 1024 or unit == "TiB":
            break
    return f"{n:.0f} {unit}" if n == int(n) else f"{n:.1f} {unit}"


def unsafe_member_name(name: str) -> bool:
    """Whether an archive member name is absolute or climbs out with ``..``."""
    norm = name.replace("\\", "/")
    return norm.startswith("/") or bool(re.match(r"[A-Za-z]:", norm)) or ".." in norm.split("/")


_UNSAFE = "member path is absolute or contains '..' (unsafe); skipped, not read"


def _zip_members(
    display: str,
    opener: Callable[[], BinaryIO],
    budget: _Budget,
    chain: list[str],
    depth: int,
) -> Iterator[Source | tuple[str, ReadProblem]]:
    limits = budget.limits
    try:
        raw = opener()
        if not raw.seekable():
            raw = _spool(raw, limits.max_nested_archive_bytes)
        archive = zipfile.ZipFile(raw)
        infos = archive.infolist()
    except InputError as exc:
        yield display, ReadProblem(None, None, str(exc))
        return
    except NotImplementedError:  # found by bench/fuzz.py: a "version needed" from the future
        yield display, ReadProblem(None, None, "zip archive of a version catoscan cannot read")
        return
    except (*_DATA_ERRORS, ValueError) as exc:
        yield display, ReadProblem(None, None, _corrupt_reason("zip archive", exc))
        return
    with archive, raw:
        for info in infos:
            if budget.exceeded is not None:
                reason = f"{budget.exceeded}; the remaining members were not read either"
                yield display, ReadProblem(None, None, reason)
                return
            if not info.filename:  # found by bench/fuzz.py: zipfile's is_dir() fails on it
                yield display, ReadProblem(None, None, "zip member with an empty name; skipped")
                continue
            if info.is_dir() or stat.S_ISLNK(info.external_attr >> 16):
                continue  # links inside archives are never followed
            member = f"{display}!{printable(info.filename)}"
            if unsafe_member_name(info.filename):
                yield member, ReadProblem(None, None, _UNSAFE)
                continue
            if info.flag_bits & 0x1:
                yield member, ReadProblem(None, None, "encrypted zip member; no password given")
                continue
            if info.file_size > limits.max_member_bytes:
                reason = (
                    f"member says it expands to {info.file_size} bytes, over the "
                    f"{_size(limits.max_member_bytes)} limit (limits.max_member_bytes); skipped"
                )
                yield member, ReadProblem(None, None, reason)
                continue

            def member_open(info: zipfile.ZipInfo = info) -> BinaryIO:
                return _open_zip_member(archive, info, budget)

            try:
                with member_open() as s:
                    head = s.read(262)
            except InputError as exc:
                yield member, ReadProblem(None, None, str(exc))
                continue
            except NotImplementedError:
                reason = (
                    f"zip member uses compression method {info.compress_type}, which "
                    "catoscan cannot read; skipped"
                )
                yield member, ReadProblem(None, None, reason)
                continue
            except (*_DATA_ERRORS, ValueError) as exc:
                yield member, ReadProblem(None, None, _corrupt_reason("zip member", exc))
                continue
            name = info.filename.rsplit("/", 1)[-1]
            yield from _expand(member, name, member_open, head, budget, [*chain, "zip"], depth + 1)


def _open_zip_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> BinaryIO:
    if info.compress_type not in (zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        return _Guarded(archive.open(info), "zip member", budget)  # type: ignore[return-value]
    # zipfile decompresses bzip2 and LZMA members without an output bound (178 bytes of
    # bzip2 can hold 200 MB), so those are read as stored bytes and decompressed here, in
    # bounded steps, with the CRC checked by the guard.
    raw_info = copy.copy(info)
    raw_info.compress_type = zipfile.ZIP_STORED
    raw_info.file_size = info.compress_size
    del raw_info.CRC  # the stored CRC is of the decompressed bytes
    raw = archive.open(raw_info)
    inner: BinaryIO
    if info.compress_type == zipfile.ZIP_BZIP2:
        inner = bz2.BZ2File(raw, mode="rb")  # type: ignore[assignment]
    else:
        inner = io.BufferedReader(_ZipLzma(raw))  # type: ignore[assignment]
    return _Guarded(  # type: ignore[return-value]
        inner, "zip member", budget, crc=info.CRC, declared=info.file_size
    )


class _ZipLzma(io.RawIOBase):
    """The LZMA flavour of zip (a 4-byte header, LZMA1 properties, raw data), bounded."""

    def __init__(self, raw: BinaryIO):
        self._raw = raw
        header = raw.read(4)
        if len(header) < 4:
            raise CorruptData("corrupt zip member: truncated (the data ends early)")
        props = raw.read(int.from_bytes(header[2:4], "little"))
        if len(props) != 5:
            raise CorruptData("corrupt zip member: bad LZMA properties")
        d = props[0]
        dict_size = int.from_bytes(props[1:5], "little")
        if dict_size > _MAX_LZMA_DICT:
            raise CorruptData(
                f"zip member asks for an LZMA dictionary over {_size(_MAX_LZMA_DICT)}; skipped"
            )
        filters = {
            "id": lzma.FILTER_LZMA1,
            "lc": d % 9,
            "lp": (d // 9) % 5,
            "pb": d // 45,
            "dict_size": dict_size,
        }
        try:
            self._dec = lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[filters])
        except (lzma.LZMAError, ValueError):
            raise CorruptData("corrupt zip member: bad LZMA properties") from None

    def readable(self) -> bool:  # noqa: D102
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]  # noqa: D102
        while not self._dec.eof:
            chunk = b"" if not self._dec.needs_input else self._raw.read(1 << 16)
            if self._dec.needs_input and not chunk:
                return 0  # no end marker: the member ends with its compressed bytes
            out = self._dec.decompress(chunk, len(b))
            if out:
                b[: len(out)] = out
                return len(out)
        return 0


def _tar_members(
    display: str,
    opener: Callable[[], BinaryIO],
    budget: _Budget,
    chain: list[str],
    depth: int,
) -> Iterator[Source | tuple[str, ReadProblem]]:
    # Tar is read as a stream (mode "r|"), so it also works inside gzip/bz2 streams.
    limits = budget.limits
    try:
        raw = opener()
        archive = tarfile.open(fileobj=raw, mode="r|")
        while (info := archive.next()) is not None:
            archive.members.clear()  # streaming: memory stays flat however many members
            if not info.isfile():
                continue  # directories, links (never followed), devices
            member = f"{display}!{printable(_strip_dot_slash(info.name))}"
            if unsafe_member_name(info.name):
                yield member, ReadProblem(None, None, _UNSAFE)
                continue
            if info.size > limits.max_member_bytes:
                reason = (
                    f"tar member of {info.size} bytes is over the "
                    f"{_size(limits.max_member_bytes)} limit (limits.max_member_bytes); skipped"
                )
                yield member, ReadProblem(None, None, reason)
                continue
            fh = archive.extractfile(info)
            if fh is None:
                continue
            guarded = _Guarded(fh, "tar member", budget, count=False)  # type: ignore[arg-type]
            stream = io.BufferedReader(guarded, buffer_size=1 << 16)
            head = stream.peek(262)[:262]
            name = info.name.rsplit("/", 1)[-1]
            if container_kind(head) is None:
                # Plain member: streamed straight from the archive; the pipeline reads it
                # fully before the next member is reached, so one open is enough.
                yield Source(member, name, lambda s=stream: s, budget.top, [*chain, "tar"])  # type: ignore[misc]
                continue
            data = stream.read(limits.max_nested_archive_bytes + 1)
            if len(data) > limits.max_nested_archive_bytes:
                reason = (
                    "nested archive in a tar member is over the "
                    f"{_size(limits.max_nested_archive_bytes)} limit "
                    "(limits.max_nested_archive_bytes); skipped"
                )
                yield member, ReadProblem(None, None, reason)
                continue
            yield from _expand(
                member,
                name,
                lambda data=data: io.BytesIO(data),
                data[:262],
                budget,
                [*chain, "tar"],
                depth + 1,
            )
    except InputError as exc:
        yield display, ReadProblem(None, None, str(exc))
    except _DATA_ERRORS as exc:
        yield display, ReadProblem(None, None, _corrupt_reason("tar archive", exc))


def _strip_dot_slash(name: str) -> str:
    while name.startswith("./"):
        name = name[2:]
    return name


def _spool(stream: BinaryIO, cap: int) -> BinaryIO:
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise LimitExceeded(
            f"nested archive larger than {_size(cap)} (limits.max_nested_archive_bytes); skipped"
        )
    return io.BytesIO(data)
