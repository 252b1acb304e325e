"""Which labelled raw values a leak test searches the scanner's output for."""

from pathlib import Path


def searchable_values(labels: list[dict], sample: Path) -> set[str]:
    """Labelled values worth searching for in output.

    Left out: values shorter than 4 characters (they occur everywhere), values that are
    part of a file name the user gave (``cato_vpn_5.21.5.8548_...log`` names a version), and
    all-digit values under 9 digits (ids such as 5503 occur by chance in timings, sizes, scan
    ids and hashes). Every other value must not appear anywhere.
    """
    names = " ".join(str(p.relative_to(sample)) for p in sample.rglob("*"))
    return {
        v
        for v in (lab["value"] for lab in labels)
        if len(v) >= 4 and v not in names and not (v.isdigit() and len(v) < 9)
    }
