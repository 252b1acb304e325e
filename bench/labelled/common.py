"""What every shape shares: the corpus's constants, value formats, clock and output context.

Constants name the account, the clock's start and the undeclared tokens the scanner must
find; :class:`Gen` is a file's own random source and clock (so each file is reproducible on
its own); :class:`Corpus` is where a generation writes: the folder, the label sink, the
scale and its people.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from labelled.messages import HARD_MESSAGES

if TYPE_CHECKING:
    from labelled.labels import LabelSink
    from labelled.people import Person

SEED = 20250314
ACCOUNT_ID = 4321
ACCOUNT_NAME = "example-corp"
T0 = 1741915200000  # 2025-03-14T01:20:00Z, epoch ms
ZIP_DATE_TIME = (2025, 3, 14, 1, 30, 0)
TAR_MTIME = 1741915800
CATO_DVC_IP = "192.0.2.1"  # the Cato address that reports legacy CEF events

# Undeclared items the scanner must find in free text.
CARD = "4111 1111 1111 1111"  # Luhn-valid test card
MY_NUMBER = "314159265352"  # 12 digits, check digit computed (stdnum.jp.in_.is_valid)
US_SSN = "219-09-9999"  # the specimen SSN printed in a 1940 SSA pamphlet, never issued
SCIM_PASSWORD = "Vx7#qLm2!pRt9w"  # unmasked password in the catocli SCIM CSV template
SPECIAL_TOKENS = (
    (CARD, "CREDIT_CARD"),
    (MY_NUMBER, "JP_MY_NUMBER"),
    (US_SSN, "US_SSN"),
)

# Hard cases that the labelling regexes (labelled.labels) do not label by themselves.
HARD_TOKENS = (
    ("4111-1111-1111-1111", "CREDIT_CARD"),
    ("3530 1113 3330 0000", "CREDIT_CARD"),  # JCB test number
    ("\uff13\uff11\uff14\uff11\uff15\uff19\uff12\uff16\uff15\uff13\uff15\uff12", "JP_MY_NUMBER"),
    ("078-05-1120", "US_SSN"),  # the Woolworth wallet specimen
    ("fe80::1c5e:ff:fe00:531a%en0", "IP_ADDRESS"),
    ("::ffff:192.0.2.44", "IP_ADDRESS"),
    ("+44 20 7946 0958", "PHONE_NUMBER"),  # Ofcom drama range
    ("(03) 5555-0199", "PHONE_NUMBER"),
    ("Hunter2-Blue!9", "SECRET"),
    ("sk_test_4eC39HqLyjWDarjtT1zdp7dc", "SECRET"),
)

# Records per file at scale 1.
BASE = {
    "events": 14, "events_tcp": 5, "events_pretty": 3, "api_events": 6, "api_audit": 5,
    "push_events": 10, "push_flows": 6, "audit": 6, "audit_datadog": 4, "cef": 8,
    "sentinel": 4, "legacy_json": 6, "legacy_cef": 4, "events_csv": 6, "xdr": 3, "parquet": 6,
    "groups": 3, "siem": 8,
}


def iso(ms: int, millis: bool = False) -> str:
    dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + (f".{ms % 1000:03d}Z" if millis else "Z")


def cef_time(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def syslog_time(ms: int) -> str:
    dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return f"{dt:%b} {dt.day:>2} {dt:%H:%M:%S}"


def cma_time(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y/%m/%d %H:%M")


def flatten(obj, prefix: str | None = None) -> Iterator[tuple[str | None, str]]:
    """The scanner's field convention: dotted key paths, list indexes as segments.

    Booleans, None and empty strings are skipped; numbers become their decimal text.
    """
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from flatten(value, str(key) if prefix is None else f"{prefix}.{key}")
    elif isinstance(obj, list | tuple):
        for i, value in enumerate(obj):
            yield from flatten(value, str(i) if prefix is None else f"{prefix}.{i}")
    elif isinstance(obj, bool) or obj is None:
        return
    elif isinstance(obj, str):
        if obj:
            yield prefix, obj
    else:
        yield prefix, repr(obj) if isinstance(obj, float) else str(obj)


def api_str(v) -> str:
    """fieldsMap typing: everything is a string, lists joined with ', '."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list | tuple):
        return ", ".join(api_str(x) for x in v)
    return "" if v is None else str(v)


def dumps(obj, **kw) -> str:
    return json.dumps(obj, ensure_ascii=False, **kw)


def compact(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class Gen:
    """Per-file random source and clock, so each file is reproducible on its own."""

    def __init__(self, name: str, people: list[Person], start_offset_s: int = 0):
        self.rng = random.Random(f"{SEED}:{name}")
        self.people = people
        self.t = T0 + start_offset_s * 1000
        self.messages = -1

    def tick(self, lo: int = 4, hi: int = 95) -> int:
        self.t += self.rng.randint(lo, hi) * 1000
        return self.t

    def next_message(self) -> int:
        """Index of the next HARD_MESSAGES template (each file walks through all of them)."""
        self.messages += 1
        return self.messages % len(HARD_MESSAGES)

    def hexid(self, n: int = 14) -> str:
        return f"{self.rng.getrandbits(4 * n):0{n}x}"

    def short_id(self) -> str:
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
        return "".join(self.rng.choice(alphabet) for _ in range(10))

    def port(self) -> int:
        return self.rng.randint(49152, 65535)

    def pick(self, seq):
        return self.rng.choice(seq)


class Corpus:
    """Where a generation writes: the output folder, the label sink, the scale, the people."""

    def __init__(self, out: Path, labels: LabelSink, scale: int, people: list[Person]):
        self.out, self.labels, self.scale, self.people = out, labels, scale, people

    def n(self, key: str) -> int:
        return BASE[key] * self.scale

    def gen(self, name: str, offset_s: int = 0) -> Gen:
        return Gen(name, self.people, offset_s)

    def path(self, rel: str) -> Path:
        p = self.out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        return p


def csv_pairs(header: list[str], row: list[str]) -> list[tuple[str, str]]:
    """CSV cells as the scanner sees them: named by the header cell; empty cells skipped."""
    return [(h, v) for h, v in zip(header, row, strict=True) if v]
