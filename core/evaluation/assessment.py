"""Third-party assessment (第三方评估): an assessment body (评估机构) scores the units it was
engaged for, with evidence; the region's administrator accepts or returns each assessment.

Only accepted assessments enter a run, so only they can reach the public (通报).  An assessor
account (role ``assessor``) sees and scores nothing but its engagements' units and periods.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import models as m
from . import models as em

MAX_EVIDENCE = 20 * 1024 * 1024
STATUS_NAMES = {"draft": "草稿", "submitted": "已提交", "accepted": "已采纳", "returned": "已退回"}


class AssessmentError(ValueError):
    """A refusal in Chinese and in English: ``str()`` says both (the command line), a page says one."""

    def __init__(self, message: str, english: str | None = None):
        super().__init__(f"{message} {english}" if english else message)
        self.chinese, self.english = message, english or message

    def in_language(self, english: bool) -> str:
        return self.english if english else self.chinese


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _covers(scope: str | None, path: str) -> bool:
    return scope is not None and (path == scope or path.startswith(scope + "/"))


def engage(session: Session, actor: Any, region: str, assessor: str, institution: str, period: str,
           units: list[str], note: str | None = None) -> em.Engagement:
    """A region administrator engages an assessor account for some of the region's units."""
    from .compute import parse_period

    label = parse_period(period).label
    if not (actor.role == "system_admin" or (actor.role == "region_admin" and _covers(actor.unit_path, region))):
        raise AssessmentError("无权委托评估", f"only the region's administrator may engage an assessor for {region}")
    region_unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == region))
    if region_unit is None:
        raise AssessmentError(f"找不到单位：{region}", f"unknown unit: {region}")
    user = session.scalar(select(m.User).where(m.User.username == assessor))
    if user is None or user.role != "assessor":
        raise AssessmentError(f"{assessor} 不是评估机构账号", f"{assessor} is not an assessor account (role assessor)")
    if actor.role != "system_admin" and not (user.unit is not None and _covers(actor.unit_path, user.unit.key)):
        # an account of another region is neither offered (admin page) nor accepted here
        raise AssessmentError(f"{assessor} 不是本地区的评估机构账号",
                              f"{assessor} is not an assessor account of your region")
    chosen = []
    for path in units:
        unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == path))
        if unit is None or not _covers(region, path):
            raise AssessmentError(f"单位不在 {region} 内：{path}", f"unit outside the region: {path}")
        chosen.append(unit)
    if not chosen:
        raise AssessmentError("至少委托一个单位", "engage for at least one unit")
    eng = em.Engagement(region=region_unit, assessor=user, institution=institution, period=label, note=note,
                        units=chosen, created_at=_now())
    session.add(eng)
    session.flush()
    return eng


def engagements_of(session: Session, username: str) -> list[em.Engagement]:
    return list(session.scalars(select(em.Engagement).join(m.User, em.Engagement.assessor)
                                .where(m.User.username == username).order_by(em.Engagement.id)))


def _engagement_for(session: Session, actor: Any, unit: str, period: str) -> em.Engagement:
    if actor.role != "assessor":
        raise AssessmentError("只有评估机构账号可以评分", "only an assessor account scores")
    for eng in engagements_of(session, actor.username):
        if eng.period == period and any(u.key == unit for u in eng.units):
            return eng
    raise AssessmentError(f"{unit} {period} 不在本机构的委托范围内", f"{unit} {period} is outside your engagement")


def assessor_indicators(system: dict[str, Any]) -> dict[str, str]:
    from .systems import leaves

    return {n["code"]: n["name"] for n in leaves(system["indicators"]) if n["method"] == "assessor"}


