"""Public participation (issue 16): feedback, interpretations (解读), responses, the 试点工作专题
page with its flowchart — and that contact details never reach the public."""

import datetime as dt
import re

import pytest
from sqlalchemy import select

from zwgk import models as m
from zwgk import workflow
from zwgk.participation import service as svc
from zwgk.participation.models import ConcernResponse, Feedback, Interpretation, ParticipationSetting, TopicPage

from .admin_helpers import PASSWORD, login
from zwgk import accounts

DX = "湖南省/永州市/道县"
SD = "山东省"
ZJ = "浙江省/杭州市/拱墅区"
FULL = dict(basis="《中华人民共和国义务教育法》", content="招生范围、招生条件", time_limit="每年7月底前",
            subject="县教育局", channels=["政府网站"], category="类别", audience_public=True, method_active=True,
            levels=["county"])
CONTACT = "13912345678"
NAME = "王小明"


@pytest.fixture
def app(make_app, regions_db_url):
    return make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_FEEDBACK_RATE="1000 per minute")


def db(app):
    return app.extensions["zwgk.db"]


def published_item(app, unit_key, level1="招生入学", domain="义务教育", **extra):
    """An item taken through its region's steps to 公开."""
    pm = app.extensions["zwgk.pm"]
    with db(app).session(actor="editor") as session:
        unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == unit_key))
        dom = session.scalar(select(m.Domain).where(m.Domain.name == domain))
        item = m.CatalogItem(unit=unit, domain=dom, level1=level1, **{**FULL, **extra})
        session.add(item)
        session.flush()
        workflow.submit(session, item, "editor")
        if item.status == "submitted" and "review" in _steps(pm, unit_key):
            workflow.review(session, item, "reviewer", True, None)
        if "signoff" in _steps(pm, unit_key):
            workflow.sign_off(session, item, "leader", pm)
        workflow.publish(session, item, "admin", pm)
        return item.id


def _steps(pm, unit_key):
    from zwgk.catalog import review_steps

    return review_steps(pm, unit_key)


def token(client, url):
    text = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text).group(1)


def post_feedback(client, url, **fields):
    data = {"useful": "yes", "comment": "", "contact_name": "", "contact": "", "homepage": "",
            "csrf_token": token(client, url), **fields}
    return client.post(url, data=data)


# --------------------------------------------------------------------------
# Feedback
# --------------------------------------------------------------------------


def test_feedback_is_kept_moderated_and_answered_and_contact_details_stay_private(app):
    item_id = published_item(app, DX)
    client = app.test_client()
    resp = post_feedback(client, f"/item/{item_id}", useful="no", comment="招生范围写得不清楚，哪些小区属于城区学校？",
                         contact_name=NAME, contact=CONTACT)
    assert resp.status_code == 303 and "sent=1" in resp.headers["Location"]
    with db(app).session() as session:
        fb = session.scalars(select(Feedback)).one()
        assert (fb.useful, fb.status, fb.contact, fb.contact_name) == (False, "pending", CONTACT, NAME)
    page = client.get(f"/item/{item_id}").get_data(as_text=True)
    assert "哪些小区" not in page  # not moderated yet
    assert "没用 1" in page  # the mark counts at once
    with db(app).session() as session:
        fb = session.scalars(select(Feedback)).one()
        svc.moderate(fb, "approved")
        svc.answer(fb, "城区学校的招生范围见县教育局公告附件。", public=True, actor="dx_admin")
    page = client.get(f"/item/{item_id}").get_data(as_text=True)
    assert "哪些小区" in page and "城区学校的招生范围见县教育局公告附件" in page
    assert CONTACT not in page and NAME not in page


