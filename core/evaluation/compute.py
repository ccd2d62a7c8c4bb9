"""Scoring every unit of a region for a period against an indicator system.

Each computed indicator is a few aggregate queries over all units at once (GROUP BY unit, and
domain where the reasons need it): no catalog item is loaded into Python.  Publication records,
milestones and progress reports are few and are checked one by one on the working-day calendar.

A leaf yields a share (numerator / denominator) and reasons in words.  A leaf with nothing to
measure (no items, no assigned domains, no accepted assessment …) is *not applicable*: its
weight goes to its applicable siblings in proportion, and the result says so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from .. import models as m
from ..catalog import ELEMENT_FIELDS, ELEMENT_WORDS_EN as COLUMN_WORDS_EN, scopes_of
from ..catalog_history import BEIJING
from . import models as em
from .systems import leaves
from ..unitpath import under as _under

TEXT_FIELDS = {"level1", "basis", "content", "subject", "time_limit", "channels", "category"}
#: an element as the published catalog's column calls it, for reasons in words (义务教育: 12 项缺少公开依据)
COLUMN_WORDS = {"name": "事项名称", "basis": "公开依据", "content": "公开内容", "subject": "公开主体",
                "time_limit": "公开时限", "method": "公开方式", "channels": "公开渠道和载体", "audience": "公开对象",
                "category": "类别"}
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def q2(value: Decimal | None) -> str | None:
    """Two decimals, half up, as text (the form every report shows and stores)."""
    return None if value is None else str(value.quantize(CENT, ROUND_HALF_UP))


# --------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date  # inclusive

    @property
    def start_at(self) -> dt.datetime:
        """The period's first moment (Beijing midnight), in UTC."""
        return dt.datetime.combine(self.start, dt.time(), BEIJING).astimezone(dt.timezone.utc)

    @property
    def end_at(self) -> dt.datetime:
        """The first moment after the period (exclusive), in UTC."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), BEIJING).astimezone(dt.timezone.utc)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def parse_period(text: str) -> Period:
    """``2018Q3`` (or 2018-Q3), ``2018H1``, ``2018-07`` or ``2018``."""
    t = (text or "").strip().upper()
    if mt := re.fullmatch(r"(\d{4})-?Q([1-4])", t):
        y, q = int(mt[1]), int(mt[2])
        return Period(f"{y}Q{q}", dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q))
    if mt := re.fullmatch(r"(\d{4})-?H([12])", t):
        y, h = int(mt[1]), int(mt[2])
        return Period(f"{y}H{h}", dt.date(y, 6 * h - 5, 1), _month_end(y, 6 * h))
    if mt := re.fullmatch(r"(\d{4})-(\d{1,2})", t):
        y, mo = int(mt[1]), int(mt[2])
        if 1 <= mo <= 12:
            return Period(f"{y}-{mo:02d}", dt.date(y, mo, 1), _month_end(y, mo))
    if mt := re.fullmatch(r"\d{4}", t):
        y = int(t)
        return Period(str(y), dt.date(y, 1, 1), dt.date(y, 12, 31))
    raise ValueError(f"无法识别的考核期 unknown period {text!r}: 用 2018Q3、2018H1、2018-07 或 2018")


# --------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------


def units_in_scope(session: Session, region: str) -> list[m.AdminUnit]:
    """The pilot units under ``region`` and every unit there that keeps a catalog."""
    with_items = select(m.CatalogItem.unit_id).distinct()
    q = (select(m.AdminUnit).where(_under(m.AdminUnit.key, region))
         .where(or_(m.AdminUnit.is_pilot.is_(True), m.AdminUnit.id.in_(with_items))).order_by(m.AdminUnit.key))
    return list(session.scalars(q))


# --------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------


@dataclass
class Figure:
    """A leaf's raw figures for one unit: numerator of denominator, and the reasons it lost points."""

    numerator: Decimal | None = None
    denominator: Decimal | None = None
    reasons: list[str] = field(default_factory=list)
    value: Decimal | None = None  # a score given directly (assessor, survey), 0–100
    note: str | None = None  # why it is not applicable
    reasons_en: list[str] = field(default_factory=list)  # the same reasons for the English pages

    @property
    def note_en(self) -> str | None:
        """The note's English half (notes are written "中文 English")."""
        if self.note is None:
            return None
        found = re.search(r"[A-Za-z].*$", self.note)
        return found.group(0) if found else self.note

    @property
    def score(self) -> Decimal | None:
        if self.value is not None:
            return self.value
        if not self.denominator:
            return None
        return HUNDRED * self.numerator / self.denominator


