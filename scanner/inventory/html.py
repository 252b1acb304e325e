"""The report as one self-contained HTML page: inline CSS and SVG, no script, no network.

A Content-Security-Policy meta tag forbids every fetch, so the page behaves the same
offline and can be mailed as an attachment. Every text from the dataset is escaped
(:func:`scanner.escaping.for_html`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scanner import __version__
from scanner.escaping import for_html
from scanner.inventory.output import cell
from scanner.inventory.report import Report
from scanner.inventory.svg import legend, stacked_bars, stacked_columns

ERRORS_SHOWN = 500
UNDECLARED_SHOWN = 1000
_WRAPPED = {"reason", "review"}
#: Columns of paths and field names: long, broken anywhere rather than widen the table.
_PATHS = {"source", "field"}
#: Columns of words, wrapped between them (categories as "B, geolocation").
_TEXTS = {"categories", "element", "elements", "format"}
#: Columns of event times: broken between date and time.
_TIMES = {"event time"}
#: One meaning per colour: red is "undeclared" (and alerts) only, never a category.
UNDECLARED_RED = "#dc2626"
CATEGORY_COLORS = {
    "A": "#2563eb",
    "B": "#ea580c",
    "C": "#059669",
    "geolocation": "#7c3aed",
    "sensitive": "#a16207",
}
_PALETTE = ("#0891b2", "#4b5563", "#65a30d", "#9333ea", "#0f766e", "#78350f")
DECLARED_COLORS = {"declared": "#93c5fd", "undeclared": UNDECLARED_RED}
#: The sections, in page order: (id, title in the contents).
SECTIONS = (
    ("coverage", "Coverage"),
    ("timeline", "Findings over time"),
    ("formats", "Per source format"),
    ("undeclared", "Undeclared findings"),
    ("fields", "Top fields"),
    ("inventory", "Inventory"),
    ("changes", "Changes"),
    ("errors", "Read errors"),
    ("reviews", "Review decisions"),
)
CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#111827;
background:#f9fafb}
main{max-width:1240px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid
#e5e7eb;padding-bottom:4px}
.meta{color:#4b5563;font-size:13px;margin:0}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:20px 0}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:10px 14px;min-width:110px;
flex:1 1 0}
.card b{display:block;font-size:22px}.card span{color:#4b5563;font-size:12px}
.card.alert b{color:#dc2626}
section{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:4px 16px 16px;
margin-top:16px}
table{border-collapse:collapse;width:100%;font-size:12px}
th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #f3f4f6;vertical-align:top;
white-space:nowrap}td.wrap{white-space:normal;min-width:5em}
td.path{white-space:normal;overflow-wrap:anywhere;min-width:7em}td.time,td.text{white-space:normal}
section p{font-size:13px}section h2{margin-top:16px}
th{background:#f3f4f6;position:sticky;top:0}td.n,th.n{text-align:right;
font-variant-numeric:tabular-nums}
.scroll{max-height:600px;overflow:auto}
.legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12px;margin:6px 0}
.swatch{display:inline-block;width:10px;height:10px;margin-right:5px;border-radius:2px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:8px 24px}
.grid h3{font-size:13px;margin:10px 0 2px}
.no{color:#dc2626;font-weight:600}.note{color:#4b5563;font-size:12px}
nav{font-size:13px;margin:12px 0}nav a{color:#1d4ed8;margin-right:14px;text-decoration:none}
footer{color:#6b7280;font-size:12px;margin:32px 0 8px}
@media print{body{background:#fff}main{max-width:none;padding:0}nav{display:none}
.scroll{max-height:none;overflow:visible}th{position:static}
section{border:0;padding:0;break-inside:auto}h2{break-after:avoid}tr{break-inside:avoid}
svg{max-width:100%;height:auto}table{font-size:10px}}
@page{size:A4 landscape;margin:12mm}
"""


