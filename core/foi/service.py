"""Handling a request: each step checks what the 条例 allows at that point and records itself.

Every function raises :class:`FoiError` with a message naming the field and the reason; nothing
is changed when it does.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import AdminUnit
from ..workcalendar import DateOutOfRange, WorkCalendar
from . import deadlines
from .models import (APPLICANT_KINDS, CHANNELS, CONSULT_PARTIES, NEEDS_REASON, REPLY_CHOICES, REPLY_TYPES,
                     InfoRequest, RequestStep)

#: 条例第五十一条 with 行政复议法第二十条 (60 days) and 行政诉讼法第四十六条 (6 months): the remedies every
#: reply states (条例第三十六条; 鲁政办发〔2018〕21号 六(三): 明确救济渠道的机关名称、地址、时限).
#: The office fills in the bodies' names and addresses.
REMEDIES_TEMPLATE = ("如对本答复不服，可以自收到本答复之日起60日内向【行政复议机关名称、地址】申请行政复议，"
                     "或者自收到本答复之日起6个月内向【人民法院名称、地址】提起行政诉讼。")
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read over the telephone


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # a NUL no database stores; tab and line breaks are text


class FoiError(ValueError):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


BEIJING = dt.timezone(dt.timedelta(hours=8))


def in_beijing(moment: dt.datetime) -> dt.datetime:
    """Stored UTC (SQLite hands it back without a zone) → Asia/Shanghai."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(BEIJING)


def beijing_day(moment: dt.datetime) -> dt.date:
    return in_beijing(moment).date()


def _code(n: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(n))


def _step(req: InfoRequest, kind: str, on: dt.date, actor: str, **kw) -> RequestStep:
    step = RequestStep(kind=kind, on=on, actor=actor, at=_now(), **kw)
    req.steps.append(step)
    return step


def register(session: Session, *, unit: str, channel: str, description: str, actor: str,
             applicant_name: str | None = None, applicant_kind: str = "person", applicant_id_number: str | None = None,
             applicant_contact: str | None = None, applicant_address: str | None = None, purpose: str | None = None,
             delivery: str | None = None, received_on: dt.date | None = None, submitted_at: dt.datetime | None = None,
             domain_id: int | None = None, topic: str | None = None) -> tuple[InfoRequest, str]:
    """Register an application; returns it and its 查询码 (shown once, stored hashed).

    In person and by post the office knows the day of receipt (第三十一条第（一）（二）项) and gives
    it; online, by fax or by ordinary letter it is the day both sides confirm, set by :func:`confirm`.
    """
    problems = []
    unit_obj = session.scalar(select(AdminUnit).where(AdminUnit.key == unit))
    if unit_obj is None:
        problems.append(f"unit 办理单位: 找不到单位 unknown unit {unit!r}")
    if channel not in CHANNELS:
        problems.append(f"channel 提交方式: 应为 must be one of {', '.join(CHANNELS)}")
    if applicant_kind not in APPLICANT_KINDS:
        problems.append(f"applicant_kind 申请人类型: 应为 must be one of {', '.join(APPLICANT_KINDS)}")
    if not (description or "").strip():
        problems.append("description 所需信息: 必填 required (条例第二十九条)")
    if not (applicant_name or "").strip():
        problems.append("applicant_name 申请人: 必填 required (条例第二十九条)")
    if not (applicant_contact or "").strip():
        problems.append("applicant_contact 联系方式: 必填 required (条例第二十九条)")
    for field, value, limit in (("applicant_name 申请人", applicant_name, 200),
                                ("applicant_id_number 身份证件号码", applicant_id_number, 60),
                                ("applicant_contact 联系方式", applicant_contact, 200),
                                ("delivery 获取方式", delivery, 100), ("topic 主题", topic, 300),
                                ("applicant_address 地址", applicant_address, None),
                                ("description 所需信息", description, None), ("purpose 用途", purpose, None)):
        if value and limit is not None and len(value) > limit:
            problems.append(f"{field}: 不能超过{limit}个字 at most {limit} characters")
        if value and _CONTROL.search(value):
            problems.append(f"{field}: 含有控制字符 contains a control character")
    if received_on is not None and channel in ("online", "fax", "letter"):
        problems.append("received_on 收到日期: 该方式以双方确认之日为收到日，请登记后确认 "
                        "confirmed separately for this channel (条例第三十一条)")
    if problems:
        raise FoiError("；\n".join(problems))
    if submitted_at is None and received_on is not None:
        # a paper application registered after it arrived: it was handed in or signed for that day
        submitted_at = dt.datetime.combine(received_on, dt.time(), tzinfo=BEIJING).astimezone(dt.timezone.utc)
    submitted_at = submitted_at or _now()
    secret = _code(8)
    for _ in range(10):
        number = f"YSQ{beijing_day(submitted_at).year}-{_code(8)}"
        if not session.scalar(select(InfoRequest.id).where(InfoRequest.tracking_no == number)):
            break
    req = InfoRequest(tracking_no=number, secret_hash=generate_password_hash(secret), unit=unit_obj, channel=channel,
                      submitted_at=submitted_at, applicant_kind=applicant_kind, applicant_name=applicant_name.strip(),
                      applicant_id_number=applicant_id_number, applicant_contact=applicant_contact.strip(),
                      applicant_address=applicant_address, description=description.strip(), purpose=purpose,
                      delivery=delivery, domain_id=domain_id, topic=(topic or "").strip() or None, status="submitted")
    session.add(req)
    _step(req, "registered", beijing_day(submitted_at), actor)
    if channel == "in_person" and received_on is None:
        received_on = beijing_day(submitted_at)
    if received_on is not None:
        confirm(session, req, received_on, actor)
    session.flush()
    return req, secret


