"""The HTML report: well-formed, self-contained, escaped; rendered by Chromium when present."""

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .fixed import COMMON, RAW_VALUES, invoke, t, write_scan

VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr", "source"}
SVG_VOID = {"rect", "line", "path", "circle"}  # self-closed in our SVG
CHROMIUM = Path("/usr/bin/chromium")


class Page(HTMLParser):
    """Collects tags, attributes, text and nesting problems of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.problems = []
        self.tags = []
        self.attrs = []
        self.ids = []
        self.text = []
        self.doctype = None
        self.rows = {}
        self._section = None

    def handle_decl(self, decl):
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "section":
            self._section = attrs.get("id")
        if tag == "tr" and self._section and "tbody" in self.stack:
            self.rows[self._section] = self.rows.get(self._section, 0) + 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(text):
    page = Page()
    page.feed(text)
    page.close()
    return page


@pytest.fixture(scope="module")
def report_html(fixed_dataset, tmp_path_factory):
    path = tmp_path_factory.mktemp("html") / "report.html"
    result = invoke("report", fixed_dataset, "--html", path)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"catoscan: wrote the HTML report to {path}\n"
    return path


def test_html_is_well_formed_and_self_contained(report_html):
    text = report_html.read_text(encoding="utf-8")
    page = parse(text)
    assert page.doctype == "DOCTYPE html"
    assert page.problems == [] and page.stack == []
    assert page.tags[:1] == ["html"] and page.tags.count("html") == 1
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    assert "iframe" not in page.tags and "object" not in page.tags
    names = {name for name, _value in page.attrs}
    assert not names & {"src", "srcset", "action", "onload", "onclick"}
    # Links only within the page (its table of contents): nothing to fetch.
    links = [v for n, v in page.attrs if n == "href"]
    assert links and all(v.startswith("#") for v in links)
    assert {v[1:] for v in links} == set(page.ids)
    csp = [v for n, v in page.attrs if n == "content" and v and "default-src" in v]
    assert csp == ["default-src 'none'; style-src 'unsafe-inline'"]
    assert "url(" not in text and "@import" not in text
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in text


def test_html_has_every_section_and_chart(report_html):
    page = parse(report_html.read_text(encoding="utf-8"))
    assert page.ids == [
        "coverage",
        "timeline",
        "formats",
        "undeclared",
        "fields",
        "inventory",
        "changes",
        "errors",
        "reviews",
    ]
    # timeline + formats + one per entity type (6)
    assert page.tags.count("svg") == 8
    assert page.rows == {"undeclared": 3, "inventory": 6, "changes": 8, "errors": 2}
    text = " ".join(page.text)
    assert "catoscan data inventory: scan 20250401T000000Z-bbbbbb" in text
    assert "Undeclared findings (3)" in text and "Read errors (2)" in text
    assert "1 findings have no event time and are not drawn." in text


def test_html_has_no_raw_values(report_html):
    text = report_html.read_text(encoding="utf-8")
    assert [v for v in RAW_VALUES if v in text] == []


def test_html_escapes_every_text_from_the_dataset(tmp_path):
    out = tmp_path / "inv"
    out.mkdir()
    hostile = '<script>alert("x")</script>'
    rows = [
        (f"a/{hostile}.log", "text", 1, 0, f"f&{hostile}", "PHONE_NUMBER", "090-5555-0123", t("2025-01-01T00:00:00")),
        *COMMON,
    ]
    write_scan(out, "20250101T000000Z-dddddd", rows, [(hostile, None, "file", None, None, hostile)])
    html = tmp_path / "r.html"
    assert invoke("report", out, "--html", html).exit_code == 0
    text = html.read_text(encoding="utf-8")
    assert "<script" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    page = parse(text)
    assert page.problems == [] and "script" not in page.tags


def test_html_for_a_scan_without_findings(tmp_path):
    out = tmp_path / "inv"
    out.mkdir()
    write_scan(out, "20250101T000000Z-eeeeee", [])
    html = tmp_path / "r.html"
    result = invoke("report", out, "--html", html)
    assert result.exit_code == 0
    page = parse(html.read_text(encoding="utf-8"))
    assert page.problems == []
    assert "No finding has an event time." in " ".join(page.text)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed (/usr/bin/chromium)")
def test_html_renders_in_headless_chromium(report_html, tmp_path):
    png = tmp_path / "report.png"
    base = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run(
        [*base, "--dump-dom", report_html.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    page = parse(dom)
    assert page.tags.count("svg") == 8 and page.tags.count("rect") > 10
    assert "Findings per CCPA category over event time (per month)" in " ".join(page.text)
    for width in (1024, 1400):
        subprocess.run(
            [*base, f"--screenshot={png}", f"--window-size={width},2000", report_html.as_uri()],
            capture_output=True, timeout=120, check=True,
        )
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    pdf = tmp_path / "report.pdf"
    subprocess.run(
        [*base, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", report_html.as_uri()],
        capture_output=True, timeout=120, check=True,
    )
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-" and data.count(b"/Type /Page\n") + data.count(b"/Type /Page>") >= 1
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)


@pytest.mark.parametrize(("span", "unit", "buckets"), [
    ("5h", "hour", ["2025-03-14 01:00", "2025-03-14 02:00", "2025-03-14 03:00",
                    "2025-03-14 04:00", "2025-03-14 05:00", "2025-03-14 06:00"]),
    ("10D", "day", [f"2025-03-{d:02d}" for d in range(14, 25)]),
    ("400D", "month", [f"2025-{m:02d}" for m in range(3, 13)] + [f"2026-{m:02d}" for m in (1, 2, 3, 4)]),
])
def test_the_timeline_bucket_follows_the_span_of_event_times(span, unit, buckets):
    """A day of logs is drawn per hour, weeks per day, a year per month; never one bar."""
    import pandas as pd

    from scanner.inventory.report import _timeline

    first = pd.Timestamp("2025-03-14T01:30:00Z")
    frame = pd.DataFrame({"event_time": [first, first + pd.Timedelta(span)],
                          "categories": ["A,B", "C"]})
    timeline = _timeline(frame)
    assert timeline.unit == unit
    assert list(timeline.buckets) == buckets
    assert timeline.series["A"][0] == 1 and timeline.series["C"][-1] == 1


def test_red_means_undeclared_and_nothing_else():
    from scanner.inventory.html import (
        CATEGORY_COLORS,
        DECLARED_COLORS,
        UNDECLARED_RED,
        category_colors,
    )

    assert DECLARED_COLORS["undeclared"] == UNDECLARED_RED
    assert UNDECLARED_RED not in category_colors([*CATEGORY_COLORS, "x", "y", "z", "w", "v", "u"]).values()


def test_the_page_prints_whole_tables(report_html):
    text = report_html.read_text(encoding="utf-8")
    css = text.split("@media print{", 1)[1]
    assert ".scroll{max-height:none;overflow:visible}" in css  # no clipped scroll boxes
    assert "th{position:static}" in css
