"""Keyed hashes and masked previews: how a finding names its value without holding it.

``value_hash`` is HMAC-SHA256 over the normalised value under the user's key, so equal
values join across files and scans while short values (phone numbers, ids) cannot be
recovered by hashing guesses without the key. Normalisation: NFKC for all; whitespace runs
(half- and full-width) folded to one space; then each entity's ``normal_form`` (canonical
forms for IP addresses, MACs, phone numbers and e-mails, percent-decoded) and case folded
where case does not matter. Which entity takes which form, and which mask, is
:mod:`scanner.entities`'s table; how each form and mask is written is here.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import os
import re
import secrets
import stat
import unicodedata
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from recognizers.ipv4 import canonical_ipv4
from recognizers.phone_regions import expand_phone_regions
from scanner.detect.values import BARE_MAC
from scanner.entities import ENTITIES
from scanner.errors import ConfigError, resource_error

_SPACES = re.compile(r"\s+")
_HEX = re.compile(r"[0-9a-f]")
KEY_ENV = "CATOSCAN_KEY_FILE"
_MAX_KEY_BYTES = 4096


#: The regions phone numbers were read in by scans that did not record theirs: the
#: packaged scanner.yaml's ``phone_regions`` until scans recorded them. A fact of those
#: older scans, not a default that follows scanner.yaml (``[JP, US, "*"]`` since): it must
#: not change, or their hashes would (tests/test_pinned_hashes.py pins both lists).
#: Scans pass the configured regions.
DEFAULT_PHONE_REGIONS = ("JP", "US")


def normalise(
    entity: str, value: str, phone_regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS
) -> str:
    """Return the canonical text of a value, the input of its keyed hash.

    NFKC, white space folded, then the entity's ``normal_form`` and case folding
    (:class:`scanner.entities.EntitySpec`). A phone number written without ``+`` is read
    in the first of ``phone_regions`` where it is valid, or else where it parses (E.164);
    the same digits read in another region are another number.
    """
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", value)).strip()
    spec = ENTITIES.get(entity)
    if spec is None:
        return text
    if spec.normal_form == "phone":
        regions = expand_phone_regions(tuple(phone_regions))
        text = canonical_phone(text, regions[:1] if text.startswith("+") else regions)
    else:
        text = _NORMAL_FORMS[spec.normal_form](text)
    return text.casefold() if spec.case_insensitive else text


def _canonical_mac(text: str) -> str:
    digits = "".join(_HEX.findall(text.lower()))
    return ":".join(digits[i : i + 2] for i in range(0, len(digits), 2))


def _canonical_ip(text: str) -> str:
    if canonical_ipv4(text) is not None:
        return text  # as ipaddress would write it
    host = text.strip("[]")
    host, _, _zone = host.partition("%")
    try:
        return _address_text(ipaddress.ip_address(host))
    except ValueError:
        try:
            network = ipaddress.ip_network(host, strict=False)
        except ValueError:
            return text.lower()
        return f"{_address_text(network.network_address)}/{network.prefixlen}"


def _address_text(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """The compressed text of an address, the same on every Python.

    Python 3.13 writes an IPv4-mapped address as ``::ffff:192.0.2.17``, earlier versions as
    ``::ffff:c000:211``: the form hashes have had since the first scan, so it is kept.
    """
    if ip.version == 6 and ip.ipv4_mapped is not None:
        low = int(ip) & 0xFFFFFFFF
        return f"::ffff:{low >> 16:x}:{low & 0xFFFF:x}"
    return str(ip)


_NOT_DIGIT = re.compile(r"\D")

#: How each ``normal_form`` but ``phone`` (which needs the regions) writes a text.
_NORMAL_FORMS: dict[str, Callable[[str], str]] = {
    "ip": _canonical_ip,
    "mac": _canonical_mac,
    "email": unquote,
    "digits": lambda text: _NOT_DIGIT.sub("", text),
    "text": lambda text: text,
}


def _read_phone(text: str, region: str) -> tuple[str, bool] | None:
    """E.164 of ``text`` read in ``region`` and whether it is valid there; None if unparsable."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, phonenumbers.is_valid_number(number)


