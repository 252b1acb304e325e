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

- :mod:`~scanner.sources.walk`: which files a scan reads and their names.
- :mod:`~scanner.sources.containers`: :func:`sources`, one file's streams, layer by layer.
- :mod:`~scanner.sources.magic`: containers by their magic bytes.
- :mod:`~scanner.sources.archives`: zip and tar members.
- :mod:`~scanner.sources.guards`: limits, the byte budget, guarded streams, the errors.
"""

from scanner.sources.archives import unsafe_member_name
from scanner.sources.containers import Source, sources
from scanner.sources.guards import (
    CorruptData,
    InputChanged,
    InputError,
    LimitExceeded,
    Limits,
)
from scanner.sources.magic import container_kind
from scanner.sources.walk import (
    InputFile,
    PathFilter,
    base_length,
    distinct_roots,
    input_base,
    walk,
)

__all__ = [
    "CorruptData",
    "InputChanged",
    "InputError",
    "InputFile",
    "LimitExceeded",
    "Limits",
    "PathFilter",
    "Source",
    "base_length",
    "container_kind",
    "distinct_roots",
    "input_base",
    "sources",
    "unsafe_member_name",
    "walk",
]
