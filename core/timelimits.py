"""Chinese time-limit texts → rules → due dates.

``parse("自信息形成或者变更之日起20个工作日内")`` gives a :class:`TimeRule`;
``due_date(rule, anchor, calendar)`` gives the due date on the official working-day
calendar, with the calendar facts it used.  Both Simplified and Traditional
Chinese, Chinese and Arabic (also full-width) numerals are understood.  A text
that says no time rule (分值不低于4%, 先审查后公开) comes back as ``unparsed``
with the text kept: nothing is guessed.

Counting follows the Civil Code: the anchor day is not counted (第二百零一条);
a period of natural days, weeks or months whose last day is a day off ends on the
next working day (第二百零三条).  Working-day periods count working days only.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from .workcalendar import WEEKDAYS, DateOutOfRange, WorkCalendar

# 中华人民共和国政府信息公开条例（2019）: the core's defaults where a catalog says nothing.
DEFAULT_PROACTIVE = "自该政府信息形成或者变更之日起20个工作日内"  # 第二十六条
DEFAULT_REPLY = "收到申请之日起20个工作日内，可延长20个工作日"  # 第三十三条
DEFAULT_SOURCES = {DEFAULT_PROACTIVE: "政府信息公开条例（2019）第二十六条",
                   DEFAULT_REPLY: "政府信息公开条例（2019）第三十三条"}

KINDS = ("period", "display", "deadline", "cadence", "count", "qualitative", "unparsed")
UNIT_NAMES = {"workday": "个工作日", "day": "日", "hour": "小时", "month": "个月", "week": "周"}
CADENCE_NAMES = {"weekly": "每周", "monthly": "每月", "quarterly": "每季度", "halfyearly": "每半年", "yearly": "每年"}

ANCHORS: tuple[tuple[str, str, str], ...] = (
    # key, pattern, name
    ("formed_or_changed", r"形成或者?变更|形成或变化|形成、变更", "信息形成或者变更"),
    ("application_received", r"收到.{0,4}申请|受理.{0,4}申请|申请之日", "收到申请"),
    ("decision_made", r"(决定|决策)作出|作出.{0,6}(决定|决策)", "决定作出"),
    ("document_published", r"(文件|政策|规章|规范性文件|方案)?.{0,4}(公布|印发|发布|出台|签发)", "文件公布"),
    ("approval_completed", r"审批(程序)?(完成|办结)|完成审批|办结|批准|批复|核准|备案", "审批完成"),
    ("event_occurred", r"(事件|事故|灾情|疫情|突发).{0,6}发生|发生", "事件发生"),
    ("changed", r"变更|变化|调整", "信息变更"),
    ("received", r"收到|受理|接到", "收到材料"),
)
ANCHOR_NAMES = {k: n for k, _, n in ANCHORS}

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUM = re.compile(r"[零〇一二两三四五六七八九十百]+(?=(个|日|天|小时|工作日|月|周|年|次|号|季))")


def _cn_to_int(text: str) -> int:
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = current * 10 + _CN_DIGITS[ch] if current and ch in "零〇" else _CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
    return total + current


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def normalize(text: str) -> str:
    """Traditional → Simplified, full-width → half-width, no spaces, Chinese numerals → digits."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _t2s().convert(text)
    text = re.sub(r"\s+", "", text)
    text = text.replace("個", "个")
    return _CN_NUM.sub(lambda m: str(_cn_to_int(m.group(0))), text)


