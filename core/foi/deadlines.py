"""Every deadline of a request, counted on the official working-day calendar, with how it was counted.

中华人民共和国政府信息公开条例（2019）:

- 第三十一条: the day of receipt depends on the channel (in person: the day it is handed in; by
  post: the day the office signs for it; ordinary letter, internet, fax: the day both sides confirm).
- 第三十条: a correction (补正) is asked for once, within 7 working days of receipt, with a
  reasonable period to answer; the reply period then runs from the day the corrected application
  is received; no correction in time and the application counts as withdrawn (视为放弃申请).
- 第三十三条第一款: reply within 20 working days of receipt; one extension of at most 20 working
  days, approved by the head of the disclosure office, the applicant told.
- 第三十三条第二款 with 第三十二条: the time spent consulting a third party (who has 15 working
  days to answer) or another agency is not counted.

Counting: the day of the event is not counted, the period starts the next working day
(民法典第二百零一条); working days come from :class:`zwgk.workcalendar.WorkCalendar`, which
knows the holidays and the 调休 make-up working days.  A consultation stops the clock for the
working days after it was sent up to and including the day the answer came (for a third party at
most 15: 第三十二条).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..workcalendar import WEEKDAYS, DateOutOfRange, WorkCalendar
from .models import CHANNELS, InfoRequest

REPLY_DAYS = 20  # 第三十三条第一款
MAX_EXTENSION = 20  # 第三十三条第一款
CORRECTION_NOTICE_DAYS = 7  # 第三十条
MAX_CORRECTION_DAYS = 60  # 第三十条 says only 合理的补正期限; our bound (docs/requests.md), so a typo cannot run past any calendar
THIRD_PARTY_DAYS = 15  # 第三十二条

RECEIPT_RULES = {
    "in_person": "当面提交的，以提交之日为收到申请之日（条例第三十一条第（一）项）",
    "post": "以邮寄方式提交的，以行政机关签收之日为收到申请之日（条例第三十一条第（二）项）",
    "letter": "以平常信函提交的，以与申请人确认之日为收到申请之日（条例第三十一条第（二）项）",
    "online": "通过互联网渠道提交的，以双方确认之日为收到申请之日（条例第三十一条第（三）项）",
    "fax": "通过传真提交的，以双方确认之日为收到申请之日（条例第三十一条第（三）项）",
}
#: the same rules in English, for the pages in English (the lines are made in both languages)
RECEIPT_RULES_EN = {
    "in_person": "handed in person: received on the day it is handed in (Regulations, article 31 (1))",
    "post": "by post: received on the day the office signs for it (Regulations, article 31 (2))",
    "letter": "by ordinary letter: received on the day confirmed with the applicant (Regulations, article 31 (2))",
    "online": "online: received on the day both sides confirm (Regulations, article 31 (3))",
    "fax": "by fax: received on the day both sides confirm (Regulations, article 31 (3))",
}
CHANNELS_EN = {"in_person": "in person", "post": "by post (signed for)", "letter": "ordinary letter",
               "online": "online", "fax": "fax"}
STATUS_NAMES = {
    "unconfirmed": "待确认收到", "awaiting_correction": "待补正", "correction_overdue": "补正期满未补正",
    "consulting": "征求意见中", "open": "办理中", "due_soon": "即将到期", "overdue": "已逾期",
    "closed": "已办结", "closed_late": "逾期办结", "out_of_range": "日期超出工作日历范围",
}
STATUS_NAMES_EN = {
    "unconfirmed": "Receipt to be confirmed", "awaiting_correction": "Awaiting correction",
    "correction_overdue": "Correction time over, not corrected", "consulting": "Opinions being sought",
    "open": "Being handled", "due_soon": "Due soon", "overdue": "Overdue", "closed": "Closed",
    "closed_late": "Closed late", "out_of_range": "Date outside the working-day calendar",
}
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def day(value: dt.date) -> str:
    return f"{value.isoformat()}（星期{WEEKDAYS[value.weekday()]}）"


def day_en(value: dt.date) -> str:
    return f"{value.isoformat()} ({WEEKDAYS_EN[value.weekday()]})"


@dataclass
class Consultation:
    sent_on: dt.date
    party: str
    returned_on: dt.date | None
    not_counted: int
    capped: bool = False


@dataclass
class Deadlines:
    """The deadlines of one request on a given day, and the lines that say how they were counted."""

    received_on: dt.date | None
    start: dt.date | None = None  # the reply period runs from the day after this day
    correction_notice_due: dt.date | None = None
    correction_requested_on: dt.date | None = None
    correction_due: dt.date | None = None
    correction_received_on: dt.date | None = None
    consultations: list[Consultation] = field(default_factory=list)
    extension: int = 0
    reply_due: dt.date | None = None
    replied_on: dt.date | None = None
    late_by: int = 0
    status: str = "unconfirmed"
    lines: list[str] = field(default_factory=list)  # in Chinese
    facts: list[str] = field(default_factory=list)
    provisional: bool = False
    lines_en: list[str] = field(default_factory=list)  # the same lines in English
    facts_en: list[str] = field(default_factory=list)
    bad_date: dt.date | None = None  # status out_of_range: the date the calendar does not count from

    def say(self, zh: str, en: str) -> None:
        self.lines.append(zh)
        self.lines_en.append(en)

    @property
    def not_counted(self) -> int:
        return sum(c.not_counted for c in self.consultations)

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]

    @property
    def status_name_en(self) -> str:
        return STATUS_NAMES_EN[self.status]


def _steps(req: InfoRequest, kind: str):
    return [s for s in req.steps if s.kind == kind]


def compute(req: InfoRequest, calendar: WorkCalendar, today: dt.date, soon_days: int = 5) -> Deadlines:
    """The deadlines of ``req`` as of ``today`` (``soon_days``: working days before the due date that
    count as due soon).

    A stored date the calendar does not count from (9999-12-31 or 1999-05-04 written by an import or
    straight into the database; new dates after today are refused on entry) gives the status
    ``out_of_range`` and a line naming the date and the calendar's range, with no due date."""
    try:
        for on in [req.received_on, today] + [d for s in req.steps for d in (s.on, s.notified_on)]:
            if on is not None:
                calendar.check(on)
        return _compute(req, calendar, today, soon_days)
    except DateOutOfRange as exc:
        d = Deadlines(req.received_on, status="out_of_range", bad_date=exc.day)
        d.say(f"{exc}，无法计算期限；请核对该日期", f"{exc.english}: no deadline can be counted; check the date")
        return d


