"""Charts drawn on the server as SVG: no JavaScript, nothing from another host, printable.

Each function takes plain data (labels already translated and numbers already formatted by
the caller) and returns one ``<svg>`` as ``Markup``. The charts are images to assistive
technology (``role="img"``, a ``<title>`` and a ``<desc>`` named by ``aria-labelledby``);
the page puts the same data in a table right below each chart.

Readable without colour: the two lines of the trend differ in dash pattern and marker shape
as well as colour, and every bar carries its number as text. Colours keep at least 3:1
(graphics) and 4.5:1 (text) against white. The drawing is sized by its ``viewBox`` and
stretches to the width of its box (CSS ``.chart``), so it follows the page from 360 px up.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# Line styles of the trend: colour, dash pattern, marker. Both colours pass 6:1 on white.
LINE_STYLES = (
    {"colour": "#0b4f8a", "dash": None, "marker": "circle"},
    {"colour": "#a14a00", "dash": "7 4", "marker": "square"},
)
TEXT = "#1a1a1a"
MUTED = "#4a4a4a"
GRID = "#d0d0d0"
AXIS = "#6b6b6b"
BAR = "#0b4f8a"
# A narrow drawing: on a 360 px phone it is drawn at about its own size, so 14-unit text
# stays about 13 px; on a laptop CSS caps it (max-width in rem) so it grows with zoom.
WIDTH = 360
FONT = 14
SMALL_FONT = 13


@dataclass(frozen=True)
class Line:
    """One series of the trend: its name (for the legend and the description) and values."""

    name: str
    values: Sequence[int | float]


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value, an optional limit drawn as an outline (the places
    offered), and the text written beside it."""

    label: str
    value: int | float
    text: str
    limit: int | float | None = None


def nice_ceiling(value: float, ticks: int = 4) -> tuple[float, float]:
    """The top of the axis and the step between grid lines: round numbers (1, 2, 5 × 10ⁿ,
    at least 1, since the axis counts people) so that about ``ticks`` steps cover ``value``."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        step = factor * magnitude
        if step >= raw:
            break
    step = max(step, 1.0)
    return step * math.ceil(value / step), step


def _number(value: float) -> str:
    """SVG coordinates: short, with a dot whatever the locale."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _open_svg(chart_id: str, title: str, description: str, height: float,
              css_class: str) -> list[str]:
    ids = f"{chart_id}-title {chart_id}-desc"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" '
        f'viewBox="0 0 {WIDTH} {_number(height)}" width="100%" role="img" '
        f'aria-labelledby="{escape(ids)}" focusable="false" font-size="{FONT}">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return (f'<rect x="{_number(x - 4)}" y="{_number(y - 4)}" width="8" height="8" '
                f'fill="{colour}"/>')
    return f'<circle cx="{_number(x)}" cy="{_number(y)}" r="4" fill="{colour}"/>'


def legend_swatch(index: int) -> Markup:
    """A short sample of line ``index`` (dash and marker) for a legend written in HTML."""
    style = LINE_STYLES[index % len(LINE_STYLES)]
    dash = f' stroke-dasharray="{style["dash"]}"' if style["dash"] else ""
    return Markup(  # noqa: S704 (constants and numbers only)
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart-swatch" viewBox="0 0 32 12" '
        'width="32" height="12" aria-hidden="true" focusable="false">'
        f'<line x1="0" y1="6" x2="32" y2="6" stroke="{style["colour"]}" stroke-width="2.5"'
        f'{dash}/>{_marker(style["marker"], 16, 6, style["colour"])}</svg>'
    )


