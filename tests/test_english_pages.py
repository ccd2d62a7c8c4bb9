"""The pages and messages that spoke Chinese only (or a mix) now follow the interface's language:
admin refusals and confirmations, the evaluation run page and its report, the disclosure
flowchart, the topic page's time limit, the deadline counting's holidays, and the feedback list
and form's layout (docs/i18n.md)."""

from __future__ import annotations

import copy
import datetime as dt
import re

import pytest
from sqlalchemy import select, update

from zwgk import models as m

from .admin_helpers import DX, csrf, login, publish, seed
from .test_admin_words import data_corpus, foreign_words, page_text

CJK = re.compile(r"[\u4e00-\u9fff]+")


@pytest.fixture
def app(make_app, regions_db_url):
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_LOGIN_RATE="1000 per minute",
                   ZWGK_FEEDBACK_RATE="1000 per minute")
    app.ids = seed(app)
    return app


def _unit_id(app, key):
    with app.extensions["zwgk.db"].session() as session:
        return session.scalar(select(m.AdminUnit.id).where(m.AdminUnit.key == key))


def _errors(body: str) -> str:
    """The form's refusal (Flask-Admin flashes it) as text."""
    return " ".join(re.findall(r'class="alert[^"]*"[^>]*>(.*?)</div>', body, re.S))


# --------------------------------------------------------------------------
# Admin refusals and confirmations
# --------------------------------------------------------------------------


def test_participation_refusals_follow_the_language(app):
    client = app.test_client()
    login(client, "dx_admin")
    url = "/admin/participation_setting/new/"
    for code, wanted, unwanted in (("en", "Days contact details are kept: between 1 and 3650.", "保存天数"),
                                   ("zh_Hans_CN", "保存天数: 须在 1 到 3650 之间", "between 1 and 3650")):
        client.get(f"/lang/{code}")
        body = client.post(url, data={"unit": str(_unit_id(app, DX)), "contact_retention_days": "0",
                                      "change_reason": "", "csrf_token": csrf(client, url)}).get_data(as_text=True)
        assert wanted in body and unwanted not in body, code
    plain = publish(app, DX, level1="招生入学")
    url = "/admin/interpretation/new/"
    for code, wanted in (("en", "Catalog item: only a policy document can be interpreted"),
                         ("zh_Hans_CN", "事项: 只能解读政策文件")):
        client.get(f"/lang/{code}")
        body = client.post(url, data={"item": str(plain), "document_title": "关于某事项的通知（测试）",
                                      "document_published_on": "2025-04-24", "kind": "text", "title": "解读",
                                      "body": "正文", "video_url": "", "published_on": "2025-04-25",
                                      "change_reason": "", "csrf_token": csrf(client, url)},
                           content_type="multipart/form-data").get_data(as_text=True)
        assert wanted in body, code
        assert not CJK.search(_errors(body)) if code == "en" else "only a policy" not in body


def test_a_request_step_without_its_date_is_refused_in_the_pages_language(app):
    from zwgk.foi import service

    with app.extensions["zwgk.db"].session(actor="clerk") as session:
        req, _ = service.register(session, unit=DX, channel="online", description="道县义务教育招生范围",
                                  actor="clerk", applicant_name="张三", applicant_contact="13800000000",
                                  submitted_at=dt.datetime(2025, 9, 12, 2, tzinfo=dt.timezone.utc))
        rid = req.id
    client = app.test_client()
    login(client, "dx_admin")
    url = f"/admin/foi_requests/{rid}"
    for code, refused, saved in (("en", "Date: required (YYYY-MM-DD).", "Saved: Receipt confirmed"),
                                 ("zh_Hans_CN", "日期：必填（YYYY-MM-DD）", "已保存：")):
        client.get(f"/lang/{code}")
        token = re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True))[-1]
        body = client.post(url + "/act", data={"action": "confirm", "on": "", "csrf_token": token},
                           follow_redirects=True).get_data(as_text=True)
        assert refused in body, code
        assert ("必填" not in body) if code == "en" else ("required" not in body)
    token = re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True))[-1]
    body = client.post(url + "/act", data={"action": "confirm", "on": "2025-09-12", "csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "已保存：收到申请" in page_text(body) or "已保存：" in _errors(body), _errors(body)
    assert "confirm" not in _errors(body)  # the step by its name, not the form's code


# --------------------------------------------------------------------------
# Feedback: the admin list fits, the public form is a column
# --------------------------------------------------------------------------


LONG = "这个事项的公开内容很详细，但是希望能够补充办理流程图和联系电话，方便群众查询办理进度。" * 3


def test_the_feedback_list_cuts_long_texts_and_keeps_them_whole_on_hover_and_in_the_export(app):
    from zwgk.participation import service as svc

    with app.extensions["zwgk.db"].session(actor="test") as session:
        unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == DX))
        fb = svc.leave_feedback(session, unit, None, True, LONG, "王先生", "wang@example.com")
        fb.answer, fb.answer_public = "感谢您的意见。" * 20, False
        fb.answered_at = dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc)
    client = app.test_client()
    login(client, "dx_admin")
    client.get("/lang/en")
    body = client.get("/admin/feedback/").get_data(as_text=True)
    head = re.search(r"<thead>(.*?)</thead>", body, re.S).group(1)
    headers = [page_text(h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)]
    assert "Answered at" not in headers and "Answer in public" not in headers and "Name (private)" not in headers
    assert len([h for h in headers if h]) <= 9
    assert f'title="{LONG}"' in body and LONG not in page_text(body)  # the whole comment on hover only
    assert LONG[:40] + "…" in page_text(body)
    assert "王先生 · wang@example.com" in page_text(body) and "to the commenter only" in page_text(body)
    export = client.get("/admin/feedback/export/csv/").get_data(as_text=True)
    assert LONG in export and "Answered at" in export and "Name (private)" in export
    client.get("/lang/zh_Hans_CN")
    assert "仅答复留言人" in page_text(client.get("/admin/feedback/").get_data(as_text=True))


