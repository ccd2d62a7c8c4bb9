"""Participation in a real browser (Chromium through Playwright): a citizen leaves feedback, the
unit answers it in the admin, the answer shows publicly and the contact details never do; the
flowcharts of 道县 (with 主要领导签字) and 浙江 (without) as screenshots in ``screenshots/``."""

import pytest
from sqlalchemy import select

from zwgk.participation.models import Feedback

from .test_browser import SHOTS, _login, live  # noqa: F401  (the live server fixture)
from .test_participation import DX, ZJ, published_item

pytestmark = pytest.mark.browser
CONTACT, NAME = "13800001111", "李四"


def test_citizen_feedback_answered_by_the_unit_shows_publicly_without_contact_details(live):  # noqa: F811
    app, base, browser = live
    SHOTS.mkdir(exist_ok=True)
    item_id = published_item(app, DX, level1="招生入学（测试）")
    citizen = browser.new_page(viewport={"width": 1200, "height": 900}, locale="zh-CN", java_script_enabled=False)
    citizen.goto(f"{base}/topic/{DX}")
    citizen.click("text=招生入学（测试）")
    assert citizen.url.endswith(f"/item/{item_id}")
    box = citizen.locator("#homepage").bounding_box()  # the honeypot is out of sight (style, not script)
    assert box is None or box["x"] + box["width"] <= 0
    citizen.check("input[name=useful][value=no]")
    citizen.fill("#comment", "请公布各学校的划片范围图。")
    citizen.fill("#contact_name", NAME)
    citizen.fill("#contact", CONTACT)
    citizen.click("#feedback-submit")
    assert "感谢您的反馈" in citizen.inner_text("#feedback-sent")
    with app.extensions["zwgk.db"].sessionmaker() as session:
        fb = session.scalars(select(Feedback)).one()
        assert (fb.contact, fb.contact_name, fb.status) == (CONTACT, NAME, "pending")

    admin = _login(browser, base, "dx_admin")
    admin.goto(f"{base}/admin/feedback/")
    listing = admin.inner_text("body")
    assert CONTACT in listing and "请公布各学校的划片范围图" in listing  # the unit sees who wrote
    admin.goto(f"{base}/admin/feedback/edit/?id={fb.id}")
    admin.select_option("#status", "approved")
    admin.fill("#answer", "各学校划片范围图已在县教育局网站“招生入学”栏目公布。")
    admin.check("#answer_public")
    admin.click("input[type=submit][value='保存']")
    admin.wait_for_url(f"{base}/admin/feedback/**")
    admin.screenshot(path=str(SHOTS / "participation-admin-feedback.png"), full_page=True)
    admin.close()

    citizen.goto(f"{base}/item/{item_id}")
    body = citizen.content()
    assert "各学校划片范围图已在县教育局网站" in body and "请公布各学校的划片范围图" in body
    assert CONTACT not in body and NAME not in body
    citizen.screenshot(path=str(SHOTS / "participation-item.png"), full_page=True)
    for url in (f"/api/v1/feedback?region={DX}", f"/topic/{DX}", f"/feedback/{DX}"):
        citizen.goto(base + url)
        assert CONTACT not in citizen.content() and NAME not in citizen.content(), url
    citizen.close()


def test_flowcharts_daoxian_with_sign_off_zhejiang_without(live):  # noqa: F811
    app, base, browser = live
    SHOTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="zh-CN", java_script_enabled=False)
    for name, unit, signed in (("daoxian", DX, True), ("zhejiang", ZJ, False), ("shandong", "山东省", False)):
        page.goto(f"{base}/topic/{unit}")
        chart = page.locator("#flowchart-svg svg")
        assert (chart.locator('[data-step="signoff"]').count() == 1) is signed
        assert ("主要领导签字" in chart.text_content()) is signed
        chart.screenshot(path=str(SHOTS / f"flowchart-{name}.png"))
        page.screenshot(path=str(SHOTS / f"topic-{name}.png"), full_page=True)
    page.close()


def test_the_feedback_list_fits_a_page_1024_pixels_wide_in_both_languages(live):  # noqa: F811
    """docs/i18n.md: long comments and answers are cut (whole on hover), name and contact share a column."""
    from zwgk import models as m
    from zwgk.participation import service as svc

    app, base, browser = live
    long = "这个事项的公开内容很详细，但是希望能够补充办理流程图和联系电话，方便群众查询办理进度。" * 3
    with app.extensions["zwgk.db"].session(actor="test") as session:
        unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == DX))
        fb = svc.leave_feedback(session, unit, None, True, long, "王先生", "wang.xiansheng.example@example.com")
        fb.answer, fb.answer_public = "感谢您的意见，我们将在下一版目录中补充办理流程和联系电话。" * 3, True
    admin = _login(browser, base, "dx_admin")
    admin.set_viewport_size({"width": 1024, "height": 900})
    for code in ("zh_Hans_CN", "en"):
        admin.goto(f"{base}/lang/{code}?next=/admin/feedback/")
        table = admin.locator("table.model-list").bounding_box()
        width = admin.evaluate("document.documentElement.clientWidth")
        assert table["x"] + table["width"] <= width, (code, table, width)
        admin.screenshot(path=str(SHOTS / f"participation-feedback-list-1024-{code}.png"), full_page=True)
    admin.close()
