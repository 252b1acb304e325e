"""Inputs as byte streams: walk paths, peel compression, open archive members.

This is the layer under the readers: whatever the container (plain file, ``.gz``, ``.bz2``,
``.xz``, ``.zip`` with every member, ``.tar``/``.tar.gz``, nested up to a depth limit), a
reader gets a binary stream of the decompressed bytes. Nothing is extracted to disk.
Containers are recognised by their magic bytes, not their names.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import stat
import tarfile
import zipfile
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


@dataclass(frozen=True)
class Limits:
    """Bounds that keep hostile archives from exhausting memory or time."""

    max_archive_depth: int = 3
    max_member_bytes: int = 8 * 1024**3
    max_nested_archive_bytes: int = 256 * 1024**2


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


def walk(paths: list[Path], problems: list[tuple[str, ReadProblem]]) -> Iterator[InputFile]:
    """Yield every regular file under ``paths`` in a stable (sorted) order.

    Directories are read recursively; symlinks to files are followed once, symlinked
    directories are not followed (no loops). Special files (FIFOs, devices, sockets) and
    unreadable entries are reported in ``problems`` and skipped.
    """
    for root in paths:
        base = root if root.is_dir() else root.parent
        if root.is_dir():
            entries = sorted(_iter_dir(root, problems))
        else:
            entries = [root]
        for path in entries:
            display = path.relative_to(base).as_posix() if root.is_dir() else path.name
            try:
                st = path.stat()
            except OSError as exc:
                problems.append((display, ReadProblem(None, None, _os_reason(exc))))
                continue
            if not stat.S_ISREG(st.st_mode):
                problems.append((display, ReadProblem(None, None, "not a regular file; skipped")))
                continue
            yield InputFile(path, display)


def _iter_dir(root: Path, problems: list[tuple[str, ReadProblem]]) -> Iterator[Path]:
    def onerror(exc: OSError) -> None:
        rel = Path(exc.filename).relative_to(root).as_posix() if exc.filename else str(root)
        problems.append((rel or ".", ReadProblem(None, None, _os_reason(exc))))

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if not name.startswith("."):
                yield Path(dirpath) / name


def _os_reason(exc: OSError) -> str:
    return f"cannot read: {exc.strerror or exc.__class__.__name__}"


def sources(item: InputFile, limits: Limits) -> Iterator[Source | tuple[str, ReadProblem]]:
    """Yield the readable streams inside one top-level file, or problems with them."""
    try:
        with open(item.path, "rb") as fh:
            head = fh.read(262)
    except OSError as exc:
        yield item.display, ReadProblem(None, None, _os_reason(exc))
        return
    path = item.path
    yield from _expand(
        item.display, path.name, lambda: open(path, "rb"), head, item.path, [], 0, limits
    )


def _expand(
    display: str,
    name: str,
    opener: Callable[[], BinaryIO],
    head: bytes,
    top: Path,
    chain: list[str],
    depth: int,
    limits: Limits,
) -> Iterator[Source | tuple[str, ReadProblem]]:
    kind = container_kind(head)
    if kind is None:
        yield Source(display, name, opener, top, chain)
        return
    if depth >= limits.max_archive_depth:
        yield (
            display,
            ReadProblem(
                None, None, f"archive nested deeper than {limits.max_archive_depth} levels; skipped"
            ),
        )
        return
    if kind in ("gzip", "bzip2", "xz"):
        inner_name = _strip_suffix(name)
        decompress = _DECOMPRESSORS[kind]

        def inner_open(opener: Callable[[], BinaryIO] = opener) -> BinaryIO:
            return decompress(opener())

        try:
            with inner_open() as s:
                inner_head = s.read(262)
        except (OSError, EOFError, lzma.LZMAError) as exc:
            yield display, ReadProblem(None, None, f"corrupt {kind} data: {_short(exc)}")
            return
        if container_kind(inner_head) == "tar":
            yield from _tar_members(display, inner_open, top, [*chain, kind], depth, limits)
        else:
            yield from _expand(
                display, inner_name, inner_open, inner_head, top, [*chain, kind], depth + 1, limits
            )
    elif kind == "zip":
        yield from _zip_members(display, opener, top, chain, depth, limits)
    elif kind == "tar":
        yield from _tar_members(display, opener, top, chain, depth, limits)


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


_DECOMPRESSORS: dict[str, Callable[[BinaryIO], BinaryIO]] = {
    "gzip": lambda raw: gzip.GzipFile(fileobj=raw, mode="rb"),  # type: ignore[dict-item]
    "bzip2": lambda raw: bz2.BZ2File(raw, mode="rb"),  # type: ignore[dict-item]
    "xz": lambda raw: lzma.LZMAFile(raw, mode="rb"),  # type: ignore[dict-item]
}


def _strip_suffix(name: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    if dot and f".{suffix.lower()}" in _COMPRESSED_SUFFIXES:
        return stem
    if suffix.lower() == "tgz":
        return f"{stem}.tar"
    return name


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return text[:200]


def _zip_members(
    display: str,
    opener: Callable[[], BinaryIO],
    top: Path,
    chain: list[str],
    depth: int,
    limits: Limits,
) -> Iterator[Source | tuple[str, ReadProblem]]:
    try:
        raw = opener()
        if not raw.seekable():
            raw = _spool(raw, limits.max_nested_archive_bytes)
        archive = zipfile.ZipFile(raw)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        yield display, ReadProblem(None, None, f"corrupt zip archive: {_short(exc)}")
        return
    for info in infos:
        if info.is_dir():
            continue
        member = f"{display}!{info.filename}"
        if info.flag_bits & 0x1:
            yield member, ReadProblem(None, None, "encrypted zip member; no password given")
            continue
        if info.file_size > limits.max_member_bytes:
            yield (
                member,
                ReadProblem(
                    None, None, f"member expands to {info.file_size} bytes, over the limit"
                ),
            )
            continue

        def member_open(info: zipfile.ZipInfo = info) -> BinaryIO:
            return archive.open(info)  # type: ignore[return-value]

        try:
            with member_open() as s:
                head = s.read(262)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            yield member, ReadProblem(None, None, f"corrupt zip member: {_short(exc)}")
            continue
        name = info.filename.rsplit("/", 1)[-1]
        yield from _expand(member, name, member_open, head, top, [*chain, "zip"], depth + 1, limits)


def _tar_members(
    display: str,
    opener: Callable[[], BinaryIO],
    top: Path,
    chain: list[str],
    depth: int,
    limits: Limits,
) -> Iterator[Source | tuple[str, ReadProblem]]:
    # Tar is read as a stream (mode "r|"), so it also works inside gzip/bz2 streams.
    try:
        raw = opener()
        archive = tarfile.open(fileobj=raw, mode="r|")
        for info in archive:
            if not info.isfile():
                continue
            member = f"{display}!{info.name.lstrip('./')}"
            if info.size > limits.max_member_bytes:
                yield (
                    member,
                    ReadProblem(
                        None, None, f"tar member of {info.size} bytes is over the member limit"
                    ),
                )
                continue
            fh = archive.extractfile(info)
            if fh is None:
                continue
            stream = io.BufferedReader(fh, buffer_size=1 << 16)  # type: ignore[arg-type]
            head = stream.peek(262)[:262]
            name = info.name.rsplit("/", 1)[-1]
            if container_kind(head) is None:
                # Plain member: streamed straight from the archive; the pipeline reads it
                # fully before the next member is reached, so one open is enough.
                yield Source(member, name, lambda stream=stream: stream, top, [*chain, "tar"])
                continue
            data = stream.read(limits.max_nested_archive_bytes + 1)
            if len(data) > limits.max_nested_archive_bytes:
                yield (
                    member,
                    ReadProblem(
                        None, None, "nested archive in a tar member is over the member limit"
                    ),
                )
                continue
            yield from _expand(
                member,
                name,
                lambda data=data: io.BytesIO(data),
                data[:262],
                top,
                [*chain, "tar"],
                depth + 1,
                limits,
            )
    except (tarfile.TarError, OSError, EOFError) as exc:
        yield display, ReadProblem(None, None, f"corrupt tar archive: {_short(exc)}")


def _spool(stream: BinaryIO, cap: int) -> BinaryIO:
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise ValueError(f"nested archive larger than {cap} bytes")
    return io.BytesIO(data)
