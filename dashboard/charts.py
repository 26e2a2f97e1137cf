"""Accessible charts as inline SVG, drawn on the server (no JavaScript).

Every chart has a <title> and <desc> and is role="img"; values are written next to each bar or
at the end of each line, and lines differ by dash pattern and marker shape as well as colour, so
no meaning rests on colour alone. The data table next to each chart holds the same figures.
"""

import itertools
import math

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

_ids = itertools.count(1)

TEXT = "#0b0c0c"
BAR = "#1d70b8"
GRID = "#b1b4b6"
# (colour, dash pattern, marker): colour is never the only difference between two lines.
LINE_STYLES = [
    ("#1d70b8", "", "circle"), ("#0b0c0c", "8 4", "square"), ("#d4351c", "2 3", "triangle"),
    ("#00703c", "12 3 3 3", "diamond"), ("#4c2c92", "4 4", "cross"),
    ("#912b88", "1 2", "circle-open"), ("#505a5f", "10 2 2 2 2 2", "square-open"),
    ("#6f3618", "6 2", "triangle-open"),
]


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


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    fill = "#fff" if kind.endswith("-open") else colour
    shape = kind.removesuffix("-open")
    if shape == "circle":
        return format_html('<circle cx="{}" cy="{}" r="4" fill="{}" stroke="{}" '
                           'stroke-width="2"/>', _n(x), _n(y), fill, colour)
    if shape == "square":
        return format_html('<rect x="{}" y="{}" width="8" height="8" fill="{}" '
                           'stroke="{}" stroke-width="2"/>', _n(x - 4), _n(y - 4), fill, colour)
    if shape == "triangle":
        d = f"M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y + 4:.1f} L{x - 5:.1f},{y + 4:.1f} Z"
    elif shape == "diamond":
        d = f"M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y:.1f} L{x:.1f},{y + 5:.1f} L{x - 5:.1f},{y:.1f} Z"
    else:  # cross
        d = f"M{x - 4:.1f},{y - 4:.1f} L{x + 4:.1f},{y + 4:.1f} M{x - 4:.1f},{y + 4:.1f} L{x + 4:.1f},{y - 4:.1f}"
    return format_html('<path d="{}" fill="{}" stroke="{}" stroke-width="2"/>', d, fill, colour)


def line_chart(*, title: str, desc: str, x_labels: list[str],
               series: list[tuple[str, list[float]]]) -> dict:
    """One line per series, each with its own dash pattern and marker, named at its end."""
    width, height = 760, 340
    left, right, top, bottom = 56, 560, 16, 290
    biggest = _nice_max(max((v for _, values in series for v in values), default=0))
    step_x = (right - left) / max(len(x_labels) - 1, 1)

    def at(i, v):
        return left + i * step_x, bottom - (bottom - top) * v / biggest

    n, head = _open(title, desc, width, height)
    parts = [head]
    for t in range(5):
        value = biggest * t / 4
        y = bottom - (bottom - top) * t / 4
        parts.append(format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
            '<text x="{}" y="{}" text-anchor="end" fill="{}" font-size="13">{}</text>',
            left, _n(y), right, _n(y), GRID, left - 6, _n(y + 4), TEXT, f"{value:,.0f}"))
    for i, label in enumerate(x_labels):
        x, _ = at(i, 0)
        parts.append(format_html(
            '<text x="{}" y="{}" text-anchor="middle" fill="{}" font-size="12">{}</text>',
            _n(x), bottom + 20, TEXT, label))
    ends = []
    for (name, values), (colour, dash, marker) in zip(series, itertools.cycle(LINE_STYLES)):
        points = [at(i, v) for i, v in enumerate(values)]
        parts.append(format_html(
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="2" {}/>',
            " ".join(f"{x:.1f},{y:.1f}" for x, y in points), colour,
            mark_safe(f'stroke-dasharray="{escape(dash)}" ') if dash else ""))  # noqa: S308
        parts.extend(_marker(marker, x, y, colour) for x, y in points)
        if points:
            ends.append([points[-1][1], name, values[-1], (colour, dash, marker)])
    # Direct labels at the line ends, nudged apart so they never overlap.
    ends.sort(key=lambda e: e[0])
    for i in range(1, len(ends)):
        ends[i][0] = max(ends[i][0], ends[i - 1][0] + 15)
    for y, name, last, (colour, dash, marker) in ends:
        # A sample of the line's pattern and marker beside its name, like a legend entry.
        parts.append(format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2" {}/>',
            right + 6, _n(y), right + 30, _n(y), colour,
            mark_safe(f'stroke-dasharray="{escape(dash)}" ') if dash else ""))  # noqa: S308
        parts.append(_marker(marker, right + 18, y, colour))
        parts.append(format_html(
            '<text x="{}" y="{}" fill="{}" font-size="13">{} ({})</text>',
            right + 36, _n(y + 4), TEXT, _short(name, 24), f"{last:,}"))
    parts.append(mark_safe("</svg>"))  # noqa: S308 - a literal tag
    return {"id": n, "svg": mark_safe("".join(parts)), "kind": "line"}  # noqa: S308 - escaped