def test_contact_details_never_appear_on_a_public_page_or_api(app):
    item_id = published_item(app, DX)
    client = app.test_client()
    post_feedback(client, f"/item/{item_id}", comment="意见一", contact_name=NAME, contact=CONTACT)
    post_feedback(client, f"/feedback/{DX}", comment="对目录的意见", contact_name=NAME, contact=CONTACT)
    with db(app).session() as session:
        for fb in session.scalars(select(Feedback)):
            svc.moderate(fb, "approved")
            svc.answer(fb, "已答复", public=True, actor="x")
    from zwgk.public import PUBLIC_KINDS

    urls = [f"/item/{item_id}", f"/feedback/{DX}", f"/topic/{DX}", "/topic/", "/", f"/catalog?region={DX}",
            f"/api/v1/feedback?region={DX}", f"/api/v1/feedback?region=湖南省", f"/api/v1/interpretations?region={DX}",
            f"/api/v1/concern_responses?region={DX}", f"/api/v1/catalog_items?region={DX}",
            f"/topic/{DX}/flowchart.svg"] + [f"/api/v1/{k}" for k in PUBLIC_KINDS]
    seen_comment = False
    for url in urls:
        resp = client.get(url)
        assert resp.status_code == 200, url
        body = resp.get_data(as_text=True)
        assert CONTACT not in body and NAME not in body, url
        seen_comment |= "对目录的意见" in body
    assert seen_comment  # the pages did show the feedback itself
    api = client.get(f"/api/v1/feedback?region={DX}").get_json()
    assert len(api["feedback"]) == 2 and api["stats"]["comments"] == 2
    assert client.get("/api/v1/feedback").status_code == 400  # a region is needed
    assert all(set(r) == {"id", "unit", "item_id", "useful", "comment", "created_on", "answer", "answered_on",
                          "answered_privately", "change"} for r in api["feedback"])


def test_a_private_answer_is_not_shown_and_a_hidden_comment_stays_hidden(app):
    item_id = published_item(app, DX)
    client = app.test_client()
    post_feedback(client, f"/item/{item_id}", comment="私下答复的意见")
    post_feedback(client, f"/item/{item_id}", comment="广告 spam")
    with db(app).session() as session:
        a, b = session.scalars(select(Feedback).order_by(Feedback.id))
        svc.moderate(a, "approved")
        svc.answer(a, "只给留言人的答复", public=False, actor="x")
        svc.moderate(b, "hidden")
    page = client.get(f"/item/{item_id}").get_data(as_text=True)
    assert "私下答复的意见" in page and "只给留言人的答复" not in page and "本单位已单独答复留言人" in page
    assert "广告" not in page


def test_the_honeypot_keeps_nothing_and_bad_input_is_named(app):
    item_id = published_item(app, DX)
    client = app.test_client()
    resp = post_feedback(client, f"/item/{item_id}", comment="机器人", homepage="http://spam.example")
    assert resp.status_code == 303  # a bot sees success …
    resp = post_feedback(client, f"/item/{item_id}", useful="")
    assert resp.status_code == 400 and "请选择有用或没用" in resp.get_data(as_text=True)
    resp = post_feedback(client, f"/item/{item_id}", comment="长" * 2001)
    assert resp.status_code == 400
    resp = client.post(f"/item/{item_id}", data={"useful": "yes"})  # no CSRF token
    assert resp.status_code == 400
    with db(app).session() as session:
        assert session.scalars(select(Feedback)).all() == []  # … and nothing was kept


def test_feedback_is_rate_limited_per_address(make_app, regions_db_url):
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_FEEDBACK_RATE="3 per minute")
    item_id = published_item(app, DX)
    client = app.test_client()
    codes = [post_feedback(client, f"/item/{item_id}", comment=f"第{i}条").status_code for i in range(5)]
    assert codes == [303, 303, 303, 429, 429]
    assert "提交过于频繁" in post_feedback(client, f"/item/{item_id}").get_data(as_text=True)
    other = app.test_client()  # another address is not held back
    resp = other.post(f"/item/{item_id}", data={"useful": "yes", "csrf_token": token(other, f"/item/{item_id}")},
                      environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert resp.status_code == 303
    with db(app).session() as session:
        assert len(session.scalars(select(Feedback)).all()) == 4


def test_drafts_and_unknown_items_have_no_feedback_page(app):
    with db(app).session() as session:
        unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == DX))
        dom = session.scalar(select(m.Domain).where(m.Domain.name == "义务教育"))
        draft = m.CatalogItem(unit=unit, domain=dom, level1="草稿事项", **FULL)
        session.add(draft)
        session.flush()
        draft_id = draft.id
    client = app.test_client()
    assert client.get(f"/item/{draft_id}").status_code == 404
    assert client.post(f"/item/{draft_id}", data={"useful": "yes"}).status_code == 404
    assert client.get("/item/999999").status_code == 404


