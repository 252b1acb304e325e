"""Rows of another scan instead of reading a file again: ``--incremental`` and ``--resume``.

A scan's rows depend on its input files and on its settings (:func:`reuse_settings`).
``--incremental`` carries forward the rows of the files unchanged since the newest
committed scan made with the same settings (:func:`carry_forward`); ``--resume`` adopts
the files an interrupted scan with the same settings finished (:func:`resume`). Either
says on stderr why it reused nothing.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from scanner import SCHEMA_VERSION, __version__
from scanner.config import ScanConfig
from scanner.dataset import DatasetWriter, input_identity, read_interrupted, read_manifest
from scanner.detect.detector import Detector
from scanner.inputs import Counts, InputEntry

log = logging.getLogger(__name__)

#: Settings a scan must have recorded for --incremental to reuse its rows.
_RECORDED = ("tool_version", "model")

#: How a setting of a checkpoint header is named when it differs.
_SETTING_NAMES = {
    "config_sha256": "configuration",
    "key_id": "HMAC key",
    "include_values": "--include-values",
    "nlp": "--nlp",
    "format": "--format",
    "min_score": "--min-score",
    "recognizers": "set of recognizers",
    "model": "spaCy model",
    "tool_version": "catoscan version",
    "schema_version": "dataset schema version",
}


@dataclass(frozen=True)
class Reused:
    """The input files whose rows a scan took from another one."""

    #: the scan the rows come from
    origin: str
    #: index of the input file in the scan's inputs -> its entry, CARRIED or RESUMED
    adopted: dict[int, InputEntry]
    #: ``errors`` rows taken with them
    errors: int


def reuse_settings(config: ScanConfig, detector: Detector) -> dict[str, Any]:
    """The settings a scan's rows depend on besides its inputs.

    Rows of another scan are reused (``--incremental``) only when these are equal: otherwise
    its findings would not be the ones this scan would make.
    """
    return {
        # another version may find, normalise or hash values otherwise
        "tool_version": __version__,
        # rows of another schema version have other columns (see dataset.RENAMED)
        "schema_version": SCHEMA_VERSION,
        # another NER model (or spaCy) finds other names; None with --nlp none
        "model": None if detector.model is None else asdict(detector.model),
        "config_sha256": config.configs.sha256,
        "key_id": config.key_id,
        "include_values": config.include_values,
        "nlp": config.nlp,
        "format": config.format,
        "min_score": detector.min_score,
    }


def carry_forward(
    settings: dict[str, Any], writer: DatasetWriter, entries: list[InputEntry]
) -> Reused | None:
    """``--incremental``: carry forward the rows of the inputs unchanged since a committed scan.

    ``settings`` are this scan's :func:`reuse_settings`; the rows go to ``writer``.

    Returns:
        The inputs carried forward, or None.
    """
    previous_id, previous = _previous_scan(writer.out, settings)
    if previous_id is None:
        return None
    adopted: dict[int, InputEntry] = {}
    for index, entry in enumerate(entries):
        old = previous.get(entry.path)
        if old is not None and old.counts is not None and entry.same_file(old):
            # Unchanged since a committed scan with the same configuration and key: its
            # rows are carried forward instead of scanning the file again.
            adopted[index] = entry.carried(old.counts, previous_id)
    if not adopted:
        return None
    carried = writer.carry_forward(previous_id, {entry.path for entry in adopted.values()})
    return Reused(previous_id, adopted, carried["errors"])


def _previous_scan(out: Path, settings: dict[str, Any]) -> tuple[str | None, dict[str, InputEntry]]:
    """The newest committed scan in ``out`` whose rows ``--incremental`` may reuse, and its inputs.

    Only a scan made with the same :func:`reuse_settings` qualifies (a scan recorded before
    ``format`` was recorded counts as made without ``--format``; one that does not record its
    catoscan version or model never qualifies). When none does, stderr says why the newest
    scan did not.
    """
    if not (out / "manifest.json").exists():
        return None, {}
    scans = read_manifest(out)["scans"]
    for scan in reversed(scans):
        if _how_it_differs(scan, settings) is None:
            inputs = {
                i["path"]: InputEntry.from_manifest(i)
                for i in scan.get("inputs", [])
                if "mtime_ns" in i and "records" in i and "sources" in i
            }
            return scan["scan_id"], inputs
    if scans:
        log.warning(
            "--incremental: no committed scan was made with these settings (the newest, %s, %s); "
            "scanning every file",
            scans[-1]["scan_id"],
            _how_it_differs(scans[-1], settings),
        )
    return None, {}


def _how_it_differs(scan: dict[str, Any], settings: dict[str, Any]) -> str | None:
    """How a committed ``scan`` differs from the ``settings`` (None: it does not)."""
    for key in _RECORDED:
        if key not in scan:
            return f"records no {_SETTING_NAMES[key]}"
    for key, value in settings.items():
        if scan.get(key) != value:
            return f"was made with another {_SETTING_NAMES.get(key, key)}"
    return None


def resume(
    writer: DatasetWriter, header: dict[str, Any], entries: list[InputEntry]
) -> Reused | None:
    """``--resume``: adopt the finished input files of the interrupted scan kept in the dataset.

    They are adopted when the interrupted scan was made with the same settings (its
    checkpoint ``header``) and the file is unchanged (path, size, mtime, sha256); the other
    inputs are scanned. Each adopted file is checkpointed again, so that this scan can be
    resumed in turn, and the interrupted scan is then removed.

    Returns:
        The inputs adopted, or None (stderr says why).
    """
    interrupted = read_interrupted(writer.out)
    if interrupted is None:
        log.warning("--resume: no interrupted scan in %s; scanning every file", writer.out)
        return None
    differs = [k for k in header if interrupted.header.get(k) != header[k]]
    if differs:
        log.warning(
            "--resume: interrupted scan %s was made with another %s; scanning every file",
            interrupted.scan_id,
            _SETTING_NAMES.get(differs[0], differs[0]),
        )
        return None
    pending: dict[tuple[Any, ...], int] = {}  # identity -> index of an input not yet done
    for index, entry in enumerate(entries):
        if not entry.done:  # not carried forward
            pending.setdefault(entry.identity, index)
    adopted: dict[int, InputEntry] = {}
    errors = 0
    for index, entry in enumerate(entries):
        if entry.done or index in adopted:  # carried forward, or adopted with an earlier batch
            continue
        line = interrupted.take(entry.to_manifest())
        if line is None:
            continue
        # A batch of small files was checkpointed as one: adopted whole, or not at all.
        found = [pending.get(input_identity(finished)) for finished in line["inputs"]]
        members = [m for m in found if m is not None and m not in adopted]
        if len(members) < len(found):
            continue
        if not writer.resume_input(interrupted, line):
            continue
        for member, finished in zip(members, line["inputs"], strict=True):
            # Its identity is this entry's; its counts complete it.
            counts = Counts(finished["records"], finished["sources"], finished["failed_sources"])
            adopted[member] = entries[member].resumed(counts, interrupted.scan_id)
        writer.checkpoint([adopted[member].to_manifest() for member in members])
        errors += len(line["errors"])
    if not adopted:
        log.warning(
            "--resume: no finished file of interrupted scan %s is an unchanged input; "
            "scanning every file",
            interrupted.scan_id,
        )
        return None
    interrupted.discard()
    return Reused(interrupted.scan_id, adopted, errors)
