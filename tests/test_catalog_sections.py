"""Section rows (一、招生入学 across the row) and a header repeated after a page break are skipped
and named in a warning; rows of items that merely look like them are read as before.  The corpus
(18_…, 19_…, 20_… in tests/data/catalogs) checks whole forms; these check the edges."""

import csv
import io

import pytest

from zwgk.catalog_readers import Sheet, norm, parse_rows

HEADER = ["序号", "一级事项", "二级事项", "公开内容", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "全社会", "主动"]
DX = "湖南省/永州市/道县"


def _row(n, level1, level2="招生政策", content="招生范围"):
    return [str(n), level1, level2, content, "《义务教育法》", "每年7月底前", "县教育局", "政府网站", "√", "√"]


def _read(rows):
    warnings: list[str] = []
    parsed, problems = parse_rows([Sheet("表", rows)], DX, "义务教育", warnings)
    return [p.record for p in parsed], problems, warnings


def test_section_rows_and_a_repeated_header_are_skipped_and_named():
    wide = ["（二）学生资助"] * len(HEADER)  # merged across the row, as a workbook's merge is read
    rows = [HEADER, ["一、招生入学"] + [""] * 9, _row(1, "招生入学"), wide,
            ["序 号", "一级\n事项", "二级事项", "公开内容（要素）", "公开依据", "时限要求", "责任主体", "公开渠道和载体", "全社会",
             "主动公开"],
            _row(2, "学生资助")]
    records, problems, warnings = _read(rows)
    assert problems == []
    assert [(r["seq"], r["level1"]) for r in records] == [(1, "招生入学"), (2, "学生资助")]
    [warning] = [w for w in warnings if "分节行" in w]
    assert "跳过 3 个" in warning and "第2行" in warning and "“一、招生入学”" in warning
    assert "第4行 row 4 “（二）学生资助”" in warning and "第5行 row 5 表头" in warning


def test_a_section_names_the_empty_level1_below_it_and_never_continues_the_item_above():
    rows = [HEADER, _row(1, "招生入学"), ["第二部分 学生资助"] + [""] * 9, _row(2, ""), _row(3, "", "资助名单"),
            ["三、其他事项"] + [""] * 9, [""] * 10, _row(4, "", "其他")]
    records, problems, _ = _read(rows)
    assert problems == []
    assert [r["level1"] for r in records] == ["招生入学", "学生资助", "学生资助", "其他事项"]


@pytest.mark.parametrize("level1", ["一般公共预算", "三公经费", "一、招生入学", "（一）招生入学", "公开事项清单", "事项名称变更"])
def test_items_that_look_like_a_section_or_a_header_are_items(level1):
    """A numbered or header-like 一级事项 in a row of data is data: only a row holding that one text is a section."""
    records, problems, warnings = _read([HEADER, _row(1, level1)])
    assert problems == [] and [r["level1"] for r in records] == [norm(level1)]
    assert not any("分节行" in w for w in warnings)


def test_a_row_with_only_a_header_word_in_the_item_column_is_not_a_header():
    rows = [HEADER, _row(1, "事项名称", "", "")]
    records, problems, _ = _read(rows)
    assert [r["level1"] for r in records] == ["事项名称"]


def test_a_numbering_without_a_name_still_goes_to_the_row_reader():
    """一、 alone names nothing: not a section; its row is read as before (not skipped)."""
    records, _, warnings = _read([HEADER, _row(1, "招生入学"), ["一、"] + [""] * 9])
    assert len(records) == 2 and not any("分节行" in w for w in warnings)


def test_a_csv_file_with_sections_imports_through_the_command(make_app, regions_db_url, run_cli, tmp_path):
    buf = io.StringIO()
    csv.writer(buf).writerows([HEADER, ["一、招生入学"], _row(1, "招生入学"), HEADER, _row(2, "招生入学", "招生结果")])
    path = tmp_path / "目录.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    app = make_app(regions_db_url, plugins="daoxian")
    result = run_cli(app, "import", "catalog", str(path), "--unit", "道县", "--domain", "义务教育")
    assert result.exit_code == 0 and "已导入" in result.output or "imported" in result.output, result.output
    assert "跳过 2 个分节行或重复的表头行" in result.output


def test_the_streamed_workbook_reader_skips_the_same_rows(monkeypatch):
    """A big .xlsx is read piece by piece (its merges applied as the rows stream): same records, same warning."""
    from pathlib import Path

    import zwgk.catalog_readers as cr

    path = Path(__file__).parent / "data" / "catalogs" / "18_section_rows_repeated_header.xlsx"

    def read():
        warnings: list[str] = []
        parsed, problems = cr.parse_rows(cr.read_sheets(path), DX, "义务教育", warnings)
        return [p.record for p in parsed], problems, warnings

    whole = read()
    monkeypatch.setattr(cr, "PIECES_ABOVE", 0)
    assert cr._big_sheet_parts(path)  # the streamed reader is the one used now
    streamed = read()
    assert streamed == whole and len(whole[0]) == 4 and any("跳过 4 个分节行或重复的表头行" in w for w in whole[2])
