"""Evaluation: a fixture scored by hand, one element filled, runs stored, re-run and compared."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from zwgk import models as m
from zwgk.evaluation import runs
from zwgk.evaluation.compute import parse_period
from zwgk.evaluation.systems import default_system

from .evaluation_fixture import JIA, PROVINCE, YI, build, third_party

# Worked by hand (2018Q3, default system: completeness 30, coverage 20, timeliness 20
# [publications 40, milestones 30, reports 30], adjustment 10, third party 10, satisfaction 10):
#
# 甲县  completeness 4 of 5 items complete                      = 80.00
#       coverage 义务教育 published in Q3, 社会救助 not: 1 of 2      = 50.00
#       timeliness: publications 1 of 2 on time = 50, milestones 1 of 2 = 50,
#                   reports 1 of 3 on time (07 late, 08 on time, 09 missing) = 33.33
#                   (40×50 + 30×50 + 30×100/3) / 100                  = 45.00
#       adjustment: items versioned in Q3                          = 100.00
#       third party: accepted 90                                    = 90.00
#       satisfaction: survey (75 + 50) / 2 (the October answer is outside) = 62.50; no public
#                     feedback → that half not applicable, the survey carries the group  = 62.50
#       total (30×80 + 20×50 + 20×45 + 10×100 + 10×90 + 10×62.5) / 100 = 68.25
# 乙县  completeness 1 of 2                                          = 50.00
#       coverage 1 of 1 (published in Q2, still before the end)    = 100.00
#       timeliness: nothing due → not applicable; third party only submitted → not applicable;
#       satisfaction: no responses → not applicable; adjustment: last touched in Q2 = 0.00
#       total (30×50 + 20×100 + 10×0) / (30 + 20 + 10) = 3500 / 60   = 58.33
EXPECTED = {
    JIA: {"completeness": "80.00", "coverage": "50.00", "timeliness": "45.00", "timeliness.publications": "50.00",
          "timeliness.milestones": "50.00", "timeliness.reports": "33.33", "adjustment": "100.00",
          "third_party": "90.00", "satisfaction": "62.50", "satisfaction.survey": "62.50",
          "satisfaction.feedback": None, "total": "68.25"},
    YI: {"completeness": "50.00", "coverage": "100.00", "timeliness": None, "timeliness.publications": None,
         "timeliness.milestones": None, "timeliness.reports": None, "adjustment": "0.00", "third_party": None,
         "satisfaction": None, "satisfaction.survey": None, "satisfaction.feedback": None, "total": "58.33"},
}


@pytest.fixture
def scenario(db):
    lacking = build(db)
    third_party(db)
    return lacking


def _compute(db):
    with db.session() as s:
        return {r["unit"]: r for r in runs.compute(s, PROVINCE, parse_period("2018Q3"), default_system())}


def test_every_indicator_and_the_total_match_the_hand_worked_scores(db, scenario):
    rows = _compute(db)
    assert set(rows) == {JIA, YI}
    for unit, expected in EXPECTED.items():
        got = {code: d["score"] for code, d in rows[unit]["indicators"].items()} | {"total": rows[unit]["total"]}
        assert got == expected, unit
    assert rows[JIA]["rank"] == 1 and rows[YI]["rank"] == 2
    # not applicable weights go to the siblings: 乙县's completeness carries 30/60 of the total
    assert rows[YI]["indicators"]["completeness"]["effective_weight"] == "50.00"
    assert rows[YI]["indicators"]["third_party"]["note"].startswith("没有已采纳的评估")


def test_reasons_say_in_words_what_pulled_the_score_down(db, scenario):
    rows = _compute(db)
    texts = [t for r in rows[JIA]["reasons"] for t in r["texts"]]
    assert "义务教育: 1 项缺少公开依据" in texts
    assert "1 个试点领域尚未公开目录：社会救助" in texts
    assert "节点“流程图公开”（2018-09-10 到期）未按期完成" in texts
    assert "2018-07、2018-09 进展报告未按期报送" in texts
    assert "1 条公开记录未按时公开：划片方案" in texts
    assert any("流程图未上墙" in t for t in texts)
    # ordered by the points they cost: the unpublished domain (20 × 50% = 10 points) first
    assert rows[JIA]["reasons"][0] == {"indicator": "领域覆盖", "lost": "10.00",
                                       "texts": ["1 个试点领域尚未公开目录：社会救助"],
                                       "texts_en": ["Pilot domains without a published catalog (1): 社会救助"]}
    yi = [t for r in rows[YI]["reasons"] for t in r["texts"]]
    assert "义务教育: 1 项缺少公开依据" in yi and "义务教育: 1 项缺少公开主体" in yi
    assert "2018Q3 期间目录未更新、未审查" in yi


def test_filling_one_element_raises_only_that_units_completeness_by_the_expected_amount(db, scenario):
    before = _compute(db)
    with db.session() as s:
        s.get(m.CatalogItem, scenario).basis = "《义务教育法》"
    after = _compute(db)
    # 甲县: 4 → 5 complete items of 5: completeness +20, total +30 × 20 / 100 = +6.00
    assert after[JIA]["indicators"]["completeness"]["score"] == "100.00"
    assert Decimal(after[JIA]["total"]) - Decimal(before[JIA]["total"]) == Decimal("6.00")
    for code, d in after[JIA]["indicators"].items():
        if code != "completeness":
            assert d["score"] == before[JIA]["indicators"][code]["score"], code
    assert after[YI] == before[YI]


def test_an_unaccepted_assessment_does_not_count(db):
    build(db)
    third_party(db, accept_jia=False)
    rows = _compute(db)
    assert rows[JIA]["indicators"]["third_party"]["score"] is None


def test_a_stored_run_reruns_to_the_same_numbers_and_compares(db, scenario):
    with db.session(actor="t") as s:
        system = default_system()
        rows = runs.compute(s, PROVINCE, parse_period("2018Q3"), system)
        run = runs.store_run(s, PROVINCE, parse_period("2018Q3"), system, rows, "t")
        run_id = run.id
    with db.session() as s:
        run = runs.get_run(s, run_id)
        assert run.system_version == "1.1" and run.fingerprint["items"] == 7
        again = runs.rerun(s, run)
        assert again["same"] and again["same_inputs"]
        s.get(m.CatalogItem, scenario).basis = "《义务教育法》"
    with db.session(actor="t") as s:
        changed = runs.rerun(s, runs.get_run(s, run_id))
        assert not changed["same_inputs"] and not changed["same"]
        rows = runs.compute(s, PROVINCE, parse_period("2018Q3"), system)
        second = runs.store_run(s, PROVINCE, parse_period("2018Q3"), system, rows, "t")
        diff = runs.compare(s, runs.get_run(s, run_id), second)
        assert [c["unit"] for c in diff["changed"]] == [JIA]
        assert diff["changed"][0]["delta"] == "6.00"
        assert diff["changed"][0]["indicators"] == {"completeness": {"name": "目录完整性", "from": "80.00",
                                                                     "to": "100.00"}}
        history = runs.unit_history(s, JIA)
        assert [(h["period"], h["total"]) for h in history] == [("2018Q3", "74.25")]


def test_periods():
    p = parse_period("2018q3")
    assert (p.label, str(p.start), str(p.end)) == ("2018Q3", "2018-07-01", "2018-09-30")
    assert parse_period("2018-07").end.isoformat() == "2018-07-31"
    assert parse_period("2018H2").start.isoformat() == "2018-07-01"
    with pytest.raises(ValueError, match="2018Q3"):
        parse_period("2018Q5")


# --------------------------------------------------------------------------
# zwgk evaluate, and the reports
# --------------------------------------------------------------------------


@pytest.fixture
def eval_app(make_app, loaded_db_url):
    app = make_app(loaded_db_url)
    build(app.extensions["zwgk.db"])
    third_party(app.extensions["zwgk.db"])
    return app


def test_cli_evaluate_json_stores_a_run_that_reruns_the_same(eval_app, run_cli, tmp_path):
    import json

    out = tmp_path / "r.json"
    result = run_cli(eval_app, "evaluate", "--region", PROVINCE, "--period", "2018Q3", "--format", "json",
                     "-o", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [(r["unit"], r["total"], r["rank"]) for r in data["results"]] == [(JIA, "68.25", 1), (YI, "58.33", 2)]
    assert data["run"]["period"] == "2018Q3" and data["run"]["inputs_until"].startswith("2018-10-01 00:00")
    text = run_cli(eval_app, "evaluate", "--region", "测试省", "--period", "2018-Q3")
    assert "68.25" in text.output and "领域覆盖 −10.00：1 个试点领域尚未公开目录：社会救助" in text.output
    again = run_cli(eval_app, "evaluation", "rerun", str(data["run"]["id"]))
    assert again.exit_code == 0 and "结果一致 same numbers" in again.output
    compare = run_cli(eval_app, "evaluation", "compare", "1", "2")
    assert "结果一致" in compare.output
    bad = run_cli(eval_app, "evaluate", "--region", PROVINCE, "--period", "2018Q9")
    assert bad.exit_code == 1 and "2018Q3" in bad.output


def test_xlsx_has_one_sheet_per_indicator_with_the_same_numbers(eval_app, run_cli, tmp_path):
    import json

    from openpyxl import load_workbook

    run_cli(eval_app, "evaluate", "--region", PROVINCE, "--period", "2018Q3", "--format", "json",
            "-o", str(tmp_path / "r.json"))
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    result = run_cli(eval_app, "evaluation", "show", str(data["run"]["id"]), "--format", "xlsx",
                     "-o", str(tmp_path / "r.xlsx"))
    assert result.exit_code == 0, result.output
    wb = load_workbook(tmp_path / "r.xlsx", read_only=True)
    codes = [i["code"] for i in data["indicators"]]
    assert wb.sheetnames[0] == "总分排名" and wb.sheetnames[-1] == "说明"
    assert len(wb.sheetnames) == len(codes) + 2
    ranking = list(wb["总分排名"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], f"{r[3]:.2f}") for r in ranking] == [(x["rank"], x["unit"], x["total"])
                                                               for x in data["results"]]
    for sheet_name, code in zip(wb.sheetnames[1:-1], codes):
        ws = wb[sheet_name]
        assert code in ws.cell(1, 1).value
        got = {r[2]: (None if r[3] is None else f"{r[3]:.2f}") for r in ws.iter_rows(min_row=3, values_only=True)}
        assert got == {x["unit"]: x["indicators"][code]["score"] for x in data["results"]}, code
    completeness = wb[wb.sheetnames[1]]
    jia = next(r for r in completeness.iter_rows(min_row=3, values_only=True) if r[2] == JIA)
    assert (jia[4], jia[5]) == (4, 5) and "义务教育: 1 项缺少公开依据" in jia[9]


def test_html_report_is_self_contained_and_prints_on_a4(eval_app, run_cli, tmp_path):
    out = tmp_path / "r.html"
    assert run_cli(eval_app, "evaluate", "--region", PROVINCE, "--period", "2018Q3", "--format", "html",
                   "-o", str(out)).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "size: A4" in html and html.count("<svg") >= 4
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html and "<script" not in html
    assert "义务教育: 1 项缺少公开依据" in html and "68.25" in html


def test_shandong_report_states_the_4_percent_weight_of_disclosure(make_app, regions_db_url, run_cli, tmp_path):
    """鲁政办发〔2018〕21号 八、（二）: disclosure weighs at least 4% in the comprehensive assessment."""
    from zwgk import models as m

    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")
    with app.extensions["zwgk.db"].session() as s:
        unit = m.AdminUnit(name="测试县", level="county", key="山东省/测试县", origin="test", is_pilot=True,
                           parent=s.scalar(select(m.AdminUnit).where(m.AdminUnit.key == "山东省")))
        s.add(unit)
    out = tmp_path / "sd.html"
    result = run_cli(app, "evaluate", "--region", "shandong", "--period", "2018Q3", "--format", "html", "-o", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "分值不低于 4.00%" in html and "001_38f7583137ba7a7e.txt" in html


def test_the_full_scan_form_of_the_completeness_query_gives_the_same_figures(db, scenario, monkeypatch):
    from zwgk.evaluation import compute

    normal = _compute(db)
    monkeypatch.setattr(compute, "FULL_SCAN_UNITS", 1)
    assert _compute(db) == normal


def test_migration_0015_goes_down_and_up_again(empty_db_url):
    from alembic import command
    from sqlalchemy import inspect

    from zwgk.db import Database

    db = Database(empty_db_url)
    db.upgrade()
    assert "evaluation_run" in inspect(db.engine).get_table_names()
    command.downgrade(db.alembic_config(), "0005")
    assert "evaluation_run" not in inspect(db.engine).get_table_names()
    db.upgrade()
    assert db.drift() == []
    db.dispose()