def score(session: Session, actor: Any, unit: str, period: str, indicator: str, value: Any,
          comment: str | None, assessor_name: str, files: list[tuple[str, bytes]] = (),
          system: dict[str, Any] | None = None) -> em.AssessmentScore:
    """Enter (or replace) a score, 0–100, with evidence files kept beside it."""
    from .compute import parse_period

    label = parse_period(period).label
    eng = _engagement_for(session, actor, unit, label)
    if system is not None and indicator not in assessor_indicators(system):
        raise AssessmentError(f"指标 {indicator} 不是评估机构评分的指标", f"indicator {indicator} is not scored by an assessor")
    try:
        val = Decimal(str(value))
    except InvalidOperation:
        raise AssessmentError(f"分值应为数字：{value!r}", f"value must be a number: {value!r}") from None
    if not Decimal(0) <= val <= Decimal(100):
        raise AssessmentError(f"分值应在 0–100 之间：{value}", f"value must be within 0–100: {value}")
    if not (assessor_name or "").strip():
        raise AssessmentError("请填写评估人姓名", "the assessor's name is required")
    unit_obj = next(u for u in eng.units if u.key == unit)
    assessment = session.scalar(select(em.Assessment).where(em.Assessment.engagement_id == eng.id,
                                                            em.Assessment.unit_id == unit_obj.id))
    if assessment is None:
        assessment = em.Assessment(engagement=eng, unit=unit_obj, status="draft")
        session.add(assessment)
    elif assessment.status in ("submitted", "accepted"):
        raise AssessmentError(f"评估已{STATUS_NAMES[assessment.status]}，不能修改",
                              f"the assessment is {assessment.status} and cannot be changed")
    entry = next((s for s in assessment.scores if s.indicator == indicator), None)
    if entry is None:
        entry = em.AssessmentScore(indicator=indicator, value=val, assessor_name=assessor_name.strip(),
                                   comment=comment, scored_at=_now())
        assessment.scores.append(entry)
    else:
        entry.value, entry.comment, entry.assessor_name, entry.scored_at = val, comment, assessor_name.strip(), _now()
    for name, data in files:
        if len(data) > MAX_EVIDENCE:
            raise AssessmentError(f"证明材料 {name} 超过 {MAX_EVIDENCE // 1024 // 1024} MB",
                                  f"evidence {name} is larger than {MAX_EVIDENCE // 1024 // 1024} MB")
        entry.evidence.append(em.Evidence(filename=name, content_type=mimetypes.guess_type(name)[0]
                                          or "application/octet-stream", size=len(data),
                                          sha256=hashlib.sha256(data).hexdigest(), data=data, uploaded_at=_now()))
    session.flush()
    return entry


def submit(session: Session, actor: Any, unit: str, period: str) -> em.Assessment:
    from .compute import parse_period

    eng = _engagement_for(session, actor, unit, parse_period(period).label)
    assessment = session.scalar(select(em.Assessment).join(m.AdminUnit, em.Assessment.unit)
                                .where(em.Assessment.engagement_id == eng.id, m.AdminUnit.key == unit))
    if assessment is None or not assessment.scores:
        raise AssessmentError("尚未评分，不能提交", "nothing scored yet")
    if assessment.status not in ("draft", "returned"):
        raise AssessmentError(f"评估已{STATUS_NAMES[assessment.status]}", f"already {assessment.status}")
    assessment.status, assessment.submitted_at = "submitted", _now()
    session.flush()
    return assessment


def decide(session: Session, actor: Any, assessment: em.Assessment, accept: bool, note: str | None) -> None:
    """采纳 or 退回: by the administrator of the region that engaged the assessor."""
    region = assessment.engagement.region.key
    if not (actor.role == "system_admin" or (actor.role == "region_admin" and _covers(actor.unit_path, region))):
        raise AssessmentError("只有委托地区的管理员可以采纳或退回", "only the engaging region's administrator decides")
    if assessment.status != "submitted":
        raise AssessmentError("只能处理已提交的评估", f"only a submitted assessment (this one is {assessment.status})")
    if not accept and not (note or "").strip():
        raise AssessmentError("退回时请说明理由", "give a reason for returning")
    assessment.status = "accepted" if accept else "returned"
    assessment.decided_at, assessment.decided_by, assessment.decision_note = _now(), actor.username, note
    session.flush()
