"""An input file's entry in the manifest: its identity, where its rows come from, its counts.

The manifest's ``inputs`` list (``docs/dataset.md``) is a contract with users and with later
scans (``--incremental`` matches files against it, ``--resume`` against checkpoints in the
same form), so :meth:`InputEntry.to_manifest` writes exactly the keys, in the order, that
earlier versions wrote, and :meth:`InputEntry.from_manifest` reads them back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from typing import Any


class InputState(Enum):
    """Where the rows of an input file come from."""

    #: planned: this scan reads it, and has not finished it yet (no counts)
    PENDING = "pending"
    #: read by this scan
    SCANNED = "scanned"
    #: ``--incremental``: unchanged since a committed scan, whose rows were carried forward
    CARRIED = "carried"
    #: ``--resume``: finished by an interrupted scan, whose rows were adopted
    RESUMED = "resumed"


#: The manifest key that names the scan a reused input's rows come from.
_ORIGIN_KEYS = {InputState.CARRIED: "carried_from", InputState.RESUMED: "resumed_from"}


@dataclass(frozen=True)
class Counts:
    """An input file's counts, as the manifest records them."""

    #: records read
    records: int = 0
    #: the file, or the members of an archive
    sources: int = 0
    #: sources that could not be read
    failed_sources: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.records + other.records,
            self.sources + other.sources,
            self.failed_sources + other.failed_sources,
        )


@dataclass(frozen=True)
class InputEntry:
    """One input file of a scan, as its manifest entry records it."""

    path: str
    size: int
    #: None: the file could not be read when it was listed (its size is then 0, its sha256
    #: None); it is scanned all the same, and the read says what is wrong with it
    mtime_ns: int | None
    #: None: the file could not be read when listed, or was named by URI and is hashed by
    #: the executor that reads it (see :meth:`hashed`)
    sha256: str | None
    state: InputState = InputState.PENDING
    #: None while :attr:`state` is PENDING
    counts: Counts | None = None
    #: the scan the rows of a CARRIED or RESUMED input come from
    origin: str | None = None

    @property
    def done(self) -> bool:
        """Whether its rows are in the scan (read, carried forward or resumed)."""
        return self.state is not InputState.PENDING

    @property
    def identity(self) -> tuple[Any, ...]:
        """Path, size, mtime and sha256, as ``dataset.input_identity`` of its manifest entry."""
        return (self.path, self.size, self.mtime_ns, self.sha256)

    def same_file(self, other: InputEntry) -> bool:
        """Whether ``other`` records the same file content: size, mtime and sha256 equal."""
        return (self.size, self.mtime_ns, self.sha256) == (
            other.size,
            other.mtime_ns,
            other.sha256,
        )

    def hashed(self, sha256: str) -> InputEntry:
        """This entry with the hash an engine computed as it read the file."""
        return replace(self, sha256=sha256)

    def scanned(self, counts: Counts) -> InputEntry:
        """This entry once the scan has read it."""
        return replace(self, state=InputState.SCANNED, counts=counts, origin=None)

    def carried(self, counts: Counts, origin: str) -> InputEntry:
        """This entry with the rows of committed scan ``origin`` (``--incremental``)."""
        return replace(self, state=InputState.CARRIED, counts=counts, origin=origin)

    def resumed(self, counts: Counts, origin: str) -> InputEntry:
        """This entry with the rows of interrupted scan ``origin`` (``--resume``)."""
        return replace(self, state=InputState.RESUMED, counts=counts, origin=origin)

    def to_manifest(self) -> dict[str, Any]:
        """The manifest's ``inputs`` entry (the same keys, in the same order, as ever)."""
        entry: dict[str, Any] = {"path": self.path, "size": self.size}
        if self.mtime_ns is None:  # not readable when listed: its hash is null
            entry["sha256"] = self.sha256
        else:
            entry["mtime_ns"] = self.mtime_ns
            if self.sha256 is not None:  # a URI's is there once it has been read
                entry["sha256"] = self.sha256
        if self.counts is not None:
            entry["records"] = self.counts.records
            entry["sources"] = self.counts.sources
            entry["failed_sources"] = self.counts.failed_sources
        if self.state in _ORIGIN_KEYS:
            entry[_ORIGIN_KEYS[self.state]] = self.origin
        return entry

    @classmethod
    def from_manifest(cls, entry: dict[str, Any]) -> InputEntry:
        """An ``inputs`` entry of a manifest (or of a checkpoint), of this or an older version.

        Counts are read when ``records`` and ``sources`` are there (older manifests lack
        ``failed_sources``: 0); without them the entry is PENDING.
        """
        counts = None
        state = InputState.PENDING
        origin = None
        if "records" in entry and "sources" in entry:
            counts = Counts(entry["records"], entry["sources"], entry.get("failed_sources", 0))
            state = InputState.SCANNED
            for reused, key in _ORIGIN_KEYS.items():
                if key in entry:
                    state, origin = reused, entry[key]
        return cls(
            entry["path"],
            entry["size"],
            entry.get("mtime_ns"),
            entry.get("sha256"),
            state,
            counts,
            origin,
        )