@dataclass(frozen=True)
class TimeRule:
    """What a time-limit text says."""

    text: str
    kind: str
    anchor: str | None = None
    anchor_text: str | None = None
    amount: int | None = None
    unit: str | None = None
    month: int | None = None  # deadline month (1–12)
    day: int | None = None  # deadline day; None: the end of the month
    cadence: str | None = None
    extension: int | None = None  # extendable once by this many units (条例第三十三条)
    minimum: bool = False
    year: int | None = None  # a one-off deadline in this year (named, or the dated document's year)

    @property
    def has_due_date(self) -> bool:
        return self.kind not in ("qualitative", "unparsed")

    def describe(self) -> str:
        if self.kind == "period":
            start = f"自“{ANCHOR_NAMES.get(self.anchor, self.anchor_text or '起算事件')}”起" if (
                self.anchor or self.anchor_text) else "自起算事件起"
            ext = f"，可延长{self.extension}{UNIT_NAMES[self.unit]}" if self.extension else ""
            return f"期间：{start}{self.amount}{UNIT_NAMES[self.unit]}内{ext}"
        if self.kind == "display":
            return f"公示期：不少于{self.amount}{UNIT_NAMES[self.unit]}"
        if self.kind == "deadline":
            when = f"{self.month}月" + (f"{self.day}日" if self.day else "底")
            if self.year:
                return f"一次性截止：{self.year}年{when}前"
            return f"定期截止：每年{when}前"
        if self.kind == "cadence":
            return f"周期：{CADENCE_NAMES[self.cadence]}" + (f"{self.day}日前" if self.day else "（期末前）")
        if self.kind == "count":
            return f"频次：每年不少于{self.amount}次"
        if self.kind == "qualitative":
            return "定性要求（无具体期限）"
        return "无法解析（原文保留）"


_UNITS = {"工作日": "workday", "自然日": "day", "日": "day", "天": "day", "小时": "hour", "个月": "month",
          "月": "month", "周": "week", "个工作日": "workday"}
_PERIOD = re.compile(r"(\d+)个?(工作日|自然日|小时|个月|日|天|周)(以内|之内|内|以前)")
_DISPLAY = re.compile(r"(公示|公告|张贴|公开)[^，。；]{0,12}?(不少于|不得少于|不低于|至少|为|期)?(\d+)个?(工作日|自然日|日|天)(?!内)")
_MIN_DISPLAY = re.compile(r"(不少于|不得少于|至少)(\d+)个?(工作日|自然日|日|天)")
_DEADLINE = re.compile(r"(每年|次年|当年|今年|明年)?(\d{1,2})月(底|末|份)?(?:(\d{1,2})[日号])?(前|之前|以前|底前)")
_NAMED_YEAR = re.compile(r"(?<!\d)(\d{4})年(?:(\d{1,2})月(底|末)?(?:(\d{1,2})[日号])?(前|之前|以前|底前)|(底|末)(前|之前)?|内)")
_YEAR_END = re.compile(r"(年底前|年末前|年底之前|12月底前|年内完成|年内出台|年内|年底)")
#: a year named relative to the text's date (its document's, or a date the user gives)
RELATIVE_YEAR = re.compile(r"今年|本年|当年|明年|次年|年内")
_RECURRING = re.compile(r"每年|每季度?|每个季度|每月|每个月|每半年|每周|按月|按季度?|按年|逐月|每一年")
_BARE_WORKDAYS = re.compile(r"(\d+)个?工作日")
_COUNT = re.compile(r"(年内|每年|全年)?[^\d]{0,12}?(不得少于|不少于|至少)(\d+)次")
_CADENCES = (
    ("weekly", re.compile(r"每周|按周")),
    ("halfyearly", re.compile(r"每半年|半年度")),
    ("quarterly", re.compile(r"按季度?|每季度?|季度|每个季度")),
    ("monthly", re.compile(r"按月|每月|月度|逐月|每个月")),
    ("yearly", re.compile(r"按年|每年|年度|每一年")),
)
_CADENCE_DAY = re.compile(r"(每月|每季度?|每季度首月)(\d{1,2})[日号]前")
_QUALITATIVE = re.compile(r"实时|即时|及时|常态化|长期|随时|定期|动态|适时|第一时间|同步|立即")
_EXTENSION = re.compile(r"延长(答复期限)?[^\d]{0,16}(\d+)个?(工作日|日|天)")


