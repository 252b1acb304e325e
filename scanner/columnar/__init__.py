"""The fast path for logs and exports: blocks of records detected column by column.

Line-oriented JSON logs (eventsFeed, auditFeed, push NDJSON), CEF and CSV exports repeat
the same field names on every line and the same values on many. Their records are held in
blocks, column by column (:mod:`~scanner.columnar.blocks`; JSON lines read with orjson by
:mod:`~scanner.columnar.json_blocks`, CEF and CSV records gathered from their readers), and
each column is routed once and each of its distinct values decided once
(:mod:`~scanner.columnar.detect`). ``tests/test_columnar.py`` proves the rows are exactly
the row path's.
"""

from scanner.columnar.blocks import RECORD_FORMATS, Block, Group, Origin, block_of, embed, merge
from scanner.columnar.detect import Decide, Findings, findings
from scanner.columnar.json_blocks import FORMATS, read_blocks

__all__ = [
    "FORMATS",
    "RECORD_FORMATS",
    "Block",
    "Decide",
    "Findings",
    "Group",
    "Origin",
    "block_of",
    "embed",
    "findings",
    "merge",
    "read_blocks",
]
