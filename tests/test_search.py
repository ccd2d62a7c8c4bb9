"""Search: Traditional and Simplified alike, two-character words, ranking, highlighting, filters."""

import pytest
from sqlalchemy import select

from zwgk import models as m
from zwgk.textsearch import fold, highlight, index_terms, query_terms

from .admin_helpers import DX, FULL, publish

ZJ = "浙江省/杭州市/拱墅区"


@pytest.fixture
def app(make_app, regions_db_url):
    return make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")


def found(app, query, **filters):
    from urllib.parse import urlencode

    page = app.test_client().get("/search?" + urlencode({"q": query, **filters}))
    assert page.status_code == 200
    import re

    return [int(i) for i in re.findall(r'<li><a href="/catalog/items/(\d+)"', page.get_data(as_text=True))]


def test_folding_and_segmentation():
    assert fold("政務公開") == "政务公开"
    assert "教育" in index_terms("義務教育招生") and "义务" in index_terms("義務教育招生")
    assert query_terms("義務教育 招生結果") == ["义务教育", "招生", "结果"]
    assert str(highlight("政務公開<b>", ["政务"])) == "<mark>政務</mark>公開&lt;b&gt;"


def test_traditional_finds_simplified_and_the_reverse(app):
    simplified = publish(app, DX, level1="政务公开专栏", content="义务教育招生结果")
    traditional = publish(app, DX, level1="資助政策", content="政務公開 招生結果")
    assert found(app, "政務公開") == [simplified, traditional] or found(app, "政務公開") == [traditional, simplified]
    assert set(found(app, "政务公开")) == {simplified, traditional}
    assert found(app, "專欄") == [simplified]
    assert found(app, "资助") == [traditional]
    assert set(found(app, "招生结果")) == {simplified, traditional}
    assert found(app, "火星") == []


def test_two_character_words_match(app):
    item = publish(app, DX, level1="学生资助", content="助学金发放名单")
    assert found(app, "资助") == [item]
    assert found(app, "名单") == [item]


def test_an_item_with_both_words_ranks_above_one_with_one(app):
    one = publish(app, DX, level1="低保名单", content="城乡低保对象名单")
    both = publish(app, DX, level1="资助名单", content="学生资助对象名单")
    other = publish(app, DX, level1="资助政策", content="政策文件")
    results = found(app, "资助 名单")
    assert results[0] == both and set(results) == {one, both, other}


def test_search_filters_by_region_and_domain_and_highlights(app):
    dx = publish(app, DX, level1="招生入学", content="招生范围")
    zj = publish(app, ZJ, level1="招生入学", content="招生范围")
    relief = publish(app, DX, domain="社会救助", level1="招生补助", content="招生")
    assert set(found(app, "招生", region="daoxian")) == {dx, relief}
    assert found(app, "招生", region="zhejiang") == [zj]
    assert found(app, "招生", region=DX, domain="社会救助") == [relief]
    page = app.test_client().get("/search?q=招生&region=zhejiang").get_data(as_text=True)
    assert "<mark>招生</mark>入学" in page


def test_drafts_are_not_found(app):
    with app.extensions["zwgk.db"].session(actor="test") as session:
        unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == DX))
        dom = session.scalar(select(m.Domain).where(m.Domain.name == "义务教育"))
        session.add(m.CatalogItem(unit=unit, domain=dom, level1="未公开的草稿", **FULL))
    assert found(app, "草稿") == []


def test_standards_are_searched_too(app):
    page = app.test_client().get("/search?q=運行管理&region=zhejiang").get_data(as_text=True)
    assert 'id="standards"' in page and "政务公开 <mark>运行管理</mark>" in page


# --------------------------------------------------------------------------
# The cap on ranked matches (RANK_CAP): the newest matches of each group are ranked, no more
# --------------------------------------------------------------------------


