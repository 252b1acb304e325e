"""Parse the timestamp forms found in Cato data into aware UTC datetimes.

Forms (cato-formats.md section 11): epoch milliseconds (``1741915425000``, also as a
string or ``"1741915425000.000000"``), epoch seconds, RFC 3339 (``2025-03-14T01:23:45Z``,
fractions and offsets), CEF ``rt`` (``Fri Mar 14 01:23:45 UTC 2025``), CMA CSV dates
(``2025/03/14 01:20``) and Java's default ``Dec 12, 2025 3:21:48 AM``. Forms without a zone
are taken as UTC, which is what Cato writes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Epochs outside 2000-01-01 .. 2100-01-01 are ids or counters, not event times.
MIN_EPOCH_S, MAX_EPOCH_S = 946_684_800, 4_102_444_800

_NUMBER = re.compile(r"^\d{9,14}(?:\.\d+)?$")
_ISO = re.compile(
    r"""^(\d{4})-(\d{2})-(\d{2})          # date
        [T ](\d{2}):(\d{2})(?::(\d{2}))?  # time, seconds optional
        (?:[.,](\d{1,9}))?                # fraction
        \s*(Z|UTC|[+-]\d{2}:?\d{2})?$     # zone
    """,
    re.VERBOSE | re.IGNORECASE,
)
_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
#: The common CEF ``rt`` form, read without strptime (7.8 us): what its first pattern
#: reads, for the exact spelling Cato writes; anything else goes through strptime.
_CEF_RT = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +"
    r"([0-9]{1,2}) ([0-9]{1,2}):([0-9]{2}):([0-9]{2}) (?:UTC|GMT) ([0-9]{4})"
)
_MONTHS = {m: n for n, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
_STRPTIME_PATTERNS = (
    "%a %b %d %H:%M:%S %Z %Y",  # CEF rt: Fri Mar 14 01:23:45 UTC 2025
    "%b %d, %Y %I:%M:%S %p",  # Java default: Dec 12, 2025 3:21:48 AM
    "%b %d %Y %H:%M:%S",  # CEF rt alternative: Mar 14 2025 01:23:45
    "%Y-%m-%d",
)


#: The last text parsed and its time: records come in time order, many in the same second.
_last: tuple[str, datetime | None] = ("", None)


def parse_time(value: object) -> datetime | None:
    """Return ``value`` as an aware UTC datetime, or None when it is not a timestamp."""
    global _last
    if type(value) is str:
        last = _last
        if value == last[0]:
            return last[1]
        parsed = _parse(value)
        _last = (value, parsed)
        return parsed
    return _parse(value)


def _parse(value: object) -> datetime | None:
    if type(value) is str and len(value) == 13 and value.isdigit() and value.isascii():
        # The common case, epoch milliseconds as a string (eventsFeed ``time``): the
        # same result as the general path below, without its regex and float.
        ms = int(value)
        if MIN_EPOCH_S * 1000 <= ms < MAX_EPOCH_S * 1000:
            return _EPOCH + timedelta(milliseconds=ms)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    text = str(value).strip()
    if not text:
        return None
    if _NUMBER.match(text):
        return _from_epoch(float(text))
    m = _ISO.match(text)
    if m:
        return _from_iso(m)
    m = _SLASH.match(text)
    if m:
        y, mo, d, h, mi, s = (int(x) if x else 0 for x in m.groups())
        try:
            return datetime(y, mo, d, h, mi, s, tzinfo=UTC)
        except ValueError:
            return None
    m = _CEF_RT.fullmatch(text)
    if m:
        month, *numbers = m.groups()
        day, hour, minute, second, year = map(int, numbers)
        try:
            return datetime(year, _MONTHS[month], day, hour, minute, second, tzinfo=UTC)
        except ValueError:
            pass  # strptime decides
    for fmt in _STRPTIME_PATTERNS:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return None


def _from_epoch(number: float) -> datetime | None:
    seconds = number / 1000.0 if number >= 1e11 else number
    if not MIN_EPOCH_S <= seconds < MAX_EPOCH_S:
        return None
    return _EPOCH + timedelta(milliseconds=round(seconds * 1000))


def _from_iso(m: re.Match[str]) -> datetime | None:
    y, mo, d, h, mi, s, frac, zone = m.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    try:
        dt = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), micro, tzinfo=UTC)
    except ValueError:
        return None
    if zone and zone.upper() not in ("Z", "UTC"):
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        dt -= sign * offset
    return dt