def _filled(fields_: tuple[str, ...]) -> Any:
    item = m.CatalogItem
    conds = [(getattr(item, f).isnot(None) & (getattr(item, f) != "")) if f in TEXT_FIELDS
             else getattr(item, f).is_(True) for f in fields_]
    return or_(*conds)


#: from this many units on, SQLite reads the whole table once instead of walking the unit index
FULL_SCAN_UNITS = 30


def _unit_column(session: Session, unit_ids: list[int]) -> Any:
    """``catalog_item.unit_id`` — as ``unit_id + 0`` on SQLite when a region's many units are scored.

    SQLite otherwise walks ``ix_catalog_item_unit_id`` for the IN list and the GROUP BY, fetching
    every row by a random lookup: 10 s of a 15 s query at a million items (docs/benchmarks.md).
    The expression hides the index, so it reads the table in order and sorts.  PostgreSQL's
    planner chooses well by itself.
    """
    item = m.CatalogItem
    if session.get_bind().dialect.name == "sqlite" and len(unit_ids) >= FULL_SCAN_UNITS:
        return (item.unit_id + 0).label("unit_key_id")
    return item.unit_id


def _items_base(unit_ids: list[int], period: Period, unit_col: Any = None) -> list[Any]:
    item = m.CatalogItem
    col = m.CatalogItem.unit_id if unit_col is None else unit_col
    return [col.in_(unit_ids), item.status != "withdrawn", item.created_at < period.end_at]


