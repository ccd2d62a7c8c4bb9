"""The evaluation report in a real browser (Chromium through Playwright): the charts draw, offline."""

from pathlib import Path

import pytest

from .evaluation_fixture import build, third_party

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).parent.parent / "screenshots"


def test_html_report_charts_are_visible_and_nothing_is_fetched(make_app, loaded_db_url, run_cli, tmp_path,
                                                                 chromium):
    app = make_app(loaded_db_url)
    build(app.extensions["zwgk.db"])
    third_party(app.extensions["zwgk.db"])
    # two periods, so that the score-over-time chart has a line
    run_cli(app, "evaluate", "--region", "测试省", "--period", "2018Q2")
    out = tmp_path / "report.html"
    assert run_cli(app, "evaluate", "--region", "测试省", "--period", "2018Q3", "--format", "html",
                   "-o", str(out)).exit_code == 0
    requests = []
    page = chromium.new_page(viewport={"width": 900, "height": 1200}, locale="zh-CN")
    page.on("request", lambda r: requests.append(r.url))
    page.goto(out.as_uri())
    charts = page.locator("svg")
    assert charts.count() >= 5
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 200 and box["height"] > 60
    assert page.locator("svg rect[fill='#1e8449'], svg rect[fill='#b9770e'], svg rect[fill='#c0392b']").count() > 5
    assert page.locator("svg polyline").count() >= 1  # the region's average over two periods
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "evaluation-report.png"), full_page=True)
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF"
    page.context.close()
    assert [u for u in requests if not u.startswith("file://")] == []
