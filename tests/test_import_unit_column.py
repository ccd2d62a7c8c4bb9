"""An export of several units names each row's unit (所属单位); importing it into one unit refuses
the rows of the others, in every format (issue 13)."""

import csv

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from zwgk import models as m
from zwgk.catalog_io import FLAT_HEADER, UNIT_HEADER, import_catalog, write_catalog

from .test_catalog_io import DX, ROWS, real_layout

GS = "浙江省/杭州市/拱墅区"


@pytest.fixture
def app(make_app, regions_db_url, tmp_path):
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")
    path = real_layout(tmp_path / "道县义务教育.xlsx", ROWS)
    for unit in (DX, GS):
        with app.extensions["zwgk.db"].session(actor="import") as session:
            assert import_catalog(session, app.extensions["zwgk.pm"], path, unit, "义务教育").ok
    return app


def _export(app, path, unit=None, **kw):
    with app.extensions["zwgk.db"].sessionmaker() as session:
        q = select(m.CatalogItem).order_by(m.CatalogItem.id)
        if unit:
            q = q.join(m.AdminUnit, m.CatalogItem.unit).where(m.AdminUnit.key == unit)
        write_catalog(session.scalars(q).all(), path, **kw)
    return path


def _import(app, path, unit=DX, dry_run=True):
    with app.extensions["zwgk.db"].session() as session:
        return import_catalog(session, app.extensions["zwgk.pm"], path, unit, dry_run=dry_run)


def _header(path):
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig") as f:
            return next(csv.reader(f))
    ws = load_workbook(path).active
    return [c.value or "" for c in ws[2]], [c.value or "" for c in ws[3]], [str(r) for r in ws.merged_cells.ranges]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_all_units_export_is_refused_row_by_row_in_one_unit(app, tmp_path, fmt):
    path = _export(app, tmp_path / f"全部.{fmt}")
    header = _header(path)
    if fmt == "csv":
        assert header == FLAT_HEADER + [UNIT_HEADER]
    else:
        top, sub, merged = header
        assert top[-1] == UNIT_HEADER and sub[-1] == ""
        col = chr(64 + len(top))  # the new column is one cell two rows tall, the title spans it
        assert f"{col}2:{col}3" in merged and f"A1:{col}1" in merged
    with app.extensions["zwgk.db"].sessionmaker() as session:
        before = session.scalar(select(func.count()).select_from(m.CatalogItem))
    result = _import(app, path, DX, dry_run=False)
    assert not result.ok and result.written == 0
    foreign = [p for p in result.problems if GS in p.message]
    assert len(foreign) == 3 and len(result.problems) == 3  # the 道县 rows are not refused
    for p in foreign:
        assert p.field == UNIT_HEADER and "行" in p.where and "另一单位" in p.message and DX in p.message
    assert {p.where.split("第")[1] for p in foreign} == {"7行 row 7", "8行 row 8", "9行 row 9"} if fmt == "xlsx" \
        else {"5行 row 5", "6行 row 6", "7行 row 7"}
    with app.extensions["zwgk.db"].sessionmaker() as session:
        assert session.scalar(select(func.count()).select_from(m.CatalogItem)) == before  # nothing written
    # the same file into 拱墅区: the 道县 rows are the foreign ones
    other = _import(app, path, GS)
    assert len(other.problems) == 3 and all(DX in p.message and p.field == UNIT_HEADER for p in other.problems)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_rows_naming_the_chosen_unit_are_accepted(app, tmp_path, fmt):
    path = _export(app, tmp_path / f"道县.{fmt}", DX, unit_column=True)
    result = _import(app, path, DX)
    assert result.ok, [str(p) for p in result.problems]
    assert result.reimport.counts() == {"new": 0, "changed": 0, "unchanged": 3, "missing": 0}
    assert _import(app, path, "道县").ok  # the unit by its unique name


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_single_unit_export_keeps_its_layout(app, tmp_path, fmt):
    path = _export(app, tmp_path / f"道县.{fmt}", DX)
    header = _header(path)
    assert UNIT_HEADER not in (header if fmt == "csv" else header[0])
    assert _import(app, path, DX).reimport.counts()["unchanged"] == 3


