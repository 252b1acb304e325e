"""Whole-value decisions for mapped fields: placeholders, identities, NFKC span maps."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from recognizers.ipv4 import CANONICAL_IPV4
from scanner.entities import ENTITIES

#: A MAC address as six hex pairs, one separator throughout (RE2 and Python read it alike).
BARE_MAC = r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}"

_PLACEHOLDERS = frozenset(
    {
        "-",
        "--",
        "n/a",
        "na",
        "none",
        "null",
        "nil",
        "unknown",
        "undefined",
        "unmapped user",
        "unmapped",
        "not available",
        "(none)",
        "(null)",
        "0",
        "os_unknown",
    }
)
_MASKED = re.compile(r"^[*xX•●\-_.\s]+$")
_SYSTEM_ACTOR = re.compile(r"^(?:System|<[^>]+>|\w[\w.&-]*(?: [\w.&-]+)*) User #\d+$")
_DOMAIN_USER = re.compile(r"^[\w.-]{1,64}\\[\w.$-]{1,128}$")
_SID = re.compile(r"^S-1-\d+(?:-\d+){1,14}$")
_LOGIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._$-]{1,127}$")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_COORDINATE = re.compile(r"^-?\d{1,3}\.\d+$")
# A phone column's value: digits in groups, an optional +country code and (area) group.
_PHONE_SHAPE = re.compile(r"^\+?\(?[0-9]+\)?(?:[ .\-]?\(?[0-9]+\)?)*$")


def is_placeholder(value: str) -> bool:
    """True for values that stand for 'no value' (``-``, ``N/A``, ``unknown``, ``***``)."""
    text = value.strip()
    return not text or text.casefold() in _PLACEHOLDERS or bool(_MASKED.match(text))


def whole_span(value: str) -> tuple[int, int]:
    """The span of the value without surrounding white space."""
    start = len(value) - len(value.lstrip())
    return start, len(value.rstrip())


#: The shapes a whole value must have, by ``EntitySpec.field_check`` (``any``: none).
SHAPES: dict[str, Callable[[str], bool]] = {
    "name": lambda text: bool(_HAS_LETTER.search(text)) and not _SYSTEM_ACTOR.match(text),
    "user_id": lambda text: any(ch.isdigit() for ch in text) or len(text) >= 6,
    "location": lambda text: bool(_HAS_LETTER.search(text)) or bool(_COORDINATE.match(text)),
}


def accepts_whole(entity: str, value: str) -> bool:
    """Whether a mapped field's whole value is a finding of ``entity``."""
    if is_placeholder(value):
        return False
    shape = SHAPES.get(ENTITIES[entity].field_check)
    return shape is None or shape(value.strip())


def phone_shaped(value: str) -> bool:
    """Digits, separators and an optional ``+cc``, 7 to 15 digits (``+1 768-555-7863``)."""
    text = unicodedata.normalize("NFKC", value).strip()
    return bool(_PHONE_SHAPE.match(text)) and 7 <= sum(ch.isdigit() for ch in text) <= 15


def identity_kind(value: str) -> str | None:
    r"""Classify an identity value that is not an e-mail, IP or device name.

    Returns USERNAME (``CORP\tyamada``, ``taro.yamada``, ``tyamada``), USER_ID (digits, AD
    SIDs), PERSON (anything else with letters: ``山田 太郎``, ``Emily Carter``), or None
    for placeholders and system actors such as ``System User #40276``.
    """
    text = value.strip()
    if is_placeholder(text) or _SYSTEM_ACTOR.match(text):
        return None
    if text.isdigit() or _SID.match(text):
        return "USER_ID"
    if _DOMAIN_USER.match(text):
        return "USERNAME"
    if _LOGIN.match(text) and (
        any(c in text for c in "._$") or any(c.isdigit() for c in text) or text.islower()
    ):
        return "USERNAME"
    if _HAS_LETTER.search(text):
        return "PERSON"
    return None


def nfkc_map(text: str) -> tuple[str, list[int] | None]:
    """NFKC-normalise ``text`` and map normalised offsets back to original ones.

    Returns ``(normalised, offsets)``; ``offsets[j]`` is the original index of normalised
    character ``j`` (with one extra entry for the end). None when nothing changed.
    """
    if text.isascii():
        return text, None
    normalised = unicodedata.normalize("NFKC", text)
    if normalised == text:
        return text, None
    pieces: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        piece = unicodedata.normalize("NFKC", ch)
        pieces.append(piece)
        offsets.extend([i] * len(piece))
    offsets.append(len(text))
    return "".join(pieces), offsets


def dotted_quads(values: list[str]) -> np.ndarray:
    """:func:`~recognizers.ipv4.canonical_ipv4` of many values, read together: -1 for None."""
    texts = pa.array(values, pa.string())
    quad = pc.match_substring_regex(texts, f"^{CANONICAL_IPV4}$")
    numbers = np.full(len(values), -1, np.int64)
    is_quad = quad.to_numpy(zero_copy_only=False)
    if is_quad.any():
        octets = pc.split_pattern(texts.filter(quad), ".").flatten()
        a, b, c, d = pc.cast(octets, pa.int64()).to_numpy().reshape(-1, 4).T
        numbers[is_quad] = a << 24 | b << 16 | c << 8 | d
    return numbers
