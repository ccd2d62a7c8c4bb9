"""Re-importing a catalog (动态调整): rows match the unit's items by their 事项 path (issue 13)."""

import json

import pytest
from sqlalchemy import func, select

from zwgk import models as m
from zwgk.catalog_io import import_catalog, write_catalog

from .test_catalog_io import DX, ROWS, real_layout


@pytest.fixture
def app(make_app, regions_db_url):
    return make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")


def _imported(app, tmp_path):
    path = real_layout(tmp_path / "道县义务教育.xlsx", ROWS)
    with app.extensions["zwgk.db"].session(actor="import") as session:
        assert import_catalog(session, app.extensions["zwgk.pm"], path, DX, "义务教育").ok


def _export(app, path):
    with app.extensions["zwgk.db"].sessionmaker() as session:
        items = session.scalars(select(m.CatalogItem).order_by(m.CatalogItem.id)).all()
        write_catalog(items, path)
    return path


def _state(app):
    with app.extensions["zwgk.db"].sessionmaker() as session:
        items = session.scalar(select(func.count()).select_from(m.CatalogItem))
        versions = session.scalar(select(func.count()).select_from(m.CatalogItemVersion))
        return items, versions


def _import(app, path, **kw):
    with app.extensions["zwgk.db"].session(actor="import") as session:
        result = import_catalog(session, app.extensions["zwgk.pm"], path, DX, kw.pop("domain", None), **kw)
        assert result.ok, [str(p) for p in result.problems]
        return result


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_reimporting_an_export_reports_every_row_unchanged_and_writes_nothing(app, tmp_path, fmt):
    _imported(app, tmp_path)
    before = _state(app)
    out = _export(app, tmp_path / f"导出.{fmt}")
    dry = _import(app, out, dry_run=True)
    assert dry.reimport.counts() == {"new": 0, "changed": 0, "unchanged": 3, "missing": 0}
    result = _import(app, out)
    assert result.reimport.summary() == "新增 0，修改 0，未变 3，不再列出 0"
    assert _state(app) == before == (3, 3)


def test_one_edited_row_makes_exactly_one_new_version_back_to_draft(app, tmp_path):
    _imported(app, tmp_path)
    with app.extensions["zwgk.db"].session(actor="dx") as session:  # the item had been published
        session.get(m.CatalogItem, 1).status = "published"
    rows = [list(r) for r in ROWS]
    rows[0][3] = "招生范围、招生条件、招生程序、划片结果"  # 公开内容 of the first item
    rows[1][1] = "招生入学"  # the 同上 written out: the same item
    edited = real_layout(tmp_path / "道县义务教育2027.xlsx", rows)
    items, versions = _state(app)
    result = _import(app, edited, domain="义务教育")
    assert result.reimport.counts() == {"new": 0, "changed": 1, "unchanged": 2, "missing": 0}
    assert result.reimport.lines() == ["修改 #1 招生入学 / 招生政策: 公开内容（要素）"]
    assert _state(app) == (items, versions + 1)  # exactly one new version
    with app.extensions["zwgk.db"].sessionmaker() as session:
        item = session.get(m.CatalogItem, 1)
        assert item.content.endswith("划片结果") and item.status == "draft" and item.version == 3


def test_new_rows_are_added_unlisted_items_withdrawn_only_when_asked(app, tmp_path):
    _imported(app, tmp_path)
    rows = [list(ROWS[0]), list(ROWS[1]),
            ["3", "学生资助", "资助名单", "受助学生名单", "《学生资助资金管理办法》", "每学期结束前",
             "县教育局", "政府网站", "", "√", "√", "", "√", ""]]
    path = real_layout(tmp_path / "新目录.xlsx", rows)
    dry = _import(app, path, domain="义务教育", dry_run=True)
    assert dry.reimport.counts() == {"new": 1, "changed": 0, "unchanged": 2, "missing": 1}
    assert dry.reimport.lines() == ["不再列出 #3 学生资助 / 资助政策"]
    assert _state(app) == (3, 3)
    _import(app, path, domain="义务教育")
    assert _state(app)[0] == 4
    with app.extensions["zwgk.db"].sessionmaker() as session:
        assert session.get(m.CatalogItem, 3).status == "draft"  # not withdrawn unless asked
    again = _import(app, path, domain="义务教育", withdraw_missing=True)
    assert again.reimport.counts() == {"new": 0, "changed": 0, "unchanged": 3, "missing": 1}
    with app.extensions["zwgk.db"].sessionmaker() as session:
        assert session.get(m.CatalogItem, 3).status == "withdrawn"


def test_append_keeps_the_old_behaviour(app, tmp_path):
    _imported(app, tmp_path)
    out = _export(app, tmp_path / "导出.xlsx")
    result = _import(app, out, append=True)
    assert result.reimport is None and result.written == 3 and _state(app)[0] == 6


def test_same_path_items_are_told_apart_by_their_content(app, tmp_path):
    twin = [list(ROWS[0]), list(ROWS[0])]
    twin[1][0], twin[1][3] = "2", "另一份内容"
    path = real_layout(tmp_path / "twins.xlsx", twin)
    _import(app, path, domain="义务教育")
    swapped = real_layout(tmp_path / "swapped.xlsx", [twin[1], twin[0]])
    result = _import(app, swapped, domain="义务教育")
    assert result.reimport.counts()["unchanged"] == 2


