"""The pages of issues 13 and 14 in a real browser (Chromium through Playwright), both languages:
后台任务 with its progress bars, the dashboard's paged unit summary, the public pages with their
language switch.  Screenshots go to ``screenshots/``."""

import datetime as dt

import pytest

from zwgk import admin as zadmin
from zwgk import exportjobs
from zwgk.exportjobs import ExportJob
from zwgk.foi import service

from .admin_helpers import DX
from .test_browser import SHOTS, _login, live  # noqa: F401 - the fixture
from .admin_helpers import publish

pytestmark = pytest.mark.browser


def _user_id(app, name):
    from sqlalchemy import select

    from zwgk import models as m

    with app.extensions["zwgk.db"].sessionmaker() as session:
        return session.scalar(select(m.User.id).where(m.User.username == name))


def test_jobs_page_and_paged_dashboard_in_both_languages(live, monkeypatch):  # noqa: F811
    app, base, browser = live
    SHOTS.mkdir(exist_ok=True)
    jobs = app.extensions.setdefault("zwgk.export_jobs", exportjobs.ExportJobs())
    done = jobs.start(app.extensions["zwgk.db"], [app.ids["in"], app.ids["other_domain"]], "xlsx",
                      _user_id(app, "dx_admin"), "道县目录.xlsx", actor="dx_admin", unit=DX)
    running = ExportJob("b" * 32, _user_id(app, "dx_admin"), "道县全部.xlsx", "xlsx", 20008, done=7300,
                        actor="dx_admin", unit=DX)
    jobs._jobs[running.id] = running
    other = ExportJob("c" * 32, _user_id(app, "zj_admin"), "浙江.xlsx", "xlsx", 10, actor="zj_admin", unit="浙江省")
    jobs._jobs[other.id] = other
    monkeypatch.setattr(zadmin, "SUMMARY_PAGE", 1)
    page = _login(browser, base, "dx_admin")
    page.goto(f"{base}/lang/zh_Hans_CN?next=/admin/")
    page.click("a[href='/admin/jobs/']")  # from the menu
    page.wait_for_url(f"{base}/admin/jobs/")
    assert page.inner_text("h2") == "后台任务"
    rows = page.locator("#jobs tbody tr")
    assert rows.count() == 2  # 浙江's job is not shown
    text = page.inner_text("#jobs")
    assert "浙江" not in text and "进行中" in text and "已完成" in text and "7300 / 20008" in text
    assert page.locator(f"tr[data-job='{running.id}'] progress").get_attribute("value") == "7300"
    assert page.locator(f"tr[data-job='{done.id}'] a", has_text="下载").count() == 1
    assert page.locator("meta[http-equiv='refresh']").count() == 1  # refreshes without script while one runs
    page.screenshot(path=str(SHOTS / "i14-jobs-zh.png"), full_page=True)
    page.goto(f"{base}/lang/en?next=/admin/jobs/")
    assert page.inner_text("h2") == "Background jobs" and "7300 of 20008" in page.inner_text("#jobs")
    page.screenshot(path=str(SHOTS / "i14-jobs-en.png"), full_page=True)
    # the dashboard's unit summary, a page at a time
    page.goto(f"{base}/admin/")
    assert "Page 1 of 2" in page.inner_text("#summary-pager")
    page.click("#summary-pager a[rel=next]")
    assert "summary_page=2" in page.url and "Page 2 of 2" in page.inner_text("#summary-pager")
    page.screenshot(path=str(SHOTS / "i13-dashboard-page2-en.png"), full_page=True)
    page.goto(f"{base}/lang/zh_Hans_CN?next=/admin/")
    assert "第 1 页，共 2 页" in page.inner_text("#summary-pager") and "下一页" in page.inner_text("#summary-pager")
    page.screenshot(path=str(SHOTS / "i13-dashboard-page1-zh.png"), full_page=True)
    page.close()


def test_public_pages_switch_language_in_the_browser(live):  # noqa: F811
    app, base, browser = live
    SHOTS.mkdir(exist_ok=True)
    publish(app, DX, level1="招生入学", level2="招生政策", stages=["decision", "result"], levels=["county"])
    with app.extensions["zwgk.db"].session(actor="clerk") as session:
        req, secret = service.register(session, unit=DX, channel="online", description="2025年义务教育招生计划",
                                       actor="public", applicant_name="张三", applicant_contact="13800000000",
                                       submitted_at=dt.datetime(2025, 9, 28, 2, tzinfo=dt.timezone.utc))
        number = req.tracking_no
        service.confirm(session, req, dt.date(2025, 9, 29), "clerk")
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page.goto(f"{base}/catalog?region={DX}&domain=义务教育")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.inner_text("h1") == "道县义务教育领域政务公开事项标准目录"
    assert "（依据 " in page.inner_text("#required") and "：本页 1 项" in page.inner_text("#catalog-count")
    assert page.locator("th", has_text="一级事项").count() == 1
    page.screenshot(path=str(SHOTS / "i14-public-catalog-zh.png"), full_page=True)
    page.click("header .lang a[lang=en]")
    page.wait_for_load_state()
    assert "domain=" in page.url  # back on the same page
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.inner_text("h1") == "Standard disclosure catalog of 道县, domain 义务教育"
    assert page.locator("th", has_text="First-level item").count() == 1
    assert "Decision, Result" in page.inner_text("#catalog")
    page.screenshot(path=str(SHOTS / "i14-public-catalog-en.png"), full_page=True)
    page.goto(f"{base}/requests/track")
    page.fill("input[name=tracking_no]", number)
    page.fill("input[name=secret]", secret)
    page.click("#track-form button[type=submit]")
    page.wait_for_selector("#counting")
    counting = page.inner_text("#counting")
    assert "Request received: 2025-09-29 (Monday); online: received on the day both sides confirm" in counting and "收到申请" not in counting
    page.screenshot(path=str(SHOTS / "i14-public-request-en.png"), full_page=True)
    page.goto(f"{base}/topic/{DX}")
    assert "Topic of the pilot work" in page.inner_text("h1") and "Work plan" in page.inner_text("#plan")
    page.screenshot(path=str(SHOTS / "i14-public-topic-en.png"), full_page=True)
    page.goto(f"{base}/regions/{DX}")
    page.screenshot(path=str(SHOTS / "i14-public-unit-en.png"), full_page=True)
    page.click("header .lang a[lang=zh-CN]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-CN" and "领域" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "i14-public-unit-zh.png"), full_page=True)
    page.close()
