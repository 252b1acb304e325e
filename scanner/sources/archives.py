"""Archive members as streams: every member of a zip, every file of a tar.

Member names are never used as paths: a member whose name is absolute or climbs out with
``..`` is refused (:func:`unsafe_member_name`), links are never followed, and nothing is
extracted to disk. A zip is read by seeking (one that cannot seek, inside a gzip, is held
in memory up to ``limits.max_nested_archive_bytes``); its bzip2 and LZMA members are
decompressed here in bounded steps, since :mod:`zipfile` does not bound them. A tar is read
as a stream, so it also works inside gzip and bzip2 data; a member that is an archive
itself is held in memory up to the same limit. What a member holds is peeled further by
the ``expand`` function the caller passes (:func:`scanner.sources.containers.sources`).
"""

from __future__ import annotations

import bz2
import copy
import io
import lzma
import re
import stat
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, BinaryIO

from scanner.escaping import printable
from scanner.record import ReadProblem
from scanner.sources.guards import (
    DATA_ERRORS,
    MAX_LZMA_DICT,
    Budget,
    CorruptData,
    Guarded,
    InputError,
    LimitExceeded,
    corrupt_reason,
    human_size,
)
from scanner.sources.magic import HEAD_BYTES, container_kind

if TYPE_CHECKING:
    from scanner.sources.containers import Source

    #: Peels a member: (display, name, open, head, budget, depth) -> its sources or problems.
    Expand = Callable[
        [str, str, Callable[[], BinaryIO], bytes, Budget, int],
        Iterator[Source | tuple[str, ReadProblem]],
    ]

# Member headers at which TarFile.next() stops as if the archive had ended (tarfile has
# them, its type stubs do not).
_BAD_HEADERS = (tarfile.InvalidHeaderError, tarfile.TruncatedHeaderError)  # type: ignore[attr-defined]
_UNSAFE = "member path is absolute or contains '..' (unsafe); skipped, not read"


def unsafe_member_name(name: str) -> bool:
    """Whether an archive member name is absolute or climbs out with ``..``."""
    norm = name.replace("\\", "/")
    return norm.startswith("/") or bool(re.match(r"[A-Za-z]:", norm)) or ".." in norm.split("/")


def zip_members(
    display: str,
    opener: Callable[[], BinaryIO],
    budget: Budget,
    depth: int,
    expand: Expand,
) -> Iterator[Source | tuple[str, ReadProblem]]:
    """Every member of the zip archive ``opener`` opens, expanded, or a problem with it."""
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
    except (*DATA_ERRORS, ValueError) as exc:
        yield display, ReadProblem(None, None, corrupt_reason("zip archive", exc))
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
                    f"{human_size(limits.max_member_bytes)} limit (limits.max_member_bytes); "
                    "skipped"
                )
                yield member, ReadProblem(None, None, reason)
                continue

            def member_open(info: zipfile.ZipInfo = info) -> BinaryIO:
                return _open_zip_member(archive, info, budget)

            try:
                with member_open() as s:
                    head = s.read(HEAD_BYTES)
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
            except (*DATA_ERRORS, ValueError) as exc:
                yield member, ReadProblem(None, None, corrupt_reason("zip member", exc))
                continue
            name = info.filename.rsplit("/", 1)[-1]
            yield from expand(member, name, member_open, head, budget, depth + 1)