class Inputs:
    """Everything one run reads, gathered once per run (all units together)."""

    def __init__(self, session: Session, units: list[m.AdminUnit], period: Period):
        self.session, self.units, self.period = session, units, period
        self.ids = [u.id for u in units]
        self.by_id = {u.id: u for u in units}
        self.domains = dict(session.execute(select(m.Domain.id, m.Domain.name)).all())
        self._cache: dict[str, dict[int, Figure]] = {}
        self.item_counts: dict[int, int] = {}

    def figures(self, compute: str) -> dict[int, Figure]:
        if compute not in self._cache:
            self._cache[compute] = getattr(self, f"_{compute}")()
        return self._cache[compute]

    # -- 目录完整性 ----------------------------------------------------------

    def _required_by_unit(self) -> dict[int, list[tuple[str, str]]]:
        """(element code, wording) a unit's catalog must carry: national, then each level down to it."""
        rows = self.session.execute(select(m.ElementRequirement.scope, m.CatalogElement.code,
                                           m.ElementRequirement.wording, m.CatalogElement.name)
                                    .join(m.CatalogElement, m.ElementRequirement.element)
                                    .order_by(m.ElementRequirement.id)).all()
        by_scope: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for scope, code, wording, name in rows:
            by_scope[scope].append((code, COLUMN_WORDS.get(code, wording or name)))
        out = {}
        for unit in self.units:
            seen: dict[str, str] = {}
            for scope in scopes_of(unit.key):
                for code, wording in by_scope.get(scope, ()):
                    seen[code] = wording
            out[unit.id] = [(c, w) for c, w in seen.items() if c in ELEMENT_FIELDS]
        return out

    def _completeness(self) -> dict[int, Figure]:
        item = m.CatalogItem
        required = self._required_by_unit()
        groups: dict[tuple[tuple[str, str], ...], list[int]] = defaultdict(list)
        for uid, req in required.items():
            groups[tuple(req)].append(uid)
        out = {uid: Figure(note="没有公开事项 no catalog items") for uid in self.ids}
        for req, uids in groups.items():
            missing = [func.sum(case((_filled(ELEMENT_FIELDS[code]), 0), else_=1)) for code, _ in req]
            complete = func.sum(case((and_(*[_filled(ELEMENT_FIELDS[c]) for c, _ in req]), 1), else_=0)) \
                if req else func.count()
            unit_col = _unit_column(self.session, uids)
            q = (select(unit_col, item.domain_id, func.count(), complete, *missing)
                 .where(*_items_base(uids, self.period, unit_col)).group_by(unit_col, item.domain_id))
            per_unit: dict[int, list[tuple[int, int, int, list[int]]]] = defaultdict(list)
            for uid, dom, count, done, *miss in self.session.execute(q):
                per_unit[uid].append((dom, count, done or 0, [x or 0 for x in miss]))
            for uid, rows in per_unit.items():
                total = sum(r[1] for r in rows)
                self.item_counts[uid] = total
                fig = Figure(Decimal(sum(r[2] for r in rows)), Decimal(total))
                lacks = []
                for dom, _count, _done, miss in rows:
                    for (code, wording), n in zip(req, miss):
                        if n:
                            lacks.append((-n, self.domains.get(dom, str(dom)), wording, code))
                fig.reasons = [f"{d}: {-n} 项缺少{w}" for n, d, w, _ in sorted(lacks)]
                fig.reasons_en = [f"{d}: items lacking “{COLUMN_WORDS_EN.get(c, w)}”: {-n}"
                                  for n, d, w, c in sorted(lacks)]
                out[uid] = fig
        return out

    # -- 领域覆盖 ------------------------------------------------------------

    def _coverage(self) -> dict[int, Figure]:
        assigned: dict[int, list[int]] = defaultdict(list)
        for uid, dom in self.session.execute(select(m.unit_pilot_domain.c.unit_id, m.unit_pilot_domain.c.domain_id)
                                             .where(m.unit_pilot_domain.c.unit_id.in_(self.ids))):
            assigned[uid].append(dom)
        item, ver = m.CatalogItem, m.CatalogItemVersion
        published = set(self.session.execute(
            select(item.unit_id, item.domain_id).distinct().join(ver, ver.item_id == item.id)
            .where(item.unit_id.in_(self.ids), ver.status == "published", ver.at < self.period.end_at)).all())
        out = {}
        for uid in self.ids:
            doms = assigned.get(uid, [])
            if not doms:
                out[uid] = Figure(note="未分配试点领域 no pilot domains assigned")
                continue
            lacking = [self.domains[d] for d in doms if (uid, d) not in published]
            fig = Figure(Decimal(len(doms) - len(lacking)), Decimal(len(doms)))
            if lacking:
                fig.reasons = [f"{len(lacking)} 个试点领域尚未公开目录：{'、'.join(lacking)}"]
                fig.reasons_en = [f"Pilot domains without a published catalog ({len(lacking)}): "
                                  + ", ".join(lacking)]
            out[uid] = fig
        return out

    # -- 公开及时性 ----------------------------------------------------------

    def _publications(self) -> dict[int, Figure]:
        from ..tracking import check_publication
        from ..workcalendar import WorkCalendar

        rec, item, obl = m.PublicationRecord, m.CatalogItem, m.Obligation
        start = dt.datetime.combine(self.period.start, dt.time())
        end = dt.datetime.combine(self.period.end + dt.timedelta(days=1), dt.time())
        q = (select(rec, func.coalesce(item.unit_id, obl.scope_id))
             .outerjoin(item, rec.catalog_item_id == item.id).outerjoin(obl, rec.obligation_id == obl.id)
             .where(or_(item.unit_id.in_(self.ids), obl.scope_id.in_(self.ids)),
                    rec.event_at >= start, rec.event_at < end).order_by(rec.event_at, rec.id))
        cal = WorkCalendar.load(self.session)
        counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        late: dict[int, list[str]] = defaultdict(list)
        for record, uid in self.session.execute(q):
            check = check_publication(record, cal, self.period.end)
            if check.status not in ("on_time", "late", "overdue"):
                continue
            counts[uid][1] += 1
            if check.status == "on_time":
                counts[uid][0] += 1
            else:
                late[uid].append(record.subject)
        out = {}
        for uid in self.ids:
            if uid not in counts:
                out[uid] = Figure(note="本期没有应公开的记录 no publications due in the period")
                continue
            done, total = counts[uid]
            fig = Figure(Decimal(done), Decimal(total))
            if late[uid]:
                shown = "、".join(late[uid][:3]) + ("等" if len(late[uid]) > 3 else "")
                fig.reasons = [f"{len(late[uid])} 条公开记录未按时公开：{shown}"]
                fig.reasons_en = [f"Publication records not published on time ({len(late[uid])}): "
                                  + ", ".join(late[uid][:3]) + (" …" if len(late[uid]) > 3 else "")]
            out[uid] = fig
        return out

    def _milestones(self) -> dict[int, Figure]:
        ms, ph, sc = m.Milestone, m.SchedulePhase, m.Schedule
        q = (select(sc.scope_id, ms.title, ms.due_on, ms.completed_on).join(ph, ms.phase_id == ph.id)
             .join(sc, ph.schedule_id == sc.id)
             .where(sc.scope_id.in_(self.ids), ms.due_on >= self.period.start, ms.due_on <= self.period.end)
             .order_by(ms.due_on, ms.id))
        rows: dict[int, list[tuple[str, dt.date, dt.date | None]]] = defaultdict(list)
        for uid, title, due, done in self.session.execute(q):
            rows[uid].append((title, due, done))
        out = {}
        for uid in self.ids:
            if uid not in rows:
                out[uid] = Figure(note="本期没有到期的进度节点 no milestones due in the period")
                continue
            missed = [(t, d) for t, d, done in rows[uid] if not (done and done <= d)]
            fig = Figure(Decimal(len(rows[uid]) - len(missed)), Decimal(len(rows[uid])))
            fig.reasons = [f"节点“{t}”（{d} 到期）未按期完成" for t, d in missed]
            fig.reasons_en = [f"Milestone “{t}” (due {d}) not met on time" for t, d in missed]
            out[uid] = fig
        return out

    def _reports(self) -> dict[int, Figure]:
        from sqlalchemy.orm import selectinload

        from ..tracking import expected_reports

        schedules = self.session.scalars(select(m.Schedule).where(m.Schedule.scope_id.in_(self.ids)).options(
            selectinload(m.Schedule.phases).selectinload(m.SchedulePhase.milestones))).all()
        sent = {(s, p): on for s, p, on in self.session.execute(
            select(m.ReportSubmission.schedule_id, m.ReportSubmission.period, m.ReportSubmission.submitted_on)
            .where(m.ReportSubmission.schedule_id.in_([s.id for s in schedules])))}
        counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        missing: dict[int, list[str]] = defaultdict(list)
        for sched in schedules:
            for label, due in expected_reports(sched):
                if not self.period.contains(due):
                    continue
                counts[sched.scope_id][1] += 1
                on = sent.get((sched.id, label))
                if on is not None and on <= due:
                    counts[sched.scope_id][0] += 1
                else:
                    missing[sched.scope_id].append(label)
        out = {}
        for uid in self.ids:
            if uid not in counts:
                out[uid] = Figure(note="本期没有应报送的进展报告 no progress reports due in the period")
                continue
            fig = Figure(Decimal(counts[uid][0]), Decimal(counts[uid][1]))
            if missing[uid]:
                fig.reasons = [f"{'、'.join(missing[uid])} 进展报告未按期报送"]
                fig.reasons_en = [f"Progress reports not submitted on time: {', '.join(missing[uid])}"]
            out[uid] = fig
        return out

    # -- 动态调整 ------------------------------------------------------------

    def _adjustment(self) -> dict[int, Figure]:
        self.figures("completeness")  # the item counts
        ver, rev, item = m.CatalogItemVersion, m.ReviewRecord, m.CatalogItem
        keys = {u.key: u.id for u in self.units}
        touched = {keys[k] for k in self.session.scalars(
            select(ver.unit_key).distinct().where(ver.unit_key.in_(list(keys)), ver.at >= self.period.start_at,
                                                  ver.at < self.period.end_at))}
        touched |= set(self.session.scalars(
            select(item.unit_id).distinct().join(rev, rev.item_id == item.id)
            .where(item.unit_id.in_(self.ids), rev.at >= self.period.start_at, rev.at < self.period.end_at)))
        out = {}
        for uid in self.ids:
            if not self.item_counts.get(uid):
                out[uid] = Figure(note="没有公开事项 no catalog items")
            elif uid in touched:
                out[uid] = Figure(Decimal(1), Decimal(1))
            else:
                out[uid] = Figure(Decimal(0), Decimal(1), [f"{self.period.label} 期间目录未更新、未审查"],
                                  reasons_en=[f"The catalog was neither updated nor reviewed in {self.period.label}"])
        return out

    # -- 公众评价（意见反馈的“有用 / 没用”） ----------------------------------

    def _feedback(self) -> dict[int, Figure]:
        """公众评价: the share of "有用" among the marks the public gave the unit's catalog in the period.

        The documents ask for the channel and for public satisfaction — 建立公众评价意见反馈渠道
        (000 五、（三）), 广泛收集公众对试点工作及成效的评价意见……不断提升公众满意度 (002 五、（二）) —
        but give no formula; the formula is the project's (docs/evaluation.md, "公众评价"): the same
        share as the public statistics (``zwgk.participation.service.feedback_stats``), per unit
        (its own catalog, not the units below it, which are scored themselves), marks received in the
        period (Beijing days), on the whole catalog or on an item that had a published version when
        the mark was given (a mark on an item never published then is left out).  No mark: not applicable.
        """
        from ..participation.models import Feedback

        fb, ver = Feedback, m.CatalogItemVersion
        published_then = (select(ver.id).where(ver.item_id == fb.item_id, ver.status == "published",
                                               ver.at <= fb.created_at).exists())
        q = (select(fb.unit_id, func.count(), func.sum(case((fb.useful.is_(True), 1), else_=0)))
             .where(fb.unit_id.in_(self.ids), fb.created_at >= self.period.start_at,
                    fb.created_at < self.period.end_at, or_(fb.item_id.is_(None), published_then))
             .group_by(fb.unit_id))
        out = {uid: Figure(note="本期没有公众评价 no public feedback marks") for uid in self.ids}
        for uid, n, useful in self.session.execute(q):
            useful = int(useful or 0)
            fig = Figure(Decimal(useful), Decimal(n))
            if useful < n:
                fig.reasons = [f"公众评价 {n} 次，其中“没用” {n - useful} 次（满意率 {q2(fig.score)}%）"]
                fig.reasons_en = [f"{n} public ratings, {n - useful} of them “not useful” "
                                  f"(satisfaction {q2(fig.score)}%)"]
            out[uid] = fig
        return out

    # -- 评估机构评分、满意度 ------------------------------------------------

    def assessor(self, code: str) -> dict[int, Figure]:
        a, s, e = em.Assessment, em.AssessmentScore, em.Engagement
        rows = self.session.execute(
            select(a.unit_id, s.value, s.comment, s.assessor_name, e.institution)
            .join(a, s.assessment_id == a.id).join(e, a.engagement_id == e.id)
            .where(a.unit_id.in_(self.ids), a.status == "accepted", e.period == self.period.label,
                   s.indicator == code).order_by(a.id)).all()
        got: dict[int, list[tuple[Decimal, str | None, str]]] = defaultdict(list)
        for uid, value, comment, who, inst in rows:
            got[uid].append((Decimal(value), comment, f"{inst}（{who}）"))
        out = {}
        for uid in self.ids:
            if uid not in got:
                out[uid] = Figure(note="没有已采纳的评估 no accepted assessment")
                continue
            values = got[uid]
            fig = Figure(value=sum(v for v, _, _ in values) / len(values))
            fig.numerator, fig.denominator = fig.value, HUNDRED
            fig.reasons = [f"{who}：{c}" for v, c, who in values if c and v < HUNDRED]
            fig.reasons_en = [f"{who}: {c}" for v, c, who in values if c and v < HUNDRED]
            out[uid] = fig
        return out

    def survey(self, questionnaire: str | None) -> dict[int, Figure]:
        r = em.SurveyResponse
        q = (select(r.unit_id, func.count(), func.sum(r.score)).where(
            r.unit_id.in_(self.ids), r.answered_on >= self.period.start, r.answered_on <= self.period.end)
             .group_by(r.unit_id))
        if questionnaire:
            q = q.join(em.Questionnaire, r.questionnaire).where(em.Questionnaire.code == questionnaire)
        out = {uid: Figure(note="本期没有满意度测评答卷 no survey responses") for uid in self.ids}
        for uid, n, total in self.session.execute(q):
            fig = Figure(value=Decimal(total) / n)
            fig.numerator, fig.denominator = Decimal(total) / 100, Decimal(n)
            fig.reasons = [f"满意度 {q2(fig.value)} 分（{n} 份答卷）"]
            fig.reasons_en = [f"Satisfaction {q2(fig.value)} points ({n} responses)"]
            out[uid] = fig
        return out


