"""依申请公开 through the admin and the CLI: steps as forms, due lists with escalation,
依申请转主动 drafting a catalog item through the normal validation, and the purge of personal data."""

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from zwgk import models as m
from zwgk.foi import service
from zwgk.foi.models import InfoRequest

from .admin_helpers import DX, login, seed

D = dt.date
REMEDIES = "如对本答复不服，可以自收到本答复之日起60日内向道县人民政府申请行政复议，或者6个月内向道县人民法院提起行政诉讼。"


@pytest.fixture
def app(make_app, regions_db_url):
    app = make_app(regions_db_url, plugins="daoxian")
    seed(app)
    return app


def _register(app, received=D(2025, 9, 12), topic=None, name="张三", domain=None):
    with app.extensions["zwgk.db"].session(actor="clerk") as s:
        dom = s.scalar(select(m.Domain.id).where(m.Domain.name == domain)) if domain else None
        req, _ = service.register(s, unit=DX, channel="in_person", description="道县义务教育招生范围", actor="clerk",
                                  applicant_name=name, applicant_contact="13800000000", topic=topic, domain_id=dom,
                                  submitted_at=dt.datetime.combine(received, dt.time(2), tzinfo=dt.timezone.utc))
        return req.id, req.tracking_no


def _token(client, url):
    return re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True))[-1]


def test_steps_through_the_request_page(app):
    rid, number = _register(app)
    client = app.test_client()
    login(client, "dx_editor")
    url = f"/admin/foi_requests/{rid}"

    def act(**data):
        return client.post(url + "/act", data={**data, "csrf_token": _token(client, url)}, follow_redirects=True)

    act(action="correction", on="2025-09-16", days="10", note="写明文号")
    act(action="correction_received", on="2025-09-19")
    page = act(action="extend", on="2025-10-20", days="20", approved_by="主任李四", notified_on="2025-10-21")
    text = page.get_data(as_text=True)
    assert "2025-11-20（星期四）" in text and "2025-10-11 星期六 调休上班" in text
    bad = act(action="extend", on="2025-10-22", days="5", approved_by="主任", notified_on="2025-10-22")
    assert "只能延长一次" in bad.get_data(as_text=True)
    refused = act(action="reply", on="2025-11-19", reply_type="open", remedies=service.REMEDIES_TEMPLATE)
    assert "remedies 救济途径" in refused.get_data(as_text=True)
    act(action="reply", on="2025-11-19", reply_type="open", remedies=REMEDIES, text="予以公开，见附件")
    with app.extensions["zwgk.db"].session() as s:
        req = s.get(InfoRequest, rid)
        assert [st.kind for st in req.steps] == ["registered", "received", "correction_requested",
                                                 "correction_received", "extension", "replied"]
        assert req.closed_on == D(2025, 11, 19) and req.reply_type == "open"


def test_due_lists_and_escalation_to_the_region_admin(app, run_cli):
    _rid, number = _register(app, topic="招生范围")  # received 2025-09-12: due 2025-10-16
    out = run_cli(app, "due", "--region", DX, "--today", "2025-10-14", "--within", "7d").output
    assert number in out and "即将到期" in out and "2025-10-16" in out
    late = run_cli(app, "due", "--region", DX, "--today", "2025-10-17").output
    line = next(x for x in late.splitlines() if number in x)
    assert "已逾期" in line and "升级至地区管理员" in line and "dx_admin（湖南省/永州市/道县）" in line
    # outside the region it is not listed
    assert number not in run_cli(app, "due", "--region", "浙江省", "--today", "2025-10-17").output
    # the region admin's dashboard shows it with the escalation (today is real today: long overdue)
    client = app.test_client()
    login(client, "dx_admin")
    page = client.get("/admin/").get_data(as_text=True)
    assert number in page and "升级至地区管理员" in page
    other = app.test_client()
    login(other, "zj_admin")
    assert number not in other.get("/admin/").get_data(as_text=True)