def test_a_hand_made_file_with_a_unit_column_names_the_row_column_and_unit(app, tmp_path):
    path = tmp_path / "手工.csv"
    rows = [["一级事项", "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "全社会", "主动", "县级",
             "所属单位"],
            ["招生入学", "招生范围", "《义务教育法》", "每年7月底前", "县教育局", "政府网站", "√", "√", "√", ""],
            ["学生资助", "资助标准", "《学生资助资金管理办法》", "20个工作日内", "县教育局", "政府网站", "√", "√", "√", "永州市"]]
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    result = _import(app, path, DX)
    refused = [p for p in result.problems if p.field == UNIT_HEADER]
    assert len(refused) == 1 and "第3行" in refused[0].where and "永州市" in refused[0].message


def test_the_public_export_of_several_units_names_each_rows_unit(app):
    from .admin_helpers import publish

    publish(app, DX, level1="道县公开事项")
    publish(app, "湖南省/永州市", level1="永州公开事项")
    client = app.test_client()
    rows = list(csv.reader(client.get("/export/catalog.csv?region=湖南省").data.decode("utf-8-sig").splitlines()))
    assert rows[0][-1] == UNIT_HEADER
    units = {r[1]: r[-1] for r in rows[1:]}
    assert units == {"道县公开事项": DX, "永州公开事项": "湖南省/永州市"}
    one = list(csv.reader(client.get(f"/export/catalog.csv?region={DX}").data.decode("utf-8-sig").splitlines()))
    assert one[0] == FLAT_HEADER and [r[1] for r in one[1:]] == ["道县公开事项"]  # one unit: the layout as before
    import io

    sheet = load_workbook(io.BytesIO(client.get("/export/catalog.xlsx?region=湖南省").data)).active
    assert sheet.cell(2, len(FLAT_HEADER) + 1).value == UNIT_HEADER


def test_the_admin_list_export_names_units_when_it_holds_several(make_app, regions_db_url):
    from .admin_helpers import login, seed

    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_LOGIN_RATE="1000 per minute")
    seed(app)
    every = app.test_client()
    login(every, "sys")
    rows = list(csv.reader(every.get("/admin/catalog_item/export/csv/").data.decode("utf-8-sig").splitlines()))
    assert rows[0][-1] == UNIT_HEADER and {r[-1] for r in rows[1:]} == {DX, GS}
    county = app.test_client()
    login(county, "dx_admin")  # 道县's own items: one unit, the layout as before
    rows = list(csv.reader(county.get("/admin/catalog_item/export/csv/").data.decode("utf-8-sig").splitlines()))
    assert rows[0] == FLAT_HEADER and len(rows) == 3


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_command_line_export_of_several_units_names_each_rows_unit(app, tmp_path, fmt):
    from zwgk.cli import main

    runner = app.test_cli_runner()
    both = tmp_path / f"浙江与道县.{fmt}"
    # 浙江省 holds 拱墅区; the national root holds both units (a streamed export, not a list)
    result = runner.invoke(main, ["export-catalog", "--region", "national", "-o", str(both)])
    assert result.exit_code == 0, result.output
    header = _header(both)
    assert (header if fmt == "csv" else header[0])[-1] == UNIT_HEADER
    refused = _import(app, both, DX)
    assert not refused.ok and any(UNIT_HEADER in str(p) and GS in str(p) for p in refused.problems)
    one = tmp_path / f"道县.{fmt}"
    result = runner.invoke(main, ["export-catalog", "--region", DX, "-o", str(one)])
    assert result.exit_code == 0, result.output
    assert UNIT_HEADER not in (_header(one) if fmt == "csv" else _header(one)[0])