# --------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------


def leaf_figures(inputs: Inputs, system: dict[str, Any]) -> dict[str, dict[int, Figure]]:
    out = {}
    for leaf in leaves(system["indicators"]):
        if leaf["method"] == "computed":
            out[leaf["code"]] = inputs.figures(leaf["compute"])
        elif leaf["method"] == "assessor":
            out[leaf["code"]] = inputs.assessor(leaf["code"])
        else:
            out[leaf["code"]] = inputs.survey(leaf.get("questionnaire"))
    return out


def score_unit(system: dict[str, Any], figures: dict[str, dict[int, Figure]], uid: int) -> dict[str, Any]:
    """The unit's score on every node (0–100), each node's effective weight and points, and reasons."""
    detail: dict[str, dict[str, Any]] = {}
    lost: list[tuple[Decimal, str, list[str], list[str]]] = []

    def node_score(n: dict[str, Any]) -> Decimal | None:
        if n.get("children"):
            scores = [(Decimal(c["weight"]), node_score(c)) for c in n["children"]]
            used = [(w, s) for w, s in scores if s is not None]
            wsum = sum(w for w, _ in used)
            score = sum(w * s for w, s in used) / wsum if used and wsum else None
            detail[n["code"]] = {"score": score, "note": None if score is not None else "下级指标均不适用",
                                 "note_en": None if score is not None else "no sub-indicator applies"}
            return score
        fig = figures[n["code"]].get(uid) or Figure(note="没有数据 no data")
        detail[n["code"]] = {"score": fig.score, "numerator": fig.numerator, "denominator": fig.denominator,
                             "reasons": fig.reasons, "note": fig.note if fig.score is None else None,
                             "reasons_en": fig.reasons_en, "note_en": fig.note_en if fig.score is None else None}
        return fig.score

    def distribute(nodes: list[dict[str, Any]], share: Decimal) -> None:
        """Effective weight (share of the total) of each node: a non-applicable node's goes to its siblings."""
        used = [n for n in nodes if detail[n["code"]]["score"] is not None]
        wsum = sum(Decimal(n["weight"]) for n in used)
        for n in nodes:
            d = detail[n["code"]]
            eff = share * Decimal(n["weight"]) / wsum if d["score"] is not None and wsum else Decimal(0)
            d["effective_weight"] = eff
            d["points"] = eff * d["score"] / HUNDRED if d["score"] is not None else Decimal(0)
            if n.get("children"):
                distribute(n["children"], eff)
            elif d["score"] is not None and d["score"] < HUNDRED:
                lost.append((eff * (HUNDRED - d["score"]) / HUNDRED, n["name"],
                             d["reasons"] or [f"{n['name']} {q2(d['score'])} 分"],
                             d["reasons_en"] or [f"{q2(d['score'])} points"]))

    scores = [(Decimal(n["weight"]), node_score(n)) for n in system["indicators"]]
    used = [(w, s) for w, s in scores if s is not None]
    wsum = sum(w for w, _ in used)
    total = sum(w * s for w, s in used) / wsum if used and wsum else Decimal(0)
    distribute(system["indicators"], HUNDRED)
    lost.sort(key=lambda x: -x[0])  # what cost the most points first
    reasons = [{"indicator": name, "lost": q2(points), "texts": texts, "texts_en": texts_en}
               for points, name, texts, texts_en in lost]
    return {"total": total, "applicable": bool(used), "indicators": detail, "reasons": reasons}


