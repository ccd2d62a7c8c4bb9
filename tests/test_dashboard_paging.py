"""The dashboard's unit summary is paged, with links in words, in both languages (issue 13)."""

import re

import pytest

from zwgk import admin as zadmin

from .admin_helpers import DX, login, seed


@pytest.fixture
def admin_app(make_app, regions_db_url):
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_LOGIN_RATE="1000 per minute")
    app.ids = seed(app)
    return app


def _rows(page: str) -> list[tuple[str, str]]:
    table = page.split('id="catalog-summary"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td>", table)


def test_the_unit_summary_is_paged_with_links_in_words(admin_app, monkeypatch):
    monkeypatch.setattr(zadmin, "SUMMARY_PAGE", 2)
    client = admin_app.test_client()
    login(client, "sys")
    first = client.get("/admin/").get_data(as_text=True)
    assert len(_rows(first)) == 2
    assert "第 1 页，共 2 页" in first and "下一页" in first and "上一页" not in first
    assert 'href="/admin/?summary_page=2"' in first
    second = client.get("/admin/?summary_page=2").get_data(as_text=True)
    assert "第 2 页，共 2 页" in second and "上一页" in second and "下一页" not in second
    rows = _rows(first) + _rows(second)
    assert len(rows) == len(set(rows)) == 3  # every pair once, none twice
    assert (DX, "义务教育") in rows and ("浙江省/杭州市/拱墅区", "义务教育") in rows
    # hostile or stale page numbers show a real page, never an error
    assert _rows(client.get("/admin/?summary_page=999").get_data(as_text=True)) == _rows(second)
    for bad in ("abc", "-1", "0", "1e9", "9" * 40):
        answer = client.get(f"/admin/?summary_page={bad}")
        assert answer.status_code == 200 and _rows(answer.get_data(as_text=True)) == _rows(first)
    client.get("/lang/en")
    english = client.get("/admin/?summary_page=2").get_data(as_text=True)
    assert "Page 2 of 2" in english and "Previous page" in english and "第 2 页" not in english


def test_a_region_sees_only_its_units_pages(admin_app, monkeypatch):
    monkeypatch.setattr(zadmin, "SUMMARY_PAGE", 2)
    client = admin_app.test_client()
    login(client, "dx_admin")
    page = client.get("/admin/").get_data(as_text=True)
    assert {u for u, _ in _rows(page)} == {DX} and len(_rows(page)) == 2
    assert 'id="summary-pager"' not in page  # one page: no pager
