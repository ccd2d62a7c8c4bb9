"""公开流程图: a region's disclosure flow as server-side SVG, drawn from its own rules.

The 主动公开 row follows the catalog workflow (``zwgk.workflow``) with the review steps the
region's plugin requires (``zwgk_review_steps``: 道县 保密审查 and 主要领导签字审核, 山东 保密审查,
浙江 none); a failed 保密审查 goes back to 起草.  The 发布·解读·回应 row shows the region's
interpretation obligation where it has one (山东 001 四、（一）: 3个工作日内).  A 依申请公开 row
is drawn when the region declares its steps.

On English pages (``english=True``) the chart's own words are English; a region's request steps
are glossed where the word is known (``REQUEST_STEPS_EN``), and the interpretation rule is said
in English when the time-limit parser reads it as a period (``3个工作日内`` → within 3 working
days); otherwise they stay as the document writes them.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from ..admin.charts import FONT, _text
from ..timelimits import parse
from ..workflow import STEP_NAMES

BOX_W, BOX_H, GAP, LEFT = 132, 46, 40, 120
BOX_W_EN = 164  # English words are longer than the Chinese ones
#: the steps of 依申请公开 as the plugins' documents name them (hookspec zwgk_request_steps), in English
REQUEST_STEPS_EN = {"接收": "Receive", "登记": "Register", "办理": "Handle", "调查": "Investigate",
                    "答复": "Reply", "受理": "Accept", "审核": "Review", "告知": "Notify", "送达": "Deliver"}
PERIOD_UNITS_EN = {"workday": "working days", "day": "days", "hour": "hours", "month": "months", "week": "weeks"}
COLORS = {"draft": "#7f8c8d", "submit": "#2471a3", "review": "#b9770e", "signoff": "#a93226",
          "publish": "#1e8449", "release": "#1e8449", "follow": "#6c3483", "request": "#117864"}


def _box(x: float, y: float, step: str, label: str, note: str | None, color: str, w: int = BOX_W) -> str:
    latin = w != BOX_W
    limit = 26 if latin else 11  # what fits under the label
    out = [f'<g class="step" data-step="{escape(step)}">',
           f'<rect x="{x}" y="{y}" width="{w}" height="{BOX_H}" rx="8" fill="{color}" fill-opacity=".12" '
           f'stroke="{color}" stroke-width="2"/>',
           _text(x + w / 2, y + (19 if note else 28), label, 13 if latin else 14, "#222", "middle", "bold")]
    if note:
        out.append(_text(x + w / 2, y + 36, note if len(note) <= limit else note[:limit - 1] + "…", 11, "#555",
                         "middle"))
    out.append("</g>")
    return "".join(out)


def _arrow(x1: float, x2: float, y: float) -> str:
    return (f'<line x1="{x1}" y1="{y}" x2="{x2 - 2}" y2="{y}" stroke="#555" stroke-width="1.6" '
            f'marker-end="url(#arrow)"/>')


def _row(y: float, title: str, steps: Sequence[tuple[str, str, str | None]], parts: list[str],
         w: int = BOX_W) -> list[float]:
    parts.append(_text(10, y + BOX_H / 2 + 5, title, 13, "#a00", weight="bold"))
    xs = []
    for i, (step, label, note) in enumerate(steps):
        x = LEFT + i * (w + GAP)
        xs.append(x)
        parts.append(_box(x, y, step, label, note, COLORS.get(step, COLORS["follow"]), w))
        if i:
            parts.append(_arrow(x - GAP, x, y + BOX_H / 2))
    return xs


def _rule_en(text: str | None) -> str | None:
    """An interpretation rule in English when it is a period the parser reads; else as written."""
    if not text:
        return text
    rule = parse(text)
    if rule.kind == "period" and rule.amount and rule.unit in PERIOD_UNITS_EN:
        return f"within {rule.amount} {PERIOD_UNITS_EN[rule.unit]}"
    return text


def disclosure_flowchart(title: str, review_steps: Sequence[str], interpretation_rule: str | None = None,
                         request_steps: Sequence[str] = (), english: bool = False) -> Markup:
    """The flowchart of a region: ``review_steps`` from its rules (``review``, ``signoff``),
    its interpretation rule text if any, and its 依申请公开 steps if any, in Chinese or English."""
    if english:
        return _flowchart_en(title, review_steps, interpretation_rule, request_steps)
    main = [("draft", "起草", "拟公开事项"), ("submit", STEP_NAMES["submit"], "报送审核")]
    if "review" in review_steps:
        main.append(("review", STEP_NAMES["review"], "先审查后公开"))
    if "signoff" in review_steps:
        main.append(("signoff", "主要领导签字", "签字审核后方可公开"))
    main.append(("publish", STEP_NAMES["publish"], "目录与信息发布"))
    follow = [("release", "发布", None), ("interpret", "政策解读", interpretation_rule),
              ("respond", "回应关切", "问题、答复、日期"), ("feedback", "公众评价反馈", "答复与目录调整")]
    return _draw(title, review_steps, main, follow, [("request", s, None) for s in request_steps],
                 ("主动公开", "发布·解读·回应", "依申请公开"), "未通过保密审查：退回修改", BOX_W)


def _flowchart_en(title: str, review_steps: Sequence[str], interpretation_rule: str | None,
                  request_steps: Sequence[str]) -> Markup:
    main = [("draft", "Draft", "items to disclose"), ("submit", "Submit", "sent for review")]
    if "review" in review_steps:
        main.append(("review", "Confidentiality review", "reviewed before disclosure"))
    if "signoff" in review_steps:
        main.append(("signoff", "Leader's sign-off", "signed before disclosure"))
    main.append(("publish", "Publish", "catalog and information"))
    follow = [("release", "Release", None), ("interpret", "Interpretation", _rule_en(interpretation_rule)),
              ("respond", "Responses to concerns", "question, answer, date"),
              ("feedback", "Public ratings", "answers, catalog changes")]
    request = [("request", REQUEST_STEPS_EN.get(s, s), None) for s in request_steps]
    return _draw(title, review_steps, main, follow, request, ("Proactive", "Follow-up", "On request"),
                 "Failed the confidentiality review: back to draft", BOX_W_EN)


def _draw(title: str, review_steps: Sequence[str], main: list, follow: list, request: list,
          row_titles: tuple[str, str, str], failed: str, w: int) -> Markup:
    rows = 2 + bool(request)
    widest = max(len(main), len(follow), len(request))
    width = LEFT + widest * (w + GAP) + 10
    height = 60 + rows * (BOX_H + 70) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" class="flowchart">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
             '<rect width="100%" height="100%" fill="#fff"/>',
             _text(10, 26, title, 16, "#a00", weight="bold")]
    y = 60
    xs = _row(y, row_titles[0], main, parts, w)
    if "review" in review_steps:  # a failed review sends the item back to draft (zwgk.workflow.review)
        i = [s for s, *_ in main].index("review")
        x_from, x_to = xs[i] + w / 2, xs[0] + w / 2
        parts.append(f'<path d="M{x_from},{y + BOX_H} v22 H{x_to} v-20" fill="none" stroke="#c0392b" '
                     f'stroke-dasharray="5,3" stroke-width="1.4" marker-end="url(#arrow)"/>')
        parts.append(_text((x_from + x_to) / 2, y + BOX_H + 18, failed, 11, "#c0392b", "middle"))
    y += BOX_H + 70
    _row(y, row_titles[1], follow, parts, w)
    if request:
        y += BOX_H + 70
        _row(y, row_titles[2], request, parts, w)
    parts.append("</svg>")
    return Markup("".join(parts))
