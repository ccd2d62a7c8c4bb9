"""Catalog import and export in the published 标准目录 layout."""

import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from zwgk import models as m
from zwgk.catalog_io import CatalogFileError, find_layout, import_catalog, norm, read_sheets, write_xlsx
from zwgk.schemas import CatalogItemSchema

DX = "湖南省/永州市/道县"


@pytest.fixture
def app(make_app, regions_db_url):
    return make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")


def _count(app):
    with app.extensions["zwgk.db"].sessionmaker() as session:
        return session.scalar(select(func.count()).select_from(m.CatalogItem))


def real_layout(path: Path, rows, title="道县义务教育领域政务公开事项标准目录", traditional_headers=False):
    """A workbook as county offices publish them: title row, two-row merged header, √ marks."""
    wb = Workbook()
    ws = wb.active
    ws.title = "义务教育"
    ws.append([title])
    top = ["序号", "公開事項" if traditional_headers else "公开事项", None, "公开内容（要素）", "公开依据", "公开时限",
           "公开主体", "公开渠道和载体", "公开对象", None, "公开方式", None, "公开层级", None]
    sub = [None, "一级事项", "二级事项", None, None, None, None, None, "全社会", "特定群体", "主动", "依申请",
           "县级", "乡级"]
    ws.append(top)
    ws.append(sub)
    for rng in ("A2:A3", "B2:C2", "D2:D3", "E2:E3", "F2:F3", "G2:G3", "H2:H3", "I2:J2", "K2:L2", "M2:N2"):
        ws.merge_cells(rng)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


ROWS = [
    ["1", "招生入学", "招生政策", "招生范围、招生条件、招生程序", "《中华人民共和国义务教育法》", "每年7月底前",
     "县教育局", "政府网站、公示栏", "√", "", "✓", "", "■", ""],
    ["2", "同上", "招生結果", "招生結果", "同上", "招生工作結束後及時公開", "同上", "同上", "●", "", "√", "", "√", "√"],
    ["３", "学生资助", "资助政策", " 资助标准 ", "《学生资助资金管理办法》", "自信息形成或者变更之日起２０个工作日内",
     "县教育局", "政府网站", "", "√", "√", "√", "√", ""],
]


def test_real_layout_with_merged_headers_marks_same_as_above_traditional_and_full_width(app, tmp_path):
    path = real_layout(tmp_path / "目录.xlsx", ROWS, traditional_headers=True)
    with app.extensions["zwgk.db"].session() as session:
        result = import_catalog(session, app.extensions["zwgk.pm"], path, DX, "义务教育")
    assert result.ok, [str(p) for p in result.problems]
    assert result.written == 3
    with app.extensions["zwgk.db"].sessionmaker() as session:
        items = session.scalars(select(m.CatalogItem).order_by(m.CatalogItem.seq)).all()
        first, second, third = items
        assert (second.level1, second.level2, second.basis, second.subject, second.channels) == (
            "招生入学", "招生结果", "《中华人民共和国义务教育法》", "县教育局", ["政府网站", "公示栏"])  # 同上, t2s
        assert second.time_limit == "招生工作结束后及时公开"
        assert (first.audience_public, first.method_active, first.levels) == (True, True, ["county"])
        assert second.levels == ["county", "township"]
        assert (third.seq, third.content, third.time_limit) == (3, "资助标准", "自信息形成或者变更之日起20个工作日内")
        assert third.audience_specific and third.method_on_request and not third.audience_public
        assert all(i.unit.key == DX and i.domain.name == "义务教育" for i in items)
        versions = session.scalars(select(m.CatalogItemVersion).order_by(m.CatalogItemVersion.item_id)).all()
        assert [(v.item_id, v.version, v.snapshot["level2"]) for v in versions] == [
            (i.id, 1, i.level2) for i in items]
        [history] = session.scalars(select(m.Change).where(m.Change.action == "import")).all()
        assert history.changes["items"] == [None, 3] and history.changes["file"] == [None, "目录.xlsx"]


