"""The labelled corpus: synthetic Cato Networks logs and exports with their ground truth.

``python bench/corpus.py`` is the command line. The modules, by what they own:

- ``common``: constants, value formats (times, JSON, flattened fields), a file's random
  source and clock (``Gen``), the output context (``Corpus``);
- ``people``: the invented people, sites and destinations; ``messages``: the free-text
  hard cases;
- ``labels``: which substrings are personal data, and the label sink;
- ``events``: the kinds of Cato event; ``audit``: the kinds of audit change and their files;
- one module per shape of file: ``eventsfeed`` (eventsFeed lines, GraphQL page, push,
  Parquet), ``cef`` (CEF log, Sentinel rows, legacy zip), ``exports`` (CMA CSV),
  ``directory`` (SCIM), ``client_logs``, ``xdr``, ``siem`` (six SIEM integrations);
- ``generate``: every writer, in the labels file's order; ``checks``: the self-check.
"""
