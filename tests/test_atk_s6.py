"""Session 6's merged changes attacked (s6-atk): what held is pinned here, what broke is fixed."""

import pytest

from .admin_helpers import login, seed
from .test_api_v1 import ITEM, token_for


@pytest.fixture
def dx_app(make_app, regions_db_url):
    app = make_app(regions_db_url, plugins="daoxian")
    seed(app)
    return app


def _date_message(c, accept):
    headers = {"Accept-Language": accept} if accept is not None else {}
    got = c.get("/api/v1/catalog_changes?region=道县&from=yesterday", headers=headers)
    assert got.status_code == 400, (accept, got.status_code)
    return got.get_json()["message"]


@pytest.mark.parametrize("accept, english", [
    ("*", False), ("en;q=0", False), ("en;q=0, zh;q=0", False), ("garbage,,;;q=x", False), ("", False),
    ("\u00e9\u00e9", False), ("en-GB;q=0.1, fr", True), ("fr, en;q=0.5", True), ("zh-TW, en;q=0.5", False), ("zh-Hant;q=0.9, en;q=0.8", False), ("zh_CN", False),
    ("x" * 4000, False), ("en;q=abc", False)])
def test_odd_accept_language_headers_never_fail_and_pick_a_language(dx_app, accept, english):
    message = _date_message(dx_app.test_client(), accept)
    assert ("Not a date" in message) == english and ("不是日期" in message) != english, (accept, message)


def test_a_chosen_language_wins_over_accept_language_under_api(dx_app):
    c = dx_app.test_client()
    c.get("/lang/zh_Hans_CN")
    assert "不是日期" in _date_message(c, "en-US,en")
    c.get("/lang/en")
    assert "Not a date" in _date_message(c, "zh-CN,zh")


@pytest.mark.parametrize("accept", ["en-US,en", "*", "garbage;;", "en;q=0"])
def test_pages_stay_chinese_first_whatever_accept_language_says(dx_app, accept):
    c = dx_app.test_client()
    for path in ("/catalog", "/login"):
        page = c.get(path, headers={"Accept-Language": accept})
        assert page.status_code == 200 and 'lang="zh' in page.get_data(as_text=True), (path, accept)
    login(c, "dx_admin")
    page = c.get("/admin/", headers={"Accept-Language": accept})
    assert page.status_code == 200 and "<title>工作台" in page.get_data(as_text=True)


@pytest.mark.parametrize("value", ["true", 1, 0, "√", None, [], {}, "false"])
def test_a_write_api_flag_that_is_not_a_json_boolean_is_refused_naming_it(dx_app, value):
    c = dx_app.test_client()
    auth = {"Authorization": f"Bearer {token_for(dx_app, 'dx_admin')}", "Accept-Language": "en"}
    got = c.post("/api/v1/catalog_items", json={**ITEM, "audience_public": value}, headers=auth)
    assert got.status_code == 400 and "audience_public" in str(got.get_json()), (value, got.get_json())


def test_every_skipped_section_or_header_row_is_listed_in_the_warning():
    """A workbook printed over many pages repeats its header on each: the warning names every skipped
    row, not the first ten (docs/catalog-intake.md: the warnings list the skipped rows)."""
    from .test_catalog_sections import HEADER, _read, _row

    rows = [HEADER]
    for n in range(1, 16):
        rows += [[f"第{'一二三四五六七八九十'[n % 10]}部分 部分{n}"] + [""] * 9, _row(n, "")]
    records, problems, warnings = _read(rows)
    assert problems == [] and len(records) == 15
    [warning] = [w for w in warnings if "分节行" in w]
    assert "跳过 15 个" in warning
    for n in range(1, 16):
        assert f"第{2 * n}行 row {2 * n} “第" in warning, n
    assert f"部分15”" in warning and "…" not in warning
