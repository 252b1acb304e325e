"""Byte lines in, decoded text lines out: encoding detection and bounded line reads.

Shared by the line-oriented readers (CSV, CEF, plain text). Encodings: UTF-8 (with or
without BOM), UTF-16 with BOM, and CP932/Shift-JIS as Japanese spreadsheet tools save CSV.
An undecodable line is reported and read with replacement characters; the file goes on.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from scanner.record import ReadProblem


@dataclass(frozen=True)
class ReadOptions:
    """What every reader needs besides the stream.

    Attributes:
        time_fields: field names holding the event time, most authoritative first.
        max_line_bytes: longer lines are skipped and reported, never silently cut.
        max_document_bytes: cap on one multi-line JSON value held in memory.
        encoding: force an encoding instead of detecting it.
    """

    time_fields: tuple[str, ...] = ()
    max_line_bytes: int = 64 * 1024**2
    max_document_bytes: int = 512 * 1024**2
    encoding: str | None = None


def detect_encoding(head: bytes) -> str:
    """Pick the encoding of a text file from its first bytes."""
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
    try:
        decoded = head.decode("cp932")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 1:
            return "utf-8"  # neither decodes: UTF-8 with bad bytes, reported per line
        decoded = head[: exc.start].decode("cp932")
    # cp932 maps a few stray bytes (0xFD-0xFF) to private-use characters; real Shift-JIS
    # text has none, so such a sample is UTF-8 with invalid bytes instead.
    if any("\ue000" <= ch <= "\uf8ff" for ch in decoded):
        return "utf-8"
    return "cp932"
    return "utf-8"


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
    if encoding == "utf-16":
        yield from _utf16_lines(stream)
        return
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
            yield ReadProblem(lineno, None, f"invalid {encoding} bytes; read with replacements")
        yield lineno, text


def _utf16_lines(stream: BinaryIO) -> Iterator[tuple[int, str] | ReadProblem]:
    reader = codecs.getreader("utf-16")(stream, errors="replace")
    for lineno, text in enumerate(reader, 1):
        yield lineno, text.rstrip("\r\n")
