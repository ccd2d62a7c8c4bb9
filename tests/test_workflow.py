"""Review workflow by region rule, catalog history (versions, diff, revert), the public view."""

import datetime as dt
import time

import pytest
from sqlalchemy import select

from zwgk import models as m

DX = "湖南省/永州市/道县"
SD = "山东省"
ZJ = "浙江省/杭州市/拱墅区"
FULL = dict(basis="依据", content="内容", time_limit="20个工作日内", subject="主体", channels=["政府网站"],
            category="类别", audience_public=True, method_active=True, levels=["county"])


@pytest.fixture
def app(make_app, regions_db_url):
    return make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")


def _new_item(app, unit_key, level1="事项", domain="义务教育"):
    with app.extensions["zwgk.db"].session(actor="editor") as session:
        unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == unit_key))
        dom = session.scalar(select(m.Domain).where(m.Domain.name == domain))
        item = m.CatalogItem(unit=unit, domain=dom, level1=level1, **FULL)
        session.add(item)
        session.flush()
        return item.id


def _status(app, item_id):
    with app.extensions["zwgk.db"].sessionmaker() as session:
        return session.get(m.CatalogItem, item_id).status


def step(run_cli, app, name, item_id, *extra):
    return run_cli(app, "catalog", "step", name, str(item_id), "--actor", "测试人", *extra)


def test_daoxian_needs_review_and_sign_off(app, run_cli):
    item = _new_item(app, DX)
    assert step(run_cli, app, "submit", item).exit_code == 0
    refused = step(run_cli, app, "publish", item)
    assert refused.exit_code == 1 and "保密审查" in refused.output and "主要领导签字审核" in refused.output
    assert step(run_cli, app, "review", item).exit_code == 0
    refused = step(run_cli, app, "publish", item)
    assert refused.exit_code == 1 and "主要领导签字审核" in refused.output and "保密审查、" not in refused.output
    assert step(run_cli, app, "signoff", item).exit_code == 0
    assert step(run_cli, app, "publish", item).exit_code == 0
    assert _status(app, item) == "published"


def test_shandong_needs_the_review_record_but_no_sign_off(app, run_cli):
    item = _new_item(app, SD + "/试点县" if False else SD)
    step(run_cli, app, "submit", item)
    assert step(run_cli, app, "publish", item).exit_code == 1
    failed = step(run_cli, app, "review", item, "--fail")
    assert failed.exit_code == 1 and "needs a reason" in failed.output
    assert step(run_cli, app, "review", item, "--fail", "--reason", "含个人隐私").exit_code == 0
    assert _status(app, item) == "draft"  # back to the editor
    step(run_cli, app, "submit", item)
    step(run_cli, app, "review", item)
    assert step(run_cli, app, "publish", item).exit_code == 0
    with app.extensions["zwgk.db"].sessionmaker() as session:
        records = session.scalars(select(m.ReviewRecord).where(m.ReviewRecord.item_id == item)
                                  .order_by(m.ReviewRecord.id)).all()
        assert [(r.step, r.passed) for r in records] == [
            ("submit", True), ("review", False), ("submit", True), ("review", True), ("publish", True)]
        assert records[1].reason == "含个人隐私" and records[1].actor == "测试人"


def test_a_region_without_rules_publishes_after_submission(app, run_cli):
    item = _new_item(app, ZJ)
    step(run_cli, app, "submit", item)
    assert step(run_cli, app, "publish", item).exit_code == 0


def test_editing_a_published_item_keeps_the_published_version_visible(app, run_cli, client):
    from zwgk import workflow

    item = _new_item(app, SD, "原事项")
    for name in ("submit", "review", "publish"):
        step(run_cli, app, name, item)
    public = app.test_client()
    assert [r["content"] for r in public.get(f"/api/v1/catalog_items?region={SD}").get_json()["items"]] == ["内容"]
    with app.extensions["zwgk.db"].session(actor="editor") as session:
        obj = session.get(m.CatalogItem, item)
        obj.content = "新内容"
        workflow.edited(obj)
    assert _status(app, item) == "draft"
    shown = public.get(f"/api/v1/catalog_items?region={SD}").get_json()["items"]
    assert [r["content"] for r in shown] == ["内容"]  # the published version stays
    for name in ("submit", "review", "publish"):
        assert step(run_cli, app, name, item).exit_code == 0
    shown = public.get(f"/api/v1/catalog_items?region={SD}").get_json()["items"]
    assert [r["content"] for r in shown] == ["新内容"]
    step(run_cli, app, "withdraw", item, "--reason", "政策废止")
    assert public.get(f"/api/v1/catalog_items?region={SD}").get_json()["items"] == []


def test_drafts_are_not_public(app):
    _new_item(app, DX, "草稿事项")
    assert app.test_client().get("/api/v1/catalog_items").get_json()["items"] == []