def search_page(app, query, **filters):
    from urllib.parse import urlencode

    page = app.test_client().get("/search?" + urlencode({"q": query, **filters}))
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_a_common_word_ranks_only_its_newest_matches_and_the_page_says_so(app, monkeypatch):
    from zwgk import published

    ids = [publish(app, DX, level1="招生入学", content=f"招生范围（第{i}号）") for i in range(5)]
    assert "id=\"capped\"" not in search_page(app, "招生")  # 5 matches, under the usual cap
    assert set(found(app, "招生")) == set(ids)
    monkeypatch.setattr(published, "RANK_CAP", 3)
    page = search_page(app, "招生")
    assert 'id="capped"' in page and "最新的 3 个匹配" in page
    assert set(found(app, "招生")) == set(ids[-3:])  # the three newest, not the two oldest
    monkeypatch.setattr(published, "RANK_CAP", 5)  # exactly as many matches as the cap: still said
    assert 'id="capped"' in search_page(app, "招生")
    monkeypatch.setattr(published, "RANK_CAP", 6)
    assert 'id="capped"' not in search_page(app, "招生")


def test_under_the_cap_the_item_with_both_words_still_ranks_first(app, monkeypatch):
    from zwgk import published

    both = publish(app, DX, level1="资助名单", content="学生资助对象名单")  # the oldest
    ones = [publish(app, DX, level1="资助政策", content=f"政策文件（第{i}号）") for i in range(4)]
    monkeypatch.setattr(published, "RANK_CAP", 2)
    results = found(app, "资助 名单")
    assert results[0] == both
    assert results[1:] and set(results[1:]) == set(ones[-2:])  # the rest: the two newest with one word
    assert "含全部检索词的与只含部分检索词的" in search_page(app, "资助 名单")


def test_the_cap_applies_after_the_region_and_domain_filters(app, monkeypatch):
    from zwgk import published

    dx = publish(app, DX, level1="招生入学", content="招生范围")  # the oldest match, alone in its region
    zj = [publish(app, ZJ, level1="招生入学", content=f"招生范围（第{i}号）") for i in range(3)]
    relief = publish(app, DX, domain="社会救助", level1="招生补助", content="招生")
    monkeypatch.setattr(published, "RANK_CAP", 1)
    assert found(app, "招生", region="daoxian", domain="义务教育") == [dx]
    assert found(app, "招生", region=DX, domain="社会救助") == [relief]
    assert found(app, "招生", region="zhejiang") == [zj[-1]]


def test_search_pages_across_the_two_groups_without_repeating_or_skipping(app, monkeypatch):
    from zwgk import published

    both = [publish(app, DX, level1="资助名单", content=f"资助对象名单（第{i}号）") for i in range(3)]
    one = [publish(app, DX, level1="资助政策", content=f"政策文件（第{i}号）") for i in range(4)]
    with app.app_context():
        from zwgk.db import get_db

        session = get_db().scoped()
        whole = published.search(session, ["资助", "名单"], limit=50)
        assert set(whole[:3][i]["id"] for i in range(3)) == set(both) and {r["id"] for r in whole[3:]} == set(one)
        paged = [r["id"] for off in range(0, 8, 2) for r in published.search(session, ["资助", "名单"], limit=2,
                                                                              offset=off)]
        assert paged == [r["id"] for r in whole]


def test_the_newest_matches_are_found_below_many_newer_items_that_do_not_match(app, monkeypatch):
    # PostgreSQL reads the newest RANK_CAP * NEWEST_SCAN rows in id order first, then looks
    # below them through the GIN index in windows sized by what it found: here the scan covers
    # two ids, so the matches further down are found by the windows, and the result is the same
    from zwgk import published

    old = publish(app, DX, level1="督导评估", content="督导结果（旧）")
    for i in range(5):
        publish(app, DX, level1="招生入学", content=f"招生范围（甲{i}号）")
    mid = publish(app, ZJ, level1="督导评估", content="督导结果（中）")
    for i in range(5):
        publish(app, DX, level1="招生入学", content=f"招生范围（乙{i}号）")
    monkeypatch.setattr(published, "NEWEST_SCAN", 1)
    monkeypatch.setattr(published, "RANK_CAP", 3)
    assert set(found(app, "督导")) == {old, mid}
    assert 'id="capped"' not in search_page(app, "督导")  # two matches under a cap of three
    assert found(app, "督导", region="daoxian") == [old]
    monkeypatch.setattr(published, "RANK_CAP", 1)
    assert found(app, "督导") == [mid] and 'id="capped"' in search_page(app, "督导")
