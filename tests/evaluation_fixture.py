"""A small province whose 2018Q3 scores are worked out by hand in tests/test_evaluation.py.

测试省 (not a document's unit: a test fixture) with two pilot counties:
  甲县 — 义务教育 (4 items, one lacks 公开依据; published in Q3) and 社会救助 (1 item, never published);
         two publication records (one on time, one late), two milestones (one done on time),
         three monthly reports (one on time), an accepted third-party score of 90, two survey responses.
  乙县 — 义务教育 (2 items, one lacks 公开依据 and 公开主体; published and last touched in Q2);
         a submitted (not accepted) third-party score of 60.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select, update

from zwgk import accounts
from zwgk import models as m
from zwgk.evaluation import assessment, survey

from .admin_helpers import one_hash_per_password

PROVINCE, JIA, YI = "测试省", "测试省/甲县", "测试省/乙县"
FULL = dict(basis="《中华人民共和国义务教育法》", content="招生范围", time_limit="自信息形成之日起5个工作日内",
            subject="县教育局", channels=["政府网站"], audience_public=True, method_active=True, levels=["county"])
UTC = dt.timezone.utc


class Actor:
    """What the assessment functions need of a user (the logged-in Account has the same fields)."""

    def __init__(self, username, role, unit_path):
        self.username, self.role, self.unit_path = username, role, unit_path


def _unit(session, name, parent=None, pilot=False, domains=()):
    key = f"{parent.key}/{name}" if parent else name
    unit = m.AdminUnit(name=name, level="county" if parent else "province", parent=parent, is_pilot=pilot,
                       key=key, origin="test", pilot_domains=list(domains))
    session.add(unit)
    return unit


def build(db):
    """Everything but the third-party scores; returns the item id of 甲县's incomplete item."""
    with db.session(actor="test") as s:
        dom = {d.name: d for d in s.scalars(select(m.Domain))}
        prov = _unit(s, "测试省")
        jia = _unit(s, "甲县", prov, True, [dom["义务教育"], dom["社会救助"]])
        yi = _unit(s, "乙县", prov, True, [dom["义务教育"]])
        q3, q2_ = dt.datetime(2018, 7, 5, tzinfo=UTC), dt.datetime(2018, 6, 1, tzinfo=UTC)
        jia_items = [m.CatalogItem(unit=jia, domain=dom["义务教育"], level1=f"招生{i}", created_at=q3, **FULL)
                     for i in range(3)]
        lacking = m.CatalogItem(unit=jia, domain=dom["义务教育"], level1="招生缺依据", created_at=q3,
                                **{**FULL, "basis": None})
        relief = m.CatalogItem(unit=jia, domain=dom["社会救助"], level1="低保", created_at=q3, **FULL)
        yi_items = [m.CatalogItem(unit=yi, domain=dom["义务教育"], level1="乙招生", created_at=q2_, **FULL),
                    m.CatalogItem(unit=yi, domain=dom["义务教育"], level1="乙招生缺", created_at=q2_,
                                  **{**FULL, "basis": "", "subject": None})]
        s.add_all([*jia_items, lacking, relief, *yi_items])
        s.flush()
        # the versions the flush wrote are dated now: date them as the scenario has it
        s.execute(update(m.CatalogItemVersion).where(m.CatalogItemVersion.unit_key == JIA).values(at=q3))
        s.execute(update(m.CatalogItemVersion).where(m.CatalogItemVersion.unit_key == YI).values(at=q2_))
        published = [(jia_items[0], JIA, dt.datetime(2018, 8, 1, tzinfo=UTC)),
                     (yi_items[0], YI, dt.datetime(2018, 6, 2, tzinfo=UTC))]
        s.execute(insert(m.CatalogItemVersion), [
            dict(item_id=i.id, version=2, unit_key=k, status="published", deleted=False, snapshot={}, actor="t", at=at)
            for i, k, at in published])
        # timeliness of 甲县: publication records of its items (5 working days: 2018-08-01 → 08-08)
        s.add_all([
            m.PublicationRecord(catalog_item=jia_items[1], subject="招生公告", event_at=dt.datetime(2018, 8, 1, 9),
                                published_at=dt.datetime(2018, 8, 3, 9)),
            m.PublicationRecord(catalog_item=jia_items[2], subject="划片方案", event_at=dt.datetime(2018, 8, 1, 9),
                                published_at=dt.datetime(2018, 8, 20, 9)),
        ])
        sched = m.Schedule(scope=jia, title="甲县试点进度", report_cadence="monthly", key="test-jia", origin="test")
        phase = m.SchedulePhase(schedule=sched, name="试点实施", starts_on=dt.date(2018, 7, 1),
                                ends_on=dt.date(2018, 9, 30), key="test-jia-1", origin="test")
        s.add_all([sched, phase,
                   m.Milestone(phase=phase, title="目录编制完成", due_on=dt.date(2018, 8, 15),
                               completed_on=dt.date(2018, 8, 10), key="test-jia-m1", origin="test"),
                   m.Milestone(phase=phase, title="流程图公开", due_on=dt.date(2018, 9, 10), key="test-jia-m2",
                               origin="test")])
        s.flush()
        s.add_all([m.ReportSubmission(schedule=sched, period="2018-07", submitted_on=dt.date(2018, 8, 2)),
                   m.ReportSubmission(schedule=sched, period="2018-08", submitted_on=dt.date(2018, 8, 30))])
        # satisfaction: two responses about 甲县 (scale 5: 4 → 75, 3 → 50; mean 62.5)
        qn = survey.define(s, "sat-2018", "政务公开满意度测评", [
            {"code": "q1", "text": "对公开内容是否满意", "scale": 5}, {"code": "q2", "text": "对公开渠道是否满意", "scale": 5}])
        survey.add_response(s, qn, JIA, dt.date(2018, 9, 1), {"q1": 4, "q2": 4})
        survey.add_response(s, qn, JIA, dt.date(2018, 9, 2), {"q1": 3, "q2": 3})
        survey.add_response(s, qn, JIA, dt.date(2018, 10, 2), {"q1": 1, "q2": 1})  # after the period
        with one_hash_per_password():
            accounts.create_user(s, "prov_admin", "correct-horse-42", "region_admin", PROVINCE)
            accounts.create_user(s, "assessor1", "correct-horse-42", "assessor", PROVINCE)
        return lacking.id


def third_party(db, accept_jia=True):
    """An engagement for both counties; 甲县 90 (accepted), 乙县 60 (submitted, not decided)."""
    admin = Actor("prov_admin", "region_admin", PROVINCE)
    firm = Actor("assessor1", "assessor", PROVINCE)
    with db.session(actor="test") as s:
        assessment.engage(s, admin, PROVINCE, "assessor1", "某评估中心（测试）", "2018Q3", [JIA, YI])
        assessment.score(s, firm, JIA, "2018Q3", "third_party", "90", "流程图未上墙", "王评估",
                         [("现场照片.txt", b"evidence")])
        assessment.score(s, firm, YI, "2018Q3", "third_party", "60", "目录不全", "王评估")
        a = assessment.submit(s, firm, JIA, "2018Q3")
        assessment.submit(s, firm, YI, "2018Q3")
        if accept_jia:
            assessment.decide(s, admin, a, True, None)