def category_colors(categories: Sequence[str]) -> dict[str, str]:
    """A colour for every category id (the policy's five fixed, others from a palette)."""
    colors = {}
    extra = iter(_PALETTE * (len(categories) // len(_PALETTE) + 1))
    for cat in categories:
        colors[cat] = CATEGORY_COLORS.get(cat) or next(extra)
    return colors


def render_html(report: Report) -> str:
    """The whole page."""
    s = report.scan
    title = f"catoscan data inventory: scan {s['scan_id']}"
    body = [
        f"<h1>{for_html(title)}</h1>",
        f'<p class="meta">Scan {s["position"]} of {s["scans"]}, started '
        f"{for_html(str(s['started_at']))}; key_id {for_html(str(s['key_id']))}; nlp "
        f"{for_html(str(s['nlp']))}; inputs: {for_html(', '.join(s['arguments']) or '-')}</p>",
        _contents(),
        _cards(report),
        _timeline(report),
        _formats(report),
        _undeclared(report),
        _top_fields(report),
        _inventory(report),
        _changes(report),
        _errors(report),
        _reviews(report),
        f"<footer>Written by catoscan {for_html(__version__)} from the Parquet dataset only. "
        "No raw personal value is shown: findings are counted, never quoted.</footer>",
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{for_html(title)}</title><style>{CSS}</style></head>\n"
        "<body><main>\n" + "\n".join(body) + "\n</main></body></html>\n"
    )


def _contents() -> str:
    links = "".join(f'<a href="#{ident}">{for_html(title)}</a>' for ident, title in SECTIONS)
    return f'<nav aria-label="Contents">Contents: {links}</nav>'


def _section(ident: str, heading: str, *content: str) -> str:
    return f'<section id="{ident}"><h2>{for_html(heading)}</h2>' + "".join(content) + "</section>"


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], numeric: Sequence[str] = ()
) -> str:
    head = "".join(f"<th{_n(h, numeric)}>{for_html(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for h, value in zip(headers, row, strict=True):
            text = for_html(cell(value))
            if h == "declared" and value is False:
                text = f'<span class="no">{text}</span>'
            if h in _TIMES:
                text = text.replace("T", " ")
            elif h in _TEXTS:
                text = text.replace(",", ", ")
            css = (
                ' class="wrap"'
                if h in _WRAPPED
                else ' class="path"'
                if h in _PATHS
                else ' class="time"'
                if h in _TIMES
                else ' class="text"'
                if h in _TEXTS
                else _n(h, numeric)
            )
            cells.append(f"<td{css}>{text}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _n(header: str, numeric: Sequence[str]) -> str:
    return ' class="n"' if header in numeric else ""


def _cards(report: Report) -> str:
    c = report.coverage
    cards = [
        ("findings", c["findings"], False),
        ("undeclared findings", c["undeclared_findings"], c["undeclared_findings"] > 0),
        ("files read", c["files"], False),
        ("records", c["records"], False),
        ("bytes read", c["bytes"], False),
        ("files not read", c["files_not_read"], c["files_not_read"] > 0),
        ("records not read", c["records_not_read"], c["records_not_read"] > 0),
        ("false positives left out", c["false_positives"], False),
    ]
    items = "".join(
        f'<div class="card{" alert" if alert else ""}"><b>{n:,}</b>'
        f"<span>{for_html(label)}</span></div>"
        for label, n, alert in cards
    )
    return f'<div class="cards" id="coverage">{items}</div>'


def _timeline(report: Report) -> str:
    t = report.timeline
    heading = f"Findings per CCPA category over event time (per {t.unit})"
    if not t.buckets:
        return _section("timeline", heading, '<p class="note">No finding has an event time.</p>')
    colors = category_colors(list(t.series))
    names = {
        k: f"{k}: {report.category_names[k]}" if k in report.category_names else k for k in t.series
    }
    chart = stacked_columns(t.buckets, t.series, colors, heading)
    note = (
        '<p class="note">A finding in several categories (a name is A and B) counts in each. '
        f"{t.undated:,} findings have no event time and are not drawn.</p>"
    )
    return _section("timeline", heading, legend(list(t.series), colors, names), chart, note)


def _formats(report: Report) -> str:
    rows = [(r["source_format"], (r["declared"], r["undeclared"])) for r in report.formats]
    heading = "Findings per source format"
    if not rows:
        return _section("formats", heading, '<p class="note">No findings.</p>')
    series = ("declared", "undeclared")
    chart = stacked_bars(rows, series, DECLARED_COLORS, heading, width=760, label_width=160)
    return _section("formats", heading, legend(series, DECLARED_COLORS), chart)


def _top_fields(report: Report) -> str:
    heading = "Top fields per entity type"
    colors = {"findings": "#2563eb"}
    blocks = []
    for entity, rows in report.top_fields.items():
        data = [(f if f is not None else "(plain-text line)", (n,)) for f, n in rows]
        chart = stacked_bars(data, ("findings",), colors, f"{entity}: top fields", width=330)
        blocks.append(f"<div><h3>{for_html(entity)}</h3>{chart}</div>")
    if not blocks:
        return _section("fields", heading, '<p class="note">No findings.</p>')
    return _section("fields", heading, f'<div class="grid">{"".join(blocks)}</div>')


def _undeclared(report: Report) -> str:
    heading = f"Undeclared findings ({report.coverage['undeclared_findings']:,})"
    if not report.undeclared:
        return _section("undeclared", heading, '<p class="note">None.</p>')
    headers = (
        "source",
        "format",
        "field",
        "entity",
        "categories",
        "element",
        "findings",
        "records",
        "values",
        "event time",
        "review",
    )
    numeric = ("findings", "records", "values")
    # First and last event time in one column (one time when they are equal): the table
    # fits a 1024-pixel window and a printed page.
    shown = [
        [*row[:9], _span(cell(row[9]), cell(row[10])), row[11]]
        for row in report.undeclared[:UNDECLARED_SHOWN]
    ]
    more = (
        f'<p class="note">{len(report.undeclared) - len(shown):,} more sources and fields: '
        "catoscan report --format json lists all.</p>"
        if len(report.undeclared) > len(shown)
        else ""
    )
    return _section("undeclared", heading, _table(headers, shown, numeric), more)


def _span(first: str, last: str) -> str:
    return first if first == last or last == "-" else f"{first} to {last}"


def _inventory(report: Report) -> str:
    headers = (
        "declared",
        "categories",
        "element",
        "entity",
        "findings",
        "records",
        "values",
        "files",
        "accepted risk",
        "false positives",
    )
    numeric = headers[4:]
    return _section(
        "inventory",
        "Inventory by CCPA category, policy element and entity type",
        _table(headers, report.inventory, numeric),
    )


def _changes(report: Report) -> str:
    changes = report.changes
    heading = "Changes since the previous scan"
    if changes is None:
        return _section(
            "changes", heading, '<p class="note">This is the dataset\'s first scan.</p>'
        )
    headers = ("change", "format", "field", "entity", "elements", "findings", "undeclared")
    rows = []
    for label, combos in (
        ("NEW UNDECLARED", changes.new_undeclared),
        ("new", changes.new),
        ("vanished", changes.vanished),
    ):
        for c in combos:
            rows.append(
                [
                    label,
                    c.source_format,
                    c.field or "(text)",
                    c.entity_type,
                    list(c.policy_elements),
                    c.findings,
                    c.undeclared,
                ]
            )
    intro = (
        f'<p class="note">Compared with scan {for_html(changes.from_scan)}: '
        f"{len(changes.new):,} new, {len(changes.vanished):,} vanished, "
        f"{len(changes.new_undeclared):,} new undeclared (source format, field, entity type) "
        "combinations.</p>"
    )
    notes = "".join(f'<p class="note">Note: {for_html(n)}.</p>' for n in changes.notes)
    table = _table(headers, rows, ("findings", "undeclared")) if rows else ""
    return _section("changes", heading, intro, notes, table)


def _errors(report: Report) -> str:
    heading = f"Read errors ({len(report.errors):,})"
    if not report.errors:
        return _section("errors", heading, '<p class="note">Every input was read.</p>')
    shown = report.errors[:ERRORS_SHOWN]
    more = (
        f'<p class="note">{len(report.errors) - len(shown):,} more: catoscan report --format json '
        "lists all.</p>"
        if len(report.errors) > len(shown)
        else ""
    )
    headers = ("source", "format", "scope", "line", "record", "reason")
    return _section("errors", heading, _table(headers, shown, ("line", "record")), more)


def _reviews(report: Report) -> str:
    r = report.reviews
    verdicts = ", ".join(f"{n:,} {for_html(v)}" for v, n in r["by_verdict"].items())
    findings = ", ".join(f"{n:,} {for_html(v)}" for v, n in r["findings_by_verdict"].items())
    return _section(
        "reviews",
        "Review decisions",
        f"<p>{r['decisions']:,} active decisions ({verdicts}), {r['revoked']:,} revoked. "
        f"Findings of this scan they cover: {findings}. False positives are left out of every "
        "count above; the dataset keeps them.</p>",
    )