def check_secret(req: InfoRequest | None, secret: str) -> bool:
    if req is None:  # the same work either way: a wrong number and a wrong code look alike
        check_password_hash(generate_password_hash("x"), secret or "")
        return False
    return check_password_hash(req.secret_hash, (secret or "").strip().upper())


def find(session: Session, tracking_no: str, secret: str) -> InfoRequest | None:
    req = session.scalar(select(InfoRequest).where(InfoRequest.tracking_no == (tracking_no or "").strip().upper()))
    return req if check_secret(req, secret) else None


def _open(req: InfoRequest) -> None:
    if req.closed_on is not None:
        raise FoiError(f"{req.tracking_no}: 已办结，不能再办理 already closed on {req.closed_on}")


def _not_before(on: dt.date, earlier: dt.date | None, field: str, what: str) -> None:
    if earlier is not None and on < earlier:
        raise FoiError(f"{field}: {on} 早于{what} {earlier} is before {what}")


def confirm(session: Session, req: InfoRequest, on: dt.date, actor: str) -> None:
    """确认收到: fixes the day of receipt (第三十一条)."""
    _open(req)
    if req.received_on is not None:
        raise FoiError(f"received_on 收到日期: 已确认为 {req.received_on} already confirmed")
    _not_before(on, beijing_day(req.submitted_at), "received_on 收到日期", "提交日期 the submission")
    req.received_on = on
    req.status = "received"
    _step(req, "received", on, actor)


def _cal(session: Session, calendar: WorkCalendar | None) -> WorkCalendar:
    return calendar or WorkCalendar.load(session)


def request_correction(session: Session, req: InfoRequest, on: dt.date, days: int, what: str, actor: str) -> None:
    """告知补正 (第三十条): once only, with what to correct and a period (working days) to do it in."""
    _open(req)
    if req.received_on is None:
        raise FoiError("received_on 收到日期: 请先确认收到 confirm receipt first")
    if any(s.kind == "correction_requested" for s in req.steps):
        raise FoiError("correction 补正: 只能一次性告知补正 a correction may be asked for once only (条例第三十条)")
    if any(s.kind in ("extension", "consultation_sent") for s in req.steps):
        raise FoiError("correction 补正: 已开始办理（延期或征求意见），不能再告知补正 handling has begun")
    _not_before(on, req.received_on, "on 告知日期", "收到日期 receipt")
    if not (what or "").strip():
        raise FoiError("note 补正事项: 须说明需要补正的事项 say what is to be corrected (条例第三十条)")
    if not isinstance(days, int) or not 1 <= days <= deadlines.MAX_CORRECTION_DAYS:
        raise FoiError(f"days 补正期限: 应为1至{deadlines.MAX_CORRECTION_DAYS}个工作日 1 to "
                       f"{deadlines.MAX_CORRECTION_DAYS} working days (条例第三十条: 合理的补正期限)")
    req.status = "correction"
    _step(req, "correction_requested", on, actor, days=days, note=what.strip())


