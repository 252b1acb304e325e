"""Which labelled raw values a leak test searches the scanner's output for."""

from pathlib import Path


def searchable_values(labels: list[dict], sample: Path) -> set[str]:
    """Labelled values worth searching for in output.

    Left out: values shorter than 4 characters (they occur everywhere), values that are
    part of a file name the user gave (``cato_vpn_5.21.5.8548_...log`` names a version), and
    all-digit values under 9 digits (ids such as 5503 occur by chance in timings, sizes, scan
    ids and hashes) and short dotted numbers (versions such as ``22.04`` or ``14.2.1``: at
    most 4 digits, fewer dots than an IPv4 address), which the manifest's timestamps
    (``...:22.041937``) and durations hold by chance. Every other value must not appear
    anywhere.
    """
    names = " ".join(str(p.relative_to(sample)) for p in sample.rglob("*"))
    return {
        v
        for v in (lab["value"] for lab in labels)
        if len(v) >= 4 and v not in names and not _by_chance(v)
    }


def _by_chance(value: str) -> bool:
    digits = value.replace(".", "")
    if not digits.isdigit():
        return False
    return len(digits) < 9 if digits == value else len(digits) <= 4 and value.count(".") < 3
