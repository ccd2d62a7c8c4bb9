"""满意度测评: questionnaires, responses entered or imported (all rows or none), averaged per unit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from zwgk.evaluation import models as em
from zwgk.evaluation import survey
from zwgk.evaluation.compute import Inputs, parse_period, units_in_scope

from .evaluation_fixture import JIA, PROVINCE, YI, build


def _qn(s):
    return s.scalar(select(em.Questionnaire).where(em.Questionnaire.code == "sat-2018"))


def test_csv_import_is_all_or_nothing_and_names_row_and_field(db, tmp_path):
    build(db)
    bad = tmp_path / "bad.csv"
    bad.write_text("unit,answered_on,q1,q2\n"
                   f"{JIA},2018-08-01,5,5\n"
                   f"{YI},2018-08-32,4,4\n"
                   f"测试省/丙县,2018-08-01,4,4\n"
                   f"{YI},2018-08-01,6,\n", encoding="utf-8")
    with db.session() as s:
        before = s.scalar(select(func.count()).select_from(em.SurveyResponse))
        with pytest.raises(survey.SurveyError) as err:
            survey.import_csv(s, _qn(s), bad)
        text = str(err.value)
        assert "第3行 row 3" in text and "answered_on" in text
        assert "第4行 row 4" in text and "找不到单位" in text
        assert "第5行 row 5" in text and "q2" not in text.split("第5行")[1].split("\n")[0] and "1–5" in text
        s.rollback()
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(em.SurveyResponse)) == before  # nothing written


def test_imported_responses_are_averaged_per_unit_by_the_database(db, tmp_path):
    build(db)
    good = tmp_path / "good.csv"
    # GB18030, as spreadsheets in China save it
    good.write_bytes(("unit,answered_on,q1,q2\n"
                      f"{YI},2018-08-01,5,5\n"
                      f"{YI},2018-08-02,2,\n").encode("gb18030"))
    with db.session() as s:
        assert survey.import_csv(s, _qn(s), good) == 2
    with db.session() as s:
        units = units_in_scope(s, PROVINCE)
        figures = Inputs(s, units, parse_period("2018Q3")).survey(None)
        by_key = {u.key: figures[u.id] for u in units}
        # 乙县: (100 + 25) / 2; 甲县: (75 + 50) / 2 — the October answer is outside the period
        assert by_key[YI].score == Decimal("62.5") and by_key[JIA].score == Decimal("62.5")
        assert by_key[YI].denominator == 2


def test_a_scope_limits_the_units_an_import_may_name(db, tmp_path):
    build(db)
    path = tmp_path / "r.csv"
    path.write_text(f"unit,answered_on,q1\n{YI},2018-08-01,5\n", encoding="utf-8")
    with db.session() as s:
        with pytest.raises(survey.SurveyError, match="不在您的范围内"):
            survey.import_csv(s, _qn(s), path, allowed=lambda key: key == JIA)


def test_questionnaire_and_answers_are_checked(db):
    build(db)
    with db.session() as s:
        with pytest.raises(survey.SurveyError, match="scale"):
            survey.define(s, "x", "问卷", [{"code": "q1", "text": "满意吗", "scale": 1}])
        with pytest.raises(survey.SurveyError, match="没有作答"):
            survey.add_response(s, _qn(s), JIA, dt.date(2018, 8, 1), {"q1": None, "q2": ""})
        r = survey.add_response(s, _qn(s), JIA, dt.date(2018, 8, 1), {"q1": 5, "q2": 1})
        assert r.score == Decimal("50.00")


def test_cli_defines_a_questionnaire_and_imports_answers(make_app, loaded_db_url, run_cli, tmp_path):
    app = make_app(loaded_db_url)
    build(app.extensions["zwgk.db"])
    ok = run_cli(app, "evaluation", "questionnaire", "sat-cli", "--title", "满意度", "--scope", PROVINCE,
                 "--question", "q1|对公开内容是否满意|5", "--question", "q2|对办事指南是否满意")
    assert ok.exit_code == 0, ok.output
    bad = run_cli(app, "evaluation", "questionnaire", "sat-bad", "--title", "x", "--question", "q1|满意吗|one")
    assert bad.exit_code == 1 and "scale" in bad.output
    path = tmp_path / "a.csv"
    path.write_text(f"unit,answered_on,q1,q2\n{JIA},2018-08-01,5,4\n", encoding="utf-8")
    assert "导入 1 份答卷" in run_cli(app, "evaluation", "survey-import", str(path), "--questionnaire",
                                    "sat-cli").output
    wrong = tmp_path / "b.csv"
    wrong.write_text(f"unit,answered_on,q1,q3\n{JIA},2018-08-01,5,4\n", encoding="utf-8")
    out = run_cli(app, "evaluation", "survey-import", str(wrong), "--questionnaire", "sat-cli")
    assert out.exit_code == 1 and "q3" in out.output and "未导入任何内容" in out.output
