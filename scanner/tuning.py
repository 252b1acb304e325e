"""A scanning process's memory settings: the garbage collector's threshold, Arrow's allocator.

A block holds thousands of parsed records, each a dict, with their columns and findings:
a block of 4,096 eventsFeed records makes 150,000-200,000 young containers at its peak. A
collection in the middle of a block walks all of them and moves them to an older
generation, whose collection walks them again. At Python's default threshold (700
allocations) that was about a tenth of a warm scan's time; at 20,000 a pool worker still
collected about 200 times on 1 GB (a full collection among them), 5.5% of its time.
Scanning makes almost no reference cycles (the young count at the end of a task, with no
collection at all, does not grow from task to task), so the threshold is set above a
block's peak: a collection is then rare, and it also bounds what cycles could hold.

pyarrow's default allocator (mimalloc in its wheels) keeps the pages of freed buffers for
reuse: a scan builds and drops Arrow tables block after block, and each scanning process
held about 40 MiB more at its peak with it than with the C library's ``malloc``, at the
same speed (``docs/performance.md``). Scans use the system allocator unless the user chose
one with pyarrow's own ``ARROW_DEFAULT_MEMORY_POOL``.

The pipeline applies both while its engine runs (:func:`scanning`), a pool's worker process
for good (:func:`collect_rarely`, :func:`system_allocator`); the console script's process
and the pool's forkserver collect rarely from their first line, since their imports make no
garbage either.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: The cyclic garbage collector's first threshold while scanning (Python's default: 700):
#: above the young containers of a block of records (see the module's docstring).
GC_THRESHOLD = 400_000
#: pyarrow's own setting for its default allocator; when set, catoscan leaves it alone.
ARROW_POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"


def collect_rarely() -> tuple[int, ...]:
    """Raise the garbage collector's first threshold to :data:`GC_THRESHOLD`.

    Returns:
        The thresholds before, for ``gc.set_threshold``.
    """
    before = gc.get_threshold()
    gc.set_threshold(max(GC_THRESHOLD, before[0]), *before[1:])
    return before


def system_allocator() -> Any:
    """Make the C library's allocator Arrow's default, unless the user chose one.

    Returns:
        The default pool before (a ``pyarrow.MemoryPool``), for ``set_memory_pool``; None
        when nothing was changed.
    """
    if os.environ.get(ARROW_POOL_ENV):
        return None
    import pyarrow as pa

    before = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    return before


@contextmanager
def scanning() -> Iterator[None]:
    """:func:`collect_rarely` and :func:`system_allocator` meanwhile, then as they were."""
    before = collect_rarely()
    pool = system_allocator()
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if pool is not None:
            import pyarrow as pa

            pa.set_memory_pool(pool)
