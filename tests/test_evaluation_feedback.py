"""Issue 15 follow-up: public feedback marks (有用 / 没用, zwgk.participation) feed the 公众满意度
indicator of the default system (docs/evaluation.md, "公众评价").

Worked by hand on tests/evaluation_fixture.py, 2018Q3 (Beijing 2018-07-01 … 2018-09-30):

甲县 marks counted: 3 有用 + 1 没用 on 招生0 (published 2018-08-01) on 08-05, 1 有用 on the whole catalog
     at 2018-06-30T16:30Z (Beijing 07-01 00:30), 1 有用 at 2018-09-30T15:59Z (Beijing 09-30 23:59)
     → 5 of 6 = 83.33.  Left out: 没用 at 2018-09-30T16:01Z (Beijing 10-01), 2 没用 on 招生缺依据
     (never published), 1 没用 on 招生0 on 07-20 (before it was published), marks of another region.
     公众满意度 = (50 × 62.5 survey + 50 × 500/6) / 100 = 72.92;
     total = 68.25 + 10 × (72.9167 − 62.5) / 100 = 69.29.
乙县 1 没用 on its catalog in Q3 → 0.00; no survey → 公众满意度 0.00 (the feedback half alone);
     total (30×50 + 20×100 + 10×0 + 10×0) / 70 = 50.00.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from zwgk import models as m
from zwgk.evaluation import runs
from zwgk.evaluation.compute import parse_period
from zwgk.evaluation.systems import SystemError, default_system, load_system
from zwgk.participation.models import Feedback

from .evaluation_fixture import JIA, PROVINCE, YI, build, third_party

UTC = dt.timezone.utc


def _marks(db):
    with db.session(actor="test") as s:
        unit = {u.key: u for u in s.scalars(select(m.AdminUnit).where(m.AdminUnit.key.in_([JIA, YI])))}
        item = {i.level1: i for i in s.scalars(select(m.CatalogItem))}
        other_prov = m.AdminUnit(name="别省", level="province", key="别省", origin="test")
        other = m.AdminUnit(name="丙县", level="county", parent=other_prov, key="别省/丙县", origin="test",
                            is_pilot=True)
        s.add_all([other_prov, other])

        def mark(u, useful, at, it=None):
            s.add(Feedback(unit=u, item=it, useful=useful, created_at=at))

        aug5 = dt.datetime(2018, 8, 5, 2, tzinfo=UTC)
        for useful in (True, True, True, False):
            mark(unit[JIA], useful, aug5, item["招生0"])
        mark(unit[JIA], True, dt.datetime(2018, 6, 30, 16, 30, tzinfo=UTC))  # Beijing 07-01 00:30: in
        mark(unit[JIA], True, dt.datetime(2018, 9, 30, 15, 59, tzinfo=UTC))  # Beijing 09-30 23:59: in
        mark(unit[JIA], False, dt.datetime(2018, 9, 30, 16, 1, tzinfo=UTC))  # Beijing 10-01 00:01: out
        mark(unit[JIA], False, aug5, item["招生缺依据"])  # never published
        mark(unit[JIA], False, aug5, item["招生缺依据"])
        mark(unit[JIA], False, dt.datetime(2018, 7, 20, tzinfo=UTC), item["招生0"])  # before its publication
        mark(unit[YI], False, aug5)
        for _ in range(3):
            mark(other, False, aug5)  # another region's


@pytest.fixture
def scored(db):
    build(db)
    third_party(db)
    _marks(db)
    with db.session() as s:
        return {r["unit"]: r for r in runs.compute(s, PROVINCE, parse_period("2018Q3"), default_system())}


def test_feedback_marks_of_the_period_feed_the_satisfaction_indicator(scored):
    assert set(scored) == {JIA, YI}  # region-scoped: 别省/丙县 is not scored here
    jia, yi = scored[JIA]["indicators"], scored[YI]["indicators"]
    fb = jia["satisfaction.feedback"]
    assert (fb["numerator"], fb["denominator"], fb["score"]) == ("5.00", "6.00", "83.33")
    assert jia["satisfaction.survey"]["score"] == "62.50" and jia["satisfaction"]["score"] == "72.92"
    assert scored[JIA]["total"] == "69.29"
    assert (yi["satisfaction.feedback"]["score"], yi["satisfaction.survey"]["score"]) == ("0.00", None)
    assert yi["satisfaction"]["score"] == "0.00" and scored[YI]["total"] == "50.00"
    texts = [t for r in scored[YI]["reasons"] for t in r["texts"]]
    assert "公众评价 1 次，其中“没用” 1 次（满意率 0.00%）" in texts


def test_a_unit_without_marks_has_the_feedback_half_not_applicable(db):
    build(db)
    with db.session() as s:
        rows = {r["unit"]: r for r in runs.compute(s, PROVINCE, parse_period("2018Q3"), default_system())}
    fb = rows[JIA]["indicators"]["satisfaction.feedback"]
    assert fb["score"] is None and fb["note"].startswith("本期没有公众评价")
    assert rows[JIA]["indicators"]["satisfaction"]["score"] == "62.50"  # the survey carries the group


def test_the_default_system_names_the_method_and_its_sources():
    system = default_system()
    assert system["version"] == "1.1"
    group = next(n for n in system["indicators"] if n["code"] == "satisfaction")
    halves = {c["code"]: c for c in group["children"]}
    assert halves["satisfaction.feedback"]["compute"] == "feedback"
    assert halves["satisfaction.survey"]["method"] == "survey"
    assert [Decimal(c["weight"]) for c in group["children"]] == [50, 50]
    from pathlib import Path

    documents = Path(__file__).parent.parent / "standards" / "documents"  # the seed documents, shipped
    for node in (group, *group["children"]):
        src = node["source"]
        text = (documents / src["file"]).read_text(encoding="utf-8")
        quoted = src["section"].split("：", 1)[-1].split("……")[0]
        assert quoted in text, (node["code"], quoted)


def test_a_new_mark_changes_the_fingerprint_and_a_rerun_says_so(db, scored):
    with db.session(actor="test") as s:
        run = runs.store_run(s, PROVINCE, parse_period("2018Q3"), default_system(),
                             runs.compute(s, PROVINCE, parse_period("2018Q3"), default_system()), "test")
        run_id = run.id
    with db.session() as s:
        assert runs.rerun(s, s.get(type(run), run_id))["same_inputs"] is True
        old = s.get(type(run), run_id)  # a run stored before the marks joined the fingerprint
        old.fingerprint = {k: v for k, v in old.fingerprint.items() if k != "feedback_marks"}
        s.flush()
        assert runs.rerun(s, old)["same_inputs"] is True
        s.rollback()
    with db.session(actor="test") as s:
        yi = s.scalar(select(m.AdminUnit).where(m.AdminUnit.key == YI))
        s.add(Feedback(unit=yi, useful=True, created_at=dt.datetime(2018, 8, 6, tzinfo=UTC)))
    with db.session() as s:
        again = runs.rerun(s, s.get(type(run), run_id))
        assert again["same_inputs"] is False
        assert any(c["unit"] == YI for c in again["changed"])  # 乙县's feedback is now 1 of 2


def test_feedback_is_a_computed_method_a_system_may_use_on_its_own():
    def one_leaf(compute):
        return {"code": "t-fb", "title": "测试", "version": "1", "indicators": [
            {"code": "satisfaction", "name": "公众满意度", "weight": "100", "method": "computed", "compute": compute}]}

    assert load_system(one_leaf("feedback"), "test")["indicators"][0]["compute"] == "feedback"
    with pytest.raises(SystemError):
        load_system(one_leaf("likes"), "test")


def test_a_hidden_comment_still_counts_its_mark(db, scored):
    from sqlalchemy import update

    with db.session(actor="test") as s:  # the unit hides every comment of 甲县's: the marks stay
        s.execute(update(Feedback).values(status="hidden", comment="不公开的意见"))
    with db.session() as s:
        again = {r["unit"]: r for r in runs.compute(s, PROVINCE, parse_period("2018Q3"), default_system())}
    assert again[JIA]["indicators"]["satisfaction.feedback"] == scored[JIA]["indicators"]["satisfaction.feedback"]
