"""Milestones, progress reports and publication records: what is due and what is late."""

import datetime as dt
import re

import pytest
from sqlalchemy import select

from zwgk import models as m
from zwgk.tracking import check_publication, due_items, expected_reports, milestone_status
from zwgk.workcalendar import WorkCalendar, seed_from_library

D = dt.date


@pytest.fixture
def shandong(make_app, loaded_db_url, run_cli):
    app = make_app(loaded_db_url, plugins="shandong,zhejiang")
    assert run_cli(app, "init").exit_code == 0
    return app


def _lines(output):
    return [line for line in output.splitlines()[1:] if line.strip()]


def test_due_for_shandong_lists_exactly_what_the_document_makes_overdue(shandong, run_cli):
    out = run_cli(shandong, "due", "--region", "shandong", "--today", "2018-02-15", "--within", "0d").output
    lines = _lines(out)
    assert all(line.startswith("已逾期") for line in lines)
    milestones = [re.search(r"\d{4}-\d\d-\d\d", l).group(0) for l in lines if "[milestone]" in l]
    reports = [re.search(r"(\d{4}-\d\d) 进展报告", l).group(1) for l in lines if "[report]" in l]
    assert milestones == ["2017-10-30", "2018-01-31"]  # 试点方案备案, 事项标准目录备案
    assert reports == ["2017-10", "2017-11", "2017-12", "2018-01"]  # monthly, none sent yet
    assert "浙江省" not in out


def test_a_sent_report_and_a_completed_milestone_are_no_longer_due(shandong, run_cli):
    ok = run_cli(shandong, "reports", "submit", "--region", "shandong", "--period", "2017-11", "--on", "2017-12-01")
    assert ok.exit_code == 0, ok.output
    with shandong.extensions["zwgk.db"].session() as session:
        ms = session.scalar(select(m.Milestone).where(m.Milestone.due_on == D(2017, 10, 30)))
        ms.completed_on = D(2017, 10, 28)
    out = run_cli(shandong, "due", "--region", "shandong", "--today", "2018-02-15", "--within", "0d").output
    assert "2017-11 进展报告" not in out and "2017-10-30" not in out
    assert "2017-10 进展报告" in out and "2018-01-31" in out
    bad = run_cli(shandong, "reports", "submit", "--region", "shandong", "--period", "2019-01", "--on", "2019-02-01")
    assert bad.exit_code == 1 and "not a period" in bad.output


def test_due_soon_window(shandong, run_cli):
    out = run_cli(shandong, "due", "--region", "shandong", "--today", "2018-01-20", "--within", "14d").output
    soon = [l for l in _lines(out) if l.startswith("即将到期")]
    assert any("2018-01-31" in l and "[milestone]" in l for l in soon)
    assert any("2018-01 进展报告" in l for l in soon)


def test_milestone_statuses(db):
    phase = m.SchedulePhase(name="阶段", starts_on=D(2020, 10, 8), ends_on=D(2020, 12, 20))
    ms = m.Milestone(title="节点", due_on=D(2020, 12, 20), phase=phase)
    assert milestone_status(ms, D(2020, 9, 1)) == "not_started"
    assert milestone_status(ms, D(2020, 11, 1)) == "in_progress"
    assert milestone_status(ms, D(2020, 12, 10)) == "due_soon"
    assert milestone_status(ms, D(2020, 12, 21)) == "overdue"
    ms.completed_on = D(2020, 12, 22)
    assert milestone_status(ms, D(2021, 1, 1)) == "done"


def test_zhejiang_reports_are_quarterly(shandong):
    with shandong.extensions["zwgk.db"].sessionmaker() as session:
        sched = session.scalar(select(m.Schedule).where(m.Schedule.report_cadence == "quarterly"))
        periods = expected_reports(sched)
    assert periods[0] == ("2017-Q3", D(2017, 9, 30))
    assert periods[-1] == ("2018-Q3", D(2018, 9, 30))
    assert len(periods) == 5


def _obligation(session, title):
    return session.scalar(select(m.Obligation).where(m.Obligation.title == title))


