"""Detection of every format's records: blocks of records detected column by column.

Logs and exports repeat the same field names on every line and the same values on many.
Records are held in blocks, column by column (:mod:`~scanner.columnar.blocks`; JSON lines
read with orjson by :mod:`~scanner.columnar.json_blocks`, every other reader's records
gathered into blocks), and each column is routed once and each of its distinct values
decided once (:mod:`~scanner.columnar.detect`). ``tests/test_columnar.py`` proves the rows
are exactly those of the row path (:mod:`scanner.rowpath`), which decides record by record.
"""

from scanner.columnar.blocks import Block, Group, Origin, block_of, embed, merge
from scanner.columnar.detect import Decider, Findings, findings
from scanner.columnar.json_blocks import FORMATS, read_blocks

__all__ = [
    "FORMATS",
    "Block",
    "Decider",
    "Findings",
    "Group",
    "Origin",
    "block_of",
    "embed",
    "findings",
    "merge",
    "read_blocks",
]
