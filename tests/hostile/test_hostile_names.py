"""Hostile names through every command and format: what the steward reads is safe.

Inputs whose field names, values, file names and archive member names hold formula
prefixes, ANSI and OSC sequences, bidi overrides, NUL, very long names and HTML
(:mod:`tests.hostile.names`) are scanned twice (before and after they appear), then
``report`` (table, csv, json, html), ``lookup``, ``retention`` (its manifest files too),
``review list`` and ``diff`` run on the dataset. No output may carry a live formula cell,
an ESC byte (or any control, bidi or separator character), or an unescaped tag; JSON and
Parquet keep the exact names.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.dataset import read_table
from tests.hostile import names

#: Characters no text output may hold raw: C0 (but line breaks), DEL, C1, bidi, separators.
RAW = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)
#: What a spreadsheet takes for the start of a formula (OWASP; full-width forms too).
FORMULA_STARTS = set("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
OUTPUT_FORMATS = ("table", "csv", "json")
#: Every output: (command, format), the name of its text in the ``outputs`` fixture.
OUTPUTS = [
    *(f"report {f}" for f in OUTPUT_FORMATS),
    "report html",
    *(f"lookup {f}" for f in OUTPUT_FORMATS),
    *(f"retention {f}" for f in OUTPUT_FORMATS),
    "retention deletion_manifest.csv",
    "retention undated.csv",
    *(f"review list {f}" for f in OUTPUT_FORMATS),
    "review add",
    *(f"diff {f}" for f in OUTPUT_FORMATS),
    "scan stderr",
    "stderr of the inventory commands",
]
#: Exit codes: the second scan meets an unreadable file (3); diff sees new undeclared data (1).
EXIT = {"scan": 3, "diff": 1}


def _stored(name):
    """A file name as the dataset stores it: C0 and C1 controls as \\xNN, the rest exact."""
    return re.sub("[\x00-\x1f\x7f-\x9f]", lambda m: f"\\x{ord(m.group()):02x}", name)


def _run(args):
    # color=True: click would strip some ANSI sequences on a pipe, never on a terminal.
    result = CliRunner().invoke(cli, [str(a) for a in args], color=True)
    assert "Traceback" not in result.output + result.stderr, result.output + result.stderr
    assert result.exit_code == EXIT.get(args[0], 0), (args, result.output, result.stderr)
    return result


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """The dataset of two scans of one folder: before and after the hostile files came."""
    root = tmp_path_factory.mktemp("hostile-names")
    key = root / "key"
    key.write_text("ef" * 32)
    key.chmod(0o600)
    logs, out = root / "logs", root / "inv"
    logs.mkdir()
    (logs / "benign.jsonl").write_bytes(names.benign())
    scan = ["scan", logs, "--out", out, "--key-file", key, "--nlp", "none"]
    assert CliRunner().invoke(cli, [str(a) for a in scan]).exit_code == 0
    names.write(logs)
    return root, out, key, _run(scan)


@pytest.fixture(scope="module")
def outputs(dataset):
    """Every output of every command and format, by name (see OUTPUTS)."""
    root, out, key, scan = dataset
    texts = {"scan stderr": scan.stderr}
    stderr = []

    def keep(name, args):
        result = _run(args)
        texts[name] = result.stdout
        stderr.append(result.stderr)

    for fmt in OUTPUT_FORMATS:
        keep(f"report {fmt}", ["report", out, "--format", fmt])
        identifiers = [f"--email={e}" for e in names.EMAILS] + ["--ip", names.IP]
        keep(f"lookup {fmt}", ["lookup", out, *identifiers, "--key-file", key, "--format", fmt])
        keep(
            f"retention {fmt}",
            ["retention", out, "--as-of", "2030-01-01", "--out", root / "ret", "--format", fmt],
        )
    _run(["report", out, "--html", root / "report.html"])
    texts["report html"] = (root / "report.html").read_text(encoding="utf-8")
    for name in ("deletion_manifest.csv", "undated.csv"):
        texts[f"retention {name}"] = (root / "ret" / name).read_text(encoding="utf-8")
    keep(
        "review add",
        [
            "review",
            "add",
            out,
            "--field",
            names.ANSI,
            "--entity-type",
            "EMAIL_ADDRESS",
            "--verdict",
            "accepted_risk",
            "--reason",
            names.FORMULA + names.BIDI,
            "--by",
            "@" + names.OSC8,
        ],
    )
    for fmt in OUTPUT_FORMATS:
        keep(f"review list {fmt}", ["review", "list", out, "--format", fmt])
        keep(f"diff {fmt}", ["diff", out, "--format", fmt])
    texts["stderr of the inventory commands"] = "".join(stderr)
    return texts


@pytest.mark.parametrize("name", OUTPUTS)
def test_no_output_carries_a_control_or_bidi_character(outputs, name):
    text = outputs[name]
    assert text.strip(), f"{name}: empty"
    assert "\x1b" not in text, f"{name}: an ESC byte"
    raw = sorted({hex(ord(c)) for c in RAW.findall(text)})
    assert not raw, f"{name}: raw {raw}"


@pytest.mark.parametrize("name", [n for n in OUTPUTS if n.endswith("csv")])
def test_no_csv_cell_is_a_formula(outputs, name):
    rows = list(csv.reader(io.StringIO(outputs[name])))
    assert len(rows) > 1, f"{name}: no rows"
    live = [cell for row in rows for cell in row if cell[:1] in FORMULA_STARTS]
    assert not live, f"{name}: formula cells {live[:5]}"


def test_csv_cells_keep_the_names_readable(outputs):
    """Neutralised, not dropped: the formula is there, as text after a quote."""
    rows = list(csv.DictReader(io.StringIO(outputs["lookup csv"])))
    fields = {r["field"] for r in rows}
    assert "'" + names.FORMULA in fields
    assert "\\x1b[31mred\\x1b]0;owned title\\x07" in fields
    assert "report\\u202elmth.exe" in fields
    assert "'=1+1.jsonl" in {r["source_path"] for r in rows}
    assert {"'+***@example.com", "'-***@example.com"} <= {r["value_masked"] for r in rows}
    manifest = list(csv.DictReader(io.StringIO(outputs["retention deletion_manifest.csv"])))
    assert "'=1+1.jsonl" in {r["source_path"] for r in manifest}
    assert "'=folder/inside.jsonl" in {r["container"] for r in manifest}


def test_tables_show_the_names_escaped(outputs):
    table = outputs["lookup table"]
    assert "\\x1b[31mred\\x1b]0;owned title\\x07" in table
    assert "report\\u202elmth.exe" in table
    assert "nul\\x00name" in table
    assert "line\\x0abreak\\x0dcarriage" in table
    assert "-deletable\\u202e\\x1b[1m.jsonl" in outputs["retention table"]
    assert "=broken\\x1b[2J\\u202e.jsonl.gz" in outputs["report table"]


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attributes = set(), set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.update(name for name, _value in attrs)


def test_the_html_report_carries_no_unescaped_tag(outputs):
    text = outputs["report html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # the names are there, as text
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in text
    page = _Tags()
    page.feed(text)
    assert not page.tags & {"script", "img", "iframe", "object", "embed"}, page.tags
    assert not {a for a in page.attributes if a.startswith("on")}, page.attributes


@pytest.mark.parametrize("name", [n for n in OUTPUTS if n.endswith("json")])
def test_json_keeps_the_exact_names(outputs, name):
    text = outputs[name]
    data = json.loads(text)
    found = set()

    def walk(value):
        if isinstance(value, dict):
            for k, v in value.items():
                if k in ("field", "reason", "scope", "by") and isinstance(v, str):
                    found.add(v)
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(data)
    if name.startswith(("lookup", "diff")):
        assert set(names.FIELDS) <= found, set(names.FIELDS) - found
    if name.startswith("report"):
        assert {names.FORMULA, names.ANSI, names.BIDI, names.NUL, names.LONG} <= found
    if name.startswith("review"):
        assert names.FORMULA + names.BIDI in found
        assert "@" + names.OSC8 in found


def test_parquet_keeps_the_exact_names(dataset):
    root, out, _key, _scan = dataset
    findings = read_table(out, "findings").to_pylist()
    assert set(names.FIELDS) <= {r["field"] for r in findings}
    paths = {r["source_path"] for r in findings}
    # File names are stored as the dataset always stored them: controls as \xNN (so a name
    # cannot forge a line of a log either), everything else exact.
    assert {_stored(n) for n in names.FILES} <= paths
    assert {"=1+1.jsonl", "report\u202elmth.jsonl", "L" * 200 + ".jsonl"} <= paths
    zipped = {f"{_stored(names.ZIP_NAME)}!{_stored(m)}" for m in names.ZIP_MEMBERS}
    assert zipped <= paths
    assert {f"{names.TAR_NAME}!{_stored(m)}" for m in names.TAR_MEMBERS} <= paths
    assert {r["value_masked"] for r in findings} >= {"+***@example.com", "-***@example.com"}
    manifest = pq.read_table(root / "ret" / "deletion_manifest.parquet").to_pylist()
    assert "=1+1.jsonl" in {r["source_path"] for r in manifest}
    assert any(names.FORMULA in r["fields"] for r in manifest)


def test_the_hostile_read_error_is_named_escaped_on_stderr(outputs):
    lines = outputs["scan stderr"].splitlines()
    assert any(line.startswith("catoscan: =broken\\x1b[2J\\u202e.jsonl.gz") for line in lines)
