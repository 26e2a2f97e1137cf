"""Accessible charts as inline SVG, drawn on the server (no JavaScript).

Every chart has a <title> and <desc> and is role="img"; values are written next to each bar or
at the end of each line, and each line has its own named panel (small multiples), so no meaning
rests on colour alone. The data table next to each chart holds the same figures.
"""

import itertools
import math

from django.utils.html import format_html
from django.utils.safestring import mark_safe

_ids = itertools.count(1)

TEXT = "#0b0c0c"
BAR = "#1d70b8"
GRID = "#b1b4b6"


def value_text(value, unit: str) -> str:
    if value is None:
        return "No data"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "hours":
        return f"{value:,.1f} hours"
    return f"{value:,}"


def _n(value: float) -> str:
    return f"{value:.1f}"


def _short(label: str, limit: int = 36) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _open(title: str, desc: str, width: int, height: int):
    n = next(_ids)
    return n, format_html(
        '<svg class="dashboard-chart" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="chart-title-{} chart-desc-{}" xmlns="http://www.w3.org/2000/svg">'
        '<title id="chart-title-{}">{}</title><desc id="chart-desc-{}">{}</desc>',
        width, height, n, n, n, title, n, desc)


def bar_chart(*, title: str, desc: str, bars: list[tuple[str, float | None]], unit: str,
              maximum: float | None = None) -> dict:
    """Horizontal bars, one row per (label, value), each labelled with its value."""
    width, label_w, bar_w, row_h, top = 720, 290, 330, 28, 8
    height = top + row_h * max(len(bars), 1) + 8
    biggest = maximum or max((v for _, v in bars if v is not None), default=0) or 1
    n, head = _open(title, desc, width, height)
    parts = [head, format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>',
                               label_w, top, label_w, height - 8, TEXT)]
    for i, (label, value) in enumerate(bars):
        y = top + i * row_h
        parts.append(format_html(
            '<text x="{}" y="{}" text-anchor="end" fill="{}" font-size="14">{}</text>',
            label_w - 8, y + 18, TEXT, _short(str(label))))
        length = 0 if value is None else bar_w * max(value, 0) / biggest
        if length:
            parts.append(format_html(
                '<rect x="{}" y="{}" width="{}" height="18" fill="{}"/>',
                label_w, y + 4, _n(length), BAR))
        parts.append(format_html(
            '<text x="{}" y="{}" fill="{}" font-size="14" font-weight="bold">{}</text>',
            _n(label_w + length + 6), y + 18, TEXT, value_text(value, unit)))
    parts.append(mark_safe("</svg>"))  # noqa: S308 - a literal tag
    return {"id": n, "svg": mark_safe("".join(parts)), "kind": "bar"}  # noqa: S308 - escaped


def _nice_step(value: float, ticks: int = 4) -> float:
    """A round step (1, 2 or 5 times a power of ten) so that `ticks` steps cover `value`."""
    raw = max(value, 1) / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for step in (1, 2, 5, 10):
        if raw <= step * magnitude:
            return max(step * magnitude, 1)
    return 10 * magnitude


def line_chart(*, title: str, desc: str, x_labels: list[str],
               series: list[tuple[str, list[float]]]) -> dict:
    """Small multiples: one small line chart per series, side by side on the same scale, each
    named above its panel and labelled with its latest value. Eight lines on one chart are
    spaghetti; panels need no legend and no colour to tell the series apart."""
    columns, panel_w, panel_h = 2, 380, 170
    rows = max(math.ceil(len(series) / columns), 1)
    width, height = columns * panel_w, rows * panel_h
    biggest = max((v for _, values in series for v in values), default=0)
    step = _nice_step(biggest)
    top_value = step * max(math.ceil(biggest / step), 1)
    n, head = _open(title, desc, width, height)
    parts = [head]
    for index, (name, values) in enumerate(series):
        ox, oy = (index % columns) * panel_w, (index // columns) * panel_h
        left, right, top, bottom = ox + 44, ox + panel_w - 56, oy + 34, oy + panel_h - 30
        parts.append(format_html(
            '<text x="{}" y="{}" fill="{}" font-size="15" font-weight="bold">{}</text>',
            ox + 4, oy + 18, TEXT, _short(f"{name}: {sum(values):,} in 12 months", 44)))
        for tick in range(int(top_value / step) + 1):
            value = tick * step
            y = bottom - (bottom - top) * value / top_value
            parts.append(format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="end" fill="{}" font-size="12">{}</text>',
                left, _n(y), right, _n(y), GRID, left - 6, _n(y + 4), TEXT, f"{value:,g}"))
        step_x = (right - left) / max(len(x_labels) - 1, 1)
        for i, label in enumerate(x_labels):
            if i % 3 == 0 or i == len(x_labels) - 1:
                parts.append(format_html(
                    '<text x="{}" y="{}" text-anchor="middle" fill="{}" font-size="12">{}</text>',
                    _n(left + i * step_x), bottom + 18, TEXT, label))
        points = [(left + i * step_x, bottom - (bottom - top) * v / top_value)
                  for i, v in enumerate(values)]
        parts.append(format_html(
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"/>',
            " ".join(f"{x:.1f},{y:.1f}" for x, y in points), BAR))
        parts.extend(format_html('<circle cx="{}" cy="{}" r="3.5" fill="{}"/>', _n(x), _n(y), BAR)
                     for x, y in points)
        if points:
            x, y = points[-1]
            parts.append(format_html(
                '<text x="{}" y="{}" fill="{}" font-size="13" font-weight="bold">{}</text>',
                _n(x + 8), _n(y + 4), TEXT, f"{values[-1]:,}"))
    parts.append(mark_safe("</svg>"))  # noqa: S308 - a literal tag
    return {"id": n, "svg": mark_safe("".join(parts)), "kind": "line"}  # noqa: S308 - escaped
