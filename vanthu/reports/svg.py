"""Charts drawn on the server as SVG: no JavaScript, no library from the Internet, fine on a phone.

Each chart is a `viewBox`-scaled SVG that stretches to the container's width; text stays
readable because the layout is computed for a narrow width (360 units) first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

COLOURS = {"met": "#2e7d32", "not_met": "#c62828", "unknown": "#8a8a8a", "bar": "#1f5fa8", "line": "#e08a00"}


@dataclass
class Bar:
    label: str
    value: float | None  # a share 0..1
    status: str = "unknown"
    href: str = ""


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def share_bars(bars: Sequence[Bar], *, target: float | None = None, title: str = "") -> SafeString:
    """Horizontal bars, one per organisation, coloured by target met or not, with the target line."""
    width, label_w, row_h, top = 360, 150, 20, 8
    plot_w = width - label_w - 46
    height = top + row_h * max(1, len(bars)) + 18
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    for i, b in enumerate(bars):
        y = top + i * row_h
        label = b.label if len(b.label) <= 24 else b.label[:23] + "…"  # fits the 150-unit label column
        w = 0 if b.value is None else max(1.0, plot_w * min(1.0, max(0.0, b.value)))
        bar = (f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{COLOURS.get(b.status, COLOURS["unknown"])}">'
               f"<title>{escape(b.label)}: {_pct(b.value)}</title></rect>")
        text = f'<text x="{label_w - 4}" y="{y + row_h - 6}" font-size="10.5" text-anchor="end">{escape(label)}</text>'
        if b.href:
            text = f'<a href="{escape(b.href)}">{text}</a>'
        parts += [text, bar, f'<text x="{label_w + w + 3:.1f}" y="{y + row_h - 6}" font-size="10.5">{_pct(b.value)}</text>']
    axis_y = top + row_h * max(1, len(bars))
    parts.append(f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{axis_y}" stroke="#444" stroke-width="0.5"/>')
    if target is not None:
        x = label_w + plot_w * target
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{axis_y}" stroke="#222" stroke-dasharray="3 2" stroke-width="0.8"/>')
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 12}" font-size="9.5" text-anchor="middle">{escape(_("chỉ tiêu"))} {_pct(target)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def trend_chart(points: Sequence[tuple[str, int, float | None]], *, target: float | None = None, title: str = "") -> SafeString:
    """Per month: received documents as columns (left scale), electronic share as a line (0–100%)."""
    width, height, left, right, top, bottom = 360, 170, 34, 30, 12, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(1, len(points))
    step = plot_w / n
    peak = max([p[1] for p in points] + [1])
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>",
             f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#444" stroke-width="0.5"/>',
             f'<text x="{left - 3}" y="{top + 8}" font-size="9.5" text-anchor="end">{peak}</text>',
             f'<text x="{left + plot_w + 3}" y="{top + 8}" font-size="9.5">100%</text>',
             f'<text x="{left + plot_w + 3}" y="{top + plot_h}" font-size="9.5">0%</text>']
    line = []
    for i, (label, count, share) in enumerate(points):
        x = left + i * step
        h = plot_h * count / peak
        parts.append(f'<rect x="{x + step * 0.15:.1f}" y="{top + plot_h - h:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" fill="{COLOURS["bar"]}" opacity="0.35">'
                     f"<title>{escape(label)}: {count} · {_pct(share)}</title></rect>")
        parts.append(f'<text x="{x + step / 2:.1f}" y="{height - 12}" font-size="9.5" text-anchor="middle">{escape(label)}</text>')
        if share is not None:
            line.append((x + step / 2, top + plot_h * (1 - share)))
    if target is not None:
        y = top + plot_h * (1 - target)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{COLOURS["met"]}" stroke-dasharray="3 2" stroke-width="0.8"/>')
    if line:
        parts.append(f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in line)}" fill="none" stroke="{COLOURS["line"]}" stroke-width="1.6"/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{COLOURS["line"]}"/>' for x, y in line]
    parts.append(f'<text x="{left}" y="{height - 2}" font-size="9.5">▮ {escape(_("văn bản đến"))}  — {escape(_("tỷ lệ điện tử"))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
