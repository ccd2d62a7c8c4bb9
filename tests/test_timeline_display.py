"""The timeline's axis and today marker (issue 13)."""

import re

import pytest

from .admin_helpers import login, seed


@pytest.fixture
def client(make_app, regions_db_url):
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_LOGIN_RATE="1000 per minute")
    seed(app)
    client = app.test_client()
    login(client, "sys")
    return client


def _labels(svg: str) -> list[str]:
    return re.findall(r'<text x="[^"]+" y="34\.0"[^>]*>([^<]+)</text>', svg)


def test_a_short_schedule_names_each_month_and_no_label_at_the_edge(client):
    svg = client.get("/admin/timeline/?region=湖南省/永州市/道县&today=2020-10-15").get_data(as_text=True)
    labels = _labels(svg)
    assert labels == ["2020年9月", "2020年10月", "2020年11月", "2020年12月"]  # not one month; no 2021年1月 cut off
    assert "今天 2020-10-15" in svg


def test_today_outside_the_range_is_said_not_drawn_at_the_edge(client):
    svg = client.get("/admin/timeline/?region=湖南省/永州市/道县&today=2026-11-24").get_data(as_text=True)
    assert "今天（2026-11-24）在此进度安排之后 →" in svg
    assert 'stroke="#e74c3c"' not in svg  # no red line pretending today is at the axis end
    client.get("/lang/en")
    svg = client.get("/admin/timeline/?region=湖南省/永州市/道县&today=2026-11-24").get_data(as_text=True)
    assert "Today (2026-11-24) is after this schedule" in svg and "今天" not in svg and "已逾期" not in svg
