"""Server-side SVG for evaluation reports: bars per indicator, the ranking, a score over time.

Like ``zwgk.admin.charts``: plain SVG strings, no script, nothing fetched — the report prints
and opens offline.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

from ..admin.charts import FONT, _text

BAR = "#2471a3"
LOW = "#c0392b"
MID = "#b9770e"
GOOD = "#1e8449"


def _color(score: float) -> str:
    return GOOD if score >= 85 else (MID if score >= 60 else LOW)


def _open(width: float, height: float, label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{escape(label)}" '
            f'style="max-width:100%;height:auto">'
            '<rect width="100%" height="100%" fill="#fff"/>')


def _axis(x0: float, top: float, bottom: float, width: float) -> list[str]:
    parts = []
    for tick in range(0, 101, 20):
        x = x0 + width * tick / 100
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#e5e5e5"/>')
        parts.append(_text(x, bottom + 14, str(tick), 10, "#666", "middle"))
    return parts


def bars(title: str, items: Sequence[tuple[str, str | None, str]], english: bool = False) -> Markup:
    """Horizontal bars 0–100: ``(label, score or None, note)`` each; None draws 不适用 (n/a)."""
    label_w, chart_w, row_h, top = 230, 430, 24, 34
    height = top + len(items) * row_h + 26
    width = label_w + chart_w + 70
    parts = [_open(width, height, title), _text(8, 20, title, 14, weight="bold")]
    parts += _axis(label_w, top - 4, height - 22, chart_w)
    for i, (label, score, note) in enumerate(items):
        y = top + i * row_h
        limit = 34 if english else 16  # what fits in the label column: Latin letters are half as wide
        parts.append(_text(label_w - 8, y + 15, label if len(label) <= limit else label[:limit - 1] + "…", 12,
                           anchor="end"))
        if score is None:
            parts.append(_text(label_w + 4, y + 15, f"{'n/a' if english else '不适用'} {note}".strip(), 11, "#888"))
            continue
        value = float(Decimal(score))
        w = chart_w * max(min(value, 100), 0) / 100
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" rx="2" '
                     f'fill="{_color(value)}" fill-opacity=".85"><title>{escape(label)} {score}</title></rect>')
        parts.append(_text(label_w + w + 5, y + 15, score, 11))
    parts.append("</svg>")
    return Markup("".join(parts))


def ranking(rows: Sequence[dict[str, Any]], english: bool = False) -> Markup:
    """Every unit's total, best first, with its rank."""
    return bars("Ranking by total" if english else "总分排名", [(f"{r['rank']}. {r['name']}", r["total"], "")
                                                             for r in rows], english)


def over_time(title: str, points: Sequence[tuple[str, str | None]], english: bool = False) -> Markup:
    """A line of scores (0–100) by period, oldest first."""
    pts = [(p, float(Decimal(v))) for p, v in points if v is not None]
    left, width, top, height = 46, 560, 36, 200
    total_w, total_h = left + width + 30, top + height + 40
    parts = [_open(total_w, total_h, title), _text(8, 20, title, 14, weight="bold")]
    for tick in range(0, 101, 20):
        y = top + height * (1 - tick / 100)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        parts.append(_text(left - 6, y + 4, str(tick), 10, "#666", "end"))
    if not pts:
        parts.append(_text(left + 10, top + height / 2, "No results of earlier periods yet" if english
                           else "暂无各期结果", 12, "#888"))
    step = width / max(len(pts) - 1, 1)
    coords = [(left + (i * step if len(pts) > 1 else width / 2), top + height * (1 - v / 100)) for i, (_, v) in
              enumerate(pts)]
    if len(coords) > 1:
        parts.append('<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>'.format(
            BAR, " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)))
    for (period, value), (x, y) in zip(pts, coords):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{BAR}"><title>{escape(period)} '
                     f'{value:.2f}</title></circle>')
        parts.append(_text(x, y - 8, f"{value:.2f}", 10, "#222", "middle"))
        parts.append(_text(x, top + height + 18, period, 11, "#444", "middle"))
    parts.append("</svg>")
    return Markup("".join(parts))


__all__ = ["bars", "ranking", "over_time", "FONT"]
