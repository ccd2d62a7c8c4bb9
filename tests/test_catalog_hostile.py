"""Hostile and broken catalog files are refused clearly, naming row and column, and nothing is written
(issue #10, failures 10 and 12)."""

import contextlib
import io
import re
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from zwgk import models as m
from zwgk.catalog_io import CatalogFileError, import_catalog

DX = "湖南省/永州市/道县"
HEADER = "序号,一级事项,公开内容,公开依据,公开时限,公开主体,公开渠道和载体,全社会,主动\n"
ROW = "1,低保,户主姓名,《社会救助暂行办法》,长期公示,县民政局,公示栏,√,√\n"


@pytest.fixture
def app(make_app, regions_db_url):
    return make_app(regions_db_url, plugins="daoxian")


def _count(app):
    with app.extensions["zwgk.db"].sessionmaker() as session:
        return session.scalar(select(func.count()).select_from(m.CatalogItem))


def _import(app, path, domain="社会救助"):
    with app.extensions["zwgk.db"].session() as session:
        result = import_catalog(session, app.extensions["zwgk.pm"], path, DX, domain)
        if not result.ok:
            session.rollback()
    return result


def test_a_gbk_csv_is_read_as_gb18030(app, tmp_path, run_cli):
    path = tmp_path / "gbk.csv"
    path.write_bytes((HEADER + ROW).encode("gbk"))
    result = run_cli(app, "import", "catalog", str(path), "--unit", "道县", "--domain", "社会救助")
    assert result.exit_code == 0, result.output
    with app.extensions["zwgk.db"].sessionmaker() as session:
        assert session.scalar(select(m.CatalogItem.content)) == "户主姓名"


def test_json_nested_200000_deep_is_a_clear_error(app, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    with app.extensions["zwgk.db"].session() as session:
        with pytest.raises(CatalogFileError, match="嵌套过深"):
            import_catalog(session, app.extensions["zwgk.pm"], path, DX, "社会救助")
    assert _count(app) == 0


def test_a_csv_cell_over_the_field_limit_is_a_clear_error_naming_the_row(app, tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(HEADER + ROW + "2,低保," + "长" * 140_000 + ",依据,时限,主体,渠道,√,√\n", encoding="utf-8")
    with app.extensions["zwgk.db"].session() as session:
        with pytest.raises(CatalogFileError, match="第3行"):
            import_catalog(session, app.extensions["zwgk.pm"], path, DX, "社会救助")
    assert _count(app) == 0


def test_a_nul_byte_is_refused_naming_row_and_column_never_as_sql(app, tmp_path, run_cli):
    path = tmp_path / "nul.csv"
    path.write_text(HEADER + ROW + "2,特困,姓名\x00,依据,时限,主体,渠道,√,√\n", encoding="utf-8")
    result = _import(app, path)
    assert [(p.where, p.field) for p in result.problems] == [("[nul] 第3行 row 3", "公开内容")]
    assert "NUL" in result.problems[0].message
    cli = run_cli(app, "import", "catalog", str(path), "--unit", DX, "--domain", "社会救助")
    assert cli.exit_code == 1 and "INSERT" not in cli.output and "第3行" in cli.output
    assert _count(app) == 0


@pytest.mark.parametrize("content", ["", HEADER, "\ufeff" + HEADER + "\n,,,\n"])
def test_an_empty_or_header_only_file_is_an_error_not_zero_imported(app, tmp_path, run_cli, content):
    path = tmp_path / "empty.csv"
    path.write_text(content, encoding="utf-8")
    result = run_cli(app, "import", "catalog", str(path), "--unit", DX, "--domain", "社会救助")
    assert result.exit_code == 1
    assert "已导入" not in result.output
    assert re.search("文件为空|没有任何事项行", result.output)


def test_the_admin_upload_of_a_gbk_csv_answers_a_page_not_a_500(make_app, regions_db_url):
    from .admin_helpers import csrf, login, seed

    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_LOGIN_RATE="1000 per minute")
    seed(app)
    client = app.test_client()
    login(client, "dx_admin")
    token = csrf(client, "/admin/catalog_import/")
    page = client.post("/admin/catalog_import/", data={
        "csrf_token": token, "unit": DX, "domain": "社会救助", "dry_run": "y",
        "file": (io.BytesIO((HEADER + ROW).encode("gbk")), "目录.csv")}, content_type="multipart/form-data")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "import-mapping" in text and "公开依据" in text  # the mapping is shown at the check step


def _renamed_sheet_workbook(path, part="xl/worksheets/Sheet1.xml"):
    """A workbook whose sheet part is renamed (the relationships still find it) with a formula."""
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "一级事项", "公开内容", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "全社会", "主动"])
    ws.append(["1", "低保", "=1+1", "依据", "长期公示", "县民政局", "公示栏", "√", "√"])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            name = info.filename
            if name == "xl/worksheets/sheet1.xml":
                name = part
            data = data.replace(b"worksheets/sheet1.xml", part.removeprefix("xl/").encode())
            out.writestr(name, data)
    return path


