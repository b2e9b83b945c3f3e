"""Small accessible SVG charts rendered on the server (no JavaScript, no external library).

Each chart has a ``<title>`` and ``<desc>`` read by screen readers, and pages
always show the same figures in a table beside it.
"""

from __future__ import annotations

import math
from html import escape

from markupsafe import Markup

_BAR = "#2a788e"
_REF = "#b4461b"


NBSP, THIN = "\u00a0", "\u202f"  # a figure never breaks from its unit nor inside its thousands


def _fmt(v: float | None, unit: str = "", decimals: int = 2) -> str:
    if v is None or v != v or v in (math.inf, -math.inf):
        return "—"
    # French figures: decimal comma below 1 000, thousands grouped by a narrow no-break space above
    text = (f"{v:.{decimals}f}".replace(".", ",") if -1000 < v < 1000
            else f"{v:,.0f}".replace(",", THIN))
    return f"{text}{NBSP}{unit}" if unit else text


def bar_chart(items: list[tuple[str, float | None]], *, title: str, unit: str = "", width: int = 560) -> Markup:
    """Horizontal bars, one per (label, value); missing values are drawn as « — »."""
    items = list(items)
    finite = [v for _, v in items if v is not None and math.isfinite(v)]
    top = max(finite) if finite else 1.0
    top = top if top > 0 else 1.0
    # labels are right-aligned before the bars: room for the longest (« Bourgogne-Franche-Comté »)
    row, pad = 30, 8
    label_w = int(min(max([len(lab) for lab, _ in items] + [8]) * 7.6 + 14, width * 0.5))
    height = row * len(items) + pad * 2
    bar_w = width - label_w - 110
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
             f'<desc>{escape("; ".join(f"{lab} : {_fmt(v, unit)}" for lab, v in items))}</desc>']
    for i, (lab, v) in enumerate(items):
        y = pad + i * row
        w = 0 if v is None or not math.isfinite(v) else max(1.0, bar_w * max(v, 0) / top)
        colour = _BAR if i == 0 else _REF if lab == "France" else "#6b7c93"
        parts.append(f'<text x="{label_w - 6}" y="{y + 19}" text-anchor="end" class="lab">{escape(lab)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 5}" width="{w:.1f}" height="{row - 10}" fill="{colour}" rx="3"/>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 19}" class="val">{escape(_fmt(v, unit))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(points: list[tuple[str, float | None]], *, title: str, unit: str = "", width: int = 560,
               height: int = 220) -> Markup:
    """A time series: periods on x, values on y, with a dot and label at each point."""
    pts = [(p, v) for p, v in points if v is not None and math.isfinite(v)]
    if not pts:
        return Markup(f'<p>{escape(title)} : aucune donnée.</p>')
    lo, hi = min(v for _, v in pts), max(v for _, v in pts)
    lo, hi = (lo - 1, hi + 1) if lo == hi else (lo - (hi - lo) * 0.1, hi + (hi - lo) * 0.1)
    left, right, top, bottom = 60, 20, 20, 40
    n = len(pts)
    xs = [left + (width - left - right) * (i / (n - 1) if n > 1 else 0.5) for i in range(n)]
    ys = [top + (height - top - bottom) * (1 - (v - lo) / (hi - lo)) for _, v in pts]
    path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(zip(xs, ys, strict=True)))
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" xmlns="http://www.w3.org/2000/svg">'
             f'<title>{escape(title)}</title>'
             f'<desc>{escape("; ".join(f"{p} : {_fmt(v, unit)}" for p, v in pts))}</desc>',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#44506a"/>',
             f'<path d="{path}" fill="none" stroke="{_BAR}" stroke-width="3"/>']
    for (p, v), x, y in zip(pts, xs, ys, strict=True):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{_BAR}"/>')
        parts.append(f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle" class="val">{escape(_fmt(v))}</text>')
        parts.append(f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="middle" class="lab">'
                     f'{escape(p)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def number(v: float | None, unit: str = "", decimals: int = 2) -> str:
    """French formatting of a figure for templates (one format on every page: ``2,91``, ``144 196``)."""
    return _fmt(v, unit, decimals)


def scatter_chart(points: list[list[float]], *, title: str, x_label: str, y_label: str,
                  width: int = 480, height: int = 480) -> Markup:
    """A scatter plot of (x, y) pairs with the diagonal y = x (same axes on both sides)."""
    pts = [(x, y) for x, y in points if x is not None and y is not None and math.isfinite(x) and math.isfinite(y)]
    if not pts:
        return Markup(f'<p>{escape(title)} : aucune donnée.</p>')
    hi = max(max(x for x, _ in pts), max(y for _, y in pts))
    hi = hi if hi > 0 else 1.0
    left, right, top, bottom = 50, 16, 16, 44
    w, h = width - left - right, height - top - bottom

    def sx(v: float) -> float:
        return left + w * min(v, hi) / hi

    def sy(v: float) -> float:
        return top + h * (1 - min(v, hi) / hi)

    ticks = [hi * i / 4 for i in range(5)]
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" xmlns="http://www.w3.org/2000/svg">'
             f'<title>{escape(title)}</title>'
             f'<desc>{escape(f"{len(pts)} points ; abscisse : {x_label} ; ordonnée : {y_label} ; diagonale : égalité")}'
             '</desc>',
             f'<line x1="{left}" y1="{top + h}" x2="{left + w}" y2="{top + h}" stroke="#44506a"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + h}" stroke="#44506a"/>',
             f'<line x1="{sx(0):.1f}" y1="{sy(0):.1f}" x2="{sx(hi):.1f}" y2="{sy(hi):.1f}" stroke="{_REF}" '
             'stroke-dasharray="4 4"/>']
    for t in ticks:
        parts.append(f'<text x="{sx(t):.1f}" y="{top + h + 16}" text-anchor="middle" class="lab">'
                     f'{escape(_fmt(t))}</text>')
        parts.append(f'<text x="{left - 6}" y="{sy(t) + 4:.1f}" text-anchor="end" class="lab">{escape(_fmt(t))}</text>')
    parts.append(f'<g fill="{_BAR}" fill-opacity="0.35">')
    parts.extend(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2"/>' for x, y in pts)
    parts.append("</g>")
    parts.append(f'<text x="{left + w / 2:.1f}" y="{height - 6}" text-anchor="middle" class="lab">'
                 f'{escape(x_label)}</text>')
    parts.append(f'<text x="12" y="{top + h / 2:.1f}" text-anchor="middle" class="lab" '
                 f'transform="rotate(-90 12 {top + h / 2:.1f})">{escape(y_label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
