"""Byte lines in, decoded text lines out: encoding detection and bounded line reads.

Shared by the line-oriented readers (CSV, CEF, plain text). Encodings: UTF-8 (with or
without BOM), UTF-16 with BOM, and CP932/Shift-JIS as Japanese spreadsheet tools save CSV.
An undecodable line is reported and read with replacement characters; the file goes on.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from scanner.record import ReadProblem

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

_C1, _PUA = "\x80", "\ue000"


@dataclass(frozen=True)
class ReadOptions:
    """What every reader needs besides the stream.

    Attributes:
        time_fields: field names holding the event time, most authoritative first.
        max_line_bytes: longer lines (and CSV rows) are skipped and reported, never
            silently cut.
        max_document_bytes: cap on one multi-line JSON value held in memory.
        max_fields: a record with more fields keeps the first ones and is reported.
        max_json_depth: a JSON value nested deeper is skipped and reported.
        encoding: force an encoding instead of detecting it.
    """

    time_fields: tuple[str, ...] = ()
    max_line_bytes: int = 64 * 1024**2
    max_document_bytes: int = 512 * 1024**2
    max_fields: int = 50_000
    max_json_depth: int = 64
    encoding: str | None = None


def detect_encoding(head: bytes) -> str:
    """Pick the encoding of a text file from its first bytes.

    UTF-8 unless the sample is not UTF-8 and reads as CP932 with fewer bad bytes (so a
    Shift-JIS export with a few broken bytes is still Shift-JIS, and a UTF-8 log with a
    few broken bytes is still UTF-8).
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if exc.start >= len(head) - 3 and exc.reason.startswith("unexpected end"):
            return "utf-8"
    sample = head[:-2]  # a character may be cut at the end of the sample
    return "cp932" if _bad_chars(sample, "cp932") < _bad_chars(sample, "utf-8") else "utf-8"


def _bad_chars(data: bytes, encoding: str) -> int:
    text = data.decode(encoding, errors="replace")
    # cp932 maps a few stray bytes (0x80, 0xA0, 0xFD-0xFF) to C1 or private-use
    # characters; real Shift-JIS text has none, so they count as bad bytes too.
    return sum(1 for ch in text if ch == "\ufffd" or _C1 <= ch <= "\x9f" or _PUA <= ch <= "\uf8ff")


def iter_raw_lines(
    stream: BinaryIO, opts: ReadOptions
) -> Iterator[tuple[int, bytes] | ReadProblem]:
    """Yield ``(line number, bytes without EOL)``; over-long lines become problems."""
    lineno = 0
    limit = opts.max_line_bytes
    while True:
        raw = stream.readline(limit + 1)
        if not raw:
            return
        lineno += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            skipped = len(raw)
            while True:  # drain the rest of the long line in bounded pieces
                more = stream.readline(limit)
                skipped += len(more)
                if not more or more.endswith(b"\n"):
                    break
            yield ReadProblem(
                lineno,
                None,
                f"line of {skipped} bytes is over the {limit}-byte line limit; skipped",
            )
            continue
        yield lineno, raw.rstrip(b"\r\n")


def iter_text_lines(
    stream: BinaryIO, head: bytes, opts: ReadOptions
) -> Iterator[tuple[int, str] | ReadProblem]:
    """Yield ``(line number, text)``, decoding each line; bad bytes are reported per line."""
    encoding = opts.encoding or detect_encoding(head)
    label = encoding
    if encoding == "utf-16":
        stream, encoding = utf8_from_utf16(stream), "utf-8"
    first = True
    for item in iter_raw_lines(stream, opts):
        if isinstance(item, ReadProblem):
            yield item
            continue
        lineno, raw = item
        if first:
            first = False
            if raw.startswith(codecs.BOM_UTF8):
                raw = raw[3:]
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            text = raw.decode(encoding, errors="replace")
            yield ReadProblem(lineno, None, f"invalid {label} bytes; read with replacements")
        yield lineno, text


def utf8_from_utf16(stream: BinaryIO) -> BinaryIO:
    """Re-encode a UTF-16 stream (with BOM) as UTF-8, so line reads stay bounded.

    Undecodable UTF-16 becomes an invalid UTF-8 byte, reported by the line decoder.
    """
    return io.BufferedReader(_Utf16ToUtf8(stream), 1 << 16)


def _mark_invalid(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc  # registered for decoding only
    return "\udcff", exc.end  # encodes back to b"\xff"


codecs.register_error("catoscan-mark", _mark_invalid)


class _Utf16ToUtf8(io.RawIOBase):
    def __init__(self, raw: BinaryIO):
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder("utf-16")(errors="catoscan-mark")
        self._pending = b""
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, b: WriteableBuffer) -> int:
        while not self._pending and not self._eof:
            chunk = self._raw.read(1 << 16)
            self._eof = not chunk
            text = self._decoder.decode(chunk, final=self._eof)
            self._pending = text.encode("utf-8", errors="surrogateescape")
        with memoryview(b) as view, view.cast("B") as target:
            n = min(len(target), len(self._pending))
            target[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n
