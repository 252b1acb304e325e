"""What a running scan tells a person: the stage it is in, then a progress line.

Kept free of heavy imports: the scan command shows its first stage before it imports the
rest of catoscan (half a second; presidio and spaCy, another second or two, only once free
text needs NER).
"""

from __future__ import annotations

import logging
import shutil
import sys
import time
from typing import TextIO

from scanner.escaping import for_terminal


class Progress:
    """Receives progress events; :class:`StderrProgress` draws them. All optional."""

    def stage(self, text: str) -> None:
        """The scan is now doing ``text`` ("loading the detection model", ...)."""

    def planned(self, total_bytes: int, files: int, done_bytes: int = 0) -> None:
        """Scanning starts: ``files`` files to read.

        ``total_bytes`` in all, of which ``done_bytes`` need no reading (carried forward or
        resumed).
        """

    def file_started(self, display: str) -> None:
        """A top-level file is about to be merged into the dataset."""

    def advance(self, records: int, bytes_done: int) -> None:
        """Records were read; ``bytes_done`` input bytes are finished."""

    def close(self) -> None:
        """The scan has ended."""


class StderrProgress(Progress):
    """One line on stderr, redrawn at most 4 times a second.

    While scanning: percent and bytes of the total, records, rate, time left and the file
    being merged, cut to the terminal's width. Before that, the stage. Log messages
    (warnings) clear the line first and are printed on lines of their own.
    """

    INTERVAL = 0.25

    def __init__(self, enabled: bool, stream: TextIO | None = None):
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.scanning_since: float | None = None
        self.total = 0
        self.files = 0
        self.planned_files = 0
        self.records = 0
        self.bytes = 0
        self.base = 0  # bytes that were done before scanning started (carried, resumed)
        self.current = ""
        self.text = ""
        self._drawn = 0.0
        self._shown = False  # a line is on the screen
        self._closed = False
        self._filter = _ClearFirst(self)
        if enabled:  # on the handlers: a logger's own filters skip its children's records
            for handler in logging.getLogger("scanner").handlers:
                handler.addFilter(self._filter)

    def stage(self, text: str) -> None:
        """Show the stage at once."""
        self.text = text
        self._draw(force=True)

    def planned(self, total_bytes: int, files: int, done_bytes: int = 0) -> None:
        """Start the rate's clock and show the scanning line at once."""
        self.total, self.planned_files = total_bytes, files
        self.bytes = self.base = done_bytes
        self.scanning_since = time.monotonic()
        self.text = "scanning"
        self._draw(force=True)

    def file_started(self, display: str) -> None:
        """Name the file at the end of the line (at the next draw)."""
        self.files += 1
        self.current = display
        self._draw()

    def advance(self, records: int, bytes_done: int) -> None:
        """Count the records and bytes; redraw if the last draw is old enough."""
        self.records += records
        self.bytes = bytes_done
        self._draw()

    def line(self, now: float) -> str:
        """The progress line as it would be drawn at ``now`` (monotonic seconds)."""
        if self.scanning_since is None:
            return f"catoscan: {self.text}…"
        elapsed = max(now - self.scanning_since, 1e-6)
        rate = (self.bytes - self.base) / elapsed
        parts = [f"catoscan: {self.text}"]
        if self.total:
            parts.append(f"{min(self.bytes / self.total, 1.0):4.0%}")
            parts.append(f"{size_text(self.bytes)} of {size_text(self.total)}")
        parts.append(f"{self.records:,} records")
        parts.append(f"{rate / 1e6:.1f} MB/s")
        if self.total and self.bytes and rate > 0:
            parts.append(f"ETA {_duration(max(self.total - self.bytes, 0) / rate)}")
        if self.current:
            parts.append(for_terminal(self.current))  # a name from the input
        return "  ".join(parts)

    def _draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._drawn < self.INTERVAL:
            return
        self._drawn = now
        width = shutil.get_terminal_size((100, 24)).columns - 1
        text = self.line(now)
        if len(text) > width:
            text = text[: max(width - 1, 0)] + "…"
        self.stream.write(f"\r\033[K{text}")
        self.stream.flush()
        self._shown = True

    def clear(self) -> None:
        """Take the line off the screen (it comes back at the next draw)."""
        if self.enabled and self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._shown = False
            self._drawn = 0.0  # redraw at the next event

    def close(self) -> None:
        """Leave the last scanning line on screen (or clear the stage); stop clearing for logs."""
        if self.enabled and not self._closed:
            self._closed = True
            for handler in logging.getLogger("scanner").handlers:
                handler.removeFilter(self._filter)
            if self.scanning_since is not None:
                self._draw(force=True)
                self.stream.write("\n")
            else:
                self.clear()
            self.stream.flush()


class _ClearFirst(logging.Filter):
    """Clears the progress line before a log message is printed (lets every record pass)."""

    def __init__(self, progress: StderrProgress):
        super().__init__()
        self.progress = progress

    def filter(self, record: logging.LogRecord) -> bool:
        self.progress.clear()
        return True


def size_text(n: float) -> str:
    """A number of bytes for people: ``512 B``, ``1.2 MB`` (powers of 1000)."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds // 60 % 60:02d}m"
