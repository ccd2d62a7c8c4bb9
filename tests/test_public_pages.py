"""Public pages: regions → units → domains → the catalog in the full 标准目录 layout, the item
page with its public history, the standard system; landmarks, labels, print layout."""

import re

import pytest
from sqlalchemy import select, text

from zwgk import models as m

from .admin_helpers import DX, FULL, publish


@pytest.fixture
def app(make_app, regions_db_url):
    return make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")


def test_regions_lead_to_units_domains_and_the_catalog(app):
    publish(app, DX, level1="招生入学")
    client = app.test_client()
    regions = client.get("/regions").get_data(as_text=True)
    assert 'href="/regions/湖南省"' in regions
    county = client.get(f"/regions/{DX}").get_data(as_text=True)
    assert "招生入学" not in county and "义务教育" in county
    link = re.search(r'href="(/catalog\?region=[^"]+&amp;domain=[^"]+)"', county).group(1).replace("&amp;", "&")
    catalog = client.get(link).get_data(as_text=True)
    assert "招生入学" in catalog
    assert client.get("/regions/火星").status_code == 404


def test_catalog_shows_the_full_layout_with_marks(app):
    publish(app, DX, level1="招生入学", audience_specific=True, method_on_request=True,
            levels=["county", "township"])  # 公开层级 is a set of tiers (issue 12)
    page = app.test_client().get(f"/catalog?region={DX}").get_data(as_text=True)
    for header in ("序号", "一级事项", "二级事项", "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体",
                   "公开对象", "全社会", "特定群体", "公开方式", "主动", "依申请", "公开层级", "县级", "乡级"):
        assert f">{header}</th>" in page, header
    row = page[page.index("招生入学"):]
    row = row[:row.index("</tr>")]
    assert row.count("√") == 6  # every mark of the item, as √
    assert "本地区目录必备要素" in page  # the region's required elements, named with their source


def test_item_page_shows_its_public_history_only(app):
    item = publish(app, DX, level1="招生入学")
    with app.extensions["zwgk.db"].session(actor="editor") as session:
        obj = session.get(m.CatalogItem, item)
        obj.content = "草稿中的修改"  # a draft: not public
    page = app.test_client().get(f"/catalog/items/{item}").get_data(as_text=True)
    assert FULL["content"] in page and "草稿中的修改" not in page and "首次公开" in page
    with app.extensions["zwgk.db"].session(actor="editor") as session:
        session.get(m.CatalogItem, item).status = "published"
    page = app.test_client().get(f"/catalog/items/{item}").get_data(as_text=True)
    assert "<ins>草稿中的修改</ins>" in page
    assert app.test_client().get("/catalog/items/999999").status_code == 404


def test_standard_system_page_draws_the_tree(app):
    page = app.test_client().get("/standards?region=zhejiang").get_data(as_text=True)
    assert "<svg" in page and "运行管理" in page and "标准体系" in page
    assert app.test_client().get("/standards?region=火星").status_code == 404


def test_pages_have_landmarks_labels_and_print_rules(app):
    publish(app, DX, level1="招生入学")
    client = app.test_client()
    for url in ("/regions", f"/catalog?region={DX}", "/search?q=招生", "/standards", "/catalog/items/1"):
        page = client.get(url).get_data(as_text=True)
        assert '<main id="main">' in page and "<header>" in page and 'aria-label="主导航"' in page, url
        assert '<html lang="zh-CN">' in page and "@media print" in page and "size: A4" in page, url
        assert "<script" not in page, url  # works without JavaScript
        for field_id in re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', page):
            assert f'for="{field_id}"' in page, (url, field_id)


def _counts_match_the_items(app):
    from sqlalchemy import func

    from zwgk.published import PublishedCount, PublishedItem

    with app.extensions["zwgk.db"].session() as session:
        kept = {(u, d): n for u, d, n in session.execute(
            select(PublishedCount.unit_id, PublishedCount.domain_id, PublishedCount.n))}
        real = {(u, d): n for u, d, n in session.execute(
            select(PublishedItem.unit_id, PublishedItem.domain_id, func.count())
            .group_by(PublishedItem.unit_id, PublishedItem.domain_id))}
    assert kept == real
    _search_rows_match_the_items(app)
    return kept


def _search_rows_match_the_items(app):
    """PostgreSQL's narrow search table has one row per published item, with its unit and domain
    and the words the item's record gives; SQLite keeps its words in FTS5 and the table empty."""
    from zwgk.published import PublishedItem, PublishedSearch, _search_body

    with app.extensions["zwgk.db"].session() as session:
        items = {i: (u, d) for i, u, d in session.execute(
            select(PublishedItem.item_id, PublishedItem.unit_id, PublishedItem.domain_id))}
        rows = {i: (u, d) for i, u, d in session.execute(
            select(PublishedSearch.item_id, PublishedSearch.unit_id, PublishedSearch.domain_id))}
        if session.get_bind().dialect.name != "postgresql":
            assert rows == {}
            return
        assert rows == items and items
        for item_id, record in session.execute(select(PublishedItem.item_id, PublishedItem.record)):
            assert session.scalar(text("SELECT search_vector = to_tsvector('simple'::regconfig, :w) "
                                       "FROM published_search WHERE item_id = :i"),
                                  {"w": _search_body(record), "i": item_id}), item_id


