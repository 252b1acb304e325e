"""Dotted quads written as ``ipaddress`` writes them, recognised without ``ipaddress``.

Most IP addresses in logs are such quads. The IP recognizer's classes, the detector's
IP fields and the keyed hash of an address all take this fast path first; anything else
(zero padding, brackets, zones, IPv6, prefixes) still goes through ``ipaddress``.
"""

from __future__ import annotations

import re

# Octets 0-255, ASCII digits, no zero padding.
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
#: A dotted quad as ipaddress writes it (RE2 reads the same pattern: ``dotted_quads``).
CANONICAL_IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
_CANONICAL_IPV4 = re.compile(CANONICAL_IPV4)


#: The last text asked about and its answer: an IP finding's field check, hash, mask and
#: class each ask about the same string object in turn.
_last: tuple[str, int | None] = ("", None)


def canonical_ipv4(text: str) -> int | None:
    """The address of ``text`` if it is an IPv4 address written as ipaddress writes it.

    Decided without ``ipaddress`` (8 us a parse).
    """
    global _last
    last = _last
    if text is last[0]:
        return last[1]
    if len(text) > 15 or _CANONICAL_IPV4.fullmatch(text) is None:
        number = None
    else:
        a, b, c, d = text.split(".")
        number = int(a) << 24 | int(b) << 16 | int(c) << 8 | int(d)
    _last = (text, number)
    return number