def test_requested_often_drafts_a_catalog_item_through_validation(app):
    for i in range(2):
        _register(app, received=D(2025, 3, 3 + i), topic="2025年义务教育招生范围", name=f"申请人{i}", domain="义务教育")
    # the same topic written in Traditional script, with a space: one topic
    _register(app, received=D(2025, 3, 5), topic="2025年 義務教育招生範圍", name="申请人2", domain="义务教育")
    _register(app, received=D(2025, 3, 10), topic="某次会议纪要")
    client = app.test_client()
    login(client, "dx_admin")
    page = client.get("/admin/foi_proactive/?from=2025-01-01&to=2025-12-31&n=3").get_data(as_text=True)
    assert "2025年义务教育招生范围" in page and "某次会议纪要" not in page
    draft = re.search(r'href="(/admin/foi_proactive/draft\?[^"]+)"', page).group(1).replace("&amp;", "&")
    form = client.get(draft).get_data(as_text=True)
    assert "政府信息公开条例》第四十四条" in form
    fields = {"domain": "义务教育", "level1": "2025年义务教育招生范围", "content": "招生范围", "basis": "条例第四十四条",
              "time_limit": "", "subject": "道县教育局", "channels": "政府网站", "method_active": "1",
              "audience_public": "1"}
    # the region's rules apply: a missing required element is named, nothing is written
    bad = client.post(draft, data={**fields, "csrf_token": _token(client, draft)})
    assert "time_limit" in bad.get_data(as_text=True)
    with app.extensions["zwgk.db"].session() as s:
        assert s.scalar(select(m.CatalogItem).where(m.CatalogItem.level1 == "2025年义务教育招生范围")) is None
    ok = client.post(draft, data={**fields, "time_limit": "自该政府信息形成或者变更之日起20个工作日内",
                                  "csrf_token": _token(client, draft)})
    assert ok.status_code == 302
    with app.extensions["zwgk.db"].session() as s:
        item = s.scalar(select(m.CatalogItem).where(m.CatalogItem.level1 == "2025年义务教育招生范围"))
        assert item.status == "draft" and item.method_active and item.unit.key == DX
        linked = s.scalars(select(InfoRequest).where(InfoRequest.proactive_item_id == item.id)).all()
        assert len(linked) == 3
    again = client.get("/admin/foi_proactive/?from=2025-01-01&to=2025-12-31&n=3").get_data(as_text=True)
    assert f"已起草 #{item.id}" in again
    assert client.post(draft, data={**fields, "csrf_token": _token(client, draft)}).status_code == 200  # refused


def test_purge_deletes_personal_data_after_the_retention_period(app, run_cli):
    old_id, old_no = _register(app, received=D(2023, 3, 1), name="王五")
    new_id, _ = _register(app, received=D(2025, 3, 1), name="赵六")
    with app.extensions["zwgk.db"].session(actor="clerk") as s:
        for rid, on in ((old_id, D(2023, 3, 10)), (new_id, D(2025, 3, 10))):
            service.reply(s, s.get(InfoRequest, rid), on, "open", "clerk", text="答复王五", remedies=REMEDIES,
                          document=("答复书.pdf", b"%PDF"))
    dry = run_cli(app, "requests", "purge", "--retention-days", "730", "--today", "2025-06-01", "--dry-run").output
    assert old_no in dry
    with app.extensions["zwgk.db"].session() as s:
        assert s.get(InfoRequest, old_id).applicant_name == "王五"
    out = run_cli(app, "requests", "purge", "--retention-days", "730", "--today", "2025-06-01").output
    assert "1 件" in out and old_no in out
    with app.extensions["zwgk.db"].session() as s:
        old, new = s.get(InfoRequest, old_id), s.get(InfoRequest, new_id)
        assert (old.applicant_name, old.applicant_contact, old.description, old.reply_text, old.reply_document) == (
            None, None, None, None, None)
        assert old.purged_at is not None and old.reply_type == "open" and old.received_on == D(2023, 3, 1)
        assert new.applicant_name == "赵六"
        # the change history never held it
        assert not any("王五" in str(c.changes) for c in s.scalars(select(m.Change)))
    assert "1 件" not in run_cli(app, "requests", "purge", "--retention-days", "730", "--today", "2025-06-01").output