def test_a_comment_becomes_a_catalog_change_linked_both_ways(app):
    item_id = published_item(app, DX)
    client = app.test_client()
    post_feedback(client, f"/item/{item_id}", comment="公开渠道应加上县教育局微信公众号")
    with db(app).session(actor="dx_admin") as session:
        fb = session.scalars(select(Feedback)).one()
        item = session.get(m.CatalogItem, item_id)
        version = svc.to_catalog_change(session, fb, item, "channels", "政府网站、县教育局微信公众号", "dx_admin",
                                        pm=app.extensions["zwgk.pm"])
        fb_id = fb.id
    with db(app).session() as session:
        fb = session.get(Feedback, fb_id)
        item = session.get(m.CatalogItem, item_id)
        assert (fb.change_item_id, fb.change_version) == (item_id, version)
        assert item.status == "draft" and item.channels == ["政府网站", "县教育局微信公众号"]  # a list, as imported
        v = session.scalar(select(m.CatalogItemVersion).where(m.CatalogItemVersion.item_id == item_id,
                                                              m.CatalogItemVersion.version == version))
        assert f"公众意见第{fb_id}号" in v.reason and v.actor == "dx_admin"
        with pytest.raises(svc.ParticipationError, match="field"):
            svc.to_catalog_change(session, fb, item, "status", "published", "x", pm=app.extensions["zwgk.pm"])
    # the public still sees the published version until the change passes the steps again
    assert "县教育局微信公众号" not in client.get(f"/item/{item_id}").get_data(as_text=True)


def test_contact_details_are_purged_after_the_regions_retention_period(app, run_cli):
    item_id = published_item(app, DX)
    zj_item = published_item(app, ZJ, level1="拱墅区招生")
    now = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)
    with db(app).session() as session:
        dx = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == DX))
        zj = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == ZJ))
        session.add(ParticipationSetting(unit=dx, contact_retention_days=30))
        item, zitem = session.get(m.CatalogItem, item_id), session.get(m.CatalogItem, zj_item)
        old = svc.leave_feedback(session, dx, item, True, "旧意见", NAME, CONTACT)
        new = svc.leave_feedback(session, dx, item, True, "新意见", NAME, CONTACT)
        zj_old = svc.leave_feedback(session, zj, zitem, True, "浙江意见", NAME, CONTACT)
        old.created_at = now - dt.timedelta(days=31)  # past 道县's 30 days
        new.created_at = now - dt.timedelta(days=29)
        zj_old.created_at = now - dt.timedelta(days=31)  # 浙江 set nothing: the default 180 days
    result = run_cli(app, "participation", "purge", "--now", now.isoformat())
    assert "已清除 1 条" in result.output
    with db(app).session() as session:
        rows = {f.comment: f for f in session.scalars(select(Feedback))}
        assert rows["旧意见"].contact is None and rows["旧意见"].contact_name is None
        assert rows["旧意见"].contact_purged_at is not None and rows["旧意见"].comment == "旧意见"
        assert rows["新意见"].contact == CONTACT and rows["浙江意见"].contact == CONTACT
    result = run_cli(app, "participation", "purge", "--now", (now + dt.timedelta(days=200)).isoformat())
    assert "已清除 2 条" in result.output
    from zwgk.cli import main

    bad = app.test_cli_runner().invoke(main, ["participation", "purge", "--now", "昨天"])
    assert bad.exit_code != 0 and "--now" in bad.output


def test_stats_count_marks_and_answer_times_in_working_days(app):
    item_id = published_item(app, DX)
    with db(app).session() as session:
        dx = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == DX))
        item = session.get(m.CatalogItem, item_id)
        a = svc.leave_feedback(session, dx, item, True, "问一")
        b = svc.leave_feedback(session, dx, item, False, "问二")
        svc.leave_feedback(session, dx, None, True)
        # received Friday 2025-04-25 10:00 Beijing; answered Tuesday 04-29: Sunday 04-27 is a 调休 working day
        a.created_at = dt.datetime(2025, 4, 25, 2, tzinfo=dt.timezone.utc)
        svc.answer(a, "答一", True, "x", now=dt.datetime(2025, 4, 29, 2, tzinfo=dt.timezone.utc))
        b.created_at = dt.datetime(2025, 4, 25, 2, tzinfo=dt.timezone.utc)
    with db(app).session() as session:
        s = svc.feedback_stats(session, DX)
        assert (s.total, s.useful, s.not_useful, s.comments, s.answered, s.unanswered) == (3, 2, 1, 2, 1, 1)
        assert s.answer_workdays == [3]  # Sun 27 (调休), Mon 28, Tue 29
        assert s.satisfaction == pytest.approx(2 / 3)
        assert svc.feedback_stats(session, "浙江省").total == 0
        assert svc.feedback_stats(session, DX, start=dt.date(2025, 4, 26)).total == 1


