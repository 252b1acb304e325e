"""What every worker reads first, whatever the scan's configuration: read once, inherited.

The forkserver of the local engine's workers imports this module (``pool.PRELOAD``) while
the scan's main process imports its own modules, on another core; each worker forked from
it then starts with these in memory instead of reading them in its initializer.
"""

from recognizers.domain import suffix_list

suffix_list()  # the Public Suffix List: about 0.1 s of each worker's start