def test_publication_on_time_late_and_pending(shandong):
    db = shandong.extensions["zwgk.db"]
    with db.session() as session:
        seed_from_library(session)
        interp = _obligation(session, "重要政策解读材料主动发布")  # 文件公布后3个工作日内
        recall = _obligation(session, "责令召回食品、药品、医疗器械、化妆品的信息公开")  # 24小时内
        ev = dt.datetime(2025, 9, 30, 16, 0)
        records = [
            m.PublicationRecord(obligation=interp, subject="A", event_at=ev, published_at=dt.datetime(2025, 10, 10)),
            m.PublicationRecord(obligation=interp, subject="B", event_at=ev, published_at=dt.datetime(2025, 10, 14)),
            m.PublicationRecord(obligation=interp, subject="C", event_at=ev),
            m.PublicationRecord(obligation=recall, subject="D", event_at=ev,
                                published_at=dt.datetime(2025, 10, 1, 20, 0)),
        ]
        session.add_all(records)
        cal = WorkCalendar.load(session)
        a, b, c, d = (check_publication(r, cal, D(2025, 10, 9)) for r in records)
        # due: 10-01…10-08 off, 10-09, 10-10, 10-11 (make-up Saturday) → 2025-10-11
        assert (a.status, a.due) == ("on_time", D(2025, 10, 11))
        assert (b.status, b.late_by, b.unit) == ("late", 2, "个工作日")  # 10-13, 10-14
        assert (c.status, c.due) == ("pending", D(2025, 10, 11))
        assert check_publication(records[2], cal, D(2025, 10, 12)).status == "overdue"
        assert (d.status, d.late_by, d.unit) == ("late", 4, "小时")
        items = due_items(session, D(2025, 10, 12), 0, "山东省", cal)
        assert [(i.kind, i.title, i.status) for i in items if i.kind == "publication"] == [("publication", "C", "overdue")]


def test_publications_import_is_all_or_nothing(shandong, tmp_path, run_cli):
    good = tmp_path / "good.csv"
    good.write_text("obligation,scope,subject,event_at,published_at,note\n"
                    "重要政策解读材料主动发布,山东省,某政策解读,2025-09-30,2025-10-10,\n"
                    "责令召回食品、药品、医疗器械、化妆品的信息公开,山东省,某召回,2025-09-30 16:00,,\n",
                    encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("obligation,scope,subject,event_at,published_at\n"
                   "重要政策解读材料主动发布,山东省,好行,2025-09-30,2025-10-10\n"
                   "不存在的要求,山东省,坏行,2025-09-30,\n"
                   "重要政策解读材料主动发布,山东省,日期错,2025-13-01,\n"
                   "重要政策解读材料主动发布,山东省,倒序,2025-10-10,2025-10-01\n", encoding="utf-8")
    refused = run_cli(shandong, "publications", "import", str(bad))
    assert refused.exit_code == 1
    assert "第3行 row 3 [坏行] obligation" in refused.output
    assert "第4行 row 4 [日期错] event_at/published_at" in refused.output
    assert "第5行 row 5 [倒序] published_at" in refused.output
    with shandong.extensions["zwgk.db"].sessionmaker() as session:
        assert session.scalars(select(m.PublicationRecord)).all() == []
    ok = run_cli(shandong, "publications", "import", str(good))
    assert ok.exit_code == 0 and "imported 2" in ok.output
    run_cli(shandong, "calendar", "seed")
    checked = run_cli(shandong, "publications", "check", "--region", "shandong", "--today", "2025-10-09").output
    assert "按时  到期 due 2025-10-11  某政策解读" in checked
    assert "已逾期  到期 due 2025-10-01 16:00:00  某召回" in checked


def test_due_digest_by_mail(shandong, run_cli, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            sent.append(("starttls",))

        def login(self, user, password):
            sent.append(("login", user))

        def send_message(self, msg):
            sent.append(("send", msg["To"], msg["Subject"], msg.get_content()))

    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    off = run_cli(shandong, "due", "--region", "shandong", "--today", "2018-02-15", "--mail", "office@example.org")
    assert off.exit_code == 1 and "ZWGK_SMTP_HOST" in off.output and sent == []
    shandong.config.update(ZWGK_SMTP_HOST="127.0.0.1", ZWGK_SMTP_USER="zwgk")
    on = run_cli(shandong, "due", "--region", "shandong", "--today", "2018-02-15", "--mail", "office@example.org")
    assert on.exit_code == 0, on.output
    assert sent[0] == ("connect", "127.0.0.1", 587) and ("login", "zwgk") in sent
    _, to, subject, body = sent[-1]
    assert to == "office@example.org" and "2018-02-15" in subject and "试点方案报送省政府办公厅备案" in body
