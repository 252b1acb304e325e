"""Containers recognised by their magic bytes, never by their names."""

from __future__ import annotations

#: Bytes :func:`container_kind` needs to see (a tar header's ``ustar`` ends at 262).
HEAD_BYTES = 262

_GZIP = b"\x1f\x8b"
_BZ2 = b"BZh"
_XZ = b"\xfd7zXZ\x00"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")


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
