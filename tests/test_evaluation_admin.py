"""Evaluation in the admin and on the public site: runs, 通报, third-party assessment by role and scope."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from zwgk import accounts
from zwgk.evaluation import assessment
from zwgk.evaluation import models as em

from .admin_helpers import csrf, login, one_hash_per_password
from .evaluation_fixture import JIA, PROVINCE, YI, Actor, build, third_party


@pytest.fixture
def eapp(make_app, loaded_db_url):
    app = make_app(loaded_db_url)
    db = app.extensions["zwgk.db"]
    build(db)
    with db.session() as s, one_hash_per_password():
        accounts.create_user(s, "bj_admin", "correct-horse-42", "region_admin", "北京市")
        accounts.create_user(s, "assessor2", "correct-horse-42", "assessor", PROVINCE)
    return app


def _run(client):
    """Start an evaluation in the admin; it runs beside the request: wait for it, then follow the page."""
    from zwgk.evaluation.jobs import jobs_of

    token = csrf(client, "/admin/evaluation_runs/")
    started = client.post("/admin/evaluation_runs/new", data={"csrf_token": token, "region": PROVINCE,
                                                               "period": "2018Q3"})
    assert started.status_code == 302 and "/admin/evaluation_runs/job/" in started.headers["Location"]
    job_id = started.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    jobs_of(client.application).wait(job_id)
    return client.get(started.headers["Location"], follow_redirects=True)


def test_region_admin_runs_reads_downloads_and_publishes(eapp):
    third_party(eapp.extensions["zwgk.db"])
    c = eapp.test_client()
    login(c, "prov_admin")
    page = _run(c).get_data(as_text=True)
    assert "68.25" in page and "58.33" in page and "义务教育: 1 项缺少公开依据" in page
    run_id = eapp.extensions["zwgk.db"].scoped().scalar(select(em.EvaluationRun.id))
    xlsx = c.get(f"/admin/evaluation_runs/run/{run_id}/download/xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert "<svg" in c.get(f"/admin/evaluation_runs/run/{run_id}/download/html").get_data(as_text=True)
    unit = c.get("/admin/evaluation_runs/unit", query_string={"unit": JIA}).get_data(as_text=True)
    assert "2018Q3" in unit and "68.25" in unit and "<svg" in unit
    # re-run: the same numbers
    token = csrf(c, f"/admin/evaluation_runs/run/{run_id}")
    again = c.post(f"/admin/evaluation_runs/run/{run_id}/rerun", data={"csrf_token": token}, follow_redirects=True)
    assert "重算结果一致" in again.get_data(as_text=True)
    # not public until published (通报)
    public = eapp.test_client()
    assert public.get(f"/evaluation/{run_id}").status_code == 404
    assert f"/evaluation/{run_id}" not in public.get("/evaluation").get_data(as_text=True)  # no link to it
    c.post(f"/admin/evaluation_runs/run/{run_id}/publish", data={"csrf_token": token})
    shown = public.get(f"/evaluation/{run_id}").get_data(as_text=True)
    assert "结果通报" in shown and "68.25" in shown and "流程图未上墙" in shown
    # 乙县's assessment was submitted, never accepted: its score and comment are not public
    assert "目录不全" not in shown and "60.00" not in shown


def test_other_regions_do_not_see_a_run(eapp):
    c = eapp.test_client()
    login(c, "prov_admin")
    _run(c)
    run_id = eapp.extensions["zwgk.db"].scoped().scalar(select(em.EvaluationRun.id))
    other = eapp.test_client()
    login(other, "bj_admin")
    assert other.get(f"/admin/evaluation_runs/run/{run_id}").status_code == 404
    assert other.get(f"/admin/evaluation_runs/run/{run_id}/download/json").status_code == 404
    assert f"#{run_id}" not in other.get("/admin/evaluation_runs/").get_data(as_text=True)
    token = csrf(other, "/admin/evaluation_runs/")
    assert other.post("/admin/evaluation_runs/new", data={"csrf_token": token, "region": PROVINCE,
                                                           "period": "2018Q3"}).status_code == 404


def test_a_running_evaluation_shows_a_refreshing_page_and_belongs_to_its_user(eapp, monkeypatch):
    import threading

    from zwgk.evaluation import jobs as jobs_mod
    from zwgk.evaluation.jobs import jobs_of

    gate = threading.Event()
    real = jobs_mod.EvaluationJobs._work

    def slow(self, app, job, period, system):
        gate.wait(30)
        real(self, app, job, period, system)

    monkeypatch.setattr(jobs_mod.EvaluationJobs, "_work", slow)
    try:
        c = eapp.test_client()
        login(c, "prov_admin")
        token = csrf(c, "/admin/evaluation_runs/")
        started = c.post("/admin/evaluation_runs/new", data={"csrf_token": token, "region": PROVINCE,
                                                              "period": "2018Q3"})
        page = c.get(started.headers["Location"]).get_data(as_text=True)
        assert 'http-equiv="refresh"' in page and "正在评估" in page
        again = c.post("/admin/evaluation_runs/new", data={"csrf_token": token, "region": PROVINCE,
                                                            "period": "2018Q3"}, follow_redirects=True)
        assert "已有一个评估正在进行" in again.get_data(as_text=True)
        other = eapp.test_client()
        login(other, "bj_admin")
        assert other.get(started.headers["Location"]).status_code == 404
    finally:
        gate.set()
    jobs_of(eapp).wait(started.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    done = c.get(started.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "已完成评估" in done and "58.33" in done


def _engage(app, units=(JIA,)):
    with app.extensions["zwgk.db"].session() as s:
        assessment.engage(s, Actor("prov_admin", "region_admin", PROVINCE), PROVINCE, "assessor1", "某评估中心（测试）",
                          "2018Q3", list(units))


def _score(client, unit, value="85", files=()):
    token = csrf(client, "/admin/assessments/")
    data = {"csrf_token": token, "unit": unit, "period": "2018Q3", "indicator": "third_party",
            "value": value, "comment": "公开栏未及时更新", "assessor_name": "李评估"}
    if files:
        data["evidence"] = [(io.BytesIO(body), name) for name, body in files]
    return client.post("/admin/assessments/score", data=data, content_type="multipart/form-data",
                       follow_redirects=True)


def test_an_assessor_scores_only_inside_its_engagement_and_the_region_decides(eapp):
    _engage(eapp)
    firm = eapp.test_client()
    login(firm, "assessor1")
    assert firm.get("/admin/catalog_item/").status_code == 403  # an assessor reads no catalog
    assert firm.get("/admin/evaluation_runs/").status_code == 403
    page = firm.get("/admin/assessments/").get_data(as_text=True)
    assert JIA in page and YI not in page
    refused = _score(firm, YI).get_data(as_text=True)
    assert "不在本机构的委托范围内" in refused
    db = eapp.extensions["zwgk.db"]
    assert db.scoped().scalar(select(em.AssessmentScore.id)) is None
    other_firm = eapp.test_client()
    login(other_firm, "assessor2")
    assert "不在本机构的委托范围内" in _score(other_firm, JIA).get_data(as_text=True)
    ok = _score(firm, JIA, files=[("现场照片.jpg", b"\xff\xd8photo"), ("记录.pdf", b"%PDF-1.4")])
    assert "已保存评分" in ok.get_data(as_text=True)
    with db.session() as s:
        score = s.scalar(select(em.AssessmentScore))
        assert (str(score.value), score.assessor_name, sorted(e.filename for e in score.evidence)) == \
            ("85.00", "李评估", ["现场照片.jpg", "记录.pdf"])
        evidence_id = score.evidence[0].id
        aid = str(s.scalar(select(em.Assessment.id)))
    assert firm.get(f"/admin/assessments/evidence/{evidence_id}").status_code == 200
    assert other_firm.get(f"/admin/assessments/evidence/{evidence_id}").status_code == 404
    # out of range is refused with the reason
    assert "0–100" in _score(firm, JIA, value="120").get_data(as_text=True)
    token = csrf(firm, "/admin/assessments/")
    firm.post("/admin/assessments/submit", data={"csrf_token": token, "unit": JIA, "period": "2018Q3"})
    # the region's administrator returns it (a reason is needed), then the assessor resubmits, then accepted
    admin = eapp.test_client()
    login(admin, "prov_admin")
    token = csrf(admin, "/admin/assessments/")
    assert "请说明理由" in admin.post("/admin/assessments/decide", data={"csrf_token": token, "id": aid,
                                                                     "decision": "return"},
                                      follow_redirects=True).get_data(as_text=True)
    admin.post("/admin/assessments/decide", data={"csrf_token": token, "id": aid, "decision": "return",
                                                  "note": "请补充照片"})
    db.scoped.remove()
    assert db.scoped().scalar(select(em.Assessment.status)) == "returned"
    assert "请补充照片" in firm.get("/admin/assessments/").get_data(as_text=True)
    token = csrf(firm, "/admin/assessments/")
    firm.post("/admin/assessments/submit", data={"csrf_token": token, "unit": JIA, "period": "2018Q3"})
    outsider = eapp.test_client()
    login(outsider, "bj_admin")
    token_o = csrf(outsider, "/admin/assessments/")
    assert outsider.post("/admin/assessments/decide", data={"csrf_token": token_o, "id": aid,
                                                            "decision": "accept"}).status_code == 404
    token = csrf(admin, "/admin/assessments/")
    accepted = admin.post("/admin/assessments/decide", data={"csrf_token": token, "id": aid, "decision": "accept"},
                          follow_redirects=True)
    assert "已采纳" in accepted.get_data(as_text=True), accepted.get_data(as_text=True)[-3000:]
    db.scoped.remove()
    assert db.scoped().scalar(select(em.Assessment.status)) == "accepted"
    page = _run(admin).get_data(as_text=True)
    assert "公开栏未及时更新" in page


def test_assessment_rules_without_the_web(eapp):
    db = eapp.extensions["zwgk.db"]
    _engage(eapp)
    firm = Actor("assessor1", "assessor", PROVINCE)
    with db.session() as s:
        with pytest.raises(assessment.AssessmentError, match="委托范围"):
            assessment.score(s, firm, JIA, "2018Q4", "third_party", 80, None, "王")  # another period
        with pytest.raises(assessment.AssessmentError, match="只有评估机构账号"):
            assessment.score(s, Actor("prov_admin", "region_admin", PROVINCE), JIA, "2018Q3", "third_party", 80,
                             None, "王")
        with pytest.raises(assessment.AssessmentError, match="不是评估机构评分的指标"):
            from zwgk.evaluation.systems import default_system

            assessment.score(s, firm, JIA, "2018Q3", "completeness", 80, None, "王", system=default_system())
        with pytest.raises(assessment.AssessmentError, match="无权委托"):
            assessment.engage(s, Actor("bj_admin", "region_admin", "北京市"), PROVINCE, "assessor1", "x", "2018Q3",
                              [JIA])


def test_a_region_admin_is_offered_and_may_engage_only_assessor_accounts_of_its_region(eapp):
    db = eapp.extensions["zwgk.db"]
    with db.session() as s:
        accounts.create_user(s, "bj_firm", "correct-horse-42", "assessor", "北京市")
    bj = eapp.test_client()
    login(bj, "bj_admin")
    page = bj.get("/admin/assessments/").get_data(as_text=True)
    assert '<option value="bj_firm">' in page
    assert '<option value="assessor1">' not in page and '<option value="assessor2">' not in page
    with db.session() as s:
        with pytest.raises(assessment.AssessmentError, match="不是本地区的评估机构账号"):
            assessment.engage(s, Actor("prov_admin", "region_admin", PROVINCE), PROVINCE, "bj_firm", "x", "2018Q3",
                              [JIA])
        # a system administrator engages any assessor account
        assessment.engage(s, Actor("sys", "system_admin", None), PROVINCE, "bj_firm", "x", "2018Q3", [JIA])


def test_an_assessor_sees_no_other_admin_page(eapp):
    _engage(eapp)
    firm = eapp.test_client()
    login(firm, "assessor1")
    landing = firm.get("/admin/")
    assert landing.status_code == 302 and landing.headers["Location"].endswith("/admin/assessments/")
    for url in ("/admin/structure/", "/admin/timeline/", "/admin/catalog_diff/", "/admin/catalog_import/",
                "/admin/surveys/", "/admin/change/", "/admin/indicator/"):
        assert firm.get(url).status_code == 403, url
    menu = firm.get("/admin/assessments/").get_data(as_text=True)
    assert "/admin/structure/" not in menu and "/admin/catalog_item/" not in menu


def test_evaluation_pages_speak_chinese_first_and_english_on_request(eapp):
    c = eapp.test_client()
    login(c, "prov_admin")
    zh = c.get("/admin/evaluation_runs/").get_data(as_text=True)
    assert "考核评估结果" in zh and "开始评估" in zh and "第三方评估" in zh and "满意度测评" in zh
    c.get("/lang/en")
    en = c.get("/admin/evaluation_runs/").get_data(as_text=True)
    assert "Evaluation runs" in en and "Evaluate" in en and "Satisfaction surveys" in en
