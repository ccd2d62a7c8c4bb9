"""Requests that are due soon or overdue, for the dashboard and ``zwgk due``; overdue ones are
escalated to the region administrators above the handling unit (the nearest unit that has one)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import AdminUnit, User
from ..unitpath import under
from ..workcalendar import WorkCalendar
from . import deadlines
from .models import InfoRequest


@dataclass
class RequestDue:
    request: InfoRequest
    scope: str
    title: str
    due: dt.date
    status: str  # overdue | due_soon
    detail: str
    escalated_to: list[str]
    title_en: str = ""  # the same for the English pages
    detail_en: str = ""


def _ancestors(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(len(parts), 0, -1)]


def region_admins(session: Session, unit_path: str) -> list[str]:
    """The region administrators of the nearest unit at or above ``unit_path`` that has any."""
    rows = session.execute(select(User.username, AdminUnit.key).join(AdminUnit, User.unit).where(
        User.role == "region_admin", User.active.is_(True), AdminUnit.key.in_(_ancestors(unit_path)))).all()
    for path in _ancestors(unit_path):
        names = sorted(u for u, k in rows if k == path)
        if names:
            return [f"{n}（{path}）" for n in names]
    return []


def open_requests(session: Session, region: str | None) -> list[InfoRequest]:
    q = (select(InfoRequest).join(AdminUnit, InfoRequest.unit).where(InfoRequest.closed_on.is_(None))
         .options(selectinload(InfoRequest.steps), selectinload(InfoRequest.unit)))
    if region is not None:
        q = q.where(under(AdminUnit.key, region))
    return list(session.scalars(q))


def requests_due(session: Session, today: dt.date, within_days: int, region: str | None,
                 calendar: WorkCalendar | None = None) -> list[RequestDue]:
    cal = calendar or WorkCalendar.load(session)
    horizon = today + dt.timedelta(days=within_days)
    out = []
    for req in open_requests(session, region):
        d = deadlines.compute(req, cal, today)
        label = f"依申请公开 {req.tracking_no}：{req.topic or '（未归类）'}"
        label_en = f"Request {req.tracking_no}: {req.topic or '(no topic)'}"
        if d.status == "unconfirmed":
            continue
        if d.status == "out_of_range":  # listed so that someone corrects the date; never silently dropped
            out.append(RequestDue(req, req.unit.key, label, d.bad_date, "out_of_range", d.lines[-1], [], label_en,
                                  d.lines_en[-1]))
            continue
        if d.status in ("awaiting_correction", "correction_overdue"):
            due = d.correction_due
            if d.status == "awaiting_correction" and due > horizon:
                continue
            status = "overdue" if d.status == "correction_overdue" else "due_soon"
            detail = f"补正期限 {due}" + ("，期满未补正，可视为放弃（条例第三十条）" if status == "overdue" else "")
            detail_en = f"Correction due {due}" + (
                ": not corrected in time, may be taken as given up (Regulations, article 30)" if status == "overdue"
                else "")
            out.append(RequestDue(req, req.unit.key, label, due, status, detail, [], label_en, detail_en))
            continue
        if d.reply_due < today:
            admins = region_admins(session, req.unit.key)
            detail = (f"答复期限 {d.reply_due}（条例第三十三条）已过；升级至地区管理员 "
                      + ("、".join(admins) if admins else "（无地区管理员）"))
            detail_en = (f"Reply due {d.reply_due} (Regulations, article 33) has passed; escalated to the region "
                         "administrators " + (", ".join(admins) if admins else "(none)"))
            out.append(RequestDue(req, req.unit.key, label, d.reply_due, "overdue", detail, admins, label_en,
                                  detail_en))
        elif d.reply_due <= horizon:
            out.append(RequestDue(req, req.unit.key, label, d.reply_due, "due_soon",
                                  f"答复期限 {d.reply_due}（条例第三十三条）", [], label_en,
                                  f"Reply due {d.reply_due} (Regulations, article 33)"))
    return out
