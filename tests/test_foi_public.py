"""The public side of 依申请公开: apply online, follow the request by number and 查询码, nothing more."""

import re

import pytest
from sqlalchemy import func, select

from zwgk.foi.models import InfoRequest

DX = "湖南省/永州市/道县"


@pytest.fixture
def app(make_app, regions_db_url):
    return make_app(regions_db_url)


def _token(client, url):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def _apply(client, **fields):
    data = {"unit": DX, "applicant_kind": "person", "applicant_name": "张三", "applicant_contact": "13800000000",
            "applicant_id_number": "430000199001010000", "description": "道县2025年义务教育招生范围",
            "csrf_token": _token(client, "/requests/new"), **fields}
    return client.post("/requests/new", data=data)


def _receipt(resp):
    text = resp.get_data(as_text=True)
    return (re.search(r'id="tracking-no">([^<]+)<', text).group(1), re.search(r'id="secret">([^<]+)<', text).group(1))


def _track(client, number, secret):
    return client.post("/requests/track", data={"tracking_no": number, "secret": secret,
                                                "csrf_token": _token(client, "/requests/track")})


def _count(app):
    with app.extensions["zwgk.db"].session() as s:
        return s.scalar(select(func.count()).select_from(InfoRequest))


def test_apply_online_and_follow_by_number_and_code(app):
    client = app.test_client()
    a = _apply(client)
    assert a.status_code == 200
    number_a, code_a = _receipt(a)
    assert re.fullmatch(r"YSQ\d{4}-[2-9A-HJ-NP-Z]{8}", number_a)
    number_b, code_b = _receipt(_apply(client, applicant_name="李四", applicant_contact="lisi@example.org",
                                       description="李四要的另一份文件"))
    # the applicant, logged out, follows their own request
    page = _track(app.test_client(), number_a, code_a)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "道县2025年义务教育招生范围" in text and "待确认收到" in text and "第三十一条" in text
    # and sees no personal data, their own or anyone else's
    for secret in ("张三", "13800000000", "430000199001010000", "李四", "lisi@example.org", "另一份文件", number_b):
        assert secret not in text
    # a number with someone else's code, a made-up number, and no code open nothing, alike
    for number, code in ((number_a, code_b), ("YSQ2025-AAAAAAAA", code_a), (number_a, "")):
        miss = _track(app.test_client(), number, code)
        assert miss.status_code == 404
        assert "道县2025年义务教育招生范围" not in miss.get_data(as_text=True)
        assert "编号或查询码不正确" in miss.get_data(as_text=True)
    # the code is not needed in any URL: GET shows only the form
    assert "道县2025年" not in app.test_client().get(f"/requests/track?tracking_no={number_a}").get_data(as_text=True)


def test_bad_applications_say_why_and_write_nothing(app):
    client = app.test_client()
    resp = _apply(client, unit="", description="")
    text = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "unit 办理单位" in text and "description 所需信息" in text
    assert 'value="张三"' in text  # what was typed is kept
    assert _count(app) == 0
    no_token = client.post("/requests/new", data={"unit": DX, "applicant_name": "x", "applicant_contact": "y",
                                                  "description": "z"})
    assert no_token.status_code == 400 and _count(app) == 0


def test_the_reply_document_opens_with_the_number_and_code_only(app):
    import datetime as dt

    from zwgk.foi import service

    client = app.test_client()
    number, code = _receipt(_apply(client))
    with app.extensions["zwgk.db"].session(actor="clerk") as s:
        req = s.scalar(select(InfoRequest).where(InfoRequest.tracking_no == number))
        today = service.beijing_day(dt.datetime.now(dt.timezone.utc))  # the office works in Beijing time
        service.confirm(s, req, today, "clerk")
        service.reply(s, req, today, "open", "clerk", text="见附件",
                      remedies="可自收到本答复之日起60日内向道县人民政府申请行政复议，或6个月内向道县人民法院提起行政诉讼。",
                      document=("答复书.pdf", b"%PDF-1.4 reply"))
    page = _track(client, number, code).get_data(as_text=True)
    assert "（一）予以公开" in page and "道县人民法院" in page and "答复书.pdf" in page
    token = _token(client, "/requests/track")
    got = client.post("/requests/track/document", data={"tracking_no": number, "secret": code, "csrf_token": token})
    assert got.status_code == 200 and got.data == b"%PDF-1.4 reply"
    wrong = client.post("/requests/track/document", data={"tracking_no": number, "secret": "WRONG123",
                                                          "csrf_token": token})
    assert wrong.status_code == 404


def test_the_admin_names_the_online_applicant_in_words_in_both_languages(app):
    """The registration step of an online application was shown with its actor's code, "public",
    on the admin's request page, in Chinese mode too."""
    from .admin_helpers import login, seed

    seed(app)
    _apply(app.test_client())
    with app.extensions["zwgk.db"].session() as s:
        req_id = s.scalar(select(InfoRequest.id))
    staff = app.test_client()
    login(staff, "dx_admin")
    text = re.sub(r"<[^>]+>", "|", staff.get(f"/admin/foi_requests/{req_id}").get_data(as_text=True))
    assert "|public|" not in text and "申请人（网上申请）" in text
    staff.get("/lang/en")
    text = re.sub(r"<[^>]+>", "|", staff.get(f"/admin/foi_requests/{req_id}").get_data(as_text=True))
    assert "|public|" not in text and "Applicant (online form)" in text