def canonical_phone(text: str, regions: tuple[str, ...]) -> str:
    """E.164 of ``text`` read in the first region where it is valid, else where it parses.

    Falls back to the digits (and ``+``) when it parses nowhere.
    """
    first: str | None = None
    for region in regions:
        reading = _read_phone(text, region)
        if reading is None:
            continue
        if reading[1]:
            return reading[0]
        first = first or reading[0]
    return first or re.sub(r"[^\d+]", "", text)


def canonical_phones(text: str, regions: tuple[str, ...]) -> list[tuple[str | None, str]]:
    """``(region, E.164)`` for each region where ``text`` is a valid number, in order.

    ``regions`` may hold ``"*"`` (see ``expand_phone_regions``).

    The first region where it parses is listed too (last, if it is not already): that is
    how a number valid nowhere is hashed, and how scans before validity-first hashing read
    every number. Returns at least one reading: ``(None, digits)`` when it parses in none.
    Numbers read alike in several regions (``+81 ...``) are listed once.
    """
    found: list[tuple[str | None, str]] = []
    first: tuple[str, str] | None = None
    for region in expand_phone_regions(tuple(regions)):
        reading = _read_phone(text, region)
        if reading is None:
            continue
        first = first or (region, reading[0])
        if reading[1] and all(reading[0] != other for _r, other in found):
            found.append((region, reading[0]))
    if first is not None and all(first[1] != other for _r, other in found):
        found.append(first)
    return found or [(None, re.sub(r"[^\d+]", "", text))]


def valid_phone(text: str, region: str | None) -> bool:
    """Whether ``text`` is a valid number read in ``region``."""
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(text, region))
    except phonenumbers.NumberParseException:
        return False


def _plain(text: str) -> bool:
    """ASCII without white space or control characters: NFKC and space folding keep it."""
    return text.isascii() and text.isprintable() and " " not in text


def hmac_sha256_hex(key: bytes) -> Callable[[bytes], str]:
    """HMAC-SHA256 under ``key`` (RFC 2104), as hex: the same as ``hmac.digest``, faster.

    The key's inner and outer pads are hashed once; each message copies those states,
    about 0.7 us against 1.6 us for ``hmac.digest``, which sets up both pads each time.
    """
    if len(key) > 64:  # SHA-256's block: a longer key is hashed first
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner_pad = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer_pad = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    inner_copy, outer_copy = inner_pad.copy, outer_pad.copy

    def digest(message: bytes) -> str:
        inner = inner_copy()
        inner.update(message)
        outer = outer_copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    return digest


class Hasher:
    """HMAC-SHA256 of normalised values under one key."""

    def __init__(self, key: bytes, phone_regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS):
        self._digest = hmac_sha256_hex(key)
        self.phone_regions = tuple(phone_regions)
        self._by_entity: dict[str, Callable[[str], str]] = {}

    def hash(self, entity: str, value: str) -> str:
        """Hex HMAC of the normalised value; the entity type is part of the message."""
        return self.function(entity)(value)

    def function(self, entity: str) -> Callable[[str], str]:
        """:meth:`hash` for one entity type, its per-call look-ups done once.

        The message is ``entity NUL normalise(entity, value)``; a value of printable ASCII
        without spaces skips NFKC and space folding, which leave such a value as it is.
        """
        found = self._by_entity.get(entity)
        if found is not None:
            return found
        digest, prefix = self._digest, f"{entity}\0"
        spec = ENTITIES.get(entity)
        if spec is None or spec.normal_form == "phone":
            regions = self.phone_regions

            def one(value: str) -> str:
                message = f"{prefix}{normalise(entity, value, regions)}".encode()
                return digest(message)

        else:
            form, fold = _NORMAL_FORMS[spec.normal_form], spec.case_insensitive

            def one(value: str) -> str:
                if _plain(value):
                    text = form(value)
                else:
                    text = form(_SPACES.sub(" ", unicodedata.normalize("NFKC", value)).strip())
                if fold:
                    text = text.casefold()
                return digest((prefix + text).encode())

        self._by_entity[entity] = one
        return one

    def many(
        self, entity: str, values: list[str], forms: list[str | None] | None = None
    ) -> list[str]:
        """:meth:`hash` of many values of one entity type.

        ``forms``: per value, its normal form where it is known (:func:`known_forms`), so
        that its message is made without normalising it again; None where it is not.
        """
        one = self.function(entity)
        if forms is None:
            return list(map(one, values))
        digest, prefix = self._digest, f"{entity}\0"
        return [
            one(value) if form is None else digest((prefix + form).encode())
            for value, form in zip(values, forms, strict=True)
        ]