# --------------------------------------------------------------------------
# Interpretations (解读)
# --------------------------------------------------------------------------


def _interpretation(app, unit_key, doc_on, published_on, level2="规范性文件"):
    item_id = published_item(app, unit_key, level1="政策文件公开", domain="社会救助", level2=level2)
    with db(app).session() as session:
        interp = Interpretation(item_id=item_id, document_title="关于某事项的通知（测试）", document_published_on=doc_on,
                                kind="text", title="图文解读（测试）", body="解读正文", published_on=published_on)
        session.add(interp)
        session.flush()
        return item_id, interp.id


def test_an_interpretation_4_working_days_after_its_document_is_late_by_exactly_1(app):
    # 001 四、（一）: 相關解讀材料應于文件公布后3個工作日內主動發布 (Shandong's obligation).
    # Document Thursday 2025-04-24; Fri 25 (1), Sat 26 weekend, Sun 27 调休 working day (2), Mon 28 (3) = due;
    # published Tuesday 29 = the 4th working day → late by 1.  On weekends alone it would be on time.
    item_id, interp_id = _interpretation(app, SD, dt.date(2025, 4, 24), dt.date(2025, 4, 29))
    with db(app).session() as session:
        interp = session.get(Interpretation, interp_id)
        t = svc.interpretation_timing(session, interp, today=dt.date(2025, 5, 20))
        assert t.obligation.source_file == "001_38f7583137ba7a7e.txt"
        assert t.obligation.source_section.startswith("四、（一）")
        assert (t.status, t.due, t.late_by) == ("late", dt.date(2025, 4, 28), 1)
        assert any("2025-04-27" in f and "调休" in f for f in t.facts)
        assert t.label == "逾期 1 个工作日"
        interp.published_on = dt.date(2025, 4, 28)
        assert svc.interpretation_timing(session, interp).status == "on_time"
        interp.published_on = None
        assert svc.interpretation_timing(session, interp, today=dt.date(2025, 4, 27)).status == "pending"
        overdue = svc.interpretation_timing(session, interp, today=dt.date(2025, 5, 6))
        assert (overdue.status, overdue.late_by) == ("overdue", 3)  # Tue 29, Wed 30, (May 1–5 off) Tue 6
        interp.published_on = dt.date(2025, 4, 29)
    page = app.test_client().get(f"/item/{item_id}").get_data(as_text=True)
    assert "逾期 1 个工作日" in page and "2025-04-28" in page
    api = app.test_client().get(f"/api/v1/interpretations?region={SD}").get_json()["interpretations"]
    assert [(i["timing"], i["late_workdays"], i["due_on"]) for i in api] == [("late", 1, "2025-04-28")]
    assert api[0]["rule_source"]["file"] == "001_38f7583137ba7a7e.txt"


def test_a_region_without_the_obligation_shows_no_deadline(app):
    _item, interp_id = _interpretation(app, DX, dt.date(2025, 4, 24), dt.date(2025, 5, 30))
    with db(app).session() as session:
        t = svc.interpretation_timing(session, session.get(Interpretation, interp_id))
        assert (t.status, t.due) == ("no_rule", None)


def test_only_policy_documents_are_interpreted():
    assert svc.is_policy_document({"level2": "规范性文件", "content": None})
    assert svc.is_policy_document({"level2": None, "content": "本部门制定的政策文件及解读"})
    assert svc.is_policy_document({"level2": "規範性文件", "content": ""})  # Traditional folded
    assert not svc.is_policy_document({"level2": "招生范围", "content": "招生条件"})