_FULL_DATE = re.compile(r"(?<!\d)(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})(?!\d)")
_YEAR_MONTH = re.compile(r"(?<!\d)(\d{4})年(\d{1,3})月")
_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,3})月(\d{1,3})(?:日|号)")
_MONTH = re.compile(r"(?<![\d个])(\d{1,3})月")


@lru_cache(maxsize=8192)  # a catalog repeats its time limits row after row
def impossible_dates(text: str | None) -> tuple[str, ...]:
    """The dates in a time-limit text that do not exist (7月32日, 2026年2月30日, 13月, 2018-13-01),
    as written after normalising (Chinese numerals → digits).  ``个月`` (a number of months) is a
    period, not a date, and is left alone; 2月29日 of no year is allowed (a leap year has it)."""
    if not text:
        return ()
    norm = normalize(text)
    bad: list[str] = []

    def mask(m: re.Match) -> str:  # a date checked once is not checked again by a shorter pattern
        return "#" * len(m.group(0))

    def full(m: re.Match) -> str:
        try:
            dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            bad.append(m.group(0))
        return mask(m)

    def year_month(m: re.Match) -> str:
        if not 1 <= int(m.group(2)) <= 12:
            bad.append(m.group(0))
        return mask(m)

    def month_day(m: re.Match) -> str:
        month, day = int(m.group(1)), int(m.group(2))
        if not (1 <= month <= 12 and 1 <= day <= _cal.monthrange(2024, month)[1]):
            bad.append(m.group(0))
        return mask(m)

    def month(m: re.Match) -> str:
        if not 1 <= int(m.group(1)) <= 12:
            bad.append(m.group(0))
        return mask(m)

    for pattern, check in ((_FULL_DATE, full), (_YEAR_MONTH, year_month), (_MONTH_DAY, month_day), (_MONTH, month)):
        norm = pattern.sub(check, norm)
    return tuple(bad)


def _anchor(before: str) -> tuple[str | None, str | None]:
    before = re.sub(r"^(自|从|在|于|应当?在?|须|需)", "", before)
    before = re.sub(r"(之日起|之日后|之日|后|起|以来|的)+$", "", before)
    if not before:
        return None, None
    for key, pattern, _name in ANCHORS:
        if re.search(pattern, before):
            return key, before
    return None, before


def parse(text: str, issued_on: dt.date | None = None) -> TimeRule:
    """The rule a time-limit text states (kind ``unparsed`` when it states none).

    ``issued_on`` is the date of the document the text comes from.  A deadline in a
    dated document (9月底前, 年底前, 今年年底前) is a one-off date in that document's year
    unless the text says 每年/每季度/每月; 次年/明年 is the year after.  A text that names
    its year (2018年8月底前) uses it, with or without a document.
    """
    raw = text
    t = normalize(text)
    if not t:
        return TimeRule(raw, "unparsed")
    m = _NAMED_YEAR.search(t)
    if m and not _RECURRING.search(t):
        year = int(m.group(1))
        if m.group(2):
            month, day = int(m.group(2)), int(m.group(4)) if m.group(4) else None
            if not 1 <= month <= 12 or (day is not None and not 1 <= day <= _cal.monthrange(year, month)[1]):
                return TimeRule(raw, "unparsed")
            return TimeRule(raw, "deadline", month=month, day=day, year=year)
        return TimeRule(raw, "deadline", month=12, day=None, year=year)
    rule = _parse(raw, t)
    if rule.kind == "deadline" and not _RECURRING.search(t):
        year = issued_on.year if issued_on else None
        if re.search(r"次年|明年", t) and year:
            year += 1
        if year:
            rule = TimeRule(raw, "deadline", month=rule.month, day=rule.day, year=year)
    return rule


