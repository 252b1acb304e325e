"""The cyclic garbage collector's settings while a process scans.

A block holds thousands of parsed records, each a dict: at Python's default threshold (700
allocations), a collection every 700 of them walked the whole young generation, about a
tenth of a warm scan's time. Scanning makes almost no reference cycles, so collections can
be rare: the pipeline raises the threshold while its engine runs (:func:`rare_collections`),
a pool's worker process for good (:func:`collect_rarely`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: The cyclic garbage collector's first threshold while scanning (Python's default: 700).
GC_THRESHOLD = 20_000


def collect_rarely() -> tuple[int, ...]:
    """Raise the garbage collector's first threshold to :data:`GC_THRESHOLD`.

    Returns:
        The thresholds before, for ``gc.set_threshold``.
    """
    before = gc.get_threshold()
    gc.set_threshold(max(GC_THRESHOLD, before[0]), *before[1:])
    return before


@contextmanager
def rare_collections() -> Iterator[None]:
    """:func:`collect_rarely` meanwhile (a scan in a process that is not only ours)."""
    before = collect_rarely()
    try:
        yield
    finally:
        gc.set_threshold(*before)