def _correction_due(session: Session, asked: RequestStep, calendar: WorkCalendar | None) -> dt.date:
    """The last day of the correction period; a stored date or period the calendar cannot count from
    (9999-12-30, 99,999,999 days: a direct database write) is a refusal naming it, not a crash."""
    try:
        return _cal(session, calendar).fresh().add_workdays(asked.on, asked.days)
    except DateOutOfRange as exc:
        raise FoiError(f"补正期限: {exc}，无法计算；请核对告知补正的日期和期限 {exc.english}: the correction "
                       "period cannot be counted; check the date and the period of the request for correction") from exc


def receive_correction(session: Session, req: InfoRequest, on: dt.date, actor: str,
                       calendar: WorkCalendar | None = None) -> None:
    """收到补正: the reply period starts again from this day (第三十条)."""
    _open(req)
    asked = [s for s in req.steps if s.kind == "correction_requested"]
    if not asked:
        raise FoiError("correction 补正: 未告知补正 no correction was asked for")
    if any(s.kind == "correction_received" for s in req.steps):
        raise FoiError("correction 补正: 已收到补正 already received")
    _not_before(on, asked[0].on, "on 收到补正日期", "告知补正日期 the request for correction")
    due = _correction_due(session, asked[0], calendar)
    if on > due:
        raise FoiError(f"on 收到补正日期: 晚于补正期限 {due}，申请视为放弃 after the period: the application "
                       "counts as withdrawn (条例第三十条)")
    req.status = "received"
    _step(req, "correction_received", on, actor)


def lapse(session: Session, req: InfoRequest, on: dt.date, actor: str, calendar: WorkCalendar | None = None) -> None:
    """逾期未补正: the application counts as withdrawn (第三十条), counted under 其他处理 1 in the report."""
    _open(req)
    asked = [s for s in req.steps if s.kind == "correction_requested"]
    if not asked or any(s.kind == "correction_received" for s in req.steps):
        raise FoiError("lapse 视为放弃: 只适用于告知补正后未补正的申请 only after an unanswered request for correction")
    due = _correction_due(session, asked[0], calendar)
    if on <= due:
        raise FoiError(f"on 日期: 补正期限至 {due}，期满后才能视为放弃 the period runs until {due}")
    _step(req, "lapsed", on, actor)
    req.status, req.closed_on, req.reply_type = "closed", on, "other_no_correction"


def consult(session: Session, req: InfoRequest, on: dt.date, party: str, actor: str, note: str | None = None) -> None:
    """征求意见 (第三十二条 third party, or another agency): the time it takes is not counted (第三十三条第二款)."""
    _open(req)
    if party not in CONSULT_PARTIES:
        raise FoiError(f"party 征求对象: 应为 must be one of {', '.join(CONSULT_PARTIES)}")
    if _current_start(req) is None:
        raise FoiError("on 日期: 答复期限尚未开始（待确认收到或待补正） the reply period has not started")
    _not_before(on, _current_start(req), "on 征求意见日期", "答复期限起算日 the start of the period")
    sent = sum(s.kind == "consultation_sent" for s in req.steps)
    back = sum(s.kind == "consultation_returned" for s in req.steps)
    if sent > back:
        raise FoiError("consultation 征求意见: 上一次征求意见尚未结束 the last consultation is still open")
    req.status = "consulting"
    _step(req, "consultation_sent", on, actor, party=party, note=note)


