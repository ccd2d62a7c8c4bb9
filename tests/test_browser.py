"""The admin in a real browser: Debian's Chromium driven by Playwright (no downloaded browser).

Screenshots of the dashboard, the structure tree and the timeline go to ``screenshots/``.
"""

import socket
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from zwgk import models as m

from .admin_helpers import DX, PASSWORD, seed

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).parent.parent / "screenshots"


@pytest.fixture
def live(make_app, regions_db_url, chromium):
    from waitress.server import create_server

    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_LOGIN_RATE="1000 per minute")
    app.ids = seed(app)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = create_server(app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    pages = len(chromium.contexts)
    yield app, f"http://127.0.0.1:{port}", chromium
    for context in chromium.contexts[pages:]:  # the test's pages; the browser stays for the next test
        context.close()
    server.close()


def _login(browser, base, user):
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page.goto(f"{base}/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    return page


@pytest.mark.parametrize("user, sees_users, can_create, sees_dx, sees_zj", [
    ("sys", True, True, True, True),
    ("dx_admin", False, True, True, False),
    ("dx_editor", False, True, True, False),
    ("dx_reviewer", False, False, True, False),
    ("dx_viewer", False, False, True, False),
])
def test_each_role_sees_what_it_may(live, user, sees_users, can_create, sees_dx, sees_zj):
    app, base, browser = live
    page = _login(browser, base, user)
    assert page.locator("#zwgk-user").inner_text() == user
    page.click("text=系统")
    assert page.locator("a.dropdown-item", has_text="用户").count() == (1 if sees_users else 0)
    page.goto(f"{base}/admin/catalog_item/")
    body = page.inner_text("body")
    assert ("招生入学" in body) == sees_dx and ("拱墅区招生" in body) == sees_zj
    assert page.locator("a", has_text="创建").count() > 0 if can_create else page.locator(
        "a[href*='/catalog_item/new/']").count() == 0
    # another region's record by its URL: not found, and nothing changed
    response = page.goto(f"{base}/admin/catalog_item/edit/?id={app.ids['out']}")
    assert response.status == (200 if user == "sys" else 404 if user != "dx_reviewer" and user != "dx_viewer" else 403)
    page.close()


def test_region_admin_creates_and_edits_an_item_and_the_history_shows_it(live):
    app, base, browser = live
    page = _login(browser, base, "dx_admin")
    with app.extensions["zwgk.db"].sessionmaker() as session:
        unit = session.scalar(select(m.AdminUnit.id).where(m.AdminUnit.key == DX))
        domain = session.scalar(select(m.Domain.id).where(m.Domain.name == "义务教育"))
    page.goto(f"{base}/admin/catalog_item/new/")
    page.eval_on_selector("#unit", "(el, v) => { el.value = String(v); }", unit)
    page.eval_on_selector("#domain", "(el, v) => { el.value = String(v); }", domain)
    for field, value in {"level1": "学生资助", "level2": "资助政策", "content": "资助标准、申请条件",
                         "basis": "《学生资助资金管理办法》", "time_limit": "自信息形成或者变更之日起20个工作日内",
                         "subject": "县教育局", "channels": "政府网站、公示栏", "change_reason": "新增事项"}.items():
        page.fill(f"#{field}", value)
    for box in ("audience_public", "method_active"):
        page.check(f"#{box}")
    page.select_option("#levels", ["county"])
    page.click("input[type=submit][value='保存']")
    page.wait_for_url(f"{base}/admin/catalog_item/**")
    errors = page.locator(".invalid-feedback, .help-block, .alert-danger").all_inner_texts()
    assert "学生资助" in page.inner_text("body"), errors

    with app.extensions["zwgk.db"].sessionmaker() as session:
        item = session.scalar(select(m.CatalogItem).where(m.CatalogItem.level1 == "学生资助"))
        assert item.unit.key == DX and item.method_active and item.audience_public
        assert item.channels == ["政府网站", "公示栏"] and item.levels == ["county"]
    page.goto(f"{base}/admin/catalog_item/edit/?id={item.id}")
    page.fill("#content", "资助标准、申请条件、资助名单")
    page.fill("#change_reason", "补充资助名单")
    page.click("input[type=submit][value='保存']")
    page.wait_for_url(f"{base}/admin/catalog_item/**")
    page.goto(f"{base}/admin/change/")
    history = page.inner_text("body")
    assert "补充资助名单" in history and "新增事项" in history and "dx_admin" in history
    page.close()


def test_screenshots_of_dashboard_tree_and_timeline_speak_chinese(live):
    app, base, browser = live
    SHOTS.mkdir(exist_ok=True)
    page = _login(browser, base, "sys")
    for name, url, words in [
        ("dashboard", "/admin/", ["工作台", "各单位、各领域公开事项", "已逾期"]),
        ("structure", "/admin/structure/?region=浙江省", ["浙江省基层政务公开标准体系", "政务公开总则", "考核评价"]),
        ("timeline", "/admin/timeline/?region=山东省&today=2018-02-15", ["进度安排时间轴", "梳理编制事项标准目录", "今天"]),
    ]:
        page.goto(base + url)
        text = page.inner_text("body")
        for word in words:
            assert word in text, (name, word)
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 20_000
    page.close()


def test_uploading_a_large_catalog_shows_progress_then_the_result(live, tmp_path, monkeypatch):
    """A catalog of thousands of rows: the page shows the phases on a progress bar, then the result."""
    import time

    from zwgk.catalog import ItemValidator

    from .test_catalog_io import ROWS, real_layout

    app, base, browser = live
    check = ItemValidator.__call__

    def slow_check(self, *args, **kwargs):  # 8,000 rows now take a fraction of the page's 0.4 s poll:
        time.sleep(0.0003)  # a checking phase of a few seconds, so that the page is seen counting
        return check(self, *args, **kwargs)

    monkeypatch.setattr(ItemValidator, "__call__", slow_check)  # the server runs in this process
    SHOTS.mkdir(exist_ok=True)
    rows = []
    for n in range(1, 8001):
        row = list(ROWS[0])
        row[0], row[2] = str(n), f"招生政策{n}"
        rows.append(row)
    path = real_layout(tmp_path / "道县义务教育目录.xlsx", rows)
    page = _login(browser, base, "dx_admin")
    page.goto(f"{base}/admin/catalog_import/")
    page.set_input_files("#file", str(path))
    page.select_option("#unit", DX)
    page.fill("#domain", "义务教育")
    page.click("#import-submit")
    # the bar moves through the phases: wait until it is checking rows, and keep a picture of it
    page.wait_for_function("document.getElementById('import-count').textContent.indexOf('/ 8000') > 0",
                           timeout=60_000)
    assert "行" in page.inner_text("#import-progress")
    page.screenshot(path=str(SHOTS / "import-progress.png"), full_page=True)
    page.wait_for_selector("#import-result", timeout=120_000)
    assert "已导入 8000" in page.inner_text("#import-result")
    page.screenshot(path=str(SHOTS / "import-result.png"), full_page=True)
    with app.extensions["zwgk.db"].sessionmaker() as session:
        assert session.scalar(select(m.CatalogItem.id).where(m.CatalogItem.level2 == "招生政策8000")) is not None
    page.close()


def test_catalog_diff_page(live):
    import datetime as dt

    from zwgk.catalog_history import BEIJING

    app, base, browser = live
    SHOTS.mkdir(exist_ok=True)
    db = app.extensions["zwgk.db"]
    with db.session() as session:  # the seeded catalog as it stood on 1 November
        for v in session.scalars(select(m.CatalogItemVersion)):
            v.at = dt.datetime(2026, 11, 1, 9, tzinfo=BEIJING)
    with db.session(actor="dx_admin", reason="调整") as session:
        item = session.get(m.CatalogItem, app.ids["in"])
        item.content, item.channels = "招生范围、招生条件、招生结果", ["政府网站", "公示栏"]
    page = _login(browser, base, "dx_admin")
    page.goto(f"{base}/admin/catalog_diff/")
    page.select_option("#unit", DX)
    page.fill("#from", "2026-11-02")
    page.click("#diff-form button[type=submit]")
    page.wait_for_selector("#diff-summary")
    text = page.inner_text("body")
    assert "新增 0，删除 0，变更 1" in text and "招生范围、招生条件、招生结果" in text and "公开渠道和载体" in text
    page.screenshot(path=str(SHOTS / "catalog-diff.png"), full_page=True)
    page.close()


def test_versions_page_and_revert_in_the_browser(live):
    app, base, browser = live
    SHOTS.mkdir(exist_ok=True)
    item_id = app.ids["in"]
    with app.extensions["zwgk.db"].session(actor="dx_editor", reason="补充内容") as session:
        session.get(m.CatalogItem, item_id).content = "招生范围、招生条件、招生计划"
    page = _login(browser, base, "dx_admin")
    page.goto(f"{base}/admin/catalog_item/details/?id={item_id}")
    page.click("#versions-link")
    page.wait_for_selector("#versions")
    page.fill("#v1 input[name=reason]", "恢复原内容")
    page.click("#v1 button[type=submit]")
    page.wait_for_selector("#v3")
    text = page.inner_text("body")
    assert "已恢复为第1版的内容" in text and "恢复原内容" in text
    page.screenshot(path=str(SHOTS / "versions.png"), full_page=True)
    page.close()


def test_every_admin_page_in_both_languages_as_a_region_administrator(live):
    """Issue 13: every list, form and detail page, in Chinese and in English: real names, one
    language (data aside), times in Beijing time, said once in the footer."""
    from .test_admin_words import data_corpus, foreign_words

    app, base, browser = live
    SHOTS.mkdir(exist_ok=True)
    corpus = data_corpus(app)
    page = _login(browser, base, "dx_admin")
    urls = ["/admin/"] + [v.url + "/" for v in app.extensions["zwgk.admin"]._views if v.url != "/admin"]
    more = []
    for url in urls:
        page.goto(base + url)
        for kind in ("new", "details", "edit"):
            link = page.locator(f"a[href^='{url}{kind}/']").first
            if link.count():
                more.append(link.get_attribute("href").split("&url=")[0])
    problems = []
    for lang, code in (("zh", "zh_Hans_CN"), ("en", "en")):
        page.goto(f"{base}/lang/{code}?next=/admin/")
        for url in urls + more:
            response = page.goto(base + url)
            assert response.status == (403 if url.startswith("/admin/account/") else 200), url
            html = page.content()
            assert "object at 0x" not in html, (lang, url)
            text = page.inner_text("body")
            words = foreign_words(text, lang, corpus)
            if words:
                problems.append((lang, url, sorted(words)[:10]))
            if response.status == 200:
                footer = page.inner_text("#zwgk-footer")
                assert ("北京时间" in footer) if lang == "zh" else ("Beijing time" in footer), url
        for name, url in (("dashboard", "/admin/"), ("changes", "/admin/change/"),
                          ("element-requirement-new", "/admin/element_requirement/new/"),
                          ("milestone-edit", more[[m.split("/")[2] for m in more].index("milestone")]
                           if any(m.startswith("/admin/milestone/edit/") for m in more) else "/admin/milestone/")):
            page.goto(base + url)
            page.screenshot(path=str(SHOTS / f"i13-{name}-{lang}.png"), full_page=True)
    assert not problems, "\n".join(map(str, problems))
    page.close()
