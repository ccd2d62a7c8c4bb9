"""The working-day calendar and due dates, on real calendar facts (国务院办公厅 arrangements)."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from zwgk.models import CalendarDay, CalendarYear
from zwgk.timelimits import due_date, parse
from zwgk.workcalendar import CalendarError, WorkCalendar, enter_arrangement, read_arrangement, seed_from_library

D = dt.date


@pytest.fixture
def cal(db):
    with db.session() as session:
        seed_from_library(session)
    with db.sessionmaker() as session:
        return WorkCalendar.load(session)


def test_twenty_working_days_over_national_day_2025(cal):
    # 2025: 10-01…10-08 off (国庆节+中秋节); 09-28 (Sun) and 10-11 (Sat) are make-up working days
    result = due_date(parse("自信息形成或者变更之日起20个工作日内"), D(2025, 9, 28), cal)
    assert result.due == D(2025, 10, 31) and not result.provisional
    facts = "\n".join(result.facts)
    assert "2025-10-01 星期三 放假（国庆节）" in facts and "2025-10-06 星期一 放假（中秋节）" in facts
    assert "2025-10-11 星期六 调休上班" in facts
    # the same count on weekends alone would end earlier: the holiday really was skipped
    assert due_date(parse("20个工作日内"), D(2025, 9, 28), WorkCalendar({}, {2025})).due == D(2025, 10, 24)


def test_three_working_days_from_the_friday_before_a_holiday(cal):
    # Friday 2024-06-07; 06-10 (Mon) is 端午节: count 06-11, 06-12, 06-13
    assert due_date(parse("3个工作日内"), D(2024, 6, 7), cal).due == D(2024, 6, 13)
    # Friday 2025-01-24 before the Spring Festival (01-28…02-04 off): 01-26 (Sun) is a make-up
    # working day, so count 01-26, 01-27, then 02-05
    assert due_date(parse("3个工作日内"), D(2025, 1, 24), cal).due == D(2025, 2, 5)


def test_twenty_four_hours_from_a_timestamp(cal):
    result = due_date(parse("在决定作出后24小时内在政府网站公开"), dt.datetime(2025, 9, 30, 16, 30), cal)
    assert result.due == dt.datetime(2025, 10, 1, 16, 30)  # hours do not stop for holidays


@pytest.mark.parametrize("start, due", [
    (D(2026, 1, 1), D(2026, 7, 31)), (D(2026, 7, 31), D(2026, 7, 31)), (D(2026, 8, 1), D(2027, 7, 31)),
    (D(2025, 3, 15), D(2025, 7, 31)),
])
def test_end_of_july_every_year_from_any_date(cal, start, due):
    assert due_date(parse("每年7月底前"), start, cal).due == due


def test_natural_days_ending_on_a_holiday_roll_to_the_next_working_day(cal):
    # 7 days from 2025-09-24 end on 10-01 (国庆节) → the first working day after the holiday, 10-09
    result = due_date(parse("7日内"), D(2025, 9, 24), cal)
    assert result.due == D(2025, 10, 9)
    assert any("民法典第二百零三条" in f for f in result.facts)
    assert due_date(parse("7日内"), D(2025, 9, 1), cal).due == D(2025, 9, 8)  # a Monday: no roll


def test_a_2027_date_is_provisional_until_the_arrangement_is_entered(db, cal, tmp_path):
    before = due_date(parse("3个工作日内"), D(2027, 9, 29), cal)
    assert before.provisional and before.due == D(2027, 10, 4)  # weekends only
    # A test arrangement for 2027 (test data, not the official one): 10-01…10-07 off, 09-26 at work.
    path = tmp_path / "2027.csv"
    rows = ["date,type,name"] + [f"2027-10-0{i},休,国庆节" for i in range(1, 8)] + ["2027-09-26,班,国庆节调休"]
    path.write_text("\n".join(rows), encoding="utf-8")
    year, entries = read_arrangement(path)
    with db.session() as session:
        enter_arrangement(session, year, entries, "test")
    with db.sessionmaker() as session:
        after = due_date(parse("3个工作日内"), D(2027, 9, 29), WorkCalendar.load(session))
    assert not after.provisional and after.due == D(2027, 10, 11)


def test_entering_a_year_is_not_undone_by_seeding_again(db, tmp_path):
    path = tmp_path / "2026.csv"
    path.write_text("date,type,name\n2026-03-02,休,测试假日\n", encoding="utf-8")
    with db.session() as session:
        seed_from_library(session)
        enter_arrangement(session, *read_arrangement(path), "test")
    with db.session() as session:
        assert seed_from_library(session) == 0
        days_2026 = session.scalars(select(CalendarDay).where(CalendarDay.day >= D(2026, 1, 1))).all()
        assert [(d.day, d.name) for d in days_2026] == [(D(2026, 3, 2), "测试假日")]
        assert session.get(CalendarYear, 2026).source == "test"


def test_seed_knows_2004_to_2026(db):
    with db.session() as session:
        assert seed_from_library(session) > 500
        years = set(session.scalars(select(CalendarYear.year)))
        assert years == set(range(2004, 2027))
        assert session.scalar(select(func.count()).select_from(CalendarDay).where(CalendarDay.is_workday)) > 100


def test_bad_arrangement_files_name_the_row(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("date,type,name\n2027-02-30,休,x\n2027-03-01,假,x\n", encoding="utf-8")
    with pytest.raises(CalendarError) as caught:
        read_arrangement(path)
    text = str(caught.value)
    assert "第2行 row 2 date" in text and "第3行 row 3 type" in text
    (tmp_path / "two.csv").write_text("date,type\n2027-01-01,休\n2028-01-01,休\n", encoding="utf-8")
    with pytest.raises(CalendarError, match="one year per file"):
        read_arrangement(tmp_path / "two.csv")


def test_deadline_command_prints_rule_due_date_and_facts(app, run_cli):
    run_cli(app, "calendar", "seed")
    out = run_cli(app, "deadline", "文件公布后3个工作日内", "--from", "2025-09-30")
    assert out.exit_code == 0
    assert "到期 due: 2025-10-11（星期六）" in out.output and "调休上班" in out.output
    bad = run_cli(app, "deadline", "分值不低于4%", "--from", "2025-09-30")
    assert bad.exit_code == 2 and "无法解析" in bad.output
