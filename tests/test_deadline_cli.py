"""`zwgk deadline` without --document (and without --from): the year of 今年/明年 … is the --from
date's, else today's in Beijing time — printed — and the event date defaults to today in Beijing."""

from __future__ import annotations

import datetime as dt

import pytest

UTC = dt.timezone.utc


@pytest.fixture
def app(make_app, regions_db_url):
    return make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")


def _at(monkeypatch, when: dt.datetime) -> None:
    from zwgk import cli

    monkeypatch.setattr(cli, "_clock", lambda: when)


def _due(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("到期 due:"))


@pytest.mark.parametrize("utc, beijing_day, year", [
    (dt.datetime(2026, 12, 31, 15, 59, tzinfo=UTC), "2026-12-31", 2026),  # 23:59 in Beijing
    (dt.datetime(2026, 12, 31, 16, 1, tzinfo=UTC), "2027-01-01", 2027),  # 00:01 next year in Beijing
])
def test_this_years_end_without_document_or_from_is_in_beijings_year(app, run_cli, monkeypatch, utc, beijing_day,
                                                                      year):
    _at(monkeypatch, utc)
    out = run_cli(app, "deadline", "今年年底前")
    assert out.exit_code == 0, out.output
    assert f"起算日期 from: {beijing_day}（未给 --from：北京时间今天" in out.output
    assert f"参照年份 reference year: {year}（未给 --document：取北京时间今天" in out.output
    assert _due(out.output).startswith(f"到期 due: {year}-12-31") and f"一次性截止：{year}年12月底前" in out.output


def test_without_document_the_year_is_the_from_dates(app, run_cli, monkeypatch):
    _at(monkeypatch, dt.datetime(2026, 12, 31, 16, 1, tzinfo=UTC))  # not used: --from is given
    out = run_cli(app, "deadline", "今年年底前", "--from", "2019-03-01")
    assert "参照年份 reference year: 2019（未给 --document：取起算日期 --from" in out.output
    assert _due(out.output).startswith("到期 due: 2019-12-31") and "起算日期 from" not in out.output
    nxt = run_cli(app, "deadline", "明年年底前", "--from", "2019-03-01").output
    assert _due(nxt).startswith("到期 due: 2020-12-31") and "一次性截止：2020年12月底前" in nxt
    traditional = run_cli(app, "deadline", "當年年底前完成", "--from", "2019-03-01T10:00").output  # 當年 = 当年
    assert _due(traditional).startswith("到期 due: 2019-12-31")


def test_a_document_gives_its_year_and_no_reference_line(app, run_cli):
    out = run_cli(app, "deadline", "今年年底前", "--from", "2019-03-01", "--document", "鲁政办发〔2018〕21号").output
    assert _due(out).startswith("到期 due: 2018-12-31") and "参照年份" not in out


def test_a_period_without_from_counts_from_today_in_beijing(app, run_cli, monkeypatch):
    _at(monkeypatch, dt.datetime(2025, 9, 30, 17, 0, tzinfo=UTC))  # 2025-10-01 01:00 in Beijing
    today = run_cli(app, "deadline", "文件公布后3个工作日内")
    given = run_cli(app, "deadline", "文件公布后3个工作日内", "--from", "2025-10-01")
    assert today.exit_code == given.exit_code == 0
    assert "起算日期 from: 2025-10-01" in today.output and _due(today.output) == _due(given.output)
    assert "参照年份" not in today.output  # no year named: nothing to say about it


def test_the_help_states_the_defaults(app, run_cli):
    text = run_cli(app, "deadline", "--help").output
    assert "北京时间今天" in text and "--document" in text and "today in Beijing time" in text
