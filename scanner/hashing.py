"""Keyed hashes and masked previews: how a finding names its value without holding it.

``value_hash`` is HMAC-SHA256 over the normalised value under the user's key, so equal
values join across files and scans while short values (phone numbers, ids) cannot be
recovered by hashing guesses without the key. Normalisation: NFKC for all; case folded
where case does not matter; canonical forms for IP addresses, MACs, phone numbers and
e-mails (percent-decoded); whitespace runs (half- and full-width) folded to one space.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import re
import secrets
import stat
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import phonenumbers

from scanner.errors import ConfigError

_SPACES = re.compile(r"\s+")
_HEX = re.compile(r"[0-9a-f]")
_CASE_INSENSITIVE = {
    "EMAIL_ADDRESS",
    "USERNAME",
    "DEVICE_NAME",
    "DEVICE_ID",
    "URL",
    "PERSON",
    "LOCATION",
    "DEVICE_INFO",
    "USER_ID",
}
KEY_ENV = "CATOSCAN_KEY_FILE"
_MAX_KEY_BYTES = 4096


def normalise(entity: str, value: str) -> str:
    """Return the canonical text of a value, the input of its keyed hash."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", value)).strip()
    if entity == "IP_ADDRESS":
        return _canonical_ip(text)
    if entity == "MAC_ADDRESS":
        digits = "".join(_HEX.findall(text.lower()))
        return ":".join(digits[i : i + 2] for i in range(0, len(digits), 2))
    if entity == "EMAIL_ADDRESS":
        return unquote(text).casefold()
    if entity in ("PHONE_NUMBER",):
        return _canonical_phone(text)
    if entity in ("CREDIT_CARD", "JP_MY_NUMBER", "US_SSN"):
        return re.sub(r"\D", "", text)
    if entity in _CASE_INSENSITIVE:
        return text.casefold()
    return text


def _canonical_ip(text: str) -> str:
    host = text.strip("[]")
    host, _, _zone = host.partition("%")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        try:
            return str(ipaddress.ip_network(host, strict=False))
        except ValueError:
            return text.lower()


def _canonical_phone(text: str) -> str:
    for region in ("JP", "US"):
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return re.sub(r"[^\d+]", "", text)


class Hasher:
    """HMAC-SHA256 of normalised values under one key."""

    def __init__(self, key: bytes):
        self._key = key

    def hash(self, entity: str, value: str) -> str:
        """Hex HMAC of the normalised value; the entity type is part of the message."""
        message = f"{entity}\0{normalise(entity, value)}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """A short public name for a key (a hash of it, not the key): ``key_id`` column."""
    return hashlib.sha256(b"catoscan key id\0" + key).hexdigest()[:16]


def mask(entity: str, value: str) -> str:
    """A preview that shows the shape of a value without the value (``t***@example.com``)."""
    text = value.strip()
    if not text:
        return "***"
    if entity == "EMAIL_ADDRESS":
        decoded = unquote(text)
        local, at, domain = decoded.rpartition("@")
        if at:
            return f"{local[:1]}***@{domain}"
    if entity == "IP_ADDRESS":
        try:
            ip = ipaddress.ip_address(text.strip("[]").partition("%")[0])
        except ValueError:
            return f"{text[:1]}***"
        if ip.version == 4:
            a, b, _c, _d = str(ip).split(".")
            return f"{a}.{b}.*.*"
        groups = ip.exploded.split(":")
        return ":".join(groups[:2]) + ":*:*:*:*:*:*"
    if entity == "MAC_ADDRESS":
        digits = "".join(_HEX.findall(text.lower()))
        return ":".join(digits[i : i + 2] for i in range(0, 6, 2)) + ":**:**:**"
    if entity in ("CREDIT_CARD", "JP_MY_NUMBER", "US_SSN", "PHONE_NUMBER"):
        digits = re.sub(r"\D", "", text)
        return f"***{digits[-2:]}" if len(digits) > 6 else "***"
    if entity == "URL":
        m = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)?(.)", text)
        if m:
            return f"{m.group(1) or ''}{m.group(2)}***"
    if entity == "SECRET":
        return "***"
    return f"{text[:1]}***"


def default_key_path() -> Path:
    """Where a key is created when none is given: the user's config directory."""
    import platformdirs

    return Path(platformdirs.user_config_dir("catoscan")) / "hmac.key"


def load_key(key_file: Path | None) -> tuple[bytes, str, bool]:
    """Return ``(key, where it came from, created now)``.

    Order: ``key_file`` (``--key-file``), then ``$CATOSCAN_KEY_FILE``, then the default path,
    created once with mode 0600. A key file readable by group or others is refused.
    """
    created = False
    if key_file is None and os.environ.get(KEY_ENV):
        key_file = Path(os.environ[KEY_ENV])
    if key_file is None:
        key_file = default_key_path()
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32) + "\n")
            created = True
    key = _read_key(key_file)
    return key, str(key_file), created


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
