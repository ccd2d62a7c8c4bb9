"""The official Chinese working-day calendar, kept in the database.

A day is a working day by the weekday rule (Monday–Friday) unless the calendar
has an exception for it: a holiday on a weekday, or a make-up working day (调休)
on a weekend.  The exceptions of 2004–2026 are seeded from ``chinesecalendar``;
an administrator enters a later year's arrangement (国务院办公厅 publishes it each
November or December) from a file.  A date in a year whose arrangement is not in
the calendar is computed on weekends alone and flagged *provisional*.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import models as m

HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节", "Anti-Fascist 70th Day": "中国人民抗日战争胜利70周年纪念日",
}
#: the other way, for the English pages: a stored name a known holiday's, else kept as entered
HOLIDAY_NAMES_EN = {zh: en for en, zh in HOLIDAY_NAMES.items()}
MAKE_UP = "调休上班"  # how a make-up working day's name ends (春节调休上班)
WEEKDAYS = "一二三四五六日"
#: the farthest a count walks from its first day (see WorkCalendar._limit)
WALK_DAYS = 3660
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class CalendarError(ValueError):
    pass


class DateOutOfRange(CalendarError):
    """A date the calendar does not count from: before its first year, or after the year that follows
    its last year (or this year, if that is later).  Such a date comes only from stored data (a future
    date is refused on entry): 9999-12-31 would overflow the date type, and 0001-01-01 would walk
    seven hundred thousand days."""

    def __init__(self, day: dt.date, first: dt.date, last: dt.date) -> None:
        self.day, self.first, self.last = day, first, last
        super().__init__(f"{day.isoformat()}：日期超出工作日历范围（{first.isoformat()} 至 {last.isoformat()}）")

    @property
    def english(self) -> str:
        return (f"{self.day.isoformat()}: the date is outside the working-day calendar "
                f"({self.first.isoformat()} to {self.last.isoformat()})")


def beijing_year(now: dt.datetime | None = None) -> int:
    """The year in Beijing (after 16:00 UTC on 31 December it is already the next year there)."""
    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone(dt.timedelta(hours=8))).year


def seed_from_library(session: Session) -> int:
    """Add the years chinesecalendar knows that the database lacks; returns the number of days added.

    Days an administrator entered are never overwritten: a year already present is skipped.
    """
    import chinese_calendar

    try:
        from importlib.metadata import version

        source = f"chinesecalendar {version('chinesecalendar')}"
    except Exception:  # pragma: no cover - metadata missing
        source = "chinesecalendar"
    have = set(session.scalars(select(m.CalendarYear.year)))
    by_year: dict[int, list[m.CalendarDay]] = {}
    for day, name in chinese_calendar.holidays.items():
        if day.weekday() < 5:  # a holiday on a weekend changes nothing for counting
            by_year.setdefault(day.year, []).append(
                m.CalendarDay(day=day, is_workday=False, name=HOLIDAY_NAMES.get(name, name), source=source))
    for day, name in chinese_calendar.workdays.items():
        by_year.setdefault(day.year, []).append(
            m.CalendarDay(day=day, is_workday=True, name=f"{HOLIDAY_NAMES.get(name, name)}{MAKE_UP}", source=source))
    first, last = min(by_year), max(by_year)
    now = dt.datetime.now(dt.timezone.utc)
    added = 0
    for year in range(first, last + 1):
        if year in have:
            continue
        session.add(m.CalendarYear(year=year, source=source, entered_at=now))
        for day in by_year.get(year, []):
            session.add(day)
            added += 1
    session.flush()
    return added


@dataclass(frozen=True)
class DayEntry:
    day: dt.date
    is_workday: bool
    name: str | None


def read_arrangement(path: Path) -> tuple[int, list[DayEntry]]:
    """Read a year's arrangement: CSV with columns date, type (休 or 班), name.

    ``休`` marks a day off (holiday) and ``班`` a make-up working day; only days
    that break the weekday rule need a row, but listing a holiday's weekend days
    does no harm.  Every row must be in the same year.
    """
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        raise CalendarError(f"{path}: 没有数据 no rows")
    missing = {"date", "type"} - set(rows[0])
    if missing:
        raise CalendarError(f"{path}: 缺少列 missing columns {sorted(missing)} (需要 date,type,name)")
    entries, problems, years = [], [], set()
    for i, row in enumerate(rows, 2):
        try:
            day = dt.date.fromisoformat(row["date"].strip())
        except ValueError:
            problems.append(f"{path} 第{i}行 row {i} date: 不是日期 not a date {row['date']!r}")
            continue
        kind = row["type"].strip()
        if kind not in ("休", "班"):
            problems.append(f"{path} 第{i}行 row {i} type: 应为“休”或“班” must be 休 or 班, not {kind!r}")
            continue
        years.add(day.year)
        entries.append(DayEntry(day, kind == "班", (row.get("name") or "").strip() or None))
    if len(years) > 1:
        problems.append(f"{path}: 一个文件只能是一年 one year per file, found {sorted(years)}")
    if problems:
        raise CalendarError("\n".join(problems))
    return years.pop(), entries


def enter_arrangement(session: Session, year: int, entries: Iterable[DayEntry], source: str) -> int:
    """Replace a year's exceptions with an official arrangement; the year becomes exact."""
    for old in session.scalars(select(m.CalendarDay).where(m.CalendarDay.day >= dt.date(year, 1, 1),
                                                         m.CalendarDay.day <= dt.date(year, 12, 31))):
        session.delete(old)
    session.flush()
    count = 0
    for e in entries:
        if e.is_workday == (e.day.weekday() < 5):
            continue  # what the weekday rule says anyway
        session.add(m.CalendarDay(day=e.day, is_workday=e.is_workday, name=e.name, source=source))
        count += 1
    row = session.get(m.CalendarYear, year) or m.CalendarYear(year=year)
    row.source, row.entered_at = source, dt.datetime.now(dt.timezone.utc)
    session.add(row)
    session.flush()
    return count