def test_the_feedback_form_is_a_column_of_labelled_fields(app):
    publish(app, DX, level1="招生入学")
    body = app.test_client().get(f"/feedback/{DX}").get_data(as_text=True)
    assert "#feedback-form { display: block" in body  # not the search forms' row of the base style
    assert body.count('<label class="choice">') == 2 and '<p class="send">' in body


# --------------------------------------------------------------------------
# The flowchart, the topic page, the deadline counting
# --------------------------------------------------------------------------


def test_the_flowchart_picture_speaks_the_pages_language(app):
    client = app.test_client()
    chinese = client.get("/topic/山东省/flowchart.svg").get_data(as_text=True)
    assert "保密审查" in chinese and "依申请公开" in chinese and "Confidentiality" not in chinese
    client.get("/lang/en")
    english = client.get("/topic/山东省/flowchart.svg").get_data(as_text=True)
    words = {w for w in CJK.findall(re.sub(r"<[^>]+>", " ", english))}
    assert words == {"山东省"}, words  # the region's name is data
    for text in ("山东省: disclosure flowchart", "Confidentiality review", "within 3 working days", "Receive",
                 "Reply", "Failed the confidentiality review: back to draft", "On request"):
        assert text in english, text
    daoxian = client.get(f"/topic/{DX}/flowchart.svg").get_data(as_text=True)
    assert "Leader&#39;s sign-off" in daoxian or "Leader's sign-off" in daoxian


def test_the_topic_page_says_the_interpretation_time_limit_in_english_too(app):
    client = app.test_client()
    client.get("/lang/en")
    page = page_text(client.get("/topic/山东省").get_data(as_text=True))
    assert "Time limit for interpretations:" in page and "(within 3 working days)" in page
    client.get("/lang/zh_Hans_CN")
    assert "within 3 working days" not in client.get("/topic/山东省").get_data(as_text=True)


def test_the_timeline_without_schedules_says_so_in_the_pages_language(app):
    from zwgk.admin.charts import timeline

    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "en"
        english = str(timeline([], dt.date(2026, 1, 1)))
    with app.test_request_context("/"):
        chinese = str(timeline([], dt.date(2026, 1, 1)))
    assert "没有进度安排" in chinese and "schedule" not in chinese
    assert "No schedule." in english and not CJK.search(english)


def test_the_deadline_counting_names_holidays_in_english():
    from zwgk.workcalendar import WorkCalendar, holiday_name_en

    cal = WorkCalendar({dt.date(2025, 10, 1): (False, "国庆节"), dt.date(2025, 10, 11): (True, "国庆节调休上班"),
                        dt.date(2025, 10, 13): (False, "县庆")}, {2025})
    for day in (dt.date(2025, 10, 1), dt.date(2025, 10, 11), dt.date(2025, 10, 13)):
        cal.is_workday(day)
    assert cal.used_en == ["2025-10-01 Wednesday: a holiday (National Day)",
                           "2025-10-11 Saturday: a make-up working day (National Day)",
                           "2025-10-13 Monday: a holiday (县庆)"]  # a name an administrator entered stays
    assert cal.used[0] == "2025-10-01 星期三 放假（国庆节）"
    assert holiday_name_en("春节调休上班") == "Spring Festival"