def line_chart(chart_id: str, title: str, description: str, labels: Sequence[str],
               lines: Sequence[Line], *, sublabels: Sequence[str] | None = None,
               number: Callable[[float], str] = _number) -> Markup:
    """Lines over a run of periods (the monthly trend). ``labels`` name the periods on the
    axis; ``sublabels`` (e.g. the year under January) go on a second row where not empty.
    ``number`` formats the axis values in the reader's language."""
    count = len(labels)
    highest = max((value for line in lines for value in line.values), default=0)
    ceiling, step = nice_ceiling(float(highest))
    # Room for the longest value on the axis ("1 200" needs more than "40").
    left = max(30.0, len(number(ceiling)) * SMALL_FONT * 0.62 + 10)
    right, top = 14.0, 12.0
    label_rows = 2 if sublabels and any(sublabels) else 1
    plot_height = 150.0
    height = top + plot_height + 10 + label_rows * (SMALL_FONT + 4) + 4
    plot_width = WIDTH - left - right
    step_x = plot_width / (count - 1) if count > 1 else 0.0

    def x_at(index: int) -> float:
        return left + (index * step_x if count > 1 else plot_width / 2)

    def y_at(value: float) -> float:
        return top + plot_height - (value / ceiling) * plot_height

    parts = _open_svg(chart_id, title, description, height, "chart--lines")
    # Grid and the value axis: round numbers, the baseline darker.
    tick = 0.0
    while tick <= ceiling + 1e-9:
        y = y_at(tick)
        colour = AXIS if tick == 0 else GRID
        parts.append(f'<line x1="{_number(left)}" y1="{_number(y)}" x2="{_number(WIDTH - right)}" '
                     f'y2="{_number(y)}" stroke="{colour}" stroke-width="1"/>')
        parts.append(f'<text x="{_number(left - 6)}" y="{_number(y + 4)}" text-anchor="end" '
                     f'font-size="{SMALL_FONT}" fill="{MUTED}">{escape(number(tick))}</text>')
        tick += step
    # Period labels: all of them when they are short, else every other one counted back from
    # the latest (the table below names each period in full).
    longest = max((len(label) for label in labels), default=0)
    every = 1 if longest * SMALL_FONT * 0.62 <= step_x - 2 or count <= 1 else 2
    base = top + plot_height + 10 + SMALL_FONT
    for index, label in enumerate(labels):
        x = x_at(index)
        if (count - 1 - index) % every == 0:
            parts.append(f'<text x="{_number(x)}" y="{_number(base)}" text-anchor="middle" '
                         f'font-size="{SMALL_FONT}" fill="{TEXT}">{escape(label)}</text>')
        if sublabels and sublabels[index]:
            parts.append(f'<text x="{_number(x)}" y="{_number(base + SMALL_FONT + 4)}" '
                         f'text-anchor="middle" font-size="{SMALL_FONT}" fill="{MUTED}">'
                         f'{escape(sublabels[index])}</text>')
    for index, line in enumerate(lines):
        style = LINE_STYLES[index % len(LINE_STYLES)]
        points = [(x_at(i), y_at(float(value))) for i, value in enumerate(line.values)]
        dash = f' stroke-dasharray="{style["dash"]}"' if style["dash"] else ""
        if len(points) > 1:
            path = " ".join(f"{_number(x)},{_number(y)}" for x, y in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{style["colour"]}" '
                         f'stroke-width="2.5" stroke-linejoin="round"{dash}/>')
        parts.extend(_marker(style["marker"], x, y, style["colour"]) for x, y in points)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every label and number was escaped)


def bar_chart(chart_id: str, title: str, description: str, bars: Sequence[Bar]) -> Markup:
    """Horizontal bars, one row each: the label on its own line (long titles fit a phone),
    the bar below it with its number written at its end. A bar's limit (places offered) is
    drawn as a dark outline behind it, so "full" shows without relying on colour."""
    row = FONT + 6 + 18 + 10  # label, gap, bar, space between rows
    top = 4.0
    height = top + max(len(bars), 1) * row
    left, text_room = 2.0, 74.0
    room = WIDTH - left - text_room
    highest = max((max(bar.value, bar.limit or 0) for bar in bars), default=0) or 1
    parts = _open_svg(chart_id, title, description, height, "chart--bars")
    for index, bar in enumerate(bars):
        y = top + index * row
        parts.append(f'<text x="{_number(left)}" y="{_number(y + FONT)}" fill="{TEXT}">'
                     f'{escape(_shorten(bar.label))}</text>')
        bar_y = y + FONT + 6
        width = room * bar.value / highest
        end = width
        if bar.limit:
            limit_width = room * bar.limit / highest
            end = max(end, limit_width)
            parts.append(f'<rect x="{_number(left)}" y="{_number(bar_y)}" '
                         f'width="{_number(limit_width)}" height="18" fill="#ffffff" '
                         f'stroke="{MUTED}" stroke-width="1.5" stroke-dasharray="4 2"/>')
        if width > 0:
            parts.append(f'<rect x="{_number(left)}" y="{_number(bar_y + 3)}" '
                         f'width="{_number(max(width, 2))}" height="12" fill="{BAR}"/>')
        parts.append(f'<text x="{_number(left + end + 6)}" y="{_number(bar_y + 14)}" '
                     f'fill="{TEXT}" font-weight="600">{escape(bar.text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every label and number was escaped)


def _shorten(label: str, limit: int = 42) -> str:
    """About one line of the narrow drawing; the table below gives the whole title."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"