def test_imported_first_versions_are_the_snapshots_the_history_writes(app, tmp_path):
    """The importer builds version 1 in SQL; it must equal what an ORM save records for the item."""
    from zwgk.catalog_history import snapshot

    rows = ROWS + [["", "其他事项", None, "内容", "依据", "时限", "主体", "渠道", "√", "√", "√", "√", "", "√"]]
    path = real_layout(tmp_path / "目录.xlsx", rows)
    with app.extensions["zwgk.db"].session(actor="importer", reason="首次导入") as session:
        result = import_catalog(session, app.extensions["zwgk.pm"], path, DX, "义务教育")
    assert result.ok, [str(p) for p in result.problems]
    with app.extensions["zwgk.db"].sessionmaker() as session:
        items = session.scalars(select(m.CatalogItem).order_by(m.CatalogItem.id)).all()
        versions = {v.item_id: v for v in session.scalars(select(m.CatalogItemVersion))}
        assert len(items) == len(versions) == 4
        for item in items:
            version = versions[item.id]
            assert version.snapshot == snapshot(item)
            assert (version.version, version.unit_key, version.status, version.deleted, version.actor,
                    version.reason) == (1, DX, "draft", False, "importer", "首次导入")
        assert items[-1].seq is None and items[-1].level2 is None and versions[items[-1].id].snapshot["seq"] is None

    # the ids the import took are really taken: an item saved afterwards gets the next one
    with app.extensions["zwgk.db"].session() as session:
        later = m.CatalogItem(unit=session.get(m.AdminUnit, items[0].unit_id),
                              domain=session.get(m.Domain, items[0].domain_id), level1="后来的事项")
        session.add(later)
        session.flush()
        assert later.id == items[-1].id + 1
    with app.extensions["zwgk.db"].sessionmaker() as session:
        assert session.scalar(select(func.count()).select_from(m.CatalogItemVersion).where(
            m.CatalogItemVersion.item_id == later.id)) == 1


def test_progress_is_reported_by_phase(app, tmp_path, monkeypatch):
    import zwgk.catalog_io as cio

    monkeypatch.setattr(cio, "PROGRESS_EVERY", 2)
    path = real_layout(tmp_path / "目录.xlsx", ROWS + ROWS[:1] + ROWS[2:])  # 5 rows
    seen = []
    with app.extensions["zwgk.db"].session() as session:
        result = import_catalog(session, app.extensions["zwgk.pm"], path, DX, "义务教育",
                                progress=lambda *step: seen.append(step))
    assert result.written == 5
    assert seen == [("read", 0, 1), ("read", 1, 1), ("check", 0, 5), ("check", 2, 5), ("check", 4, 5),
                    ("check", 5, 5), ("write", 0, 5), ("write", 5, 5)]


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_export_imports_back_to_identical_records(app, tmp_path, fmt):
    from zwgk.catalog_io import write_catalog

    path = real_layout(tmp_path / "in.xlsx", ROWS)
    db = app.extensions["zwgk.db"]
    with db.session() as session:
        assert import_catalog(session, app.extensions["zwgk.pm"], path, DX, "义务教育").ok
    with db.session() as session:  # the local-variant fields travel too
        first = session.scalar(select(m.CatalogItem).where(m.CatalogItem.seq == 1))
        first.level3, first.department, first.duration, first.category = "小学招生", "基础教育股", "长期", "教育"
        first.stages = ["decision", "result"]
        first.basis = "=HYPERLINK(\"http://x\")"  # a cell a spreadsheet would run: exported as text
    schema = CatalogItemSchema(exclude=("source",))

    def snapshot():
        with db.sessionmaker() as session:
            items = session.scalars(select(m.CatalogItem).order_by(m.CatalogItem.seq)).all()
            return [schema.dump(i) for i in items]

    before = snapshot()
    out = tmp_path / f"out.{fmt}"
    with db.sessionmaker() as session:
        assert write_catalog(session.scalars(select(m.CatalogItem).order_by(m.CatalogItem.seq)), out) == 3
    with db.session() as session:
        for item in session.scalars(select(m.CatalogItem)):
            session.delete(item)
    with db.session() as session:
        result = import_catalog(session, app.extensions["zwgk.pm"], out, DX)  # the 领域 column says it
        assert result.ok, [str(p) for p in result.problems]
        assert not result.warnings
    assert snapshot() == before  # the quote that kept the spreadsheet from running a cell is taken off again
    if fmt == "xlsx":
        sheet = load_workbook(out).active
        assert sheet["A1"].value == "政务公开事项标准目录"
        assert [c.value for c in sheet[2]][:2] == ["序号", "公开事项"]
        assert [c.value for c in sheet[3]][1:3] == ["一级事项", "二级事项"]
        assert {"B2:C2", "I2:J2", "K2:L2", "M2:Q2"} <= {str(r) for r in sheet.merged_cells.ranges}


