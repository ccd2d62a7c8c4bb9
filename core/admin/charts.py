"""Server-side SVG: the standard system as a tree, a schedule as a timeline (no script, no CDN)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from markupsafe import Markup, escape

from .. import models as m

FONT = "Noto Sans CJK SC, Microsoft YaHei, sans-serif"
CATEGORY_COLORS = {"general": "#c0392b", "platform": "#2471a3", "evaluation": "#b9770e", "domain": "#1e8449"}
CATEGORY_NAMES = {"general": "基础通用", "platform": "平台", "evaluation": "评价", "domain": "领域"}


def _category_name(category: str) -> str:
    if not _english():
        return CATEGORY_NAMES[category]
    from .display import STANDARD_CATEGORIES

    return str(STANDARD_CATEGORIES[category])


def _english() -> bool:
    """The interface language of this request (the charts are drawn in it)."""
    from flask import has_request_context

    if not has_request_context():
        return False
    from flask_babel import get_locale

    return str(get_locale() or "").startswith("en")


def _text(x: float, y: float, text: str, size: int = 13, color: str = "#222", anchor: str = "start",
          weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{color}" text-anchor="{anchor}" '
            f'font-weight="{weight}" font-family="{FONT}">{escape(text)}</text>')


def standard_tree(title: str, standards: Sequence[m.Standard]) -> Markup:
    """A left-to-right tree: the region at the root, then each standard under its parent."""
    children: dict[int | None, list[m.Standard]] = {}
    for std in standards:
        parent = std.parent_id if std.parent_id in {s.id for s in standards} else None
        children.setdefault(parent, []).append(std)
    for kids in children.values():
        kids.sort(key=lambda s: (s.position, s.code))

    row_h, col_w, box_w, box_h = 26, 250, 230, 20
    nodes: list[tuple[int, float, m.Standard | None]] = []  # depth, y, standard
    edges: list[tuple[int, float, int, float]] = []
    counter = [0]

    def place(std: m.Standard | None, depth: int) -> float:
        kids = children.get(std.id if std else None, [])
        if not kids:
            y = counter[0] * row_h + 40
            counter[0] += 1
        else:
            ys = [place(k, depth + 1) for k in kids]
            y = (ys[0] + ys[-1]) / 2
            for ky in ys:
                edges.append((depth, y, depth + 1, ky))
        nodes.append((depth, y, std))
        return y

    place(None, 0)
    depth_max = max(d for d, _, _ in nodes)
    width = (depth_max + 1) * col_w + 20
    height = counter[0] * row_h + 70
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
             '<rect width="100%" height="100%" fill="#fff"/>']
    for d1, y1, d2, y2 in edges:
        x1, x2 = 10 + d1 * col_w + box_w, 10 + d2 * col_w
        xm = (x1 + x2) / 2
        parts.append(f'<path d="M{x1},{y1} H{xm} V{y2} H{x2}" fill="none" stroke="#999" stroke-width="1"/>')
    for depth, y, std in nodes:
        x = 10 + depth * col_w
        color = CATEGORY_COLORS.get(std.category, "#555") if std else "#7b241c"
        label = std.title if std else title
        parts.append(f'<rect x="{x}" y="{y - box_h / 2:.1f}" width="{box_w}" height="{box_h}" rx="4" '
                     f'fill="{color}" fill-opacity="{0.12 if std else 0.9}" stroke="{color}"/>')
        parts.append(_text(x + 6, y + 5, label if len(label) <= 16 else label[:15] + "…", 12,
                           "#fff" if std is None else "#222", weight="bold" if depth <= 1 else "normal"))
    ly = height - 18
    for i, (cat, color) in enumerate(CATEGORY_COLORS.items()):
        parts.append(f'<rect x="{10 + i * 90}" y="{ly - 11}" width="14" height="14" fill="{color}" fill-opacity=".3" '
                     f'stroke="{color}"/>')
        parts.append(_text(28 + i * 90, ly, _category_name(cat), 12))
    parts.append("</svg>")
    return Markup("".join(parts))


def timeline(schedules: Sequence[m.Schedule], today: dt.date) -> Markup:
    """Phases as bars on a date axis, milestones as diamonds, today as a red line."""
    rows: list[tuple[str, dt.date | None, dt.date | None, list[m.Milestone]]] = []
    for sched in schedules:
        for ph in sched.phases:
            rows.append((f"{sched.scope.name if sched.scope else ('National' if _english() else '全国')} · {ph.name}",
                         ph.starts_on, ph.ends_on,
                         list(ph.milestones)))
    dates = [d for _, a, b, ms in rows for d in (a, b) if d] + [x.due_on for *_, ms in rows for x in ms]
    if not dates:
        return Markup('<p class="text-muted">%s</p>') % ("No schedule." if _english() else "没有进度安排")
    start, end = min(dates), max(dates)
    start = dt.date(start.year, start.month, 1)
    end = dt.date(end.year + (end.month == 12), end.month % 12 + 1, 1)
    label_w, chart_w, row_h, top = 300, 760, 30, 50
    width, height = label_w + chart_w + 30, top + len(rows) * row_h + 50
    span = (end - start).days or 1

    def x(day: dt.date) -> float:
        return label_w + chart_w * min(max((day - start).days, 0), span) / span

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{"Timeline" if _english() else "进度时间轴"}">',
             '<rect width="100%" height="100%" fill="#fff"/>']
    english = _english()
    months = (end.year - start.year) * 12 + end.month - start.month
    every = 1 if months <= 12 else 3 if months <= 36 else 12  # a short schedule names each month
    month = start
    while month <= end:
        xm = x(month)
        parts.append(f'<line x1="{xm:.1f}" y1="{top - 10}" x2="{xm:.1f}" y2="{height - 40}" stroke="#eee"/>')
        # the axis ends on the 1st after the last date: no label there (it would be cut off at the edge)
        if (month.month - 1) % every == 0 and month < end:
            if every == 12:
                label = str(month.year) if english else f"{month.year}年"
            else:
                label = f"{month.year}-{month.month:02d}" if english else f"{month.year}年{month.month}月"
            parts.append(_text(xm + 2, top - 16, label, 11, "#666"))
        month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    for i, (label, a, b, milestones) in enumerate(rows):
        y = top + i * row_h + row_h / 2
        parts.append(_text(10, y + 4, label if len(label) <= 22 else label[:21] + "…", 12))
        if b:
            xa = x(a) if a else x(b) - 4
            parts.append(f'<rect x="{xa:.1f}" y="{y - 8}" width="{max(x(b) - xa, 4):.1f}" height="16" rx="3" '
                         f'fill="#a93226" fill-opacity="{0.35 if a else 0.15}" stroke="#a93226"/>')
        for ms in milestones:
            xm = x(ms.due_on)
            color = "#1e8449" if ms.completed_on else ("#c0392b" if ms.due_on < today else "#b9770e")
            parts.append(f'<path d="M{xm:.1f},{y - 9} l7,9 l-7,9 l-7,-9 z" fill="{color}">'
                         f'<title>{escape(ms.title)} {ms.due_on}</title></path>')
    today_word = "Today" if english else "今天"
    if start <= today <= end:
        tx = x(today)
        parts.append(f'<line x1="{tx:.1f}" y1="{top - 30}" x2="{tx:.1f}" y2="{height - 40}" stroke="#e74c3c" '
                     f'stroke-width="2" stroke-dasharray="5,3"/>')
        parts.append(_text(tx - 4 if tx > label_w + chart_w / 2 else tx + 4, top - 32, f"{today_word} {today}", 12,
                           "#e74c3c", "end" if tx > label_w + chart_w / 2 else "start"))
    else:  # no line at the axis end as if today were there: say where today lies
        after = today > end
        if english:
            note = f"Today ({today}) is {'after' if after else 'before'} this schedule {'→' if after else '←'}"
        else:
            note = f"今天（{today}）在此进度安排{'之后 →' if after else '之前 ←'}"
        parts.append(_text(label_w + chart_w if after else label_w, top - 32, note, 12, "#e74c3c",
                           "end" if after else "start"))
    ly = height - 16
    legend = (("Done", "Overdue", "Not yet due") if english else ("已完成", "已逾期", "未到期"))
    for i, (label, color) in enumerate(zip(legend, ("#1e8449", "#c0392b", "#b9770e"))):
        parts.append(f'<path d="M{label_w + i * 100},{ly - 12} l6,7 l-6,7 l-6,-7 z" fill="{color}"/>')
        parts.append(_text(label_w + 10 + i * 100, ly, label, 12))
    parts.append("</svg>")
    return Markup("".join(parts))