# --------------------------------------------------------------------------
# Evaluation: the run page, the report, a run stored before the English names
# --------------------------------------------------------------------------


@pytest.fixture
def eapp(make_app, loaded_db_url):
    from .evaluation_fixture import build, third_party

    app = make_app(loaded_db_url)
    build(app.extensions["zwgk.db"])
    third_party(app.extensions["zwgk.db"])
    return app


CHINESE_WORDS = ("目录完整性", "领域覆盖", "公开及时性", "各指标平均得分", "各期平均总分", "总分排名", "不适用", "扣分原因",
                 "项缺少", "指标体系")


def test_the_evaluation_run_page_and_report_speak_english(eapp):
    from zwgk.evaluation import models as em

    from .test_evaluation_admin import _run

    client = eapp.test_client()
    login(client, "prov_admin")
    client.get("/lang/en")
    page = _run(client).get_data(as_text=True)
    for text in ("Catalog completeness", "Domain coverage", "Average score per indicator", "Ranking by total",
                 "items lacking “Basis”: 1", "Evaluation #"):
        assert text in page, text
    assert not [w for w in CHINESE_WORDS if w in page], [w for w in CHINESE_WORDS if w in page]
    run_id = eapp.extensions["zwgk.db"].scoped().scalar(select(em.EvaluationRun.id))
    from .evaluation_fixture import JIA

    unit = client.get("/admin/evaluation_runs/unit", query_string={"unit": JIA}).get_data(as_text=True)
    assert "Catalog completeness 80.00" in unit and "目录完整性" not in unit and "completeness 80.00" not in \
        unit.replace("Catalog completeness 80.00", "")  # by name, not by code
    report = client.get(f"/admin/evaluation_runs/run/{run_id}/download/html").get_data(as_text=True)
    assert '<html lang="en">' in report and "1. Indicator system" in report and "Why points were lost" in report
    corpus = data_corpus(eapp)
    assert foreign_words(page_text(report), "en", corpus) == set()
    svg = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", report))
    assert not [w for w in CHINESE_WORDS if w in svg] and "Average score per indicator" in svg
    # published: the public report in English, with the way back to Chinese
    token = csrf(client, f"/admin/evaluation_runs/run/{run_id}")
    client.post(f"/admin/evaluation_runs/run/{run_id}/publish", data={"csrf_token": token})
    public = eapp.test_client()
    public.get("/lang/en")
    shown = public.get(f"/evaluation/{run_id}").get_data(as_text=True)
    assert "announced results of the grassroots disclosure evaluation" in shown and 'lang="zh-CN">中文</a>' in shown
    assert foreign_words(page_text(shown), "en", corpus) == set()
    assert "Evaluation indicator system for standardized" in public.get("/evaluation").get_data(as_text=True)
    # Chinese: as before
    client.get("/lang/zh_Hans_CN")
    chinese = client.get(f"/admin/evaluation_runs/run/{run_id}/download/html").get_data(as_text=True)
    assert "目录完整性 80.00" in client.get("/admin/evaluation_runs/unit", query_string={"unit": JIA}).get_data(
        as_text=True)
    assert "一、指标体系" in chinese and "目录完整性" in chinese and "义务教育: 1 项缺少公开依据" in chinese
    assert "Indicator system" not in chinese and "Catalog completeness" not in chinese
    assert "不适用：" in chinese and not re.search(r"不适用：[^<]*[A-Za-z]{3}", chinese)  # notes in one language
    assert not re.search(r'class="na">n/a: [^<]*[\u4e00-\u9fff]', report)


def test_a_run_stored_before_the_english_names_takes_them_from_the_default_system(eapp):
    from zwgk.evaluation import models as em
    from zwgk.evaluation.systems import in_language, walk

    from .test_evaluation_admin import _run

    client = eapp.test_client()
    login(client, "prov_admin")
    _run(client)
    db = eapp.extensions["zwgk.db"]
    with db.session() as session:
        run = session.scalars(select(em.EvaluationRun)).one()
        old = dict(run.system)
        for n, _ in walk(old["indicators"]):
            n.pop("name_en", None)
            n.pop("description_en", None)
        old["indicators"][0]["name"] = "本地区自定的指标"  # a name the default system does not have
        session.execute(update(em.EvaluationRun).where(em.EvaluationRun.id == run.id).values(system=old))
        for result in run.results:  # reasons computed before they were in English
            result.detail = {**result.detail, "reasons": [{k: v for k, v in r.items() if k != "texts_en"}
                                                          for r in result.detail.get("reasons", [])]}
        run_id = run.id
        names = [n["name"] for n, _ in walk(in_language(old, True)["indicators"])]
    assert names[0] == "本地区自定的指标" and names[1] == "Domain coverage"
    db.scoped.remove()  # the request's session must read the run again
    client.get("/lang/en")
    page = client.get(f"/admin/evaluation_runs/run/{run_id}").get_data(as_text=True)
    assert "本地区自定的指标" in page and "Domain coverage" in page  # unknown: the stored name; known: English
    assert "1 个试点领域尚未公开目录：社会救助" in page  # reasons stored only in Chinese are shown as stored