def key_id(key: bytes) -> str:
    """A short public name for a key (a hash of it, not the key): ``key_id`` column."""
    return hashlib.sha256(b"catoscan key id\0" + key).hexdigest()[:16]


def mask(entity: str, value: str) -> str:
    """A preview that shows the shape of a value without the value (``t***@example.com``).

    Each entity's ``mask`` kind (:class:`scanner.entities.EntitySpec`) chooses the shape.
    """
    return mask_function(entity)(value)


def known_forms(
    entity: str, values: list[str], quads: np.ndarray | None = None
) -> list[str | None] | None:
    """The normal forms of the values whose shape gives it at once (None where it does not).

    A dotted quad written as ipaddress writes it (``quads``, from
    :func:`~scanner.detect.values.dotted_quads`) is its own normal form; a MAC address of
    six hex pairs is them in lower case, joined by colons. Other entities: None.
    """
    if entity == "IP_ADDRESS" and quads is not None:
        return [
            value if quad >= 0 else None for value, quad in zip(values, quads.tolist(), strict=True)
        ]
    if entity == "MAC_ADDRESS":
        texts = pa.array(values, pa.string())
        bare = pc.match_substring_regex(texts, f"^(?:{BARE_MAC})$")
        forms = pc.if_else(bare, pc.replace_substring(pc.utf8_lower(texts), "-", ":"), None)
        return forms.to_pylist()
    return None


def masks(entity: str, values: list[str], forms: list[str | None] | None = None) -> list[str]:
    """:func:`mask` of many values of one entity type.

    ``forms``: :func:`known_forms` of the values; those of dotted quads (``a.b.*.*``) and of
    MAC addresses (``aa:bb:cc:**:**:**``) are masked from them.
    """
    one = mask_function(entity)
    if forms is None or entity not in ("IP_ADDRESS", "MAC_ADDRESS"):
        return list(map(one, values))
    if entity == "MAC_ADDRESS":
        return [
            one(value) if form is None else f"{form[:8]}:**:**:**"
            for value, form in zip(values, forms, strict=True)
        ]
    shown = pc.replace_substring_regex(pa.array(forms, pa.string()), r"^(\d+\.\d+)\..*$", r"\1.*.*")
    return [
        one(value) if form is None else masked
        for value, form, masked in zip(values, forms, shown.to_pylist(), strict=True)
    ]


def mask_function(entity: str) -> Callable[[str], str]:
    """:func:`mask` for one entity type, its look-ups done once."""
    found = _MASK_FUNCTIONS.get(entity)
    if found is not None:
        return found
    spec = ENTITIES.get(entity)
    shape = _MASKS[spec.mask] if spec is not None else _MASKS["first_char"]

    def one(value: str) -> str:
        text = value.strip()
        if not text:
            return "***"
        masked = shape(text)
        return f"{text[:1]}***" if masked is None else masked

    _MASK_FUNCTIONS[entity] = one
    return one


def _mask_email(text: str) -> str | None:
    local, at, domain = unquote(text).rpartition("@")
    return f"{local[:1]}***@{domain}" if at else None