def test_bad_rows_are_reported_by_sheet_row_and_column_and_nothing_is_written(app, tmp_path):
    rows = [
        ROWS[0],
        ["2", "无渠道", "", "内容", "依据", "10个工作日内", "县教育局", "", "√", "", "√", "", "√", ""],
        ["3", "同上", "", "内容", "依据", "10个工作日内", "县教育局", "政府网站", "", "", "", "", "√", ""],
    ]
    path = real_layout(tmp_path / "bad.xlsx", rows)
    before = _count(app)
    with app.extensions["zwgk.db"].session() as session:
        result = import_catalog(session, app.extensions["zwgk.pm"], path, DX, "义务教育")
        session.rollback()
    found = {(p.where, p.field) for p in result.problems}
    assert found == {("[义务教育] 第5行 row 5", "公开渠道和载体"),  # 道县 requires 渠道; named by its heading
                     ("[义务教育] 第6行 row 6", "公开方式·主动"),  # no 公开方式 ticked
                     ("[义务教育] 第6行 row 6", "公开对象·全社会")}  # no 公开对象 ticked
    assert all("缺少必填要素" in p.message for p in result.problems)
    assert _count(app) == before


def test_a_malformed_date_in_the_time_limit_is_refused(app, tmp_path):
    rows = [ROWS[0], ["2", "招生入学", "招生结果", "招生结果", "依据", "每年7月32日前", "县教育局", "政府网站",
                      "√", "", "√", "", "√", ""]]
    path = real_layout(tmp_path / "bad-date.xlsx", rows)
    before = _count(app)
    with app.extensions["zwgk.db"].session() as session:
        result = import_catalog(session, app.extensions["zwgk.pm"], path, DX, "义务教育")
        session.rollback()
    assert [(p.where, p.field, p.message) for p in result.problems] == [
        ("[义务教育] 第5行 row 5", "公开时限", "公开时限中的日期不存在“7月32日” no such date in the time limit")]
    assert result.written == 0 and _count(app) == before


def test_unknown_domain_formula_cell_and_wrong_file_type(app, tmp_path, run_cli):
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "领域", "一级事项", "公开内容", "公开依据", "公开时限", "公开主体", "公开渠道", "全社会", "主动"])
    ws.append(["1", "火星领域", "某事项", "内容", "依据", "5日内", "主体", "网站", "√", "√"])
    ws.append(["2", "义务教育", "某事项", "=1+1", "依据", "5日内", "主体", "网站", "√", "√"])
    wb.save(tmp_path / "mixed.xlsx")
    before = _count(app)
    result = run_cli(app, "import", "catalog", str(tmp_path / "mixed.xlsx"), "--unit", DX,
                     "--report", str(tmp_path / "report.csv"))
    assert result.exit_code == 1
    assert "第2行 row 2 [某事项] 领域: 找不到领域" in result.output  # the column by its heading
    assert "D3" in result.output and "formula" in result.output
    assert "未写入任何内容" in result.output
    report = (tmp_path / "report.csv").read_text(encoding="utf-8-sig")
    assert "火星领域" in report and "D3" in report
    assert _count(app) == before

    (tmp_path / "fake.xlsx").write_text("序号,一级事项\n1,x\n", encoding="utf-8")
    fake = run_cli(app, "import", "catalog", str(tmp_path / "fake.xlsx"), "--unit", DX)
    assert fake.exit_code == 1 and "not what its name says" in fake.output