def _compute(req: InfoRequest, calendar: WorkCalendar, today: dt.date, soon_days: int) -> Deadlines:
    cal = calendar.fresh()
    d = Deadlines(req.received_on)
    say = d.say
    if req.received_on is None:
        say(f"尚未确认收到 — {RECEIPT_RULES.get(req.channel, '')}",
            f"Receipt not confirmed yet — {RECEIPT_RULES_EN.get(req.channel, '')}")
        d.status = "unconfirmed"
        return d
    say(f"收到申请：{day(req.received_on)}，{CHANNELS.get(req.channel, req.channel)}；" + RECEIPT_RULES.get(req.channel, ""),
        f"Request received: {day_en(req.received_on)}; "
        + (RECEIPT_RULES_EN.get(req.channel) or CHANNELS_EN.get(req.channel, req.channel)))
    d.start = req.received_on
    d.correction_notice_due = cal.add_workdays(req.received_on, CORRECTION_NOTICE_DAYS)
    asked = _steps(req, "correction_requested")
    if not asked and not req.closed_on:
        say(f"如需补正，应于 {day(d.correction_notice_due)} 前一次性告知申请人（条例第三十条：收到申请之日起"
            f"{CORRECTION_NOTICE_DAYS}个工作日内）",
            f"A correction, if one is needed, must be asked for all at once by {day_en(d.correction_notice_due)} "
            f"(Regulations, article 30: within {CORRECTION_NOTICE_DAYS} working days of receipt)")
    if asked:
        c = asked[0]
        d.correction_requested_on = c.on
        d.correction_due = cal.add_workdays(c.on, c.days or 0)
        in_time = c.on <= d.correction_notice_due
        say(f"告知补正：{day(c.on)}，应在收到申请后{CORRECTION_NOTICE_DAYS}个工作日内即"
            f" {day(d.correction_notice_due)} 前一次性告知{'' if in_time else '（晚于法定告知期限）'}（条例第三十条）；"
            f"补正期限 {c.days} 个工作日，至 {day(d.correction_due)}",
            f"Correction asked for: {day_en(c.on)}; it was due within {CORRECTION_NOTICE_DAYS} working days of "
            f"receipt, by {day_en(d.correction_notice_due)}{'' if in_time else ' (later than the legal limit)'} "
            f"(Regulations, article 30); the applicant has {c.days} working days, until {day_en(d.correction_due)}")
        got = _steps(req, "correction_received")
        if got:
            d.correction_received_on = d.start = got[0].on
            say(f"收到补正：{day(got[0].on)}，答复期限自收到补正的申请之日起计算（条例第三十条）",
                f"Correction received: {day_en(got[0].on)}; the reply period runs from the day the corrected "
                "request was received (Regulations, article 30)")
        else:
            say("尚未收到补正：答复期限自收到补正之日起计算，尚未开始；期满未补正的，视为放弃申请（条例第三十条）",
                "No correction received yet: the reply period has not started; a request not corrected in time "
                "counts as given up (Regulations, article 30)")
            ended = _steps(req, "lapsed") or _steps(req, "withdrawn")
            if ended:
                d.replied_on, d.status = ended[0].on, "closed"
                lapsed = ended[0].kind == "lapsed"
                say(f"办结：{day(d.replied_on)}（{'视为放弃' if lapsed else '撤回'}）",
                    f"Closed: {day_en(d.replied_on)} ({'taken as given up' if lapsed else 'withdrawn'})")
            else:
                d.status = "correction_overdue" if today > d.correction_due else "awaiting_correction"
            return _finish(d, cal)
    base = cal.add_workdays(d.start, REPLY_DAYS)
    say(f"答复期限：自 {day(d.start)} 次日起 {REPLY_DAYS} 个工作日，至 {day(base)}"
        "（条例第三十三条第一款；当日不计入，民法典第二百零一条）",
        f"Reply within {REPLY_DAYS} working days from the day after {day_en(d.start)}, by {day_en(base)} "
        "(Regulations, article 33 (1); the first day is not counted, Civil Code article 201)")
    open_consult = False
    sent = _steps(req, "consultation_sent")
    back = _steps(req, "consultation_returned")
    for i, s in enumerate(sent):
        returned = back[i].on if i < len(back) else None
        until = returned or today
        counted = max(0, cal.workdays_between(s.on, until))
        cap = THIRD_PARTY_DAYS if s.party == "third_party" else None
        capped = cap is not None and counted > cap
        con = Consultation(s.on, s.party or "agency", returned, min(counted, cap) if cap else counted, capped)
        d.consultations.append(con)
        third = s.party == "third_party"
        who, who_en = ("第三方", "a third party") if third else ("其他机关", "another agency")
        if returned is None:
            open_consult = not capped
            say(f"征求{who}意见：自 {day(s.on)} 起，尚未答复，至今不计入 {con.not_counted} 个工作日"
                + ("（已满15个工作日，由本机关依条例决定）" if capped else "") + "（条例第三十二条、第三十三条第二款）",
                f"Opinions of {who_en} sought since {day_en(s.on)}, no answer yet: {con.not_counted} working days "
                "not counted so far" + (" (15 working days have passed: the office decides under the Regulations)"
                                        if capped else "") + " (Regulations, articles 32 and 33 (2))")
        else:
            say(f"征求{who}意见：{day(s.on)} 至 {day(returned)}，不计入 {con.not_counted} 个工作日"
                + ("（第三方意见期限最长15个工作日）" if capped else "") + "（条例第三十二条、第三十三条第二款）",
                f"Opinions of {who_en} sought from {day_en(s.on)} to {day_en(returned)}: {con.not_counted} working "
                "days not counted" + (" (a third party has at most 15 working days)" if capped else "")
                + " (Regulations, articles 32 and 33 (2))")
    ext = _steps(req, "extension")
    if ext:
        e = ext[0]
        d.extension = e.days or 0
        say(f"延长答复期限：{d.extension} 个工作日，{day(e.on)} 经 {e.approved_by} 同意，"
            f"{day(e.notified_on) if e.notified_on else '—'} 告知申请人（条例第三十三条第一款，最长{MAX_EXTENSION}个工作日）",
            f"Reply time extended by {d.extension} working days, approved by {e.approved_by} on {day_en(e.on)}, "
            f"the applicant told on {day_en(e.notified_on) if e.notified_on else '—'} (Regulations, article 33 (1), "
            f"at most {MAX_EXTENSION} working days)")
    total = REPLY_DAYS + d.not_counted + d.extension
    d.reply_due = cal.add_workdays(d.start, total)
    parts = [f"{REPLY_DAYS}"] + ([f"{d.not_counted}（征求意见不计入）"] if d.not_counted else []) + (
        [f"{d.extension}（延长）"] if d.extension else [])
    parts_en = [f"{REPLY_DAYS}"] + ([f"{d.not_counted} (opinions sought, not counted)"] if d.not_counted else []) + (
        [f"{d.extension} (extension)"] if d.extension else [])
    say(f"到期：自 {day(d.start)} 次日起 {' + '.join(parts)} = {total} 个工作日 → {day(d.reply_due)}"
        + ("（征求意见尚未结束，到期日随之后移）" if open_consult else ""),
        f"Due: {' + '.join(parts_en)} = {total} working days from the day after {day_en(d.start)} → "
        f"{day_en(d.reply_due)}" + (" (moves while opinions are still being sought)" if open_consult else ""))
    replied = _steps(req, "replied") or _steps(req, "lapsed") or _steps(req, "withdrawn")
    if replied:
        d.replied_on = replied[0].on
        d.late_by = max(0, cal.workdays_between(d.reply_due, d.replied_on))
        d.status = "closed_late" if d.late_by and replied[0].kind == "replied" else "closed"
        late = d.late_by and replied[0].kind == "replied"
        say(f"办结：{day(d.replied_on)}" + (f"，逾期 {d.late_by} 个工作日" if late else "，在期限内"),
            f"Closed: {day_en(d.replied_on)}" + (f", {d.late_by} working days late" if late else ", in time"))
    elif open_consult:
        d.status = "consulting"
    elif today > d.reply_due:
        d.status = "overdue"
    elif cal.workdays_between(today, d.reply_due) <= soon_days:
        d.status = "due_soon"
    else:
        d.status = "open"
    return _finish(d, cal)


def _finish(d: Deadlines, cal: WorkCalendar) -> Deadlines:
    d.facts = list(dict.fromkeys(cal.used))
    d.facts_en = list(dict.fromkeys(cal.used_en))
    d.provisional = cal.provisional
    if d.provisional:
        d.say("注意：有年份的法定节假日安排尚未录入，仅按周末计算",
              "Note: a year's official holiday arrangement is not in the calendar yet; only weekends are counted")
    return d
