"""Issue 10 in the browser: two people edit the same item; the second, stale save is refused
with what changed meanwhile, and nothing is overwritten."""

import os

import pytest
from sqlalchemy import select

from zwgk import models as m

from .test_browser import _login, live  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def test_a_stale_save_in_the_browser_is_refused_with_what_changed(live, tmp_path):  # noqa: F811
    app, base, browser = live
    url = f"{base}/admin/catalog_item/edit/?id={app.ids['in']}"
    a, b = _login(browser, base, "dx_admin"), _login(browser, base, "dx_editor")
    a.goto(url)
    b.goto(url)
    a.fill("#content", "甲修改的公开内容")
    a.fill("#change_reason", "更新")
    a.click("input[type=submit][value='保存']")
    a.wait_for_load_state()
    b.fill("#basis", "乙修改的公开依据")
    b.fill("#change_reason", "更新依据")
    b.click("input[type=submit][value='保存']")
    b.wait_for_load_state()
    text = b.inner_text("body")
    assert "未保存" in text and "甲修改的公开内容" in text and "dx_admin" in text
    b.screenshot(path=str(tmp_path / "stale.png"), full_page=False)
    if os.environ.get("ZWGK_SCREENSHOTS"):
        b.screenshot(path=os.environ["ZWGK_SCREENSHOTS"], full_page=False)
    with app.extensions["zwgk.db"].sessionmaker() as session:
        item = session.get(m.CatalogItem, app.ids["in"])
        assert item.content == "甲修改的公开内容" and item.basis != "乙修改的公开依据"
