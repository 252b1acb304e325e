"""Phone regions: the ISO 3166 codes numbers without ``+`` are read in, and ``"*"``.

``phone_regions`` in ``scanner.yaml``, the phone recognizer, the keyed hash of a phone
number and ``catoscan lookup`` all read a list of regions the same way: checked by
:func:`check_phone_regions`, expanded by :func:`expand_phone_regions`. ``phonenumbers``
is imported only when a list is checked or expanded.
"""

from __future__ import annotations

import functools

#: In a list of regions, the last entry ``"*"`` stands for every other region.
ALL_REGIONS = "*"

#: The phone recognizer's regions when it is built without configuration (a library
#: caller's ``build_recognizers()``); scans pass scanner.yaml's ``phone_regions``.
DEFAULT_REGIONS = ("JP", "US")


def check_phone_regions(regions: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """``regions`` as configured, upper-cased and checked (``"*"`` kept).

    Raises:
        ValueError: A region is unknown or repeated, ``"*"`` is not last, the list is empty.
    """
    import phonenumbers

    chosen = tuple(str(r).upper() for r in regions)
    named = chosen[:-1] if chosen and chosen[-1] == ALL_REGIONS else chosen
    unknown = [r for r in named if r not in phonenumbers.SUPPORTED_REGIONS]
    if unknown:
        raise ValueError(
            f"unknown region {unknown[0]!r}: use ISO 3166 codes such as 'JP', 'US', 'GB', "
            f"and '{ALL_REGIONS}' last for every other region"
        )
    if len(set(named)) != len(named):
        raise ValueError("a region is listed twice")
    if not chosen:
        raise ValueError(f"list at least one region, or '{ALL_REGIONS}' for every region")
    return chosen


@functools.lru_cache(maxsize=64)
def expand_phone_regions(regions: tuple[str, ...]) -> tuple[str, ...]:
    """Every region ``regions`` stands for, in order of preference.

    ``("JP", "US", "*")`` is JP, then US, then every other region ``phonenumbers`` knows,
    in alphabetical order. A ``"*"`` anywhere stands for the regions not named.
    """
    import phonenumbers

    named = tuple(dict.fromkeys(r for r in regions if r != ALL_REGIONS))
    if ALL_REGIONS not in regions:
        return named
    return named + tuple(sorted(phonenumbers.SUPPORTED_REGIONS - set(named)))