def test_size_and_zip_bomb_limits(app, tmp_path, monkeypatch):
    import zwgk.catalog_readers as cio

    def refused(path, match):
        before = _count(app)
        with app.extensions["zwgk.db"].session() as session:
            with pytest.raises(CatalogFileError, match=match):
                import_catalog(session, app.extensions["zwgk.pm"], path, DX, "义务教育")
        assert _count(app) == before

    big = tmp_path / "big.xlsx"  # 50 MB (sparse: the size is what is checked first)
    with big.open("wb") as f:
        f.seek(50 * 1024 * 1024 - 1)
        f.write(b"\0")
    refused(big, "file too large")
    monkeypatch.setattr(cio, "MAX_UNZIPPED_BYTES", 5 * 1024 * 1024)  # a small bomb for a quick test
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (6 * 1024 * 1024))
    assert bomb.stat().st_size < 100_000
    refused(bomb, "uncompressed size")


def test_csv_and_json_and_dry_run(app, tmp_path, run_cli):
    csv_path = tmp_path / "c.csv"
    csv_path.write_text("序号,一级事项,二级事项,公开内容,公开依据,公开时限,公开主体,公开渠道和载体,全社会,特定群体,主动,依申请\n"
                        "1,低保,低保对象,户主姓名、救助金额,《社会救助暂行办法》,长期公示,县民政局,公示栏,√,,√,\n",
                        encoding="utf-8")
    dry = run_cli(app, "import", "catalog", str(csv_path), "--unit", DX, "--domain", "社会救助", "--dry-run")
    assert dry.exit_code == 0 and "dry run passed" in dry.output
    assert _count(app) == 0
    ok = run_cli(app, "import", "catalog", str(csv_path), "--unit", DX, "--domain", "社会救助")
    assert ok.exit_code == 0 and "imported 1" in ok.output
    rows = json.loads(run_cli(app, "export", "catalog_items", "--region", DX).output)
    assert rows[0]["level1"] == "低保" and rows[0]["method_active"] is True
    json_path = tmp_path / "j.json"
    rows[0]["level1"] = "低保（JSON）"
    json_path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    again = run_cli(app, "import", "catalog", str(json_path), "--unit", DX)
    assert again.exit_code == 0, again.output
    assert _count(app) == 2


def test_local_variant_columns_are_kept_and_an_unknown_column_is_reported(app, tmp_path, run_cli):
    """三级事项, 五公开, 责任科室 and 公开时长 are read into their fields; 备注 is no field: it is
    not imported, and the import says so rather than dropping it unseen."""
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "一级事项", "二级事项", "三级事项", "公开内容", "公开依据", "公开时限", "公开主体", "责任科室",
               "公开渠道和载体", "公开时长", "五公开", "全社会", "主动", "乡、村级", "备注"])
    ws.append(["1", "低保", "低保对象", "城市低保", "户主姓名、救助金额", "《社会救助暂行办法》", "长期公示", "县民政局",
               "社会救助股", "公示栏", "长期", "管理、结果", "√", "√", "√", "每季度复核"])
    ws.append(["2", "同上", "特困人员", "", "姓名、供养方式", "同上", "同上", "同上", "同上", "同上", "1年",
               "结果", "√", "√", "", ""])
    wb.save(tmp_path / "variant.xlsx")
    result = run_cli(app, "import", "catalog", str(tmp_path / "variant.xlsx"), "--unit", DX, "--domain", "社会救助")
    assert result.exit_code == 0, result.output
    assert "imported 2" in result.output
    assert "列“备注”不是目录的字段，其 1 个单元格未导入" in result.output
    with app.extensions["zwgk.db"].sessionmaker() as session:
        first, second = session.scalars(select(m.CatalogItem).order_by(m.CatalogItem.seq)).all()
        assert (first.level3, first.department, first.duration, first.stages, first.levels) == (
            "城市低保", "社会救助股", "长期", ["management", "result"], ["township", "village"])
        assert (second.level1, second.department, second.duration, second.stages) == ("低保", "社会救助股", "1年",
                                                                                       ["result"])
    # the exported layout carries them too, and imports back to the same values
    out = tmp_path / "out.xlsx"
    assert run_cli(app, "export-catalog", "--region", DX, "-o", str(out)).exit_code == 0
    header = [c.value for c in load_workbook(out).active[2]]
    assert "公开时长" in header and "五公开" in header