def evaluate(session: Session, region: str, period: Period, system: dict[str, Any]) -> list[dict[str, Any]]:
    """Every unit in scope, scored and ranked (1, 1, 3 … on equal totals to two decimals)."""
    units = units_in_scope(session, region)
    inputs = Inputs(session, units, period)
    figures = leaf_figures(inputs, system)
    rows = []
    for unit in units:
        res = score_unit(system, figures, unit.id)
        res.update(unit_id=unit.id, unit=unit.key, name=unit.name)
        rows.append(res)
    rows.sort(key=lambda r: (-r["total"].quantize(CENT, ROUND_HALF_UP), r["unit"]))
    previous, rank = None, 0
    for i, row in enumerate(rows, 1):
        t = q2(row["total"])
        if t != previous:
            rank, previous = i, t
        row["rank"] = rank
    return rows


def serialise(row: dict[str, Any]) -> dict[str, Any]:
    """A result row with every number as two-decimal text (what runs store and reports show)."""
    def num(v: Any) -> Any:
        return q2(v) if isinstance(v, Decimal) else v

    return {"unit": row["unit"], "name": row["name"], "rank": row["rank"], "total": q2(row["total"]),
            "applicable": row["applicable"],
            "indicators": {code: {k: num(v) for k, v in d.items()} for code, d in row["indicators"].items()},
            "reasons": row["reasons"]}