def test_a_formula_in_a_renamed_sheet_part_is_caught(app, tmp_path):
    from zwgk.catalog_readers import formula_cells, sheet_parts

    path = _renamed_sheet_workbook(tmp_path / "renamed.xlsx")
    with zipfile.ZipFile(path) as z:
        assert sheet_parts(z) == ["xl/worksheets/Sheet1.xml"]
    assert formula_cells(path) == [("Sheet1.xml", "C2")]
    result = _import(app, path)
    assert any(p.field == "C2" and "formula" in p.message for p in result.problems)
    assert _count(app) == 0


def test_a_formula_in_a_sheet_part_with_any_name_is_caught(tmp_path):
    from zwgk.catalog_readers import formula_cells

    path = _renamed_sheet_workbook(tmp_path / "data.xlsx", part="xl/data/table.xml")
    assert formula_cells(path) == [("table.xml", "C2")]


def test_a_dtd_in_any_part_is_refused(app, tmp_path):
    path = _renamed_sheet_workbook(tmp_path / "dtd.xlsx")
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("docProps/custom.bin", b'<!DOCTYPE x [<!ENTITY a "b">]><x/>')
    with app.extensions["zwgk.db"].session() as session:
        with pytest.raises(CatalogFileError, match="DTD"):
            import_catalog(session, app.extensions["zwgk.pm"], path, DX, "社会救助")


def test_the_importer_refuses_formulas_found_in_the_one_pass(app, tmp_path, monkeypatch):
    """An import of an .xlsx takes its formula cells from the pass that checked the DTD (the
    separate scan is not run), and says what it said before: the cell, refused, nothing written."""
    from openpyxl import Workbook

    from zwgk import catalog_io, catalog_readers as cr

    path = tmp_path / "目录.xlsx"
    wb = Workbook()
    wb.active.append(["序号", "领域", "一级事项", "公开内容", "公开依据", "公开时限", "公开主体", "公开渠道", "全社会", "主动"])
    wb.active.append(["1", "义务教育", "某事项", "=1+1", "依据", "5日内", "主体", "网站", "√", "√"])
    wb.save(path)
    scans = {}
    cr.read_sheets(path, scans)
    assert scans["formulas"] == cr.formula_cells(path) == [("sheet1.xml", "D2")]
    for module in (cr, catalog_io):
        monkeypatch.setattr(module, "formula_cells", lambda *a, **kw: pytest.fail("the parts were scanned twice"))
    result = _import(app, path)
    assert [p.field for p in result.problems if "formula" in p.message] == ["D2"]
    assert _count(app) == 0