def _open_zip_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget) -> BinaryIO:
    if info.compress_type not in (zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        return Guarded(archive.open(info), "zip member", budget)  # type: ignore[return-value]
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
        inner = io.BufferedReader(_ZipLzma(raw))
    return Guarded(  # type: ignore[return-value]
        inner, "zip member", budget, crc=info.CRC, declared=info.file_size
    )


class _ZipLzma(io.RawIOBase):
    """The LZMA flavour of zip (a 4-byte header, LZMA1 properties, raw data), bounded."""

    def __init__(self, raw: IO[bytes]):
        self._raw = raw
        header = raw.read(4)
        if len(header) < 4:
            raise CorruptData("corrupt zip member: truncated (the data ends early)")
        props = raw.read(int.from_bytes(header[2:4], "little"))
        if len(props) != 5:
            raise CorruptData("corrupt zip member: bad LZMA properties")
        d = props[0]
        dict_size = int.from_bytes(props[1:5], "little")
        if dict_size > MAX_LZMA_DICT:
            raise CorruptData(
                f"zip member asks for an LZMA dictionary over {human_size(MAX_LZMA_DICT)}; skipped"
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

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._dec.eof:
            chunk = b"" if not self._dec.needs_input else self._raw.read(1 << 16)
            if self._dec.needs_input and not chunk:
                return 0  # no end marker: the member ends with its compressed bytes
            out = self._dec.decompress(chunk, len(b))
            if out:
                b[: len(out)] = out
                return len(out)
        return 0


def tar_members(
    display: str,
    opener: Callable[[], BinaryIO],
    budget: Budget,
    depth: int,
    expand: Expand,
) -> Iterator[Source | tuple[str, ReadProblem]]:
    """Every file of the tar archive ``opener`` opens, expanded, or a problem with it."""
    # Tar is read as a stream (mode "r|"), so it also works inside gzip/bz2 streams.
    limits = budget.limits
    try:
        raw = opener()
        archive = _TarStream.open(fileobj=raw, mode="r|")
        while (info := archive.next()) is not None:
            archive.members.clear()  # type: ignore[attr-defined]  # streaming: memory stays flat
            if not info.isfile():
                continue  # directories, links (never followed), devices
            member = f"{display}!{printable(_strip_dot_slash(info.name))}"
            if unsafe_member_name(info.name):
                yield member, ReadProblem(None, None, _UNSAFE)
                continue
            if info.size > limits.max_member_bytes:
                reason = (
                    f"tar member of {info.size} bytes is over the "
                    f"{human_size(limits.max_member_bytes)} limit (limits.max_member_bytes); "
                    "skipped"
                )
                yield member, ReadProblem(None, None, reason)
                continue
            fh = archive.extractfile(info)
            if fh is None:
                continue
            guarded = Guarded(fh, "tar member", budget, count=False)
            stream = io.BufferedReader(guarded, buffer_size=1 << 16)
            head = stream.peek(HEAD_BYTES)[:HEAD_BYTES]
            name = info.name.rsplit("/", 1)[-1]
            member_open = _opened(stream)
            if container_kind(head) is not None:
                data = stream.read(limits.max_nested_archive_bytes + 1)
                if len(data) > limits.max_nested_archive_bytes:
                    reason = (
                        "nested archive in a tar member is over the "
                        f"{human_size(limits.max_nested_archive_bytes)} limit "
                        "(limits.max_nested_archive_bytes); skipped"
                    )
                    yield member, ReadProblem(None, None, reason)
                    continue
                member_open, head = _held(data), data[:HEAD_BYTES]
            yield from expand(member, name, member_open, head, budget, depth + 1)
        if archive.bad_header is not None:
            reason = corrupt_reason("tar archive", archive.bad_header)
            reason += "; the rest of the archive was not read"
            yield display, ReadProblem(None, None, reason)
    except InputError as exc:
        yield display, ReadProblem(None, None, str(exc))
    except DATA_ERRORS as exc:
        yield display, ReadProblem(None, None, corrupt_reason("tar archive", exc))


def _opened(stream: BinaryIO) -> Callable[[], BinaryIO]:
    """An opener that returns ``stream`` itself: a plain member, streamed from the archive.

    The pipeline reads it fully before the next member is reached, so one open is enough.
    """
    return lambda: stream


def _held(data: bytes) -> Callable[[], BinaryIO]:
    """An opener of a fresh stream over ``data``, as often as asked."""
    return lambda: io.BytesIO(data)


class _CheckedTarInfo(tarfile.TarInfo):
    """A member header that, when it cannot be read, leaves the reason on its archive."""

    @classmethod
    def fromtarfile(cls, archive: _TarStream) -> tarfile.TarInfo:  # type: ignore[override]
        try:
            return super().fromtarfile(archive)
        except _BAD_HEADERS as exc:
            archive.bad_header = exc
            raise


class _TarStream(tarfile.TarFile):
    """A tar archive that keeps why it ended.

    Past the first member, ``TarFile.next()`` takes a header with a bad checksum, or one
    cut short, for the end of the archive without a word: the rest would be lost in
    silence. Zero blocks or the end of the data end an archive cleanly; anything else is
    kept in ``bad_header``.
    """

    tarinfo = _CheckedTarInfo
    bad_header: Exception | None = None


def _strip_dot_slash(name: str) -> str:
    while name.startswith("./"):
        name = name[2:]
    return name


def _spool(stream: BinaryIO, cap: int) -> BinaryIO:
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise LimitExceeded(
            "nested archive larger than "
            f"{human_size(cap)} (limits.max_nested_archive_bytes); skipped"
        )
    return io.BytesIO(data)