def consultation_returned(session: Session, req: InfoRequest, on: dt.date, actor: str, note: str | None = None) -> None:
    _open(req)
    sent = [s for s in req.steps if s.kind == "consultation_sent"]
    back = [s for s in req.steps if s.kind == "consultation_returned"]
    if len(sent) <= len(back):
        raise FoiError("consultation 征求意见: 没有进行中的征求意见 no consultation is open")
    _not_before(on, sent[-1].on, "on 收到意见日期", "征求意见日期 the consultation")
    req.status = "received"
    _step(req, "consultation_returned", on, actor, note=note)


def _current_start(req: InfoRequest) -> dt.date | None:
    got = [s.on for s in req.steps if s.kind == "correction_received"]
    if any(s.kind == "correction_requested" for s in req.steps):
        return got[0] if got else None
    return req.received_on


def extend(session: Session, req: InfoRequest, on: dt.date, days: int, approved_by: str, notified_on: dt.date | None,
           actor: str, reason: str | None = None, calendar: WorkCalendar | None = None) -> None:
    """延长答复期限 (第三十三条第一款): once, at most 20 working days, approved by the head of the
    disclosure office, decided before the period runs out, and the applicant told."""
    _open(req)
    if any(s.kind == "extension" for s in req.steps):
        raise FoiError("extension 延期: 只能延长一次 one extension only (条例第三十三条)")
    if not isinstance(days, int) or not 1 <= days <= deadlines.MAX_EXTENSION:
        raise FoiError(f"days 延长天数: 应为1至{deadlines.MAX_EXTENSION}个工作日 1 to 20 working days (条例第三十三条)")
    if not (approved_by or "").strip():
        raise FoiError("approved_by 批准人: 须经政府信息公开工作机构负责人同意 the head of the office approves (条例第三十三条)")
    if notified_on is None:
        raise FoiError("notified_on 告知日期: 须告知申请人 the applicant must be told (条例第三十三条)")
    if _current_start(req) is None:
        raise FoiError("on 日期: 答复期限尚未开始 the reply period has not started")
    current = deadlines.compute(req, _cal(session, calendar), on)
    if on > current.reply_due:
        raise FoiError(f"on 延期日期: 答复期限已于 {current.reply_due} 届满，不能再延长 the period ended on "
                       f"{current.reply_due}")
    _not_before(notified_on, on, "notified_on 告知日期", "批准日期 the approval")
    _step(req, "extension", on, actor, days=days, approved_by=approved_by.strip(), notified_on=notified_on,
          note=reason)


def reply(session: Session, req: InfoRequest, on: dt.date, reply_type: str, actor: str, text: str | None = None,
          reason: str | None = None, remedies: str | None = None, document: tuple[str, bytes] | None = None) -> None:
    """答复 (第三十六条): its type, the reason for a refusal, the remedies (always), and a document."""
    _open(req)
    if reply_type not in REPLY_CHOICES:
        raise FoiError(f"reply_type 答复类型: 应为 must be one of {', '.join(REPLY_CHOICES)}")
    if req.received_on is None:
        raise FoiError("received_on 收到日期: 请先确认收到 confirm receipt first")
    if reply_type in NEEDS_REASON and not (reason or "").strip():
        raise FoiError(f"reason 理由: “{REPLY_TYPES[reply_type][0]}”须说明理由 state the reason (条例第三十六条)")
    if not (remedies or "").strip() or "【" in remedies:
        raise FoiError("remedies 救济途径: 每份答复须写明救济途径（复议机关、法院的名称、地址和期限） every reply states "
                       "the remedies, with the bodies filled in (条例第三十六条、第五十一条)")
    _not_before(on, req.received_on, "on 答复日期", "收到日期 receipt")
    req.reply_type, req.reply_text, req.reply_reason = reply_type, text, (reason or "").strip() or None
    req.remedies = remedies.strip()
    if document is not None:
        req.reply_document_name, req.reply_document = document
    req.status, req.closed_on = "closed", on
    _step(req, "replied", on, actor, note=REPLY_TYPES[reply_type][0])


def withdraw(session: Session, req: InfoRequest, on: dt.date, actor: str, note: str | None = None) -> None:
    """申请人撤回: counted under 其他处理 3 in the report."""
    _open(req)
    _step(req, "withdrawn", on, actor, note=note)
    req.status, req.closed_on, req.reply_type = "closed", on, "other"