def test_region_counts_are_kept_as_items_are_published_withdrawn_and_moved(app):
    from zwgk.published import refresh

    a = publish(app, DX, level1="招生入学")
    publish(app, DX, level1="学生资助")
    relief = publish(app, DX, domain="社会救助", level1="临时救助")
    client = app.test_client()

    def domain_counts():
        page = client.get(f"/regions/{DX}").get_data(as_text=True)
        return dict(re.findall(r'domain=[^"]+">([^<]+)</a></td><td>(\d+)</td>', page))

    assert domain_counts() == {"义务教育": "2", "社会救助": "1"}
    assert ">3</td>" in client.get("/regions/湖南省").get_data(as_text=True)  # counted in every unit above
    with app.extensions["zwgk.db"].session(actor="test") as session:
        session.get(m.CatalogItem, a).status = "withdrawn"
    assert domain_counts() == {"义务教育": "1", "社会救助": "1"}
    with app.extensions["zwgk.db"].session(actor="test") as session:  # moved to another domain, published again
        item = session.get(m.CatalogItem, relief)
        item.domain = session.scalar(select(m.Domain).where(m.Domain.name == "义务教育"))
        session.flush()
        item.status = "published"
    assert domain_counts() == {"义务教育": "2"}
    kept = _counts_match_the_items(app)
    with app.extensions["zwgk.db"].engine.begin() as conn:  # a full rebuild gives the same counts
        refresh(conn)
    assert _counts_match_the_items(app) == kept


def _change_pages(client, url):
    seen, pages = [], 0
    while url:
        page = client.get(url).get_data(as_text=True)
        pages += 1
        seen += re.findall(r"<li>义务教育：([^<]+)</li>", page)
        nxt = re.search(r'<a rel="next" href="([^"]+)"', page)
        url = "/catalog/changes" + nxt.group(1).replace("&amp;", "&") if nxt else None
    return seen, pages


def test_change_list_is_paged_by_item_without_repeating_or_skipping(app, monkeypatch):
    ids = [publish(app, DX, level1=f"招生入学{i}") for i in range(7)]
    client = app.test_client()
    first = client.get(f"/catalog/changes?region={DX}&limit=3").get_data(as_text=True)
    assert "本页" in first and first.count("<li>义务教育：") == 3 and 'rel="next"' in first
    seen, pages = _change_pages(client, f"/catalog/changes?region={DX}&limit=3")
    assert seen == [f"招生入学{i}" for i in range(7)] and pages == 3  # in item order, each once
    whole = client.get(f"/catalog/changes?region={DX}").get_data(as_text=True)  # one page: as before
    assert whole.count("<li>义务教育：") == 7 and 'rel="next"' not in whole and "本页" not in whole
    from zwgk import published

    monkeypatch.setattr(published, "MAX_PAGE", 2)  # the page cap holds whatever is asked
    assert client.get(f"/catalog/changes?region={DX}&limit=500").get_data(as_text=True).count("<li>义务教育：") == 2
    assert client.get(f"/catalog/changes?region={DX}&limit=x").status_code == 400
    assert client.get(f"/catalog/changes?region={DX}&after={ids[-1]}").get_data(as_text=True).count(
        "<li>义务教育：") == 0


def test_change_list_pages_hold_changed_items_too(app):
    from zwgk import catalog_history

    ids = [publish(app, DX, level1=f"学生资助{i}") for i in range(5)]
    with app.extensions["zwgk.db"].session(actor="test") as session:
        for k in (1, 3):
            item = session.get(m.CatalogItem, ids[k])
            item.content = f"新的公开内容{k}"
            session.flush()
            item.status = "published"
    moment = catalog_history.parse_moment("2000-01-01")
    with app.extensions["zwgk.db"].session() as session:
        whole = catalog_history.diff(session, DX, moment, None, published_only=True)
        got, after = [], None
        while True:
            part, after = catalog_history.diff_page(session, DX, moment, None, after, limit=2, window=3)
            got += [a["level1"] for a in part.added] + [c["item"] for c in part.changed]
            if after is None:
                break
    assert sorted(got) == sorted([a["level1"] for a in whole.added] + [c["item"] for c in whole.changed])
    assert len(got) == len(set(got)) == 5


@pytest.mark.parametrize("url", ["/catalog/changes?region={}&after=99999999999999999999999",
                                 "/catalog?region={}&after=99999999999999999999999"])
def test_a_cursor_beyond_any_id_is_an_empty_last_page(app, url):
    publish(app, DX, level1="招生入学")
    page = app.test_client().get(url.format(DX))
    assert page.status_code == 200 and "招生入学" not in page.get_data(as_text=True)
