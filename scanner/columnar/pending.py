"""The columnar fast path's blocks, kept until there are enough to detect them together.

A fast-path reader (:mod:`scanner.columnar`) yields blocks of records. A small file's block
is not detected at once but with the blocks of the files after it, up to a block's worth
of records (``blocks.BLOCK_RECORDS``): one column look-up, one NER batch and one set of
Arrow rows for all of them, instead of a fixed cost per file.
"""

from __future__ import annotations

from scanner import columnar
from scanner.columnar import blocks
from scanner.dataset import FindingsSink
from scanner.detect.detector import Detector
from scanner.tasks import SourceResult
from scanner.valuecache import ValueCache


class PendingBlocks:
    """Blocks read but not yet detected, each with the result of its source.

    A source's result is where a bug met while detecting its block is reported (None, or
    ``debug``: the bug is raised).
    """

    def __init__(self, detector: Detector, cache: ValueCache, *, debug: bool):
        self.detector = detector
        self.cache = cache
        self.debug = debug
        self._blocks: list[tuple[columnar.Block, columnar.Origin, SourceResult | None]] = []
        self._records = 0

    def add(
        self,
        block: columnar.Block,
        origin: columnar.Origin,
        result: SourceResult | None,
        sink: FindingsSink,
    ) -> None:
        """Keep a block; detect the blocks kept into ``sink`` once they are enough."""
        self._blocks.append((block, origin, result))
        self._records += block.size
        if self._records >= blocks.BLOCK_RECORDS:
            self.detect(sink)

    def detect(self, sink: FindingsSink) -> None:
        """Detect the blocks kept and write their findings to ``sink``, in reading order.

        A detection error is reported on the source of the block it happened in (the
        blocks are retried one by one to find it); the other blocks' rows are kept.
        """
        pending = self._blocks
        self.drop()
        if len(pending) > 1:
            try:
                block, runs = columnar.merge([(b, o) for b, o, _r in pending])
                found = columnar.findings(block, runs, self.detector, self.cache)
            except Exception:
                if self.debug or any(r is None for _b, _o, r in pending):
                    raise
            else:
                _write(found, sink)
                return
        for block, origin, result in pending:
            try:
                found = columnar.findings(block, [(0, origin)], self.detector, self.cache)
            except Exception as exc:
                if self.debug or result is None:
                    raise
                result.internal_error(exc)
                continue
            _write(found, sink)

    def drop(self) -> None:
        """Forget the blocks kept (their task failed)."""
        self._blocks, self._records = [], 0


def _write(found: columnar.Findings | None, sink: FindingsSink) -> None:
    if found is not None:
        sink.add_indexed(
            found.recs,
            found.fields,
            found.rec_index,
            found.rows,
            found.field_index,
            found.store,
            found.generation,
        )
