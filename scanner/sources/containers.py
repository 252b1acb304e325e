"""One input file's readable streams, layer after layer of compression and archives.

:func:`sources` opens a top-level file and peels what its magic bytes say it is: gzip,
bzip2 and xz data are decompressed (in bounded steps, and xz with a memory limit), zip and
tar archives are opened member by member (:mod:`scanner.sources.archives`), nested up to
``limits.max_archive_depth``; what is left is a :class:`Source`, a stream of plain bytes
for a reader. A file that changes while it is read is reported.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from scanner.record import ReadProblem
from scanner.sources.archives import tar_members, zip_members
from scanner.sources.guards import (
    MAX_LZMA_DICT,
    Budget,
    Guarded,
    InputError,
    Limits,
    WatchedFile,
    os_reason,
)
from scanner.sources.magic import HEAD_BYTES, container_kind
from scanner.sources.walk import InputFile

_COMPRESSED_SUFFIXES = {".gz": "gzip", ".gzip": "gzip", ".bz2": "bzip2", ".xz": "xz"}


@dataclass
class Source:
    """One readable stream: a plain file, a decompressed file or an archive member.

    Attributes:
        path: as shown in the inventory: relative to the scan argument, members as
            ``a.zip!dir/member`` (nested: ``a.zip!b.tar!c.log``).
        name: the innermost file name with compression suffixes removed, for sniffing.
        open: returns a fresh binary stream of the decompressed bytes.
        top: the top-level file on disk this source comes from.
    """

    path: str
    name: str
    open: Callable[[], BinaryIO]
    top: Path


def sources(item: InputFile, limits: Limits) -> Iterator[Source | tuple[str, ReadProblem]]:
    """Yield the readable streams inside one top-level file, or problems with them."""
    try:
        st = os.stat(item.path)
        with open(item.path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError as exc:
        yield item.display, ReadProblem(None, None, os_reason(exc, item.path))
        return
    budget = Budget(limits, item.path, st)
    path = item.path

    def top_open() -> BinaryIO:
        try:
            watched = WatchedFile(path, budget)
        except OSError as exc:
            raise InputError(os_reason(exc, path)) from None
        return io.BufferedReader(watched, 1 << 16)

    yield from _expand(item.display, path.name, top_open, head, budget, 0)
    # Archives are read by seeking and tar streams may stop before the end of the file:
    # a change the reads did not see is caught here.
    if container_kind(head) is not None and (reason := budget.changed()):
        yield item.display, ReadProblem(None, None, reason)


def _expand(
    display: str,
    name: str,
    opener: Callable[[], BinaryIO],
    head: bytes,
    budget: Budget,
    depth: int,
) -> Iterator[Source | tuple[str, ReadProblem]]:
    kind = container_kind(head)
    limits = budget.limits
    if kind is None:
        yield Source(display, name, opener, budget.top)
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
            return Guarded(decompress(opener()), f"{kind} data", budget)  # type: ignore[return-value]

        try:
            with inner_open() as s:
                inner_head = s.read(HEAD_BYTES)
        except InputError as exc:
            yield display, ReadProblem(None, None, str(exc))
            return
        if container_kind(inner_head) == "tar":
            yield from tar_members(display, inner_open, budget, depth, _expand)
        else:
            yield from _expand(display, inner_name, inner_open, inner_head, budget, depth + 1)
    elif kind == "zip":
        yield from zip_members(display, opener, budget, depth, _expand)
    elif kind == "tar":
        yield from tar_members(display, opener, budget, depth, _expand)


def _xz(raw: BinaryIO) -> BinaryIO:
    # LZMAFile, with a memory limit LZMAFile does not offer (a hostile header can ask for a
    # multi-GiB dictionary): the stdlib's reader behind LZMAFile (scanner/compat.py).
    from scanner.compat import DecompressReader

    reader = DecompressReader(
        raw,
        lzma.LZMADecompressor,
        trailing_error=lzma.LZMAError,
        memlimit=MAX_LZMA_DICT + (16 << 20),
    )
    return io.BufferedReader(reader)


def _gzip(raw: BinaryIO) -> BinaryIO:
    return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]


def _bzip2(raw: BinaryIO) -> BinaryIO:
    return bz2.BZ2File(raw, mode="rb")  # type: ignore[return-value]


# The file objects' own reads are bounded (they pass a max length to the decompressor).
_DECOMPRESSORS: dict[str, Callable[[BinaryIO], BinaryIO]] = {
    "gzip": _gzip,
    "bzip2": _bzip2,
    "xz": _xz,
}


def _strip_suffix(name: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    if dot and f".{suffix.lower()}" in _COMPRESSED_SUFFIXES:
        return stem
    if suffix.lower() == "tgz":
        return f"{stem}.tar"
    return name