def test_export_never_writes_a_live_formula(app, tmp_path):
    db = app.extensions["zwgk.db"]
    with db.session() as session:
        unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == DX))
        dom = session.scalar(select(m.Domain).where(m.Domain.name == "义务教育"))
        session.add(m.CatalogItem(unit=unit, domain=dom, level1="=HYPERLINK(\"http://x\")", content="+1",
                                  channels=["@SUM(A1)"]))
    out = tmp_path / "x.xlsx"
    with db.sessionmaker() as session:
        write_xlsx(session.scalars(select(m.CatalogItem)), out)
    row = list(load_workbook(out).active.iter_rows(min_row=4, max_row=4))[0]
    assert row[1].value == "'=HYPERLINK(\"http://x\")" and row[1].data_type == "s"
    assert row[3].value == "'+1" and row[7].value == "'@SUM(A1)"


def test_layout_is_found_by_header_text_not_position():
    rows = [["某县公开目录"], ["公开依据", "一级事项", "序号", "全社會", "依申請公开"], ["依据", "事项", "1", "√", ""]]
    layout = find_layout(rows)
    assert layout.header_rows == 2
    assert layout.columns == {0: "basis", 1: "level1", 2: "seq", 3: "audience_public", 4: "method_on_request"}
    assert norm("  ２０個工作日 ") == "20个工作日"


def test_a_first_data_row_that_mentions_header_words_is_data(app, tmp_path, run_cli):
    """One header row (as other systems export): a first row whose cells say 主动 or 全社会 is a row."""
    path = tmp_path / "one-header.csv"
    path.write_text("序号,一级事项,公开内容,公开依据,公开时限,公开主体,公开渠道和载体,全社会,主动\n"
                    "1,政策文件,主动公开的规范性文件,《条例》,全社会关注的随时公开,县政府办,政府网站,√,√\n"
                    "2,政策解读,解读材料,《条例》,文件公布后3个工作日内,县政府办,政府网站,√,√\n", encoding="utf-8")
    result = run_cli(app, "import", "catalog", str(path), "--unit", DX, "--domain", "社会救助")
    assert result.exit_code == 0, result.output
    assert "2 行 rows; 已导入 imported 2" in result.output


def test_export_catalog_cli_chooses_format_by_suffix_and_filters(app, tmp_path, run_cli):
    path = real_layout(tmp_path / "in.xlsx", ROWS)
    assert run_cli(app, "import", "catalog", str(path), "--unit", DX, "--domain", "义务教育").exit_code == 0
    out = tmp_path / "out.json"
    result = run_cli(app, "export-catalog", "--region", DX, "-o", str(out), "--domain", "义务教育")
    assert result.exit_code == 0 and len(json.loads(out.read_text(encoding="utf-8"))) == 3
    none = run_cli(app, "export-catalog", "--region", DX, "-o", str(tmp_path / "p.csv"), "--status", "published")
    assert none.exit_code == 0 and (tmp_path / "p.csv").read_text(encoding="utf-8-sig").count("\n") == 1  # header
    bad = run_cli(app, "export-catalog", "--region", DX, "-o", str(tmp_path / "x.pdf"))
    assert bad.exit_code == 1 and "only xlsx, csv, json" in bad.output


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_a_workbook_with_a_dtd_is_refused_before_any_parser_sees_it(app, tmp_path, part):
    """Billion laughs and external entities (reading /etc/passwd into a cell) both need a DTD."""
    src = real_layout(tmp_path / "plain.xlsx", ROWS)
    evil = tmp_path / "evil.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(evil, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                data = (b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
                        b'<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n' + data)
            zout.writestr(info, data)
    before = _count(app)
    with app.extensions["zwgk.db"].session() as session:
        with pytest.raises(CatalogFileError, match=f"DTD.*{part}|{part}.*DTD"):
            import_catalog(session, app.extensions["zwgk.pm"], evil, DX, "义务教育")
    assert _count(app) == before