def _broken(path, how):
    """A workbook whose parts are stored, then broken in the zip: a CRC error, the encrypted flag,
    an unknown compression method (none of them a file Excel or WPS writes)."""
    import struct

    wb = Workbook()
    wb.active.append(["序号", "一级事项"])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as z, zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as out:
        for info in z.infolist():
            out.writestr(info.filename, z.read(info))
    raw = bytearray(path.read_bytes())
    if how == "crc":
        at = raw.find(b"<sheetData")
        raw[at + 1] ^= 0x20
    for sig, flag, method in ((b"PK\x01\x02", 8, 10), (b"PK\x03\x04", 6, 8)):
        at = 0
        while (at := raw.find(sig, at)) >= 0:
            if how == "encrypted":
                raw[at + flag] |= 1
            elif how == "compression":
                raw[at + method:at + method + 2] = struct.pack("<H", 99)
            at += 4
    path.write_bytes(bytes(raw))
    return path


@pytest.mark.parametrize("how", ["crc", "encrypted", "compression"])
def test_a_broken_or_encrypted_zip_is_a_clear_error_not_a_traceback(app, tmp_path, run_cli, how):
    path = _broken(tmp_path / "目录.xlsx", how)
    with app.extensions["zwgk.db"].session() as session:
        with pytest.raises(CatalogFileError, match="目录.xlsx"):
            import_catalog(session, app.extensions["zwgk.pm"], path, DX, "社会救助")
    result = run_cli(app, "import", "catalog", str(path), "--unit", DX, "--domain", "社会救助")
    assert result.exit_code == 1 and "目录.xlsx: 无法读取其中的部分" in result.output


def _twice(source, path, part, other=None):
    """``source`` (an .xlsx or .docx) copied to ``path`` with ``part`` written twice, the second time
    under ``other`` (the same name, or another case of it) with the last row dropped, so that the two
    differ; zipfile warns of the duplicate and writes it."""
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            out.writestr(info.filename, z.read(info))
        data = z.read(part)
        with pytest.warns(UserWarning) if (other or part) == part else contextlib.nullcontext():
            out.writestr(other or part, data.replace(b"<row r=\"2\"", b"<row r=\"9\"", 1))
    return path


@pytest.mark.parametrize("case", ["xlsx", "xlsx other case", "docx"])
def test_a_zip_holding_two_parts_of_the_same_name_is_refused(app, tmp_path, run_cli, case):
    """Which of two parts of one name a reader takes (the first or the last) is the reader's
    business: such a file is refused, naming the file and the part, before anything is read."""
    from pathlib import Path

    if case == "docx":
        source, part, other = Path(__file__).parent / "data" / "catalogs" / "06_word_attachment.docx", \
            "word/document.xml", None
        name = "目录.docx"
    else:
        source = tmp_path / "valid.xlsx"
        wb = Workbook()
        for line in (HEADER + ROW).splitlines():
            wb.active.append(line.split(","))
        wb.save(source)
        part, other = "xl/worksheets/sheet1.xml", ("XL/Worksheets/Sheet1.xml" if case.endswith("case") else None)
        name = "目录.xlsx"
    assert _import(app, source).ok  # the file it was made from is read
    with app.extensions["zwgk.db"].session() as session:
        session.execute(m.CatalogItem.__table__.delete())
    path = _twice(source, tmp_path / name, part, other)
    with app.extensions["zwgk.db"].session() as session:
        with pytest.raises(CatalogFileError) as refused:
            import_catalog(session, app.extensions["zwgk.pm"], path, DX, "社会救助")
    said = str(refused.value)
    assert said.startswith(f"{name}: 含有两个同名的部分（{part}") and "two parts of the same name" in said, said
    assert (other or part) in said
    assert _count(app) == 0
    result = run_cli(app, "import", "catalog", str(path), "--unit", DX, "--domain", "社会救助")
    assert result.exit_code == 1 and f"{name}: 含有两个同名的部分" in result.output and "Traceback" not in result.output