def _parse(raw: str, t: str) -> TimeRule:
    m = _MIN_DISPLAY.search(t)
    if m and re.search(r"公示|公告|张贴|展示", t):
        return TimeRule(raw, "display", amount=int(m.group(2)), unit=_UNITS[m.group(3)], minimum=True)
    m = _PERIOD.search(t)
    if m:
        unit = _UNITS[m.group(2)]
        anchor, anchor_text = _anchor(t[: m.start()])
        ext = _EXTENSION.search(t[m.end():])
        return TimeRule(raw, "period", anchor=anchor, anchor_text=anchor_text, amount=int(m.group(1)),
                        unit=unit, extension=int(ext.group(2)) if ext else None)
    m = _DISPLAY.search(t)
    if m:
        return TimeRule(raw, "display", amount=int(m.group(3)), unit=_UNITS[m.group(4)], minimum=True)
    m = _CADENCE_DAY.search(t)
    if m:
        cadence = "monthly" if m.group(1) == "每月" else "quarterly"
        return TimeRule(raw, "cadence", cadence=cadence, day=int(m.group(2)))
    m = _DEADLINE.search(t)
    if m and 1 <= int(m.group(2)) <= 12:
        day = int(m.group(4)) if m.group(4) else None
        if day is not None and not 1 <= day <= _cal.monthrange(2024, int(m.group(2)))[1]:
            return TimeRule(raw, "unparsed")
        return TimeRule(raw, "deadline", month=int(m.group(2)), day=day)
    m = _COUNT.search(t)
    if m:
        return TimeRule(raw, "count", amount=int(m.group(3)), cadence="yearly")
    m = _BARE_WORKDAYS.search(t)
    if m:  # 15个工作日 without 内 says the same as 15个工作日内
        anchor, anchor_text = _anchor(t[: m.start()])
        return TimeRule(raw, "period", anchor=anchor, anchor_text=anchor_text, amount=int(m.group(1)), unit="workday")
    if _YEAR_END.search(t):
        return TimeRule(raw, "deadline", month=12, day=None)
    for cadence, pattern in _CADENCES:
        if pattern.search(t):
            return TimeRule(raw, "cadence", cadence=cadence)
    if _QUALITATIVE.search(t):
        return TimeRule(raw, "qualitative")
    return TimeRule(raw, "unparsed")


# --------------------------------------------------------------------------
# Due dates
# --------------------------------------------------------------------------


@dataclass
class Due:
    rule: TimeRule
    anchor: dt.date | dt.datetime
    due: dt.date | dt.datetime | None
    provisional: bool = False
    facts: list[str] = field(default_factory=list)
    note: str | None = None
    out_of_range: bool = False  # the anchor (or the count) lies outside the working-day calendar: no due date

    def render(self) -> str:
        lines = [f"时限 rule: {self.rule.text} → {self.rule.describe()}",
                 f"起算 from: {_fmt(self.anchor)}（当日不计入，次日起算 民法典第二百零一条）"
                 if self.rule.kind in ("period", "display") and self.rule.unit != "hour"
                 else f"起算 from: {_fmt(self.anchor)}"]
        if self.due is None:
            lines.append(f"到期 due: 无 none — {self.note or self.rule.describe()}")
        else:
            lines.append(f"到期 due: {_fmt(self.due)}" + ("（暂定 provisional）" if self.provisional else ""))
        if self.provisional:
            lines.append("注意 provisional: 该年份的法定节假日安排尚未录入，仅按周末计算 "
                         "(the year's official arrangement is not in the calendar yet: weekends only)")
        for fact in dict.fromkeys(self.facts):
            lines.append(f"日历 calendar: {fact}")
        if self.rule.extension:
            lines.append(f"可延长 extendable by: {self.rule.extension}{UNIT_NAMES[self.rule.unit]}")
        return "\n".join(lines)


def _fmt(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return f"{value.isoformat()}（星期{WEEKDAYS[value.weekday()]}）"


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, _cal.monthrange(year, month)[1])


def _add_months(day: dt.date, months: int) -> dt.date:
    y, mth = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, mth + 1
    return dt.date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


