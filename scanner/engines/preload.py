"""What every worker reads first, whatever the scan's configuration: read once, inherited.

The forkserver of the local engine's workers imports this module (``pool.PRELOAD``) while
the scan's main process imports its own modules, on another core; each worker forked from
it then starts with these in memory instead of reading them in its initializer.

The forkserver is the scan's own process, and so are the workers forked from it: the
garbage collector runs rarely from the start (:func:`scanner.tuning.collect_rarely`, as
each worker's initializer sets it anyway). These imports make no garbage, yet at Python's
threshold the collector ran 120 times during them, 0.06-0.07 s of their 0.65 s, on the
path to the first task.
"""

import gc

from scanner.tuning import collect_rarely

collect_rarely()

# isort: split
import scanner.engines.local  # noqa: E402, F401 - the workers' modules, imported once
from recognizers.domain import suffix_list  # noqa: E402

suffix_list()  # the Public Suffix List: about 0.1 s of each worker's start

# What the forkserver holds now lives as long as every worker: out of the collector's walks
# (Python's recipe for a process that forks: collect rarely early, freeze before forking).
# Left young, the 85,000 objects counted towards each worker's first collections and were
# walked by them, writing to pages the workers share: one more collection a worker on
# 50 MB, 0.09-0.10 s.
gc.freeze()
