"""One scan from paths to a committed dataset: walk, read, detect, tag, write.

The flow of a record: :mod:`scanner.sources` finds files and peels compression and
archives, :mod:`scanner.sniff` names the format, a reader in :mod:`scanner.readers`
yields records, :class:`scanner.detect.engine.Detector` finds entities in their fields,
:class:`scanner.policy.Policy` tags each with CCPA categories, :mod:`scanner.hashing` keys
and masks the value, and :class:`scanner.dataset.DatasetWriter` writes the rows.
"""

from __future__ import annotations

import hashlib
import io
import logging
import secrets
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from recognizers import ip_class
from scanner import SCHEMA_VERSION, __version__
from scanner.config import ScanConfig
from scanner.dataset import DatasetWriter
from scanner.detect.engine import Detector
from scanner.hashing import Hasher, mask
from scanner.policy import Policy
from scanner.readers import FORMATS, reader_for
from scanner.readers.textio import ReadOptions
from scanner.record import ReadProblem, Record
from scanner.sniff import SNIFF_BYTES, BinaryData, sniff
from scanner.sources import InputFile, Limits, Source, sources, walk

log = logging.getLogger(__name__)


@dataclass
class ScanResult:
    """What a finished scan reports back to the CLI."""

    scan_id: str
    out: Path
    files: int = 0
    sources: int = 0
    records: int = 0
    bytes_read: int = 0
    findings: int = 0
    errors: int = 0
    failed_sources: int = 0
    by_entity: Counter = field(default_factory=Counter)  # (categories, element, entity, declared)
    seconds: float = 0.0

    @property
    def undeclared(self) -> int:
        """Number of findings the policy does not declare."""
        return sum(n for (_c, _e, _t, declared), n in self.by_entity.items() if not declared)


class Progress:
    """Receives progress events; the CLI's implementation draws on stderr."""

    def file_started(self, display: str) -> None:
        """A top-level file is about to be read."""

    def advance(self, records: int, bytes_done: int) -> None:
        """Records were read; ``bytes_done`` input bytes are finished."""

    def close(self) -> None:
        """The scan has ended."""