def test_rows_of_another_unit_are_refused(app, tmp_path):
    _imported(app, tmp_path)
    records = json.loads(_export(app, tmp_path / "all.json").read_text(encoding="utf-8"))
    records[1]["unit"] = "浙江省/杭州市/拱墅区"
    path = tmp_path / "all.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    with app.extensions["zwgk.db"].session() as session:
        result = import_catalog(session, app.extensions["zwgk.pm"], path, DX, dry_run=True)
    assert not result.ok
    assert "浙江省/杭州市/拱墅区" in str(result.problems[0]) and "另一单位" in str(result.problems[0])


def test_a_record_may_name_its_unit_by_its_unique_name(app, tmp_path):
    _imported(app, tmp_path)
    records = json.loads(_export(app, tmp_path / "all.json").read_text(encoding="utf-8"))
    path = tmp_path / "named.json"
    for named, ok in (("道县", True), ("永州市", False)):
        records[1]["unit"] = named
        path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        with app.extensions["zwgk.db"].session() as session:
            result = import_catalog(session, app.extensions["zwgk.pm"], path, "道县", dry_run=True)
        assert result.ok is ok, result.problems
        if ok:
            assert result.reimport.counts()["unchanged"] == len(records)
        else:
            assert "永州市" in str(result.problems[0]) and "另一单位" in str(result.problems[0])


def test_an_empty_or_header_only_file_is_not_a_success(app, tmp_path):
    path = real_layout(tmp_path / "空.xlsx", [])
    with app.extensions["zwgk.db"].session() as session:
        result = import_catalog(session, app.extensions["zwgk.pm"], path, DX, "义务教育", dry_run=True)
    assert not result.ok and "没有任何事项行" in str(result.problems[0])


def test_cli_reimport_reports_and_withdraws(app, tmp_path, run_cli):
    _imported(app, tmp_path)
    out = _export(app, tmp_path / "导出.csv")
    result = run_cli(app, "import", "catalog", str(out), "--unit", DX, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "新增 0，修改 0，未变 3，不再列出 0" in result.output


# -- the admin's upload -------------------------------------------------------------------

@pytest.fixture
def admin_app(make_app, regions_db_url):
    from .admin_helpers import seed

    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_LOGIN_RATE="1000 per minute")
    app.ids = seed(app)
    return app


def _upload(client, path, unit, domain="", **boxes):
    from .admin_helpers import csrf

    data = {"unit": unit, "domain": domain, "csrf_token": csrf(client, "/admin/catalog_import/"),
            "file": (open(path, "rb"), path.name), **{k: "y" for k, v in boxes.items() if v}}
    return client.post("/admin/catalog_import/", data=data, content_type="multipart/form-data").get_data(as_text=True)


def test_admin_upload_matches_withdraws_when_ticked_and_names_the_users_file(admin_app, tmp_path):
    from .admin_helpers import login

    client = admin_app.test_client()
    login(client, "dx_admin")
    form = client.get("/admin/catalog_import/").get_data(as_text=True)
    assert f'<option selected value="{DX}">' in form  # the user's own unit, not the first of the list
    path = real_layout(tmp_path / "道县义务教育目录2026.xlsx", ROWS)
    assert "已导入 3" in _upload(client, path, DX, "义务教育")
    page = _upload(client, path, DX, "义务教育", dry_run=True)
    assert "新增 0，修改 0，未变 3，不再列出 1" in page  # the seeded 招生入学 is not in the file
    fewer = real_layout(tmp_path / "道县义务教育目录2027.xlsx", ROWS[:2])
    page = _upload(client, fewer, DX, "义务教育", withdraw_missing=True)
    assert "不再列出 2" in page and "已撤回 2" in page
    with admin_app.extensions["zwgk.db"].sessionmaker() as session:
        assert session.scalar(select(func.count()).select_from(m.CatalogItem).where(
            m.CatalogItem.status == "withdrawn")) == 2
        assert session.scalar(select(m.Change.changes).where(m.Change.action == "import"))["file"][1] == \
            "道县义务教育目录2026.xlsx"
    bad = tmp_path / "随机.xlsx"
    bad.write_bytes(bytes(range(256)) * 4)
    page = _upload(client, bad, DX, "义务教育")
    assert "随机.xlsx" in page and "upload.xlsx" not in page
    assert "无法识别的二进制内容" in page and "looks like text" not in page


def test_problems_name_the_column_heading_and_speak_chinese(app, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"domain": "义务教育", "level1": "招生入学", "content": "招生范围",
                                 "method_active": "也许", "basis": None}], ensure_ascii=False), encoding="utf-8")
    with app.extensions["zwgk.db"].session() as session:
        result = import_catalog(session, app.extensions["zwgk.pm"], path, DX, dry_run=True)
    found = {p.field: p.message for p in result.problems}
    assert found["公开方式·主动"].startswith("不是“√”或空白")
    assert "method_active" not in found and "basis" not in found


def test_the_comparison_starts_at_the_users_own_unit(admin_app):
    from .admin_helpers import login

    client = admin_app.test_client()
    login(client, "dx_admin")
    assert f'<option value="{DX}" selected>' in client.get("/admin/catalog_diff/").get_data(as_text=True)