def _period_end(day: dt.date, cadence: str) -> dt.date:
    if cadence == "weekly":
        return day + dt.timedelta(days=6 - day.weekday())
    if cadence == "monthly":
        return _month_end(day.year, day.month)
    if cadence == "quarterly":
        return _month_end(day.year, ((day.month - 1) // 3 + 1) * 3)
    if cadence == "halfyearly":
        return _month_end(day.year, 6 if day.month <= 6 else 12)
    return dt.date(day.year, 12, 31)


def due_date(rule: TimeRule, anchor: dt.date | dt.datetime, calendar: WorkCalendar) -> Due:
    """When ``rule`` falls due for an event on ``anchor`` (the same function everything calls).

    An anchor outside the calendar's range (a stored 9999-12-31) gives no due date and says so."""
    result = Due(rule, anchor, None)
    try:
        return _due_date(rule, anchor, calendar, result)
    except (DateOutOfRange, OverflowError) as exc:
        if not isinstance(exc, DateOutOfRange):  # a date near 9999 plus a period
            day = anchor.date() if isinstance(anchor, dt.datetime) else anchor
            exc = DateOutOfRange(day, calendar.first, calendar.last)
        result.due, result.out_of_range = None, True
        result.note = f"{exc} {exc.english}"
        return result


def _due_date(rule: TimeRule, anchor: dt.date | dt.datetime, calendar: WorkCalendar, result: Due) -> Due:
    cal = calendar.fresh()
    day = calendar.check(anchor.date() if isinstance(anchor, dt.datetime) else anchor)
    if rule.kind == "period":
        if rule.unit == "hour":
            start = anchor if isinstance(anchor, dt.datetime) else dt.datetime.combine(anchor, dt.time())
            result.due = start + dt.timedelta(hours=rule.amount)
            if not isinstance(anchor, dt.datetime):
                result.note = "只给了日期，按当日0时起算 date only: counted from 00:00"
        elif rule.unit == "workday":
            result.due = cal.add_workdays(day, rule.amount)
        elif rule.unit == "day":
            result.due = cal.roll_forward(day + dt.timedelta(days=rule.amount))
        elif rule.unit == "week":
            result.due = cal.roll_forward(day + dt.timedelta(weeks=rule.amount))
        else:
            result.due = cal.roll_forward(_add_months(day, rule.amount))
    elif rule.kind == "display":
        # the earliest day the display may end: a minimum, so no rolling forward
        result.due = (cal.add_workdays(day, rule.amount) if rule.unit == "workday"
                      else day + dt.timedelta(days=rule.amount))
        result.note = "公示期满的最早日期 the earliest end of the display"
    elif rule.kind == "deadline" and rule.year:  # one-off: the same date whatever the anchor
        result.due = _month_end(rule.year, rule.month) if rule.day is None else dt.date(rule.year, rule.month, rule.day)
        if result.due < day:
            result.note = f"该期限已于 {result.due.isoformat()} 届满 this one-off deadline passed before the anchor date"
    elif rule.kind == "deadline":
        due = _month_end(day.year, rule.month) if rule.day is None else dt.date(day.year, rule.month, rule.day)
        if due < day:
            due = _month_end(day.year + 1, rule.month) if rule.day is None else dt.date(day.year + 1, rule.month, rule.day)
        result.due = due
    elif rule.kind == "cadence":
        if rule.day:
            due = dt.date(day.year, day.month, rule.day)
            if rule.cadence == "quarterly":
                due = dt.date(day.year, ((day.month - 1) // 3) * 3 + 1, rule.day)
            if due < day:
                due = _add_months(due, 3 if rule.cadence == "quarterly" else 1)
            result.due = due
        else:
            result.due = _period_end(day, rule.cadence)
    elif rule.kind == "count":
        result.due = dt.date(day.year, 12, 31)
        result.note = f"当年内不少于{rule.amount}次 at least {rule.amount} times in the year"
    else:
        result.note = "定性要求，无具体期限 qualitative, no due date" if rule.kind == "qualitative" else \
            "无法解析的时限，原文保留 cannot parse, text kept"
    result.provisional = cal.provisional
    result.facts = cal.used
    return result
