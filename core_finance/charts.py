"""Accessible bar charts rendered as SVG on the server (no scripts, no CDN).

Each chart has a title and description for assistive technology; the page shows the same
figures in a data table next to it.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape

WIDTH, BAR, GAP, LABEL = 640, 18, 8, 150


def bar_chart(title: str, items: list[tuple[str, Decimal]], *, unit: str = "", chart_id: str = "chart") -> str:
    """Horizontal bars, one per ``(label, value)``."""
    height = max(1, len(items)) * (BAR + GAP) + 30
    peak = max((v for _, v in items), default=Decimal(0)) or Decimal(1)
    span = WIDTH - LABEL - 90
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="finance-chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape("; ".join(f"{lbl}: {v:,.2f}{unit}" for lbl, v in items))}</desc>',
    ]
    for i, (label, value) in enumerate(items):
        y = 10 + i * (BAR + GAP)
        width = int(span * (value / peak)) if value > 0 else 0
        parts.append(f'<text x="{LABEL - 6}" y="{y + BAR - 4}" text-anchor="end" font-size="12" '
                     f'fill="#1f2937">{escape(label[:18])}</text>')
        parts.append(f'<rect x="{LABEL}" y="{y}" width="{width}" height="{BAR}" fill="#1d4ed8"></rect>')
        parts.append(f'<text x="{LABEL + width + 4}" y="{y + BAR - 4}" font-size="12" '
                     f'fill="#1f2937">{value:,.2f}{escape(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)
