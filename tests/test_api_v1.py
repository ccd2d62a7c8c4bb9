"""The JSON API: keyset pages with a hard maximum, filters, the published table, tokens and writes."""

import pytest
from sqlalchemy import event, func, select

from zwgk import apitokens
from zwgk import models as m
from zwgk.published import MAX_PAGE, PublishedItem

from .admin_helpers import DX, FULL, seed

ZJ = "浙江省/杭州市/拱墅区"


@pytest.fixture
def app(make_app, regions_db_url):
    return make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")


def publish(app, unit_key, n, domain="义务教育", stages=(), level1="事项"):
    """``n`` items, published (straight to the status: the workflow has its own tests)."""
    with app.extensions["zwgk.db"].session(actor="test") as session:
        unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == unit_key))
        dom = session.scalar(select(m.Domain).where(m.Domain.name == domain))
        items = [m.CatalogItem(unit=unit, domain=dom, level1=f"{level1}{i}", stages=list(stages), **FULL)
                 for i in range(n)]
        session.add_all(items)
        session.flush()
        for item in items:
            item.status = "published"
        return [i.id for i in items]


def token_for(app, username):
    with app.extensions["zwgk.db"].session() as session:
        return apitokens.create_token(session, username)[1]


def test_catalog_pages_walk_every_item_once_with_a_cursor(app):
    ids = publish(app, DX, 7)
    client = app.test_client()
    seen, url = [], "/api/v1/catalog_items?limit=3"
    while url:
        body = client.get(url).get_json()
        assert len(body["items"]) <= 3
        seen += [i["id"] for i in body["items"]]
        url = body["next_cursor"] and f"/api/v1/catalog_items?limit=3&cursor={body['next_cursor']}"
    assert seen == ids


def test_every_public_list_has_a_hard_maximum_page_size(app):
    client = app.test_client()
    assert client.get("/api/v1/catalog_items").get_json()["limit"] == 50
    for kind in ("catalog_items", "units", "domains", "standards"):
        assert client.get(f"/api/v1/{kind}?limit={MAX_PAGE + 1}").status_code == 400, kind
        body = client.get(f"/api/v1/{kind}?limit={MAX_PAGE}").get_json()
        assert len(body["items"]) <= MAX_PAGE
    units = client.get("/api/v1/units").get_json()  # 100 pilots and more: a first page, and a next one
    assert len(units["items"]) == 50 and units["next_cursor"]
    publish(app, DX, 5)
    page = client.get("/catalog?region=" + DX + "&limit=2").get_data(as_text=True)
    assert page.count("/catalog/items/") == 2 and "下一页" in page
    assert client.get("/api/v1/catalog_items?cursor=bm9wZQ").status_code == 400  # not a cursor of ours


@pytest.mark.parametrize("url", ["/catalog?region=%00", "/catalog/changes?region=%00", "/search?q=%00",
                                 "/api/v1/catalog_items?region=%00", "/api/v1/units?region=%00",
                                 "/api/v1/catalog_changes?region=%00", "/api/v1/catalog_items?domain=a%00b",
                                 "/standards?region=%00"])
def test_a_nul_in_a_public_query_is_a_400_not_a_500(app, url):
    assert app.test_client().get(url).status_code == 400


def test_filters_by_unit_domain_stage_and_date(app):
    a = publish(app, DX, 2, stages=("result",))
    b = publish(app, DX, 1, domain="社会救助", stages=("service",))
    c = publish(app, ZJ, 1)
    client = app.test_client()

    def ids(query):
        response = client.get("/api/v1/catalog_items?" + query)
        assert response.status_code == 200, response.get_json()
        return [i["id"] for i in response.get_json()["items"]]

    assert ids("region=daoxian") == a + b
    assert ids("unit=" + DX + "&domain=社会救助") == b
    assert ids("region=湖南省&unit=" + ZJ) == []  # a unit outside the region: nothing
    assert ids("stage=result") == a
    assert ids("region=浙江省") == c
    assert ids("updated_since=2999-01-01") == []
    assert ids("updated_since=2000-01-01T00:00:00%2B08:00") == a + b + c
    assert client.get("/api/v1/catalog_items?domain=火星").status_code == 400


