"""The inventory at work: reports, data-subject lookups, retention, review decisions, drift.

Everything here reads the Parquet dataset a scan wrote (never the raw logs) with pyarrow,
aggregates with pandas, and never reads the optional ``value`` column: no raw personal
value can reach an output. The click commands in ``scanner/commands/`` are thin wrappers:

- :mod:`.data`: the dataset's committed scans and their tables, as pandas frames
- :mod:`.reviews`: steward decisions in ``DIR/reviews.yaml`` and how they apply
- :mod:`.report`, :mod:`.report_text`, :mod:`.html`, :mod:`.svg`: the steward report
  (built once; terminal, JSON, CSV and HTML views)
- :mod:`.lookup`: data-subject identifiers, hashed like the scan hashed values
- :mod:`.retention_rules`, :mod:`.retention`: ``retention.yaml`` and the deletion manifest
- :mod:`.diff`: what changed between two scans
- :mod:`.output`: tables, JSON and CSV on a stream (``OUTPUT_FORMATS``)

No click here: the commands' shared options are :mod:`scanner.commands.options`.
"""
