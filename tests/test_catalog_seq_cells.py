"""序号 as counties write them (1-2, 1.2, （一）, 一、, full-width digits) and .xlsx cells holding the
number 0 or a boolean (TRUE / FALSE), through every .xlsx path the importer reads."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from zwgk import catalog_readers as cr
from zwgk import models as m
from zwgk.catalog_io import import_catalog, write_csv

from .test_catalog_io import DX, real_layout


@pytest.fixture
def app(make_app, regions_db_url):
    return make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")


def _row(seq, level1, level2, *, public="√", specific="", active="√", on_request="", county="√", township=""):
    return [seq, level1, level2, f"{level2}的内容", "《中华人民共和国义务教育法》", "每年7月底前", "县教育局", "政府网站",
            public, specific, active, on_request, county, township]


def _import(app, path):
    with app.extensions["zwgk.db"].session() as session:
        result = import_catalog(session, app.extensions["zwgk.pm"], path, DX, "义务教育")
    assert result.ok, [str(p) for p in result.problems]
    with app.extensions["zwgk.db"].sessionmaker() as session:
        items = session.scalars(select(m.CatalogItem).order_by(m.CatalogItem.id)).all()
        return result, [(i.seq, i.level2) for i in items], items


# --------------------------------------------------------------------------
# 序号 as written
# --------------------------------------------------------------------------

#: a county's 序号 column: hierarchical (1-1, 2.1), by section （四） 五、, full-width, a letter
HIERARCHICAL = [("1", "招生政策"), ("1-1", "招生范围"), ("1-2", "招生计划"), ("2", "学生资助"), ("2.1", "资助标准"),
                ("2．2", "资助名单"), ("３", "教师招聘"), ("（四）", "教育收费"), ("五、", "校园安全"), ("十二", "督导评估"),
                ("甲", "其他事项")]


def test_a_hierarchical_or_chinese_seq_keeps_its_order_and_the_text_not_kept_is_named(app, tmp_path):
    rows = [_row(seq, "义务教育", level2) for seq, level2 in HIERARCHICAL]
    result, stored, items = _import(app, real_layout(tmp_path / "道县目录.xlsx", rows))
    # the first number of 1-2 / 2.1 (its section), Chinese numerals and full-width digits as numbers
    assert stored == [(1, "招生政策"), (1, "招生范围"), (1, "招生计划"), (2, "学生资助"), (2, "资助标准"), (2, "资助名单"),
                      (3, "教师招聘"), (4, "教育收费"), (5, "校园安全"), (12, "督导评估"), (None, "其他事项")]
    [warning] = [w for w in result.warnings if "序号" in w]
    # the sheet, each row and its text; the plain forms (３, （四）, 五、, 十二) are numbers and not named
    assert warning.startswith("[义务教育] 5 个序号不是一个整数")
    for text in ("第5行 row 5 “1-1” 存为 1", "第6行 row 6 “1-2” 存为 1", "第8行 row 8 “2.1” 存为 2",
                 "第9行 row 9 “2.2” 存为 2", "第14行 row 14 “甲” 未保存"):
        assert text in warning, warning
    for text in ("“3”", "（四）", "五、", "十二"):
        assert text not in warning
    # the order by 序号 (then as read) is the file's order, as the export writes it
    with app.extensions["zwgk.db"].sessionmaker() as session:
        ordered = session.scalars(select(m.CatalogItem).order_by(m.CatalogItem.seq.is_(None), m.CatalogItem.seq,
                                                                 m.CatalogItem.id)).all()
        assert [i.level2 for i in ordered] == [level2 for _, level2 in HIERARCHICAL]
        out = io.StringIO()
        write_csv(ordered, out)
    exported = list(csv.reader(io.StringIO(out.getvalue())))
    # 序号 as stored; the one not kept gets its place in the list, as before
    assert [r[0] for r in exported[1:]] == ["1", "1", "1", "2", "2", "2", "3", "4", "5", "12", "11"]


def test_a_csv_numbered_by_section_warns_per_row_and_keeps_full_width_digits(app, tmp_path):
    path = tmp_path / "目录.csv"
    header = ["序号", "一级事项", "二级事项", "公开内容", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "全社会", "主动"]
    rows = [["１", "招生入学", "招生政策"], ["１.１", "招生入学", "招生范围"], ["２-１", "学生资助", "资助标准"],
            ["１２", "学生资助", "资助名单"], ["0", "其他", "其他事项"]]
    with path.open("w", encoding="gb18030", newline="") as f:  # as Excel on a Chinese Windows saves it
        w = csv.writer(f)
        w.writerow(header)
        for seq, l1, l2 in rows:
            w.writerow([seq, l1, l2, "内容", "依据", "20个工作日内", "县教育局", "政府网站", "√", "√"])
    result, stored, _ = _import(app, path)
    assert stored == [(1, "招生政策"), (1, "招生范围"), (2, "资助标准"), (12, "资助名单"), (0, "其他事项")]
    [warning] = [w for w in result.warnings if "序号" in w]
    assert "[目录] 2 个序号" in warning
    assert "第3行 row 3 “1.1” 存为 1" in warning and "第4行 row 4 “2-1” 存为 2" in warning


@pytest.mark.parametrize(("text", "value", "exact"), [
    ("7", 7, True), ("７", 7, True), ("07", 7, True), ("7、", 7, True), ("7.", 7, True), ("(7)", 7, True),
    ("一", 1, True), ("（一）", 1, True), ("十", 10, True), ("十一", 11, True), ("二十", 20, True), ("二十三", 23, True),
    ("一百零五", 105, True), ("第三", 3, True), ("〇", 0, True),
    ("1-2", 1, False), ("1.2", 1, False), ("1.2.3", 1, False), ("2—1", 2, False), ("3_4", 3, False),
    ("A1", None, False), ("甲", None, False), ("TRUE", None, False), ("12345678901", None, False),
    ("2147483648", None, False), ("2147483647", 2147483647, True), ("", None, True)])
def test_seq_reading(text, value, exact):
    assert cr.seq_read(cr.norm(text)) == (value, exact)
    assert cr.seq(cr.norm(text)) == value


# --------------------------------------------------------------------------
# 0 and TRUE / FALSE in .xlsx cells
# --------------------------------------------------------------------------

def _typed_workbook(tmp_path):
    """Cells typed as Excel types them: the numbers 0 and 1 and the booleans TRUE / FALSE."""
    rows = [_row(0, "招生入学", "招生政策", public=True, specific=False, active=1, on_request=0, county=True,
                 township=False),
            _row(1, "招生入学", 0, public=False, specific=True, active=False, on_request=True, county=0, township=1),
            _row(2, True, "资助名单", public=1, specific=0, active=True, on_request=False, county=1, township=0)]
    path = real_layout(tmp_path / "目录.xlsx", rows)
    cells = load_workbook(path).active
    assert [cells.cell(4, c).data_type for c in (1, 9, 10, 11, 12, 13, 14)] == ["n", "b", "b", "n", "n", "b", "b"]
    assert cells.cell(5, 3).data_type == "n" and cells.cell(6, 2).data_type == "b"
    return path


@pytest.fixture(params=["whole", "pieces"])
def xlsx_path(request, monkeypatch):
    """The importer's two .xlsx readers: the whole sheet, and a large sheet read in pieces (forced
    here, as in test_catalog_import_chunks, by lowering the size it starts at)."""
    if request.param == "pieces":
        monkeypatch.setattr(cr, "PIECES_ABOVE", 0)
        monkeypatch.setattr(cr, "PIECE_BYTES", 4096)
    return request.param


def test_zero_and_booleans_in_xlsx_cells_are_values_not_blanks(app, tmp_path, xlsx_path):
    path = _typed_workbook(tmp_path)
    assert [type(s.rows).__name__ for s in cr.read_sheets(path)] == (
        ["_PiecewiseRows"] if xlsx_path == "pieces" else ["_WorkbookRows"])
    result, stored, items = _import(app, path)
    assert stored == [(0, "招生政策"), (1, "0"), (2, "资助名单")]
    assert not [w for w in result.warnings if "序号" in w]
    first, second, third = items
    # a mark column: TRUE or 1 ticks, FALSE or 0 leaves it blank
    assert (first.audience_public, first.audience_specific, first.method_active, first.method_on_request,
            first.levels) == (True, False, True, False, ["county"])
    assert (second.audience_public, second.audience_specific, second.method_active, second.method_on_request,
            second.levels) == (False, True, False, True, ["township"])
    assert (third.audience_public, third.audience_specific, third.method_active, third.method_on_request,
            third.levels) == (True, False, True, False, ["county"])
    # elsewhere a boolean reads as the spreadsheet shows it
    assert third.level1 == "TRUE" and second.level1 == "招生入学"


def test_a_boolean_in_the_seq_column_is_named_not_dropped(app, tmp_path, xlsx_path):
    path = real_layout(tmp_path / "目录.xlsx", [_row(True, "招生入学", "招生政策"), _row(False, "招生入学", "招生范围")])
    result, stored, _ = _import(app, path)
    assert stored == [(None, "招生政策"), (None, "招生范围")]
    [warning] = [w for w in result.warnings if "序号" in w]
    assert "第4行 row 4 “TRUE” 未保存" in warning and "第5行 row 5 “FALSE” 未保存" in warning


def test_zero_is_exported_as_zero(app, tmp_path):
    _import(app, _typed_workbook(tmp_path))
    out = io.StringIO()
    with app.extensions["zwgk.db"].sessionmaker() as session:
        write_csv(session.scalars(select(m.CatalogItem).order_by(m.CatalogItem.id)).all(), out)
    assert [r[0] for r in list(csv.reader(io.StringIO(out.getvalue())))[1:]] == ["0", "1", "2"]


# --------------------------------------------------------------------------
# 序号 in Chinese numerals: only a number as it is written is read as one
# --------------------------------------------------------------------------

@pytest.mark.parametrize("text,number", [("一", 1), ("九", 9), ("十", 10), ("十二", 12), ("一十二", 12), ("二十", 20),
                                         ("二十五", 25), ("一百", 100), ("两百", 200), ("一百零五", 105),
                                         ("一百一十", 110), ("一千零五", 1005), ("一千零五十", 1050),
                                         ("九千九百九十九", 9999), ("零", 0)])
def test_a_chinese_numeral_is_its_number(text, number):
    assert cr.seq_read(text) == (number, True)


@pytest.mark.parametrize("text", ["二三", "三二一", "二〇二", "十十", "百百", "一千一千", "一百一", "一千二", "百十",
                                  "零五", "一百零零五", "十百"])
def test_digits_that_are_not_a_chinese_number_are_named_not_stored_as_a_guess(text):
    # 二〇二 is no number in this writing (二百零二 is), 一百一 says 110 aloud: nothing is guessed
    assert cr.seq_read(text) == (None, False)


@pytest.mark.parametrize("text", ["(1-2)", "（1-2）", "1-2、", "1.2.", "第1-2"])
def test_a_section_number_in_brackets_or_before_a_comma_is_its_section(text):
    # as (7) and 7、 are 7, so (1-2) and 1-2、 are the section 1's (and named, as 1-2 is)
    assert cr.seq_read(cr.norm(text)) == (1, False)


# --------------------------------------------------------------------------
# a file name that is not UTF-8 (Linux keeps a Windows archive's GBK names as bytes)
# --------------------------------------------------------------------------

@pytest.mark.parametrize("raw,stored", [("道县目录".encode("gbk") + b".xlsx", "道县目录.xlsx"),
                                        (b"bad\xff\xfe.xlsx", "bad\ufffd\ufffd.xlsx")])
def test_a_file_name_not_in_utf8_is_imported_and_its_name_stored_readable(app, tmp_path, raw, stored):
    import os

    path = real_layout(tmp_path / os.fsdecode(raw), [_row("1", "招生入学", "招生政策"), _row("2", "招生入学", "招生范围")])
    _import(app, path)  # was a UnicodeEncodeError from the driver (a traceback from the command)
    with app.extensions["zwgk.db"].sessionmaker() as session:
        assert set(session.scalars(select(m.CatalogItem.source_file))) == {stored}
        [history] = session.scalars(select(m.Change.changes).where(m.Change.action == "import"))
        assert history["file"] == [None, stored]


def test_the_command_imports_a_file_whose_name_is_not_utf8(app, tmp_path, run_cli):
    import os

    path = real_layout(tmp_path / os.fsdecode("道县目录".encode("gbk") + b".xlsx"), [_row("1", "招生入学", "招生政策")])
    result = run_cli(app, "import", "catalog", str(path), "--unit", DX, "--domain", "义务教育")
    assert result.exit_code == 0, result.output
    with app.extensions["zwgk.db"].sessionmaker() as session:
        reasons = set(session.scalars(select(m.Change.reason).where(m.Change.entity == "catalog_item")))
    assert reasons == {"import 道县目录.xlsx"}
