"""Data-subject lookup: where does one person's data occur (CCPA access and deletion requests).

The subject's identifiers are hashed exactly as the scan hashed values:
``Hasher(key).hash(entity_type, value)`` over :func:`scanner.hashing.normalise`, so a
match is an equal ``value_hash`` and no raw value is read or printed. A name is tried in
the forms names take in Cato data: as given, with the two parts reversed (``Taro Yamada`` /
``Yamada Taro``), as ``family, given`` in both orders, and for Japanese names also without
a space, and, given without one, split at each place (``山田太郎``: ``山田 太郎``, ...);
full-width (U+3000) and half-width spaces hash alike because normalisation folds them. A
phone number without ``+`` is tried as a number of each region the scans read numbers in
(their ``phone_regions``): ``202-555-0143`` is one number in the US and another in Japan.
An e-mail address is its own identifier (``--email``), never a name form.

By default the latest scan made with the key is searched (a dataset holds every scan, so
earlier scans of the same files would count each occurrence again); ``--all-scans``
searches the history.
"""

from __future__ import annotations

import csv
import ipaddress
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recognizers.phone_regions import ALL_REGIONS, expand_phone_regions
from scanner.errors import ConfigError
from scanner.hashing import DEFAULT_PHONE_REGIONS, Hasher, canonical_phones, valid_phone
from scanner.inventory.data import FINDING_COLUMNS, Inventory, as_python, read_frame
from scanner.inventory.reviews import ReviewsFile, apply_reviews

#: Identifier kind -> the entity types its values are hashed as.
KINDS: dict[str, tuple[str, ...]] = {
    "email": ("EMAIL_ADDRESS", "USERNAME"),
    "name": ("PERSON",),
    "ip": ("IP_ADDRESS",),
    "username": ("USERNAME", "USER_ID"),
    "phone": ("PHONE_NUMBER",),
}
OCCURRENCE_HEADERS = (
    "identifier",
    "form",
    "scan_id",
    "source_path",
    "source_format",
    "line",
    "record_index",
    "field",
    "entity_type",
    "categories",
    "policy_element",
    "policy_declared",
    "event_time",
    "value_masked",
    "value_hash",
    "review",
)
SUMMARY_HEADERS = (
    "identifier",
    "forms",
    "findings",
    "files",
    "scans",
    "categories",
    "policy_elements",
)
_SEPARATORS = re.compile(r"[\s,\u3000]+")
#: A CJK name written without a space is split at each place up to this length.
_MAX_SPLIT = 8
_DIGITS = re.compile(r"\d")


@dataclass(frozen=True)
class Identifier:
    """One identifier of the subject; ``label`` (``name 1``) names it in every output."""

    kind: str
    number: int
    value: str = field(repr=False)  # the raw identifier: hashed, never printed

    @property
    def label(self) -> str:
        """How outputs name this identifier (never by its value)."""
        return f"{self.kind} {self.number}"


@dataclass(frozen=True)
class Probe:
    """One hash to look for: an identifier in one form, as one entity type."""

    identifier: str
    form: str
    entity_type: str
    value_hash: str


@dataclass(frozen=True)
class LookupResult:
    """What a lookup found."""

    key_id: str
    scans: tuple[str, ...]
    skipped_scans: tuple[str, ...]  # hashed under another key: cannot match
    identifiers: tuple[Identifier, ...]
    probes: tuple[Probe, ...]
    occurrences: list[list[Any]]
    #: which scans: "latest" (made with the key), "all" (--all-scans) or "scan" (--scan)
    scope: str = "latest"
    #: identifiers that could not be read as what they are (searched anyway)
    notes: tuple[str, ...] = ()
    #: regions phone numbers without "+" were read in
    phone_regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS

    def summary(self) -> list[list[Any]]:
        """Per identifier: forms tried, findings, files, scans, categories, elements."""
        rows = []
        for ident in self.identifiers:
            mine = [o for o in self.occurrences if o[0] == ident.label]
            forms = len({p.form for p in self.probes if p.identifier == ident.label})
            rows.append(
                [
                    ident.label,
                    forms,
                    len(mine),
                    len({o[3] for o in mine}),
                    len({o[2] for o in mine}),
                    sorted({c for o in mine for c in o[9]}),
                    sorted({o[10] for o in mine}),
                ]
            )
        return rows

    def to_json(self, key_source: str) -> dict[str, Any]:
        """A JSON-ready dict: key, scans searched, per-identifier summary, occurrences."""
        return {
            "key_id": self.key_id,
            "key_source": key_source,
            "scans_searched": list(self.scans),
            "scope": self.scope,
            "notes": list(self.notes),
            "phone_regions": list(self.phone_regions),
            "scans_skipped_other_key": list(self.skipped_scans),
            "identifiers": [dict(zip(SUMMARY_HEADERS, r, strict=True)) for r in self.summary()],
            "occurrences": [
                dict(zip(OCCURRENCE_HEADERS, r, strict=True)) for r in self.occurrences
            ],
        }