def test_the_catalogs_required_elements_are_named_in_english(app):
    client = app.test_client()
    client.get("/lang/en")
    line = re.search(r'<p class="muted" id="required">(.*?)</p>',
                     client.get(f"/catalog?region={DX}").get_data(as_text=True), re.S).group(1)
    assert "Item name, Basis, Content, Disclosing body, Time limit" in line and "名称" not in line
    client.get("/lang/zh_Hans_CN")
    line = re.search(r'<p class="muted" id="required">(.*?)</p>',
                     client.get(f"/catalog?region={DX}").get_data(as_text=True), re.S).group(1)
    assert "名称" in line and "Item name" not in line


def test_a_refused_catalog_step_is_said_in_the_pages_language(app):
    items = "/admin/catalog_item"
    client = app.test_client()
    login(client, "dx_admin")

    def act(action):
        token = csrf(client, f"{items}/")
        return client.post(f"{items}/action/", data={"action": action, "rowid": [str(app.ids["in"])], "confirmed": "1",
                                                     "csrf_token": token}, follow_redirects=True).get_data(as_text=True)

    client.get("/lang/en")
    act("submit")
    page = act("publish")  # 道县: confidentiality review and sign-off first
    assert "Not published: these steps are missing: Confidentiality review" in page and "缺少必经步骤" not in page
    page = act("submit")
    assert "this step needs Draft." in page and "不能执行此操作" not in page
    client.get("/lang/zh_Hans_CN")
    page = act("publish")
    assert "缺少必经步骤，不能公开：保密审查" in page and "cannot publish" not in page
    assert "不能执行此操作" in act("submit") and "needs" not in page


def test_the_dashboards_due_lines_follow_the_language(app):
    from zwgk.foi import service

    with app.extensions["zwgk.db"].session(actor="clerk") as session:
        req, _ = service.register(session, unit=DX, channel="in_person", description="道县义务教育招生范围",
                                  actor="clerk", applicant_name="张三", applicant_contact="13800000000",
                                  submitted_at=dt.datetime(2025, 9, 12, 2, tzinfo=dt.timezone.utc))
        number = req.tracking_no
    client = app.test_client()
    login(client, "dx_admin")
    client.get("/lang/en")
    english = page_text(client.get("/admin/").get_data(as_text=True))
    line = next(x for x in english.splitlines() if "Reply due" in x)
    assert "has passed; escalated to the region administrators dx_admin" in line, line
    assert f"Request {number}: (no topic)" in english
    assert "升级至地区管理员" not in english and "未归类" not in english and "进展报告" not in english
    client.get("/lang/zh_Hans_CN")
    chinese = page_text(client.get("/admin/").get_data(as_text=True))
    assert "升级至地区管理员 dx_admin" in chinese and "（未归类）" in chinese
    assert "escalated" not in chinese and "no topic" not in chinese


def test_english_pages_ask_for_a_latin_font_first(app):
    client = app.test_client()
    login(client, "dx_admin")
    for url in ("/regions", "/admin/"):
        client.get("/lang/zh_Hans_CN")
        assert 'font-family: "Noto Sans CJK SC"' in client.get(url).get_data(as_text=True), url
        client.get("/lang/en")
        assert 'font-family: "Helvetica Neue", Arial, "Liberation Sans", "Noto Sans CJK SC"' in client.get(
            url).get_data(as_text=True), url


@pytest.fixture
def aapp(make_app, loaded_db_url):
    from .evaluation_fixture import build

    app = make_app(loaded_db_url)
    build(app.extensions["zwgk.db"])
    return app


def test_an_assessors_refusal_is_said_in_the_pages_language(aapp):
    from .evaluation_fixture import YI
    from .test_evaluation_admin import _engage, _score

    _engage(aapp)
    firm = aapp.test_client()
    login(firm, "assessor1")
    firm.get("/lang/en")
    refused = _score(firm, YI).get_data(as_text=True)
    assert "2018Q3 is outside your engagement" in refused and "不在本机构的委托范围内" not in refused
    firm.get("/lang/zh_Hans_CN")
    refused = _score(firm, YI).get_data(as_text=True)
    assert "不在本机构的委托范围内" in refused and "outside your engagement" not in refused