def test_diff_between_two_moments_lists_exactly_what_changed(app, run_cli):
    keep = _new_item(app, DX, "保留事项")
    change = _new_item(app, DX, "修改事项")
    drop = _new_item(app, DX, "删除事项")
    time.sleep(0.01)
    t1 = dt.datetime.now(dt.timezone.utc)
    time.sleep(0.01)
    db = app.extensions["zwgk.db"]
    with db.session(actor="editor", reason="调整") as session:
        session.get(m.CatalogItem, change).content = "新的公开内容"
        session.get(m.CatalogItem, change).channels = ["政府网站", "公示栏"]
        session.delete(session.get(m.CatalogItem, drop))
    added = _new_item(app, DX, "新增事项")
    time.sleep(0.01)
    t2 = dt.datetime.now(dt.timezone.utc)
    with db.session(actor="editor") as session:
        session.get(m.CatalogItem, keep).basis = "t2 之后的修改"
    out = run_cli(app, "catalog", "diff", "--region", DX, "--from", t1.isoformat(), "--to", t2.isoformat()).output
    assert out.splitlines()[0] == "新增 added 1  删除 removed 1  变更 changed 1"
    assert "+ 新增事项" in out and "- 删除事项" in out and "~ 修改事项" in out
    assert "content: '内容' → '新的公开内容'" in out and "channels: ['政府网站'] → ['政府网站', '公示栏']" in out
    assert "保留事项" not in out and "t2 之后的修改" not in out
    assert keep and added


def test_revert_restores_old_values_as_a_new_version(app, run_cli):
    item = _new_item(app, DX, "可恢复事项")
    db = app.extensions["zwgk.db"]
    with db.session(actor="editor") as session:
        session.get(m.CatalogItem, item).content = "改错了"
    versions = run_cli(app, "catalog", "versions", str(item)).output.splitlines()
    assert [v.split()[0] for v in versions] == ["v1", "v2"]
    result = run_cli(app, "catalog", "revert", str(item), "--to-version", "1", "--actor", "管理员")
    assert result.exit_code == 0 and "now v3" in result.output
    with db.sessionmaker() as session:
        obj = session.get(m.CatalogItem, item)
        assert (obj.content, obj.version, obj.status) == ("内容", 3, "draft")
        v3 = session.scalar(select(m.CatalogItemVersion).where(m.CatalogItemVersion.item_id == item,
                                                               m.CatalogItemVersion.version == 3))
        assert v3.actor == "管理员" and v3.reason == "revert to v1"
    bad = run_cli(app, "catalog", "revert", str(item), "--to-version", "9", "--actor", "管理员")
    assert bad.exit_code == 1 and "no version 9" in bad.output


def test_public_changelog(app, run_cli):
    item = _new_item(app, SD, "公开事项")
    for name in ("submit", "review", "publish"):
        step(run_cli, app, name, item)
    log = app.test_client().get(f"/api/v1/catalog_changes?region={SD}").get_json()
    assert [a["level1"] for a in log["added"]] == ["公开事项"] and log["removed"] == log["changed"] == []
    assert app.test_client().get("/api/v1/catalog_changes?region=火星").status_code == 400


def test_moments_are_read_in_beijing_time_and_a_bare_end_date_includes_its_day():
    from zwgk.catalog_history import parse_moment

    utc = dt.timezone.utc
    assert parse_moment("2026-11-20") == dt.datetime(2026, 11, 19, 16, tzinfo=utc)
    assert parse_moment("2026-11-20", end=True) == dt.datetime(2026, 11, 20, 15, 59, 59, 999999, tzinfo=utc)
    assert parse_moment("2026-11-20T10:00") == dt.datetime(2026, 11, 20, 2, tzinfo=utc)
    assert parse_moment("2026-11-20T10:00+00:00") == dt.datetime(2026, 11, 20, 10, tzinfo=utc)
    assert parse_moment("") is None and parse_moment(None) is None
    with pytest.raises(ValueError, match="不是日期或时间"):
        parse_moment("2026年11月20日")


def test_public_pages_show_published_items_search_and_the_changelog(app, run_cli):
    shown = _new_item(app, SD, "环境质量公开")
    _new_item(app, SD, "草稿中的事项")
    other = _new_item(app, SD, "招生信息公开")
    for item in (shown, other):
        for name in ("submit", "review", "publish"):
            assert step(run_cli, app, name, item).exit_code == 0
    client = app.test_client()
    page = client.get(f"/catalog?region={SD}").get_data(as_text=True)
    assert "环境质量公开" in page and "招生信息公开" in page and "草稿中的事项" not in page
    assert f"{SD}：本页 2 项" in page
    page = client.get(f"/search?region={SD}&q=环境").get_data(as_text=True)  # search has its own page now
    assert "<mark>环境</mark>质量公开" in page and "招生信息公开" not in page
    # a change made after publication is not public until it is published again
    with app.extensions["zwgk.db"].session(actor="editor") as session:
        session.get(m.CatalogItem, shown).content = "尚未公开的新内容"
    assert "尚未公开的新内容" not in client.get(f"/catalog?region={SD}").get_data(as_text=True)
    assert _status(app, shown) == "draft"  # any path that edits content restarts the steps
    changes = client.get(f"/catalog/changes?region={SD}").get_data(as_text=True)
    assert "新增 2，删除 0，变更 0" in changes and "草稿中的事项" not in changes
    assert "不是日期或时间" in client.get(f"/catalog/changes?region={SD}&from=昨天").get_data(as_text=True)
    assert "找不到" in client.get("/catalog?region=火星").get_data(as_text=True)