def test_concern_responses_show_question_answer_and_date(app):
    with db(app).session() as session:
        dx = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == DX))
        session.add(ConcernResponse(unit=dx, question="学区如何划分？（测试）", answer="按县教育局公告划分。（测试）",
                                    answered_on=dt.date(2026, 3, 2), channel="县政府网站"))
        session.add(ConcernResponse(unit=dx, question="未公开的问题", answer="x", answered_on=dt.date(2026, 3, 3),
                                    published=False))
    page = app.test_client().get(f"/topic/{DX}").get_data(as_text=True)
    assert "学区如何划分" in page and "按县教育局公告划分" in page and "2026-03-02" in page
    assert "未公开的问题" not in page
    api = app.test_client().get(f"/api/v1/concern_responses?region={DX}").get_json()["responses"]
    assert [r["answered_on"] for r in api] == ["2026-03-02"]


# --------------------------------------------------------------------------
# 试点工作专题 and the flowchart
# --------------------------------------------------------------------------


def test_daoxians_flowchart_has_the_sign_off_and_zhejiangs_does_not(app):
    client = app.test_client()
    dx = client.get(f"/topic/{DX}/flowchart.svg")
    assert dx.status_code == 200 and dx.mimetype == "image/svg+xml"
    steps = lambda svg: re.findall(r'data-step="(\w+)"', svg)  # noqa: E731
    dx_svg = dx.get_data(as_text=True)
    assert steps(dx_svg)[:5] == ["draft", "submit", "review", "signoff", "publish"]
    assert "主要领导签字" in dx_svg and "保密审查" in dx_svg
    zj_svg = client.get(f"/topic/{ZJ}/flowchart.svg").get_data(as_text=True)
    assert "signoff" not in steps(zj_svg) and "review" not in steps(zj_svg) and "主要领导签字" not in zj_svg
    assert steps(zj_svg)[:3] == ["draft", "submit", "publish"]
    sd_svg = client.get(f"/topic/{SD}/flowchart.svg").get_data(as_text=True)
    assert "review" in steps(sd_svg) and "signoff" not in steps(sd_svg)
    assert "文件公布后3个工作日内" in sd_svg  # Shandong's interpretation rule on the 解读 step
    from xml.etree import ElementTree

    for svg in (dx_svg, zj_svg, sd_svg):
        ElementTree.fromstring(svg)  # well-formed


def test_topic_page_has_plan_catalog_flowchart_standards_progress_and_feedback(app):
    item_id = published_item(app, DX)
    with db(app).session() as session:
        dx = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == DX))
        session.add(TopicPage(unit=dx, kind="practice", title="经验做法（测试）", body="正文", published=True,
                              published_on=dt.date(2026, 5, 1)))
        session.add(TopicPage(unit=dx, kind="news", title="未发布的动态", body="草稿", published=False))
    client = app.test_client()
    page = client.get(f"/topic/{DX}?today=2020-10-15").get_data(as_text=True)
    for text in ("实施方案", "事项梳理阶段", "组织落实阶段", "总结验收阶段", "责任清单", "教育局", "招生入学",
                 "公开流程图", "主要领导签字", "制度规范", "试点推进情况", "已完成 0，已逾期 1，未到期 3",
                 "公众评价意见反馈", "经验做法（测试）", "道县全面推进基层政务公开标准化规范化工作实施方案"):
        assert text in page, text
    assert "未发布的动态" not in page
    assert 'id="completeness">100%' in page  # the item fills 道县's 8 elements
    assert f'href="/item/{item_id}"' in page
    pages = re.findall(r'href="(/topic/[^"]+/page/\d+)"', page)
    assert len(pages) == 1 and "经验做法（测试）" in client.get(pages[0]).get_data(as_text=True)
    zj = client.get("/topic/浙江省").get_data(as_text=True)
    assert "浙江省基层政务公开标准化规范化试点" in zj or "责任清单" in zj
    assert "主要领导签字" not in zj
    index = client.get("/topic/").get_data(as_text=True)
    assert f'href="/topic/{DX}"' in index and 'href="/topic/浙江省"' in index
    assert client.get("/topic/火星").status_code == 404


# --------------------------------------------------------------------------
# Admin: the unit moderates and answers inside its scope
# --------------------------------------------------------------------------


