"""Hostile names, generated: field names, values, file and archive member names an attacker
who can write a log line or drop a file controls.

They carry spreadsheet formula prefixes (CSV injection, CWE-1236), ANSI and OSC terminal
sequences (8-bit C1 too), Unicode bidirectional overrides that disguise a name, NUL, very
long names and HTML. Every field holds personal data, so that each name reaches every
output: the inventory, the undeclared table, lookup, retention, review and diff.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import zipfile
from pathlib import Path

#: A spreadsheet formula that runs a program when the cell is evaluated.
FORMULA = "=cmd|' /C calc'!A0"
#: Colours the terminal red, then sets its title (OSC ... BEL).
ANSI = "\x1b[31mred\x1b]0;owned title\x07"
#: A hyperlink a terminal shows as plain text (OSC 8).
OSC8 = "\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07"
#: The 8-bit CSI (C1), which some terminals act on like ESC [.
C1 = "\x9b31mc1"
#: Shown as ``reportexe.html``: a right-to-left override reverses what follows.
BIDI = "report\u202elmth.exe"
ISOLATE = "\u2067iso\u2069late"
NUL = "nul\x00name"
LONG = "F" * 5000
SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(1)">'
NEWLINE = "line\nbreak\rcarriage"

#: Field names: every formula prefix OWASP names, full-width ones, and the rest above.
FIELDS = (
    FORMULA,
    "+SUM(1+1)",
    "-2+3",
    "@SUM(A1)",
    "\t=tab",
    "\r=cr",
    "\uff1d1+1",
    ANSI,
    OSC8,
    C1,
    BIDI,
    ISOLATE,
    NUL,
    LONG,
    SCRIPT,
    IMG,
    NEWLINE,
)

#: Values: personal data whose masked preview itself begins with a formula prefix, and
#: undeclared personal data (phone numbers, SSNs), so the names reach the undeclared table.
EMAILS = ("+evil@example.com", "-evil@example.com", "hostile.person@example.com")
IP = "198.51.100.77"
PHONE = "+81 90-5555-0199"
SSN = "ssn 219-09-9999"
VALUES = (*EMAILS, IP, PHONE, SSN)

#: File names (one folder level too) with the same payloads; NUL cannot be in a file name.
FILES = (
    "=1+1.jsonl",
    "+plus.jsonl",
    "-minus.jsonl",
    "@at.jsonl",
    "\x1b[31mansi\x1b]0;title\x07.jsonl",
    "\x9bc1.jsonl",
    "report\u202elmth.jsonl",
    "<img src=x onerror=alert(1)>.jsonl",
    "tab\tand\nnewline.jsonl",
    "L" * 200 + ".jsonl",
    "=folder/inside.jsonl",
)
#: Archive members (a zip and a tar whose own names are hostile too).
ZIP_NAME = "=zip\u202e.zip"
ZIP_MEMBERS = ("=member.jsonl", "\x1b]0;t\x07member.jsonl", "m\u202elmth.jsonl", SCRIPT + ".jsonl")
TAR_NAME = "@tar.tar"
TAR_MEMBERS = ("+member.jsonl", "\x1b[2Jclear.jsonl")
#: A file that cannot be read, so that a hostile name reaches the errors table too.
BROKEN = "=broken\x1b[2J\u202e.jsonl.gz"
#: A file of e-mail addresses only, which retention lists as deletable whole.
DELETABLE = "-deletable\u202e\x1b[1m.jsonl"
#: A file without event times, which retention lists as undated.
UNDATED = "@undated\x1b]0;t\x07.jsonl"


def records(values: tuple[str, ...] = VALUES, *, dated: bool = True) -> bytes:
    """JSON lines: one record per value, holding it under every hostile field name."""
    time = {"event_timestamp": "2025-03-14T01:23:45Z"} if dated else {}
    lines = [json.dumps({**time, **dict.fromkeys(FIELDS, value)}) for value in values]
    return ("\n".join(lines) + "\n").encode()


def benign() -> bytes:
    """A record without a hostile name, for the first of the two scans."""
    return (
        json.dumps({"event_timestamp": "2025-03-14T01:23:45Z", "src_ip": "192.0.2.17"}) + "\n"
    ).encode()


def write(root: Path) -> None:
    """Write every hostile file, folder and archive under ``root``."""
    data = records()
    for name in FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in ZIP_MEMBERS:
            z.writestr(zipfile.ZipInfo(name, (2025, 3, 14, 1, 0, 0)), data)
    (root / ZIP_NAME).write_bytes(buf.getvalue())
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name in TAR_MEMBERS:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    (root / TAR_NAME).write_bytes(buf.getvalue())
    (root / BROKEN).write_bytes(gzip.compress(data * 20)[:-40])
    (root / DELETABLE).write_bytes(records(EMAILS))
    (root / UNDATED).write_bytes(records(dated=False))
