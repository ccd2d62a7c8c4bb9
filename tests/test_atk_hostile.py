"""Hostile input on the public forms (issue: outside attack): over-long fields and control characters
are refused in words (400), never a database error."""

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
            "description": "道县2025年义务教育招生范围", "csrf_token": _token(client, "/requests/new"), **fields}
    return client.post("/requests/new", data=data)


def _count(app):
    with app.extensions["zwgk.db"].session() as s:
        return s.scalar(select(func.count()).select_from(InfoRequest))


@pytest.mark.parametrize("field,value", [
    ("applicant_name", "张" * 201), ("applicant_contact", "1" * 201), ("applicant_id_number", "4" * 61),
    ("delivery", "邮" * 101), ("description", "a\x00b"), ("applicant_name", "张\x00三")])
def test_an_application_too_long_or_with_a_nul_is_refused_in_words(app, field, value):
    resp = _apply(app.test_client(), **{field: value})
    assert resp.status_code == 400
    assert field in resp.get_data(as_text=True)
    assert _count(app) == 0


@pytest.fixture
def papp(make_app, regions_db_url):
    return make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_FEEDBACK_RATE="1000 per minute")


@pytest.mark.parametrize("field,value", [("contact_name", "王" * 150), ("comment", "好\x00"),
                                         ("contact", "139\x00")])
def test_feedback_too_long_for_its_column_or_with_a_nul_is_refused_in_words(papp, field, value):
    from zwgk.participation.models import Feedback

    from .test_participation import DX, post_feedback, published_item

    item_id = published_item(papp, DX)
    resp = post_feedback(papp.test_client(), f"/item/{item_id}", **{field: value})
    assert resp.status_code == 400
    assert ("不超过" in resp.get_data(as_text=True)) or ("控制字符" in resp.get_data(as_text=True))  # said, not silent
    with papp.extensions["zwgk.db"].session() as session:
        assert session.scalars(select(Feedback)).all() == []


def test_feedback_admin_in_english_says_the_mark_in_english_and_exports_formulas_as_text(papp):
    import io

    import openpyxl

    from .admin_helpers import login
    from .test_participation import DX, _accounts, post_feedback, published_item

    _accounts(papp)
    item_id = published_item(papp, DX)
    post_feedback(papp.test_client(), f"/item/{item_id}", useful="no", comment="=cmd|' /C calc'!A0")
    dx = papp.test_client()
    login(dx, "dx_admin")
    assert "没用" in dx.get("/admin/feedback/").get_data(as_text=True)
    dx.get("/lang/en")
    listing = dx.get("/admin/feedback/").get_data(as_text=True)
    assert "Not useful" in listing and "没用" not in listing
    csv = dx.get("/admin/feedback/export/csv/")
    assert csv.status_code == 200
    assert "=cmd" not in csv.get_data(as_text=True).replace("'=cmd", "")
    xlsx = dx.get("/admin/feedback/export/xlsx/")
    assert xlsx.status_code == 200
    cells = [c for row in openpyxl.load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True)
             for c in row if isinstance(c, str)]
    assert not any(c.startswith("=") for c in cells)


def test_the_public_item_page_lists_channels_as_words_not_a_python_list(papp):
    from .test_participation import DX, published_item

    item_id = published_item(papp, DX, channels=["政府网站", "公示栏"])
    text = papp.test_client().get(f"/item/{item_id}").get_data(as_text=True)
    assert "政府网站、公示栏" in text
    assert "[&#39;" not in text and "['" not in text
