"""Charts drawn on the server as SVG: no JavaScript, no library from the Internet, fine on a phone.

Each chart is a `viewBox`-scaled SVG that stretches to the container's width; text stays
readable because the layout is computed for a narrow width (360 units) first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from vanthu.ui.formatting import number, percent

COLOURS = {"met": "#2e7d32", "not_met": "#c62828", "unknown": "#8a8a8a", "bar": "#1f5fa8", "line": "#e08a00"}


@dataclass
class Bar:
    label: str  # the organisation's full name: shortened for the chart, whole in its tooltip
    value: float | None  # a share 0..1
    status: str = "unknown"
    href: str = ""


def _pct(v: float | None) -> str:
    return percent(v)


# --- short labels ------------------------------------------------------------------------------
# Party organisations are named after the body they sit in ("Đảng bộ Công ty TNHH MTV Thoát nước
# Hà Nội"): cut at a fixed length, a dozen of them read "Đảng bộ Công ty TNHH MT…". The label
# drops the party prefix every row shares, writes the long legal forms as the abbreviations
# Vietnamese offices use themselves, and, if still too long, keeps the end of the name (where the
# distinguishing part is) rather than its start.

LABEL_MAX = 26  # characters that fit the 160-unit label column at the chart's font size
PARTY_PREFIX = re.compile(r"^(Đảng bộ bộ phận|Đảng bộ|Chi bộ|Đảng ủy)\s+", re.IGNORECASE)
ABBREVIATIONS = [(re.compile(rf"(?<!\w){re.escape(long)}(?!\w)", re.IGNORECASE), short) for long, short in [
    ("Công ty trách nhiệm hữu hạn một thành viên", "Cty"), ("Công ty TNHH một thành viên", "Cty"),
    ("Công ty TNHH MTV", "Cty"), ("Công ty TNHH", "Cty"), ("Công ty Cổ phần", "CTCP"), ("Tổng Công ty", "TCty"),
    ("Công ty", "Cty"), ("Ban Quản lý dự án đầu tư xây dựng công trình", "BQLDA"), ("Ban Quản lý dự án", "BQLDA"),
    ("Ban Quản lý", "BQL"), ("Bệnh viện Đa khoa", "BVĐK"), ("Bệnh viện", "BV"), ("Trường Cao đẳng", "CĐ"),
    ("Trường Đại học", "ĐH"), ("Trung tâm", "TT"), ("Ủy ban nhân dân", "UBND"), ("Hội đồng nhân dân", "HĐND"),
    ("Thành phố", "TP"), ("Hà Nội", "HN"), ("Nhà nước", "NN"), ("Văn phòng", "VP"), ("Khu vực", "KV"),
]]


def _fit(words: list[str], head: int, limit: int) -> str:
    """The first `head` words, "…", and as many last words as fit in `limit` characters."""
    text = " ".join(words)
    if len(text) <= limit:
        return text
    start = " ".join(words[:head])
    tail: list[str] = []
    for w in reversed(words[head:]):
        if len(start) + 3 + len(" ".join([w, *tail])) > limit:  # " … " between
            break
        tail.insert(0, w)
    if not tail:  # one very long last word: cut it
        return (start + " …")[:limit] if len(start) + 2 <= limit else text[: limit - 1] + "…"
    return f"{start} … {' '.join(tail)}" if head else "… " + " ".join(tail)


def short_labels(names: Sequence[str], limit: int = LABEL_MAX) -> list[str]:
    """Chart labels for `names`: at most `limit` characters, different for different names."""
    words_of = []
    for name in names:
        text = PARTY_PREFIX.sub("", name.strip()) or name.strip()
        for pattern, short in ABBREVIATIONS:
            text = pattern.sub(short, text)
        words_of.append(text.split())
    labels = [_fit(w, 1, limit) for w in words_of]
    for head in (2, 0):  # two names alike at both ends: show more of the start, then only the end
        clash = Counter(labels)
        labels = [_fit(w, head, limit) if clash[lab] > 1 else lab for w, lab in zip(words_of, labels, strict=True)]
    # Still alike (names that differ only in the middle): numbered, the tooltip tells them apart.
    clash, names_seen, nth = Counter(labels), Counter(names), Counter()
    out = []
    for lab, name in zip(labels, names, strict=True):
        if clash[lab] > 1 and names_seen[name] == 1:
            nth[lab] += 1
            lab = f"{lab[: limit - 4].rstrip()} ({nth[lab]})"
        out.append(lab)
    return out


def share_bars(bars: Sequence[Bar], *, target: float | None = None, title: str = "") -> SafeString:
    """Horizontal bars, one per organisation, coloured by target met or not, with the target line
    labelled above the first bar (a long chart's bottom is off screen) and below the last."""
    width, label_w, row_h, top = 360, 160, 20, 20 if target is not None else 8
    plot_w = width - label_w - 46
    height = top + row_h * max(1, len(bars)) + 18
    parts = [f'<svg class="chart chart-bars" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    labels = short_labels([b.label for b in bars])
    for i, (b, label) in enumerate(zip(bars, labels, strict=True)):
        y = top + i * row_h
        w = 0 if b.value is None else max(1.0, plot_w * min(1.0, max(0.0, b.value)))
        bar = (f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{COLOURS.get(b.status, COLOURS["unknown"])}">'
               f"<title>{escape(b.label)}: {_pct(b.value)}</title></rect>")
        text = (f'<text x="{label_w - 4}" y="{y + row_h - 6}" font-size="10.5" text-anchor="end">'
                f"<title>{escape(b.label)}</title>{escape(label)}</text>")
        if b.href:
            text = f'<a href="{escape(b.href)}">{text}</a>'
        parts += [text, bar, f'<text x="{label_w + w + 3:.1f}" y="{y + row_h - 6}" font-size="10.5">{_pct(b.value)}</text>']
    axis_y = top + row_h * max(1, len(bars))
    parts.append(f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{axis_y}" stroke="#444" stroke-width="0.5"/>')
    if target is not None:
        x = label_w + plot_w * target
        label = escape(_("Chỉ tiêu %(p)s") % {"p": _pct(target)})
        # Drawn under the bars and their figures (inserted after the title), so that it never
        # strikes through a number.
        parts[2:2] = [
            f'<line class="target" x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{axis_y}" stroke="#555" stroke-dasharray="3 2" stroke-width="0.8"/>',
            f'<text class="target-label" x="{x:.1f}" y="{top - 7}" font-size="9.5" text-anchor="middle">{label}</text>',
            f'<text class="target-label" x="{x:.1f}" y="{axis_y + 12}" font-size="9.5" text-anchor="middle">{label}</text>']
    parts.append("</svg>")
    return mark_safe("".join(parts))


def trend_chart(points: Sequence[tuple[str, int, float | None]], *, target: float | None = None, title: str = "") -> SafeString:
    """Per month: received documents as columns (left scale), electronic share as a line (0–100%)."""
    peak = max([p[1] for p in points] + [1])
    # The left margin holds the count scale: wide enough for "115.995".
    width, height, left, right, top, bottom = 360, 170, max(34, 6 * len(number(peak)) + 6), 30, 12, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(1, len(points))
    step = plot_w / n
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>",
             f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#444" stroke-width="0.5"/>',
             f'<text x="{left - 3}" y="{top + 8}" font-size="9.5" text-anchor="end">{number(peak)}</text>',
             f'<text x="{left + plot_w + 3}" y="{top + 8}" font-size="9.5">{percent(1, 0)}</text>',
             f'<text x="{left + plot_w + 3}" y="{top + plot_h}" font-size="9.5">{percent(0, 0)}</text>']
    line = []
    for i, (label, count, share) in enumerate(points):
        x = left + i * step
        h = plot_h * count / peak
        parts.append(f'<rect x="{x + step * 0.15:.1f}" y="{top + plot_h - h:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" fill="{COLOURS["bar"]}" opacity="0.35">'
                     f"<title>{escape(label)}: {number(count)} · {_pct(share)}</title></rect>")
        parts.append(f'<text x="{x + step / 2:.1f}" y="{height - 12}" font-size="9.5" text-anchor="middle">{escape(label)}</text>')
        if share is not None:
            line.append((x + step / 2, top + plot_h * (1 - share)))
    if target is not None:
        y = top + plot_h * (1 - target)
        parts.append(f'<line class="target" x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{COLOURS["met"]}" stroke-dasharray="3 2" stroke-width="0.8"/>')
        # Named at its right end, inside the plot (the right margin holds the 0–100% scale), below
        # the line when the line runs near the top, where the counts' columns peak.
        label_y = y + 10 if target > 0.85 else y - 3
        parts.append(f'<text class="target-label" x="{left + plot_w - 2:.1f}" y="{label_y:.1f}" font-size="9" text-anchor="end" '
                     f'fill="{COLOURS["met"]}">{escape(_("Chỉ tiêu %(p)s") % {"p": _pct(target)})}</text>')
    if line:
        parts.append(f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in line)}" fill="none" stroke="{COLOURS["line"]}" stroke-width="1.6"/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{COLOURS["line"]}"/>' for x, y in line]
    parts.append(f'<text x="{left}" y="{height - 2}" font-size="9.5">▮ {escape(_("văn bản đến"))}  — {escape(_("tỷ lệ điện tử"))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