def new_scan_id(now: datetime | None = None) -> str:
    """A sortable, unique scan id: ``20261126T061500Z-3f9a1c``."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def run(config: ScanConfig, progress: Progress | None = None) -> ScanResult:
    """Scan ``config.paths`` and commit one scan to the dataset in ``config.out``."""
    progress = progress or Progress()
    started = time.monotonic()
    started_at = datetime.now(UTC)
    settings = config.configs.scanner
    detector = Detector(config.configs, nlp=config.nlp, min_score=config.min_score)
    policy = Policy(config.configs.policy)
    hasher = Hasher(config.key)
    limits = Limits(
        settings.limits.max_archive_depth,
        settings.limits.max_member_bytes,
        settings.limits.max_nested_archive_bytes,
    )
    opts = ReadOptions(
        time_fields=config.configs.fields.time_fields,
        max_line_bytes=settings.limits.max_line_bytes,
        max_document_bytes=settings.limits.max_document_bytes,
    )
    scan_id = new_scan_id(started_at)
    result = ScanResult(scan_id, config.out)
    metadata = {
        "tool": "catoscan",
        "tool_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "scan_id": scan_id,
        "config_sha256": config.configs.sha256,
        "key_id": config.key_id,
        "include_values": config.include_values,
        "nlp": config.nlp,
        "recognizers": sorted(r.name for r in detector.recognizers),
        "model": None if detector.model is None else asdict(detector.model),
    }
    inputs: list[dict[str, Any]] = []
    scanner = _Scanner(config, detector, policy, hasher, opts, result, progress)
    with DatasetWriter(
        config.out,
        scan_id,
        metadata,
        include_values=config.include_values,
        batch_rows=settings.batch_rows,
    ) as writer:
        scanner.writer = writer
        for root in config.paths:
            walk_problems: list[tuple[str, ReadProblem]] = []
            for item in walk([root], walk_problems):
                inputs.append(_describe(item))
                result.files += 1
                progress.file_started(item.display)
                for src in sources(item, limits):
                    if isinstance(src, tuple):
                        path, problem = src
                        scanner.error(path, None, problem)
                        result.failed_sources += 1
                    else:
                        scanner.scan_source(src)
                result.bytes_read += inputs[-1]["size"]
                progress.advance(0, result.bytes_read)
            for path, problem in walk_problems:
                scanner.error(path, None, problem)
                result.failed_sources += 1
        result.seconds = time.monotonic() - started
        entry = {
            **metadata,
            "started_at": started_at.isoformat(),
            "finished_at": datetime.now(UTC).isoformat(),
            "seconds": round(result.seconds, 3),
            "arguments": [str(p) for p in config.paths],
            "config_sources": config.configs.sources,
            "ner_loaded": detector.ner_loaded,
            "min_score": detector.min_score,
            "inputs": inputs,
            "counts": {
                "files": result.files,
                "sources": result.sources,
                "records": result.records,
                "bytes": result.bytes_read,
                "findings": result.findings,
                "undeclared_findings": result.undeclared,
                "errors": result.errors,
                "failed_sources": result.failed_sources,
            },
        }
        writer.commit(entry)
    progress.close()
    return result


class _Scanner:
    """Per-scan state shared by every source: the writer, counters and caches."""

    def __init__(
        self,
        config: ScanConfig,
        detector: Detector,
        policy: Policy,
        hasher: Hasher,
        opts: ReadOptions,
        result: ScanResult,
        progress: Progress,
    ):
        self.config = config
        self.detector = detector
        self.policy = policy
        self.hasher = hasher
        self.opts = opts
        self.result = result
        self.progress = progress
        self.writer: DatasetWriter
        self._values: dict[tuple[str, str], tuple[str, str]] = {}
        self._tags: dict[tuple[int, str], Any] = {}

    def error(self, path: str, fmt: str | None, problem: ReadProblem) -> None:
        self.writer.add_error(path, fmt, problem.line, problem.index, problem.reason)
        self.result.errors += 1
        log.warning(
            "%s%s: %s", path, f" line {problem.line}" if problem.line else "", problem.reason
        )

    def scan_source(self, src: Source) -> None:
        self.result.sources += 1
        fmt: str | None = None
        try:
            with src.open() as raw:
                stream: BinaryIO = io.BufferedReader(raw, buffer_size=1 << 20)  # type: ignore[arg-type]
                head = stream.peek(SNIFF_BYTES)[:SNIFF_BYTES]
                if not head:
                    self.error(src.path, None, ReadProblem(None, None, "empty file"))
                    self.result.failed_sources += 1
                    return
                try:
                    fmt = self.config.format or sniff(head, src.name)
                except BinaryData as exc:
                    self.error(src.path, None, ReadProblem(None, None, f"{exc}; skipped"))
                    self.result.failed_sources += 1
                    return
                reader = reader_for(fmt)
                for item in reader(stream, head, self.opts):
                    if isinstance(item, ReadProblem):
                        self.error(src.path, fmt, item)
                    else:
                        self._record(src.path, fmt, item)
        except (OSError, EOFError, ValueError) as exc:
            # Decompression and I/O failures surface here, mid-stream: keep what was read.
            # Decompressors' messages describe the stream; a ValueError's may quote data.
            text = str(exc).splitlines()[0][:200] if str(exc) else ""
            detail = text if text and not isinstance(exc, ValueError) else type(exc).__name__
            self.error(src.path, fmt, ReadProblem(None, None, f"read failed: {detail}"))
            self.result.failed_sources += 1
        except Exception as exc:
            # A bug in a reader or recognizer must not cost the other files' findings:
            # this source is reported and the scan goes on (--debug re-raises).
            if self.config.debug:
                raise
            log.debug("internal error on %s", src.path, exc_info=True)
            reason = f"internal error while reading ({type(exc).__name__}); rerun with --debug"
            self.error(src.path, fmt, ReadProblem(None, None, reason))
            self.result.failed_sources += 1
        finally:
            self.writer.end_source()

    def _record(self, path: str, fmt: str, record: Record) -> None:
        result = self.result
        result.records += 1
        if result.records % 512 == 0:
            self.progress.advance(512, result.bytes_read)
        event_time = record.event_time
        include = self.config.include_values
        for det in self.detector.detect(record):
            span = det.span
            text = det.value[span.start : span.end]
            hashed = self._values.get((span.entity, text))
            if hashed is None:
                hashed = (
                    self.hasher.hash(span.entity, text),
                    mask(span.entity, text),
                    ip_class(text) if span.entity == "IP_ADDRESS" else None,
                )
                if len(self._values) > 500_000:
                    self._values.clear()
                self._values[(span.entity, text)] = hashed
            tag = self._tag(det.rule, span.entity)
            row = {
                "source_path": path,
                "source_format": fmt,
                "line": record.line,
                "record_index": record.index,
                "field": det.field,
                "start": span.start,
                "end": span.end,
                "entity_type": span.entity,
                "ccpa_categories": tag.categories,
                "policy_element": tag.element,
                "policy_declared": tag.declared,
                "score": span.score,
                "detector": span.detector,
                "value_hash": hashed[0],
                "key_id": self.config.key_id,
                "value_masked": hashed[1],
                "ip_class": hashed[2],
                "event_time": event_time,
            }
            if include:
                row["value"] = text
            self.writer.add_finding(row)
            result.findings += 1
            result.by_entity[(tag.categories, tag.element, span.entity, tag.declared)] += 1

    def _tag(self, rule: Any, entity: str) -> Any:
        key = (id(rule), entity)
        tag = self._tags.get(key)
        if tag is None:
            # A rule's policy override applies to the entity the rule names, not to
            # e-mails or IPs found inside its values.
            if rule.policy and rule.detect == entity:
                tag = self.policy.tag(rule.policy)
            else:
                tag = self.policy.for_entity(entity)
            self._tags[key] = tag
        return tag


def _describe(item: InputFile) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = 0
    try:
        with open(item.path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    except OSError:
        return {"path": item.display, "size": 0, "sha256": None}
    return {"path": item.display, "size": size, "sha256": digest.hexdigest()}


__all__ = ["FORMATS", "Progress", "ScanResult", "new_scan_id", "run"]