def _accounts(app):
    with db(app).session() as session:
        accounts.create_user(session, "dx_admin", PASSWORD, "region_admin", DX)
        accounts.create_user(session, "zj_admin", PASSWORD, "region_admin", "浙江省")


def test_the_unit_sees_contact_details_and_answers_another_region_gets_404(app):
    from .admin_helpers import csrf, loaded_version

    _accounts(app)
    item_id = published_item(app, DX)
    public = app.test_client()
    post_feedback(public, f"/item/{item_id}", comment="请公开划片图", contact_name=NAME, contact=CONTACT)
    with db(app).session() as session:
        fb_id = session.scalars(select(Feedback.id)).one()
    zj = app.test_client()
    login(zj, "zj_admin")
    assert CONTACT not in zj.get("/admin/feedback/").get_data(as_text=True)
    assert zj.get(f"/admin/feedback/edit/?id={fb_id}").status_code == 404
    dx = app.test_client()
    login(dx, "dx_admin")
    listing = dx.get("/admin/feedback/").get_data(as_text=True)
    assert CONTACT in listing and NAME in listing
    url = f"/admin/feedback/edit/?id={fb_id}"
    resp = dx.post(url, data={"status": "approved", "answer": "划片图已在县教育局网站公开。", "answer_public": "y",
                              "csrf_token": csrf(dx, url), "change_reason": "",
                              "loaded_version": loaded_version(dx, url)})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    with db(app).session() as session:
        fb = session.get(Feedback, fb_id)
        assert fb.status == "approved" and fb.answered_by == "dx_admin" and fb.answered_at is not None
    page = public.get(f"/item/{item_id}").get_data(as_text=True)
    assert "划片图已在县教育局网站公开" in page and CONTACT not in page
    # the change form: the comment becomes a catalog change
    url = f"/admin/feedback/change/?id={fb_id}"
    assert zj.get(url).status_code == 404
    form = dx.get(url).get_data(as_text=True)
    versions = re.search(r'name="loaded_versions" value="([^"]*)"', form).group(1)
    resp = dx.post(url, data={"id": fb_id, "item_id": item_id, "field": "content", "value": "招生范围、招生条件、划片图",
                              "csrf_token": csrf(dx, url), "loaded_versions": versions})
    assert resp.status_code == 302
    with db(app).session() as session:
        assert session.get(Feedback, fb_id).change_item_id == item_id
        assert session.get(m.CatalogItem, item_id).content == "招生范围、招生条件、划片图"


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def test_admin_interpretations_only_for_policy_documents_and_only_real_images(app):
    import io

    from .admin_helpers import csrf

    _accounts(app)
    policy = published_item(app, DX, level1="政策文件公开", domain="社会救助", level2="规范性文件")
    plain = published_item(app, DX, level1="招生入学")
    client = app.test_client()
    login(client, "dx_admin")
    url = "/admin/interpretation/new/"

    def post(item, **extra):
        data = {"item": str(item), "document_title": "关于某事项的通知（测试）", "document_published_on": "2025-04-24",
                "kind": "graphic", "title": "图解（测试）", "body": "", "video_url": "", "published_on": "2025-04-25",
                "csrf_token": csrf(client, url), "change_reason": "", **extra}
        return client.post(url, data=data, content_type="multipart/form-data")

    resp = post(plain, graphic=(io.BytesIO(PNG), "a.png"))
    assert resp.status_code == 200 and "只能解读政策文件" in resp.get_data(as_text=True)
    with db(app).session() as session:
        unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == DX))
        dom = session.scalar(select(m.Domain).where(m.Domain.name == "社会救助"))
        draft = m.CatalogItem(unit=unit, domain=dom, level1="未公开的政策文件", **{**FULL, "level2": "政策文件"})
        session.add(draft)
        session.flush()
        draft_id = draft.id
    resp = post(draft_id, graphic=(io.BytesIO(PNG), "a.png"))
    assert "只能解读已公开的政策文件" in resp.get_data(as_text=True)
    resp = post(policy, graphic=(io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>'), "a.svg"))
    assert "只接受 PNG、JPEG 或 GIF" in resp.get_data(as_text=True)
    resp = post(policy, kind="video", video_url="javascript:alert(1)")
    assert "视频链接" in resp.get_data(as_text=True)
    with db(app).session() as session:
        assert session.scalars(select(Interpretation)).all() == []  # nothing refused was kept
    resp = post(policy, graphic=(io.BytesIO(PNG), "a.png"))
    assert resp.status_code == 302
    with db(app).session() as session:
        interp = session.scalars(select(Interpretation)).one()
        assert interp.image == PNG and interp.image_type == "image/png"
    public = app.test_client()
    image = public.get(f"/interpretation/{interp.id}/image")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data == PNG
    assert f'/interpretation/{interp.id}/image' in public.get(f"/item/{policy}").get_data(as_text=True)
    # 浙江's administrator neither sees nor edits it
    zj = app.test_client()
    login(zj, "zj_admin")
    assert zj.get(f"/admin/interpretation/edit/?id={interp.id}").status_code == 404
    assert "关于某事项的通知" not in zj.get("/admin/interpretation/").get_data(as_text=True)


def test_a_region_admin_writes_topic_pages_for_its_own_units_only(app):
    from .admin_helpers import csrf

    _accounts(app)
    with db(app).session() as session:
        dx_id = session.scalar(select(m.AdminUnit.id).where(m.AdminUnit.key == DX))
        zj_id = session.scalar(select(m.AdminUnit.id).where(m.AdminUnit.key == "浙江省"))
    client = app.test_client()
    login(client, "dx_admin")
    url = "/admin/topic_page/new/"
    form = client.get(url).get_data(as_text=True)
    assert f'value="{dx_id}"' in form and f'value="{zj_id}"' not in form  # only units in scope are offered
    data = {"kind": "practice", "title": "经验做法（测试）", "body": "正文", "published": "y", "published_on": "",
            "author": "", "change_reason": ""}
    resp = client.post(url, data={**data, "unit": str(zj_id), "csrf_token": csrf(client, url)})
    assert resp.status_code == 200  # refused: not a choice
    resp = client.post(url, data={**data, "unit": str(dx_id), "csrf_token": csrf(client, url)})
    assert resp.status_code == 302
    with db(app).session() as session:
        page = session.scalars(select(TopicPage)).one()
        assert page.unit.key == DX and page.published_on is not None
    assert "经验做法（测试）" in app.test_client().get(f"/topic/{DX}").get_data(as_text=True)


def test_the_change_form_validates_like_every_write_and_refuses_a_stale_form(app):
    """转为目录调整 writes a catalog item: 公开渠道和载体 stays a list (the exports and the API read
    one), a required element cannot be emptied, and a form loaded before someone else's edit (or
    posted without the versions it showed) is refused; a refused post changes nothing."""
    from .admin_helpers import csrf

    _accounts(app)
    item_id = published_item(app, DX)
    post_feedback(app.test_client(), f"/item/{item_id}", comment="公开渠道不全")
    with db(app).session() as session:
        fb_id = session.scalars(select(Feedback.id)).one()
    dx = app.test_client()
    login(dx, "dx_admin")
    url = f"/admin/feedback/change/?id={fb_id}"

    def versions():
        return re.search(r'name="loaded_versions" value="([^"]*)"', dx.get(url).get_data(as_text=True)).group(1)

    def post(field, value, loaded):
        data = {"id": fb_id, "item_id": item_id, "field": field, "value": value, "csrf_token": csrf(dx, url)}
        if loaded is not None:
            data["loaded_versions"] = loaded
        return dx.post(url, data=data)

    def item():
        with db(app).session() as session:
            it = session.get(m.CatalogItem, item_id)
            return it.version, it.basis, list(it.channels), it.status

    before = item()
    emptied = post("basis", "", versions())
    assert emptied.status_code == 200 and "公开依据" in emptied.get_data(as_text=True)
    assert item() == before
    assert post("content", "新内容", None).status_code == 200 and item() == before
    stale = versions()
    assert post("channels", "政府网站、公示栏", versions()).status_code == 302
    changed = item()
    assert changed[2] == ["政府网站", "公示栏"] and changed[0] > before[0]
    assert dx.get("/admin/catalog_item/export/csv/").status_code == 200
    refused = post("content", "晚到的修改", stale)
    assert refused.status_code == 200 and "已被修改" in refused.get_data(as_text=True)
    assert item() == changed