def test_public_catalog_reads_the_published_table_only(app):
    """Drafts cost nothing to the public: the listing never reads the items or their history (#18)."""
    publish(app, DX, 2)
    with app.extensions["zwgk.db"].session() as session:  # a pile of drafts
        unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == DX))
        dom = session.scalar(select(m.Domain).where(m.Domain.name == "义务教育"))
        session.add_all(m.CatalogItem(unit=unit, domain=dom, level1=f"草稿{i}", **FULL) for i in range(30))
    statements = []
    engine = app.extensions["zwgk.db"].engine
    listener = lambda conn, cursor, sql, *a: statements.append(sql)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        for url in ("/api/v1/catalog_items?region=daoxian", "/catalog?region=" + DX, "/search?q=事项"):
            assert app.test_client().get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert statements and not [s for s in statements if "catalog_item_version" in s or "FROM catalog_item " in s
                                or "JOIN catalog_item " in s]
    body = app.test_client().get("/api/v1/catalog_items?region=daoxian").get_json()
    assert len(body["items"]) == 2 and all(i["status"] == "published" for i in body["items"])


def test_etag_and_last_modified(app):
    publish(app, DX, 1)
    client = app.test_client()
    first = client.get("/api/v1/catalog_items")
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    again = client.get("/api/v1/catalog_items", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    page = client.get("/catalog?region=" + DX)
    assert client.get("/catalog?region=" + DX, headers={"If-None-Match": page.headers["ETag"]}).status_code == 304


def test_openapi_document_and_docs_page_use_local_assets_only(app):
    client = app.test_client()
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.") and "/api/v1/catalog_items" in spec["paths"]
    assert {"get", "post"} <= set(spec["paths"]["/api/v1/catalog_items"])
    docs = client.get("/api/v1/docs").get_data(as_text=True)
    import re

    assets = re.findall(r'(?:src|href)="([^"]+)"', docs)
    assert assets and all(a.startswith("/api/v1/") for a in assets), assets
    for asset in assets:
        response = client.get(asset)
        response.close()  # a file answer: close it, as a server would
        assert response.status_code == 200, asset


# --------------------------------------------------------------------------
# Writes with a token
# --------------------------------------------------------------------------

ITEM = dict(unit=DX, domain="义务教育", level1="接口新增事项", **FULL)


def _count(app):
    with app.extensions["zwgk.db"].sessionmaker() as session:
        return session.scalar(select(func.count()).select_from(m.CatalogItem))


def test_tokens_are_stored_hashed_and_revocable(app):
    seed(app)
    token = token_for(app, "dx_admin")
    with app.extensions["zwgk.db"].sessionmaker() as session:
        stored = session.scalars(select(apitokens.ApiToken.token_hash)).all()
    assert token not in stored and len(stored[0]) == 64
    client = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/catalog_items", json=ITEM, headers=auth).status_code == 201
    with app.extensions["zwgk.db"].session() as session:
        apitokens.revoke(session, session.scalars(select(apitokens.ApiToken.id)).one())
    assert client.post("/api/v1/catalog_items", json=ITEM, headers=auth).status_code == 401
    assert client.post("/api/v1/catalog_items", json=ITEM).status_code == 401
    assert client.post("/api/v1/catalog_items", json=ITEM, headers={"Authorization": "Bearer zwgk_forged"}
                       ).status_code == 401


def test_editor_write_outside_scope_is_refused_and_changes_nothing(app):
    seed(app)
    auth = {"Authorization": f"Bearer {token_for(app, 'dx_editor')}"}
    client = app.test_client()
    before = _count(app)
    outside_unit = client.post("/api/v1/catalog_items", json={**ITEM, "unit": ZJ}, headers=auth)
    other_domain = client.post("/api/v1/catalog_items", json={**ITEM, "domain": "社会救助"}, headers=auth)
    assert outside_unit.status_code == 403 and other_domain.status_code == 403
    as_published = client.post("/api/v1/catalog_items", json={**ITEM, "status": "published"}, headers=auth)
    assert as_published.status_code == 400 and "status" in str(as_published.get_json())
    missing = client.post("/api/v1/catalog_items", json={k: v for k, v in ITEM.items() if k != "basis"}, headers=auth)
    assert missing.status_code == 400 and "basis" in missing.get_json()["errors"]
    assert _count(app) == before


def test_editor_write_inside_scope_is_a_draft_and_not_public(app):
    seed(app)
    auth = {"Authorization": f"Bearer {token_for(app, 'dx_editor')}"}
    client = app.test_client()
    made = client.post("/api/v1/catalog_items", json=ITEM, headers=auth)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["status"] == "draft"
    assert client.get("/api/v1/catalog_items").get_json()["items"] == []
    assert client.get(f"/api/v1/catalog_items/{made.get_json()['id']}").status_code == 404
    with app.extensions["zwgk.db"].sessionmaker() as session:
        item = session.get(m.CatalogItem, made.get_json()["id"])
        assert (item.status, item.unit.key, item.level1) == ("draft", DX, "接口新增事项")
        assert session.scalar(select(m.CatalogItemVersion.actor).where(
            m.CatalogItemVersion.item_id == item.id)) == "dx_editor"  # history records who


def test_api_edit_of_a_published_item_goes_to_draft_and_stale_edits_are_refused(app):
    seed(app)
    [item_id] = publish(app, DX, 1)
    auth = {"Authorization": f"Bearer {token_for(app, 'dx_admin')}"}
    client = app.test_client()
    current = client.get(f"/api/v1/catalog_items/{item_id}/current", headers=auth).get_json()
    edited = client.patch(f"/api/v1/catalog_items/{item_id}", json={"version": current["version"],
                                                                    "content": "新的公开内容"}, headers=auth)
    assert edited.status_code == 200 and edited.get_json()["status"] == "draft"
    public = client.get(f"/api/v1/catalog_items/{item_id}").get_json()
    assert public["content"] == FULL["content"]  # the published version stays until published again
    stale = client.patch(f"/api/v1/catalog_items/{item_id}", json={"version": current["version"],
                                                                   "basis": "旧表单"}, headers=auth)
    assert stale.status_code == 409 and "第" in stale.get_json()["message"]
    with app.extensions["zwgk.db"].sessionmaker() as session:
        assert session.get(m.CatalogItem, item_id).basis == FULL["basis"]
    submitted = client.post(f"/api/v1/catalog_items/{item_id}/submit", headers=auth)
    assert submitted.status_code == 200 and submitted.get_json()["status"] == "submitted"
    other = token_for(app, "zj_admin")
    assert client.get(f"/api/v1/catalog_items/{item_id}/current",
                      headers={"Authorization": f"Bearer {other}"}).status_code == 404


def test_published_table_follows_withdraw_and_delete(app):
    a, b = publish(app, DX, 2)
    db = app.extensions["zwgk.db"]
    with db.session() as session:
        session.get(m.CatalogItem, a).status = "withdrawn"
        session.delete(session.get(m.CatalogItem, b))
    with db.sessionmaker() as session:
        assert session.scalar(select(func.count()).select_from(PublishedItem)) == 0


def test_exports_of_the_published_catalog_stream_with_the_same_filters(app):
    import csv
    import io
    import json

    from openpyxl import load_workbook

    a = publish(app, DX, 3, level1="道县事项")
    publish(app, ZJ, 2, level1="拱墅事项")
    client = app.test_client()
    response = client.get("/export/catalog.csv?region=daoxian")
    assert response.status_code == 200 and response.is_streamed
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["序号", "一级事项", "二级事项"] and [r[1] for r in rows[1:]] == ["道县事项0", "道县事项1", "道县事项2"]
    assert rows[1][8] == "√"  # 全社会
    records = json.loads(client.get("/export/catalog.json?region=zhejiang").get_data())
    assert [r["level1"] for r in records] == ["拱墅事项0", "拱墅事项1"]
    wb = load_workbook(io.BytesIO(client.get("/export/catalog.xlsx?region=daoxian").get_data()), read_only=True)
    values = [r for r in wb.active.iter_rows(values_only=True)]
    assert values[3][1] == "道县事项0" and len(values) == 3 + len(a)
    wb.close()
    first = client.get("/export/catalog.csv?region=daoxian")
    first.close()
    assert client.get("/export/catalog.csv?region=daoxian",
                      headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get("/export/catalog.csv?region=火星").status_code == 400
    assert "宁夏回族自治区" in client.get("/export/units.csv?region=宁夏回族自治区").get_data(as_text=True)
    assert client.get("/export/changes.csv").status_code == 404


def test_token_and_reindex_commands(app, run_cli):
    seed(app)
    made = run_cli(app, "token", "create", "dx_editor", "--name", "县网站")
    assert made.exit_code == 0, made.output
    token = made.output.splitlines()[1]
    listed = run_cli(app, "token", "list").output
    assert "dx_editor" in listed and token not in listed and token[:12] in listed
    client = app.test_client()
    ok = client.post("/api/v1/catalog_items", json=ITEM, headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 201
    assert run_cli(app, "token", "revoke", "1").exit_code == 0
    assert client.post("/api/v1/catalog_items", json=ITEM, headers={"Authorization": f"Bearer {token}"}
                       ).status_code == 401
    assert run_cli(app, "token", "create", "nobody").exit_code == 1
    ids = publish(app, DX, 2)
    with app.extensions["zwgk.db"].session() as session:
        session.execute(PublishedItem.__table__.delete())
    assert client.get("/api/v1/catalog_items").get_json()["items"] == []
    assert "2" in run_cli(app, "public", "reindex").output
    assert [i["id"] for i in client.get("/api/v1/catalog_items").get_json()["items"]] == ids
    assert [i["id"] for i in client.get("/api/v1/catalog_items?domain=义务教育").get_json()["items"]] == ids


def test_kept_answers_follow_every_publication(app):
    client = app.test_client()
    url = "/api/v1/catalog_items?region=daoxian"
    assert client.get(url).get_json()["items"] == []
    first = publish(app, DX, 1)
    assert [i["id"] for i in client.get(url).get_json()["items"]] == first
    with app.extensions["zwgk.db"].session() as session:
        session.get(m.CatalogItem, first[0]).status = "withdrawn"
    assert client.get(url).get_json()["items"] == []
    assert client.get(f"/api/v1/catalog_items/{first[0]}").status_code == 404


def test_ids_beyond_32_bits_are_not_found_not_errors(app):
    from zwgk.api import encode_cursor

    client = app.test_client()
    assert client.get("/api/v1/catalog_items/2147483648").status_code == 404
    assert client.get(f"/api/v1/catalog_items?cursor={encode_cursor(2**40)}").get_json()["items"] == []
    assert client.get("/catalog/items/99999999999999999999").status_code == 404


def test_catalog_changes_come_in_keyset_pages_of_items(app):
    ids = publish(app, DX, 7, level1="变更")
    client = app.test_client()
    seen, url = [], f"/api/v1/catalog_changes?region={DX}&limit=3"
    while url:
        body = client.get(url).get_json()
        assert body["limit"] == 3 and len(body["added"]) + len(body["removed"]) + len(body["changed"]) <= 3
        seen += [a["level1"] for a in body["added"]]
        url = body["next_cursor"] and f"/api/v1/catalog_changes?region={DX}&limit=3&cursor={body['next_cursor']}"
    assert seen == [f"变更{i}" for i in range(7)]  # each once, in item order
    whole = client.get(f"/api/v1/catalog_changes?region={DX}").get_json()
    assert whole["limit"] == 50 and len(whole["added"]) == len(ids) and whole["next_cursor"] is None
    assert client.get(f"/api/v1/catalog_changes?region={DX}&limit={MAX_PAGE + 1}").status_code == 400
    assert client.get(f"/api/v1/catalog_changes?region={DX}&cursor=!!").status_code == 400