def holiday_name_en(name: str) -> str:
    """A calendar day's name in English: 国庆节 → National Day, and the make-up working day 春节调休上班
    → Spring Festival (the line says it is a make-up day); a name an administrator entered that is
    none of these stays as entered."""
    base = name[:-len(MAKE_UP)] if name.endswith(MAKE_UP) else name
    return HOLIDAY_NAMES_EN.get(base, name)


@dataclass
class WorkCalendar:
    """Working days, from the exceptions in memory (a few hundred rows) and the known years."""

    exceptions: dict[dt.date, tuple[bool, str | None]]
    known_years: set[int]
    used: list[str] = field(default_factory=list)  # the calendar facts a computation relied on
    used_en: list[str] = field(default_factory=list)  # the same in English (a known holiday by its English name)
    provisional: bool = False
    #: the year in Beijing: the calendar's range reaches at least the year after it
    this_year: int = field(default_factory=beijing_year)

    def __post_init__(self) -> None:
        # no known year (a bare calendar in a test): nothing to tell a stored date against at the lower end
        self.first = dt.date(min(self.known_years), 1, 1) if self.known_years else dt.date.min
        self.last = dt.date(min(9998, max(self.known_years | {self.this_year}) + 1), 12, 31)

    def check(self, day: dt.date) -> dt.date:
        """``day`` itself if the calendar counts from it, else :class:`DateOutOfRange`."""
        if not self.first <= day <= self.last:
            raise DateOutOfRange(day, self.first, self.last)
        return day

    def _limit(self, start: dt.date) -> dt.date:
        """How far a count from ``start`` may walk: ten years, far beyond the longest legal period (60
        working days), so a stored 99999999 days or a date near 9999 ends as :class:`DateOutOfRange`."""
        if start > dt.date.max - dt.timedelta(days=WALK_DAYS):
            raise DateOutOfRange(start, self.first, self.last)
        return start + dt.timedelta(days=WALK_DAYS)

    @classmethod
    def load(cls, session: Session) -> WorkCalendar:
        exceptions = {d.day: (d.is_workday, d.name) for d in session.scalars(select(m.CalendarDay))}
        return cls(exceptions, set(session.scalars(select(m.CalendarYear.year))))

    def fresh(self) -> WorkCalendar:
        """The same calendar with no facts recorded yet (one per computation)."""
        return WorkCalendar(self.exceptions, self.known_years, this_year=self.this_year)

    def is_workday(self, day: dt.date) -> bool:
        if day.year not in self.known_years:
            self.provisional = True
        if day in self.exceptions:
            is_work, name = self.exceptions[day]
            self.used.append(f"{day} 星期{WEEKDAYS[day.weekday()]} {'调休上班' if is_work else '放假'}"
                             + (f"（{name}）" if name else ""))
            self.used_en.append(f"{day} {WEEKDAYS_EN[day.weekday()]}: {'a make-up working day' if is_work else 'a holiday'}"
                                + (f" ({holiday_name_en(name)})" if name else ""))
            return is_work
        return day.weekday() < 5

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after ``start`` (the start day itself is not counted)."""
        day, counted, limit = start, 0, self._limit(start)
        while counted < n:
            day += dt.timedelta(days=1)
            if day > limit:
                raise DateOutOfRange(day, self.first, self.last)
            if self.is_workday(day):
                counted += 1
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if end is earlier)."""
        if end < start:
            return -self.workdays_between(end, start)
        if end > self._limit(start) and not (self.first <= start and end <= self.last):
            raise DateOutOfRange(end, self.first, self.last)
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_workday(day)
        return count

    def roll_forward(self, day: dt.date) -> dt.date:
        """民法典第二百零三条: a period whose last day is a day off ends on the next working day."""
        rolled, limit = day, self._limit(day)
        while not self.is_workday(rolled):
            rolled += dt.timedelta(days=1)
            if rolled > limit:
                raise DateOutOfRange(rolled, self.first, self.last)
        if rolled != day:
            self.used.append(f"{day} 为休息日，期间顺延至 {rolled}（民法典第二百零三条）")
            self.used_en.append(f"{day} is a day off: the period ends on {rolled} (Civil Code, article 203)")
        return rolled
