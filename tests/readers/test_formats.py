"""Every format label is complete: one FormatSpec (scanner/readers/__init__.py) each.

A label names its reader and what it is, is either sniffed from the content or chosen
only by ``--format``, and is listed by ``catoscan formats``; the scan's fast path and its
line ranges take their formats from the same table.
"""

import dataclasses
from pathlib import Path
from typing import get_args

import pytest
from click.testing import CliRunner

from scanner import columnar, plan
from scanner.cli import cli
from scanner.readers import FORMATS, READERS, FastPath, FormatSpec, reader_for
from scanner.sniff import SNIFF_BYTES, sniff
from scanner.sources import InputFile, Limits, Source, sources

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
#: The readers whose every record is one line (CSV cells may hold line breaks, Parquet
#: has no lines).
LINE_READERS = {"json", "cef", "text"}


def test_the_table_is_keyed_by_label():
    assert all(label == spec.label for label, spec in FORMATS.items())
    assert len(FORMATS) == len({spec.label for spec in FORMATS.values()})


@pytest.mark.parametrize("label", list(FORMATS))
def test_every_field_of_a_label_is_set(label):
    spec = FORMATS[label]
    for field in dataclasses.fields(FormatSpec):
        assert getattr(spec, field.name) is not None, field.name
    assert spec.reader in READERS
    assert reader_for(label) is READERS[spec.reader]
    assert spec.description.strip() == spec.description and len(spec.description) > 10
    assert spec.fast_path in get_args(FastPath)
    assert isinstance(spec.line_split, bool) and isinstance(spec.sniffed, bool)


@pytest.mark.parametrize("label", list(FORMATS))
def test_a_label_is_read_fast_and_split_only_as_its_reader_allows(label):
    spec = FORMATS[label]
    if spec.fast_path == "lines":  # columnar.read_blocks parses JSON lines
        assert spec.reader == "json" and spec.line_split
    if spec.line_split:
        assert spec.reader in LINE_READERS


def test_the_scan_takes_its_formats_from_the_table():
    assert columnar.FORMATS == {f for f, s in FORMATS.items() if s.fast_path == "lines"}
    assert plan._LINE_FORMATS == {f for f, s in FORMATS.items() if s.line_split}


def _sniffed_sample_data():
    found = {}
    for path in sorted(p for p in SAMPLE_DATA.rglob("*") if p.is_file()):
        item = InputFile(path, str(path.relative_to(SAMPLE_DATA)))
        for source in sources(item, Limits()):
            assert isinstance(source, Source), source
            with source.open() as stream:
                found.setdefault(sniff(stream.read(SNIFF_BYTES), source.name), source.path)
    return found


def test_sniff_names_every_sniffed_label_and_no_other():
    found = _sniffed_sample_data()
    # sample_data holds a file of every sniffed format (tests/test_pipeline.py scans it)
    assert set(found) == {label for label, spec in FORMATS.items() if spec.sniffed}, found


def test_catoscan_formats_lists_every_label_with_its_reader_and_description():
    result = CliRunner().invoke(cli, ["formats"])
    assert result.exit_code == 0
    listed = [line.split(maxsplit=2) for line in result.output.splitlines()]
    assert listed == [[s.label, s.reader, s.description] for s in FORMATS.values()]
