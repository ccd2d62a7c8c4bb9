"""What is due and what is late: milestones, progress reports, publication records.

Status is computed from dates, today and completion records; nothing here is typed in.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import object_session, Session, selectinload

from . import models as m
from .loader import Problem
from .timelimits import DEFAULT_PROACTIVE, _period_end, due_date, parse
from .workcalendar import DateOutOfRange, WorkCalendar

STATUS_NAMES = {"done": "已完成", "overdue": "已逾期", "due_soon": "即将到期", "in_progress": "进行中",
                "not_started": "未开始", "on_time": "按时", "late": "逾期公开", "pending": "待公开",
                "no_rule": "无可计算的时限", "out_of_range": "日期超出工作日历范围"}
CADENCE_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


def milestone_status(ms: m.Milestone, today: dt.date, window_days: int = 14) -> str:
    if ms.completed_on:
        return "done"
    if ms.due_on < today:
        return "overdue"
    if (ms.due_on - today).days <= window_days:
        return "due_soon"
    start = ms.phase.starts_on if ms.phase else None
    if start and start > today:
        return "not_started"
    return "in_progress"


def _period_label(day: dt.date, cadence: str) -> str:
    if cadence == "monthly":
        return f"{day.year}-{day.month:02d}"
    if cadence == "quarterly":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def schedule_span(schedule: m.Schedule) -> tuple[dt.date, dt.date] | None:
    days = [d for ph in schedule.phases for d in (ph.starts_on, ph.ends_on) if d]
    days += [ms.due_on for ph in schedule.phases for ms in ph.milestones]
    return (min(days), max(days)) if days else None


def expected_reports(schedule: m.Schedule) -> list[tuple[str, dt.date]]:
    """(period, due date) of every progress report the cadence asks for, over the schedule's span.

    A report for a period is due on the period's last day (the documents give no day).
    """
    if schedule.report_cadence not in CADENCE_MONTHS:
        return []
    span = schedule_span(schedule)
    if span is None:
        return []
    start, end = span
    out, day = [], dt.date(start.year, start.month, 1)
    while day <= end:
        due = _period_end(day, schedule.report_cadence)
        label = _period_label(day, schedule.report_cadence)
        if not out or out[-1][0] != label:
            out.append((label, due))
        day = due + dt.timedelta(days=1)
    return out


@dataclass
class DueItem:
    kind: str  # milestone | report | publication
    scope: str
    title: str
    due: dt.date | dt.datetime
    status: str
    detail: str = ""
    title_en: str = ""  # the title and detail on English pages ("" where they are data: shown as stored)
    detail_en: str = ""

    def days_from(self, today: dt.date) -> int:
        due = self.due.date() if isinstance(self.due, dt.datetime) else self.due
        return (due - today).days


def _in_region(key: str | None, region: str | None) -> bool:
    if region is None:
        return True
    key = key or "national"
    return key == region or key.startswith(region + "/")


def due_items(session: Session, today: dt.date, within_days: int = 14, region: str | None = None,
              calendar: WorkCalendar | None = None) -> list[DueItem]:
    """Everything overdue, and everything falling due within ``within_days``, sorted by date."""
    items: list[DueItem] = []
    horizon = today + dt.timedelta(days=within_days)
    schedules = session.scalars(select(m.Schedule).options(
        selectinload(m.Schedule.phases).selectinload(m.SchedulePhase.milestones),
        selectinload(m.Schedule.scope)).where(m.Schedule.retired_at.is_(None))).all()
    for sched in schedules:
        scope = sched.scope.key if sched.scope else "national"
        if not _in_region(scope, region):
            continue
        for ph in sched.phases:
            for ms in ph.milestones:
                if ph.retired_at is not None or ms.retired_at is not None:  # 已移除
                    continue
                status = milestone_status(ms, today, within_days)
                if status in ("overdue", "due_soon"):
                    items.append(DueItem("milestone", scope, f"{ph.name}：{ms.title}", ms.due_on, status,
                                         ms.responsible or ""))
        sent = {r.period for r in session.scalars(select(m.ReportSubmission)
                                                  .where(m.ReportSubmission.schedule_id == sched.id))}
        for period, due in expected_reports(sched):
            if period in sent or due > horizon:
                continue
            items.append(DueItem("report", scope, f"{sched.title}：{period} 进展报告", due,
                                 "overdue" if due < today else "due_soon",
                                 f"{sched.report_by or ''} → {sched.report_to or ''}".strip(" →"),
                                 title_en=f"{sched.title}: progress report {period}"))
    cal = calendar or WorkCalendar.load(session)
    for rec in session.scalars(select(m.PublicationRecord).where(m.PublicationRecord.published_at.is_(None))):
        scope = _record_scope(rec)
        if not _in_region(scope, region):
            continue
        check = check_publication(rec, cal, today)
        if check.status == "out_of_range":  # listed, so that someone corrects the date
            items.append(DueItem("publication", scope, rec.subject, rec.event_at.date(), "out_of_range",
                                 check.rule_text))
        elif check.status in ("overdue", "pending") and check.due is not None:
            due_day = check.due.date() if isinstance(check.due, dt.datetime) else check.due
            if check.status == "overdue" or due_day <= horizon:
                items.append(DueItem("publication", scope, rec.subject, check.due,
                                     "overdue" if check.status == "overdue" else "due_soon", check.rule_text))
    from .foi.due import requests_due  # issue 17: 依申请公开

    items += [DueItem("request", r.scope, r.title, r.due, r.status, r.detail, r.title_en, r.detail_en)
              for r in requests_due(session, today, within_days, region, cal)]
    return sorted(items, key=lambda i: (i.days_from(today), i.scope, i.title))


def _record_scope(rec: m.PublicationRecord) -> str | None:
    if rec.obligation is not None:
        return rec.obligation.scope.key if rec.obligation.scope else "national"
    if rec.catalog_item is not None:
        return rec.catalog_item.unit.key
    return None


@dataclass
class PublicationCheck:
    status: str  # on_time | late | pending | overdue | no_rule
    rule_text: str
    due: dt.date | dt.datetime | None
    late_by: int = 0  # working days (hours for an hour rule)
    unit: str = "个工作日"
    provisional: bool = False


def check_publication(rec: m.PublicationRecord, cal: WorkCalendar, today: dt.date) -> PublicationCheck:
    """On time, late by N working days, or pending with its due date."""
    issued = None
    if rec.obligation is not None:
        from .documents import issued_on

        text = rec.obligation.rule_text
        issued = issued_on(object_session(rec), rec.obligation)  # 9月底前 in a 2018 notice: 2018
    elif rec.catalog_item is not None:
        text = rec.catalog_item.time_limit or DEFAULT_PROACTIVE
    else:
        text = DEFAULT_PROACTIVE
    rule = parse(text, issued)
    if rule.kind not in ("period", "deadline", "cadence"):
        return PublicationCheck("no_rule", text, None)
    result = due_date(rule, rec.event_at if rule.unit == "hour" else rec.event_at.date(), cal)
    due = result.due
    if result.out_of_range:
        return PublicationCheck("out_of_range", result.note or text, None)
    if rec.published_at is None:
        due_day = due.date() if isinstance(due, dt.datetime) else due
        return PublicationCheck("overdue" if due_day < today else "pending", text, due,
                                provisional=result.provisional)
    if isinstance(due, dt.datetime):
        late = (rec.published_at - due).total_seconds() / 3600
        return PublicationCheck("late" if late > 0 else "on_time", text, due, max(0, int(-(-late // 1))), "小时",
                                result.provisional)
    try:
        late = cal.workdays_between(due, rec.published_at.date())
    except DateOutOfRange as exc:  # published on a stored 9999-12-31 or 1999-05-04: a count of years, not made
        return PublicationCheck("out_of_range", f"{exc} {exc.english}", None)
    return PublicationCheck("late" if rec.published_at.date() > due else "on_time", text, due,
                            max(0, late), "个工作日", result.provisional)


# --------------------------------------------------------------------------
# Publication records from CSV
# --------------------------------------------------------------------------

PUBLICATION_COLUMNS = ("obligation", "scope", "subject", "event_at", "published_at", "note")


def _when(value: str) -> dt.datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    parsed = dt.datetime.fromisoformat(value.replace(" ", "T") if len(value) > 10 else value)
    return parsed.replace(tzinfo=None)


def import_publications(session: Session, path: Path) -> tuple[int, list[Problem]]:
    """CSV with columns obligation (title), scope (unit path, empty: national), subject, event_at,
    published_at, note.  All rows are checked first; nothing is added unless every row is valid."""
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    missing = {"obligation", "subject", "event_at"} - set(reader.fieldnames or ())
    if missing:
        return 0, [Problem(str(path), "", ", ".join(sorted(missing)), "缺少列 missing columns")]
    problems, rows = [], []
    for i, row in enumerate(reader, 2):
        where = f"{path} 第{i}行 row {i}"
        scope = (row.get("scope") or "").strip() or None
        q = select(m.Obligation).where(m.Obligation.title == (row["obligation"] or "").strip())
        q = q.join(m.AdminUnit, m.Obligation.scope).where(m.AdminUnit.key == scope) if scope else \
            q.where(m.Obligation.scope_id.is_(None))
        obligations = session.scalars(q).all()
        if len(obligations) != 1:
            problems.append(Problem(where, row.get("subject") or "", "obligation",
                                    f"找不到公开要求 unknown obligation {row['obligation']!r} in {scope or 'national'}"))
            continue
        try:
            event_at = _when(row["event_at"])
            published_at = _when(row.get("published_at") or "")
        except ValueError as exc:
            problems.append(Problem(where, row.get("subject") or "", "event_at/published_at",
                                    f"日期格式错误 not an ISO date or time: {exc}"))
            continue
        if event_at is None:
            problems.append(Problem(where, row.get("subject") or "", "event_at", "必填 required"))
            continue
        if published_at is not None and published_at < event_at:
            problems.append(Problem(where, row.get("subject") or "", "published_at",
                                    "公开时间早于事件时间 published before the event"))
            continue
        if not (row.get("subject") or "").strip():
            problems.append(Problem(where, "", "subject", "必填 required"))
            continue
        rows.append(m.PublicationRecord(obligation=obligations[0], subject=row["subject"].strip(),
                                        event_at=event_at, published_at=published_at,
                                        note=(row.get("note") or "").strip() or None))
    if problems:
        return 0, problems
    session.add_all(rows)
    session.flush()
    return len(rows), []


def publications_in(session: Session, region: str | None) -> list[m.PublicationRecord]:
    q = select(m.PublicationRecord).order_by(m.PublicationRecord.event_at)
    return [r for r in session.scalars(q) if _in_region(_record_scope(r), region)]