def identifiers_from(
    given: dict[str, tuple[str, ...]], csv_path: Path | None = None
) -> tuple[Identifier, ...]:
    """Validate the identifiers from options and an optional CSV file.

    Args:
        given: Kind (``email``, ``name``, ``ip``, ``username``, ``phone``) -> values.
        csv_path: A CSV whose header names kinds; every non-empty cell is an identifier.

    Raises:
        ConfigError: an unknown CSV column or a value that is not what its kind says
            (the message names the identifier, never its value).
    """
    values: dict[str, list[str]] = {kind: list(given.get(kind, ())) for kind in KINDS}
    if csv_path is not None:
        for kind, value in _read_csv(csv_path):
            values[kind].append(value)
    result = []
    for kind, items in values.items():
        for number, value in enumerate(items, 1):
            ident = Identifier(kind, number, value)
            _check(ident)
            result.append(ident)
    return tuple(result)


def _read_csv(path: Path) -> list[tuple[str, str]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if not header:
                raise ConfigError(f"--identifiers {path}: empty file; the first row names columns")
            kinds = [h.strip().lower() for h in header]
            for name in kinds:
                if name not in KINDS:
                    raise ConfigError(
                        f"--identifiers {path}: unknown column {name!r}; valid: {', '.join(KINDS)}"
                    )
            pairs = []
            for row in reader:
                for kind, value in zip(kinds, row, strict=False):
                    if value.strip():
                        pairs.append((kind, value.strip()))
            return pairs
    except OSError as exc:
        raise ConfigError(f"--identifiers {path}: cannot read: {exc.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(
            f"--identifiers {path}: not a UTF-8 CSV file ({type(exc).__name__})"
        ) from None


def _check(ident: Identifier) -> None:
    value = ident.value.strip()
    problem = None
    if not value:
        problem = "is empty"
    elif ident.kind == "email" and "@" not in value:
        problem = "is not an e-mail address"
    elif ident.kind == "ip":
        try:
            ipaddress.ip_address(value.strip("[]").partition("%")[0])
        except ValueError:
            problem = "is not an IPv4 or IPv6 address"
    elif ident.kind == "phone" and len(_DIGITS.findall(unicodedata.normalize("NFKC", value))) < 5:
        problem = "is not a phone number (fewer than 5 digits)"
    if problem:
        raise ConfigError(f"--{ident.kind} value {ident.number} {problem}")


def name_forms(name: str) -> list[tuple[str, str]]:
    """The forms a person's name is tried in: ``(form label, text)``, as given first."""
    parts = [p for p in _SEPARATORS.split(name.strip()) if p]
    forms = [("as given", name), ("half-width space", " ".join(parts))]
    forms.append(("full-width space", "\u3000".join(parts)))
    if len(parts) == 2:
        forms += _two_part_forms(*parts)
    elif len(parts) == 1 and _cjk(name) and len(parts[0]) <= _MAX_SPLIT:
        # 山田太郎: family and given name written together; the logs may hold them apart.
        word = parts[0]
        for at in range(1, len(word)):
            split = f", split after {at}"
            forms.append((f"space{split}", f"{word[:at]} {word[at:]}"))
            forms += _two_part_forms(word[:at], word[at:], split)
    return forms


def _two_part_forms(first: str, second: str, how: str = "") -> list[tuple[str, str]]:
    forms = [
        (f"reversed{how}", f"{second} {first}"),
        (f"reversed, full-width space{how}", f"{second}\u3000{first}"),
        (f"comma{how}", f"{first}, {second}"),
        (f"reversed, comma{how}", f"{second}, {first}"),
    ]
    if _cjk(first + second):
        forms += [(f"no space{how}", first + second), (f"reversed, no space{how}", second + first)]
    return forms


def _cjk(text: str) -> bool:
    return any(unicodedata.east_asian_width(c) == "W" for c in text)


def phone_forms(number: str, regions: tuple[str, ...]) -> list[tuple[str, str]]:
    """The forms a phone number is tried in: E.164 as read in each region, in order."""
    text = unicodedata.normalize("NFKC", number).strip()
    if text.startswith("+"):
        return [("as given", text)]
    return [
        (f"read in {region}" if region else "digits", e164)
        for region, e164 in canonical_phones(text, regions)
    ]


def unreadable_phones(identifiers: tuple[Identifier, ...], regions: tuple[str, ...]) -> list[str]:
    """A sentence per phone identifier that is a valid number in none of ``regions``."""
    notes = []
    for ident in identifiers:
        if ident.kind != "phone":
            continue
        text = unicodedata.normalize("NFKC", ident.value).strip()
        tried = (None,) if text.startswith("+") else expand_phone_regions(tuple(regions))
        if not any(valid_phone(text, region) for region in tried):
            named = [r for r in regions if r != ALL_REGIONS]
            where = (
                "as an international number"
                if text.startswith("+")
                else "in any region"
                if ALL_REGIONS in regions
                else ("in " + " or ".join(named))
            )
            notes.append(
                f"{ident.label} is not a valid phone number {where}; searched as read anyway"
            )
    return notes


def probes_for(
    identifiers: tuple[Identifier, ...],
    hasher: Hasher,
    phone_regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS,
) -> tuple[Probe, ...]:
    """Every (form, entity type) hash to search for; forms that hash alike are tried once."""
    probes: list[Probe] = []
    for ident in identifiers:
        if ident.kind == "name":
            forms = name_forms(ident.value)
        elif ident.kind == "phone":
            forms = phone_forms(ident.value, phone_regions)
        else:
            forms = [("as given", ident.value)]
        seen: set[str] = set()
        for form, text in forms:
            for entity in KINDS[ident.kind]:
                digest = hasher.hash(entity, text)
                if digest not in seen:
                    seen.add(digest)
                    probes.append(Probe(ident.label, form, entity, digest))
    return tuple(probes)


def lookup(
    inventory: Inventory,
    identifiers: tuple[Identifier, ...],
    key: bytes,
    key_id: str,
    scan_id: str | None,
    reviews: ReviewsFile,
    all_scans: bool = False,
) -> LookupResult:
    """Find every finding whose value hash is one of the subject's identifiers.

    Args:
        inventory: The opened dataset.
        identifiers: The subject's identifiers.
        key: The HMAC key the scans were made with.
        key_id: Its id (``scanner.hashing.key_id``).
        scan_id: Search only this scan.
        reviews: Review decisions (shown per occurrence, nothing is left out).
        all_scans: Search every scan made with this key; neither this nor ``scan_id``:
            the latest scan made with it.

    Raises:
        ConfigError: an unknown scan, or no scan made with this key.
    """
    import pyarrow.dataset as ds

    entries = [inventory.scan(scan_id)] if scan_id else list(inventory.scans)
    if not scan_id and not all_scans:
        # The latest scan made with this key; later ones made with another key are named.
        mine = [i for i, e in enumerate(entries) if e.get("key_id") == key_id]
        entries = entries[mine[-1] :] if mine else entries
    usable = tuple(e["scan_id"] for e in entries if e.get("key_id") == key_id)
    skipped = tuple(e["scan_id"] for e in entries if e.get("key_id") != key_id)
    if not usable:
        others = ", ".join(sorted({str(e.get("key_id")) for e in entries}))
        raise ConfigError(
            f"{inventory.out}: no scan to search was hashed with key_id {key_id}; the scans used "
            f"key_id {others}: give that key with --key-file"
        )
    regions = _phone_regions([e for e in entries if e["scan_id"] in usable])
    probes = probes_for(identifiers, Hasher(key), regions)
    notes = unreadable_phones(identifiers, regions)
    by_hash: dict[str, list[Probe]] = {}
    for probe in probes:
        by_hash.setdefault(probe.value_hash, []).append(probe)
    frame = read_frame(
        inventory,
        "findings",
        usable,
        FINDING_COLUMNS,
        ds.field("value_hash").isin(list(by_hash)),
    )
    frame["verdict"], frame["review_id"] = apply_reviews(reviews.decisions, frame)
    rows = []
    for r in frame.itertuples(index=False):
        for probe in by_hash[r.value_hash]:
            if probe.entity_type != r.entity_type:
                continue
            review = f"{r.review_id} {r.verdict}" if r.review_id is not None else None
            rows.append(
                [
                    probe.identifier,
                    probe.form,
                    r.scan_id,
                    r.source_path,
                    r.source_format,
                    as_python(r.line),
                    as_python(r.record_index),
                    r.field,
                    r.entity_type,
                    r.categories.split(","),
                    r.policy_element,
                    bool(r.policy_declared),
                    as_python(r.event_time),
                    r.value_masked,
                    r.value_hash,
                    review,
                ]
            )
    order = {ident.label: i for i, ident in enumerate(identifiers)}
    rows.sort(key=lambda o: (order[o[0]], o[2], o[3], o[6], o[7] or "", o[8]))
    scope = "scan" if scan_id else "all" if all_scans else "latest"
    return LookupResult(
        key_id, usable, skipped, identifiers, probes, rows, scope, tuple(notes), regions
    )


def _phone_regions(entries: list[dict[str, Any]]) -> tuple[str, ...]:
    """The regions the scans read phone numbers in, in order of first use.

    Scans recorded before ``phone_regions`` was recorded read them in the packaged regions.
    When a scan read them in every region (``"*"``), the result ends with ``"*"``.
    """
    regions: list[str] = []
    every = False
    for entry in entries:
        for region in entry.get("phone_regions") or DEFAULT_PHONE_REGIONS:
            if region == ALL_REGIONS:
                every = True
            elif region not in regions:
                regions.append(region)
    return (*regions, ALL_REGIONS) if every else tuple(regions)