def _mask_ip(text: str) -> str:
    if canonical_ipv4(text) is not None:
        a, b, _rest = text.split(".", 2)
        return f"{a}.{b}.*.*"
    try:
        host = unicodedata.normalize("NFKC", text).strip("[]")
        ip = ipaddress.ip_address(host.partition("/")[0].partition("%")[0])
    except ValueError:
        return f"{text[:1]}***"
    if ip.version == 4:
        a, b, _c, _d = str(ip).split(".")
        return f"{a}.{b}.*.*"
    groups = ip.exploded.split(":")
    return ":".join(groups[:2]) + ":*:*:*:*:*:*"


def _mask_mac(text: str) -> str:
    digits = "".join(_HEX.findall(text.lower()))
    return ":".join(digits[i : i + 2] for i in range(0, 6, 2)) + ":**:**:**"


def _mask_last_digits(text: str) -> str:
    digits = _NOT_DIGIT.sub("", text)
    return f"***{digits[-2:]}" if len(digits) > 6 else "***"


_URL_HEAD = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*://)?(.)")


def _mask_url(text: str) -> str | None:
    m = _URL_HEAD.match(text)
    return f"{m.group(1) or ''}{m.group(2)}***" if m else None


#: How each ``mask`` kind previews a (stripped, non-empty) text; None: its first character.
_MASKS: dict[str, Callable[[str], str | None]] = {
    "email": _mask_email,
    "ip": _mask_ip,
    "mac": _mask_mac,
    "last_digits": _mask_last_digits,
    "url": _mask_url,
    "hidden": lambda text: "***",
    "first_char": lambda text: None,
}


_MASK_FUNCTIONS: dict[str, Callable[[str], str]] = {}


def default_key_path() -> Path:
    """Where a key is created when none is given: the user's config directory."""
    import platformdirs

    return Path(platformdirs.user_config_dir("catoscan")) / "hmac.key"


def load_key(key_file: Path | None) -> tuple[bytes, str, bool]:
    """Return ``(key, where it came from, created now)``.

    Order: ``key_file`` (``--key-file``), then ``$CATOSCAN_KEY_FILE``, then the default path,
    created once with mode 0600. A key file readable by group or others is refused.

    Raises:
        ConfigError: the key file cannot be read, or is not a key file.
        ResourceError: the default key cannot be created (read-only, no space, ...);
            nothing of it is left behind.
    """
    created = False
    if key_file is None and os.environ.get(KEY_ENV):
        key_file = Path(os.environ[KEY_ENV])
    if key_file is None:
        key_file = default_key_path()
        if not key_file.exists():
            created = _create_key(key_file)
    key = _read_key(key_file)
    return key, str(key_file), created


def _create_key(key_file: Path) -> bool:
    """Write a new random key, mode 0600; a half-written one is removed, not kept.

    Returns:
        Whether it was created here (not by another catoscan at the same moment).
    """
    fd = None
    try:
        key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    except FileExistsError:
        return False
    except OSError as exc:
        if fd is not None:  # created, then the write failed: a short key must not stay
            with contextlib.suppress(OSError):
                key_file.unlink()
        refused = resource_error(exc, key_file)
        raise refused or ConfigError(
            f"key file {key_file}: cannot create: {exc.strerror}"
        ) from None
    return True


def _read_key(key_file: Path) -> bytes:
    """Read a key file, refusing what would let others read it or hang the scan.

    The checks run on the opened file (no window between check and read): a regular file,
    no permission bits for group or others. Messages name the file, never its content.
    """
    try:
        fd = os.open(key_file, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise ConfigError(f"key file {key_file}: cannot read: {exc.strerror}") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise ConfigError(f"key file {key_file}: not a regular file")
    with os.fdopen(fd, "rb") as fh:
        if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError(
                f"key file {key_file}: group or others have access to it; run: chmod 600 {key_file}"
            )
        raw = fh.read(_MAX_KEY_BYTES + 1)
    key = raw.strip()
    if len(raw) > _MAX_KEY_BYTES:
        raise ConfigError(f"key file {key_file}: over {_MAX_KEY_BYTES} bytes; not a key file")
    if len(key) < 16:
        raise ConfigError(f"key file {key_file}: too short; it needs at least 16 bytes")
    return key
