"""Inline SVG charts for the HTML report, drawn here: no chart library, no script, no network.

Every label is escaped; every bar carries a ``<title>`` (the browser's tooltip) with its
exact count, so the charts need no JavaScript to be read precisely.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from scanner.escaping import for_html

FONT = "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:12px"
AXIS = "#6b7280"
GRID = "#e5e7eb"


def _label(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def nice_ceiling(value: int) -> int:
    """The smallest 1/2/5 x 10^n at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def legend(
    names: Sequence[str], colors: Mapping[str, str], labels: Mapping[str, str] | None = None
) -> str:
    """An HTML legend (coloured squares and names) for a chart."""
    items = []
    for name in names:
        text = for_html((labels or {}).get(name, name))
        items.append(
            f'<span class="key"><span class="swatch" style="background:{colors[name]}"></span>'
            f"{text}</span>"
        )
    return f'<div class="legend">{"".join(items)}</div>'


def stacked_bars(
    rows: Sequence[tuple[str, Sequence[int]]],
    series: Sequence[str],
    colors: Mapping[str, str],
    title: str,
    *,
    width: int = 560,
    label_width: int | None = None,
) -> str:
    """Horizontal bars, one per row, stacked by series; the total at the end of each bar.

    Args:
        rows: ``(label, counts per series)`` in display order.
        series: Series names, in stacking order.
        colors: Series name -> CSS colour.
        title: Accessible name of the chart.
        width: Width of the drawing in px (it scales down with the page).
        label_width: Room for the labels in px [default: half the width]; longer labels are
            shortened (the tooltip has them whole).
    """
    row_h, gap, value_w = 18, 6, 56
    label_w = label_width or width // 2
    label_chars = max(4, (label_w - 12) // 7)
    bar_w = width - label_w - value_w
    height = max(len(rows), 1) * (row_h + gap) + gap
    top = max((sum(counts) for _l, counts in rows), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" style="max-width:100%;height:auto;{FONT}">',
        f"<title>{for_html(title)}</title>",
    ]
    for i, (label, counts) in enumerate(rows):
        y = gap + i * (row_h + gap)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + row_h - 5}" text-anchor="end" fill="#111827">'
            f"<title>{for_html(label)}</title>{for_html(_label(label, label_chars))}</text>"
        )
        x = float(label_w)
        for name, count in zip(series, counts, strict=True):
            if not count:
                continue
            w = max(count / top * bar_w, 1.0)
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h}" fill="{colors[name]}">'
                f"<title>{for_html(label)}: {count:,} {for_html(name)}</title></rect>"
            )
            x += w
        parts.append(
            f'<text x="{x + 4:.1f}" y="{y + row_h - 5}" fill="{AXIS}">{sum(counts):,}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def stacked_columns(
    buckets: Sequence[str],
    series: Mapping[str, Sequence[int]],
    colors: Mapping[str, str],
    title: str,
    *,
    width: int = 1180,
    height: int = 260,
) -> str:
    """Vertical columns per bucket (time), stacked by series, with a y axis and grid.

    Args:
        buckets: Bucket labels along the x axis, in order.
        series: Series name -> one count per bucket.
        colors: Series name -> CSS colour.
        title: Accessible name of the chart.
        width: Width of the drawing in px.
        height: Height of the drawing in px.
    """
    left, right, top_pad, bottom = 56, 12, 12, 28
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    totals = [sum(values[i] for values in series.values()) for i in range(len(buckets))]
    top = nice_ceiling(max(totals, default=0))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" style="max-width:100%;height:auto;{FONT}">',
        f"<title>{for_html(title)}</title>",
    ]
    for k in range(5):
        value = top * k // 4
        y = top_pad + plot_h - plot_h * k / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{AXIS}">{value:,}</text>'
        )
    n = max(len(buckets), 1)
    slot = plot_w / n
    bar = max(slot * 0.8, 1.0)
    longest = max((len(b) for b in buckets), default=1)
    every = max(1, math.ceil(n / max(1, int(plot_w // (7 * longest + 16)))))
    for i, bucket in enumerate(buckets):
        x = left + i * slot + (slot - bar) / 2
        y = float(top_pad + plot_h)
        for name, values in series.items():
            count = values[i]
            if not count:
                continue
            h = count / top * plot_h
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colors[name]}"><title>{for_html(bucket)}: {count:,} in {for_html(name)}'
                "</title></rect>"
            )
        if i % every == 0:
            cx = left + i * slot + slot / 2
            parts.append(
                f'<text x="{cx:.1f}" y="{top_pad + plot_h + 16}" text-anchor="middle" '
                f'fill="{AXIS}">{for_html(bucket)}</text>'
            )
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top_pad + plot_h}" '
        f'y2="{top_pad + plot_h}" stroke="{AXIS}"/>'
    )
    parts.append("</svg>")
    return "".join(parts)
