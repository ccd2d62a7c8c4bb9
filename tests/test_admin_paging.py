"""Large selections in the admin: the comparison is paged, bulk publication asks first (issue 13)."""

import datetime as dt
import re

import pytest
from sqlalchemy import select

from zwgk import models as m

from .admin_helpers import DX, FULL, csrf, login, seed


@pytest.fixture
def admin_app(make_app, regions_db_url):
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_LOGIN_RATE="1000 per minute")
    app.ids = seed(app)
    return app


def _many(app, n):
    with app.extensions["zwgk.db"].session(actor="test") as session:
        unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == DX))
        domain = session.scalar(select(m.Domain).where(m.Domain.name == "义务教育"))
        session.add_all(m.CatalogItem(unit=unit, domain=domain, level1=f"事项{i:04d}", **FULL) for i in range(n))


def test_the_comparison_is_paged(admin_app):
    _many(admin_app, 250)
    client = admin_app.test_client()
    login(client, "dx_admin")
    url = f"/admin/catalog_diff/?unit={DX}&from=2020-01-01"
    first = client.get(url).get_data(as_text=True)
    assert "新增 252" in first.replace("，", " ").replace("added", "新增") or "252" in first
    assert first.count('class="table-success"') == 100 and "第 1 页，共 3 页" in first
    third = client.get(url + "&page=3").get_data(as_text=True)
    assert third.count('class="table-success"') == 52
    assert client.get(url + "&page=x").status_code == 200


def test_a_comparison_from_after_to_is_refused(admin_app):
    client = admin_app.test_client()
    login(client, "dx_admin")
    page = client.get(f"/admin/catalog_diff/?unit={DX}&from=2026-06-30&to=2026-01-01").get_data(as_text=True)
    assert "起始日期晚于截止日期" in page and 'id="diff-summary"' not in page


def test_bulk_publication_asks_first_naming_count_and_units(admin_app):
    ids = admin_app.ids
    from zwgk import workflow

    pm = admin_app.extensions["zwgk.pm"]
    with admin_app.extensions["zwgk.db"].session() as session:
        for key in ("in", "other_domain"):
            item = session.get(m.CatalogItem, ids[key])
            workflow.submit(session, item, "dx_editor")
            workflow.review(session, item, "dx_reviewer", True, None)
            workflow.sign_off(session, item, "dx_reviewer", pm)
    client = admin_app.test_client()
    login(client, "dx_admin")
    token = csrf(client, "/admin/catalog_item/")
    rows = [str(ids["in"]), str(ids["other_domain"]), str(ids["out"])]  # the last is another region's
    page = client.post("/admin/catalog_item/action/", data={"action": "publish", "rowid": rows,
                                                            "csrf_token": token}).get_data(as_text=True)
    assert "将公开 1 个单位的 2 个事项" in page and DX in page and "拱墅区" not in page
    with admin_app.extensions["zwgk.db"].sessionmaker() as session:
        assert session.get(m.CatalogItem, ids["in"]).status == "signed"  # nothing yet
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/admin/catalog_item/action/", data={"action": "publish", "rowid": rows[:2], "confirmed": "1",
                                                     "csrf_token": token})
    with admin_app.extensions["zwgk.db"].sessionmaker() as session:
        assert session.get(m.CatalogItem, ids["in"]).status == "published"


def test_a_large_export_runs_as_a_job_whose_page_shows_progress(admin_app, monkeypatch, tmp_path):
    import io
    import time

    from openpyxl import load_workbook

    from zwgk import exportjobs

    monkeypatch.setattr(exportjobs, "THRESHOLD", 2)
    monkeypatch.setattr(exportjobs, "CHUNK", 1)
    client = admin_app.test_client()
    login(client, "dx_admin")
    page = client.get("/admin/catalog_item/export/xlsx/").get_data(as_text=True)
    assert "正在导出 2 个事项" in page and 'id="export-bar"' in page
    status_url = re.search(r'fetch\("([^"]+)"', page).group(1)
    end = time.monotonic() + 30
    while not (status := client.get(status_url).get_json())["finished"]:
        assert time.monotonic() < end
        time.sleep(0.05)
    assert status["ok"] and status["done"] == status["total"] == 2
    file = client.get(status_url + "/file")
    assert "attachment" in file.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(file.data)).active
    texts = {c.value for row in sheet.iter_rows() for c in row}
    assert {"招生入学", "最低生活保障"} <= texts and "拱墅区招生" not in texts  # scoped
    other = admin_app.test_client()
    login(other, "zj_admin")
    assert other.get(status_url).status_code == 404  # another user's job does not exist for them