def test_staff_registration_and_appeal_cases_are_scoped(app):
    from zwgk.foi.models import AppealCase

    client = app.test_client()
    login(client, "dx_admin")
    url = "/admin/foi_requests/new"
    data = {"unit": DX, "channel": "post", "received_on": "2025-09-12", "applicant_name": "钱七",
            "applicant_contact": "13900000000", "description": "某文件", "applicant_kind": "person"}
    page = client.post(url, data={**data, "csrf_token": _token(client, url)}, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "已登记" in text and "查询码" in text and "2025-10-16（星期四）" in text  # 签收 09-12: due 10-16
    outside = client.post(url, data={**data, "unit": "浙江省/杭州市/拱墅区", "csrf_token": _token(client, url)},
                          follow_redirects=True)
    assert "不在您的范围内" in outside.get_data(as_text=True)
    with app.extensions["zwgk.db"].session() as s:
        units = {u.key: u for u in s.scalars(select(m.AdminUnit).where(m.AdminUnit.key.in_([DX, "浙江省/杭州市/拱墅区"])))}
        s.add_all([AppealCase(unit=units[DX], kind="reconsideration", filed_on=D(2025, 3, 1), note="道县复议"),
                   AppealCase(unit=units["浙江省/杭州市/拱墅区"], kind="reconsideration", filed_on=D(2025, 3, 1),
                              note="拱墅区复议")])
        s.commit()
        gs_id = s.scalar(select(AppealCase.id).where(AppealCase.note == "拱墅区复议"))
        gs_unit = units["浙江省/杭州市/拱墅区"].id
    listed = client.get("/admin/info_appeal_case/").get_data(as_text=True)
    assert "道县复议" in listed and "拱墅区复议" not in listed
    assert client.get(f"/admin/info_appeal_case/details/?id={gs_id}").status_code == 404
    form_url = "/admin/info_appeal_case/new/"
    made = client.post(form_url, data={"unit": str(gs_unit), "kind": "reconsideration", "filed_on": "2025-04-01",
                                       "outcome": "pending", "note": "越界", "csrf_token": _token(client, form_url)})
    assert made.status_code == 200 and "该记录不在您的管理范围内" in made.get_data(as_text=True)
    with app.extensions["zwgk.db"].session() as s:
        assert s.scalar(select(AppealCase).where(AppealCase.note == "越界")) is None


def test_a_date_after_today_is_refused_and_cannot_break_the_pages(app, run_cli):
    """A receipt day of 9999-12-31 was accepted; counting its deadline overflowed the date, and the
    request page, the dashboard and ``zwgk due`` answered 500 for the whole region."""
    from zwgk.foi.models import InfoRequest

    client = app.test_client()
    login(client, "dx_admin")
    url = "/admin/foi_requests/new"
    data = {"unit": DX, "channel": "post", "applicant_name": "钱七", "applicant_contact": "13900000000",
            "description": "某文件", "applicant_kind": "person"}
    with app.extensions["zwgk.db"].session() as s:
        before = s.scalar(select(func.count()).select_from(InfoRequest))
    for day in ("9999-12-31", (dt.date.today() + dt.timedelta(days=3)).isoformat()):
        page = client.post(url, data={**data, "received_on": day, "csrf_token": _token(client, url)},
                           follow_redirects=True)
        assert page.status_code == 200 and "晚于今天" in page.get_data(as_text=True)
    with app.extensions["zwgk.db"].session() as s:
        assert s.scalar(select(func.count()).select_from(InfoRequest)) == before
    assert client.get("/admin/").status_code == 200
    assert run_cli(app, "due", "--region", DX).exit_code == 0
