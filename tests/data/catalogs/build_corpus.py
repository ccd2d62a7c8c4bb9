"""Build the catalog test corpus: one file per form that county and township governments publish.

Run ``python tests/data/catalogs/build_corpus.py`` (needs openpyxl, xlwt, python-docx) to write
every file and its ``.expected.json`` here, and ``cases.json`` (file → unit, domain, expected).

The forms follow the facts collected from county and township sites (issue #12): one- and two-row
headers with merged parents, a title row above and 注 footnotes below, no 序号 column, extra
备注 / 责任单位 columns, header synonyms, level columns of many tiers, marks √ ✓ ✔ ● ☑ ■ and the
Wingdings letters, ■/□ channels, text-valued columns, continuations (merged or blank 一级事项,
同上), hand-left blank rows, UTF-8 / BOM / GB18030 CSV, .xls, Word tables and web tables with
rowspan/colspan, several domains in one workbook, Traditional characters and full-width digits.

The expected records are written from the logical items below, never from the importer or the
exporter: a rendering puts an item into a form, the expected file says what the item is.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
DX = "湖南省/永州市/道县"
GS = "浙江省/杭州市/拱墅区"

# --------------------------------------------------------------------------
# Logical items (what a catalog row means)
# --------------------------------------------------------------------------


def item(level1, level2, content, basis, time_limit, subject, channels, audience=("public",), method=("active",),
         levels=("county",), **extra):
    rec = dict(seq=None, category=None, level1=level1, level2=level2, level3=None, content=content, basis=basis,
               time_limit=time_limit, subject=subject, department=None, channels=list(channels), duration=None,
               audience_public="public" in audience, audience_specific="specific" in audience,
               method_active="active" in method, method_on_request="request" in method, levels=list(levels),
               stages=[], status="draft", is_example=False)
    rec.update(extra)
    return rec


EDU = [  # 义务教育
    item("招生入学", "招生政策", "招生范围、招生条件、招生程序", "《中华人民共和国义务教育法》", "每年7月底前", "县教育局",
         ["政府网站", "公示栏"], levels=("county",)),
    item("招生入学", "招生结果", "录取结果", "《中华人民共和国义务教育法》", "招生工作结束后及时公开", "县教育局",
         ["政府网站"], audience=("specific",), levels=("county", "township")),
    item("学生资助", "资助政策", "资助标准、申请条件", "《学生资助资金管理办法》", "自信息形成或者变更之日起20个工作日内",
         "县教育局", ["政府网站", "公示栏"], method=("active", "request"), levels=("county",)),
    item("学生资助", "资助名单", "受助学生名单", "《学生资助资金管理办法》", "评审结束后10个工作日内", "学校",
         ["公示栏"], audience=("specific",), levels=("township",)),
]
RELIEF = [  # 社会救助
    item("最低生活保障", "低保对象认定", "申请条件、办理程序", "《社会救助暂行办法》", "长期公开", "县民政局",
         ["政府网站", "村务公开栏"], levels=("county", "township")),
    item("最低生活保障", "低保对象名单", "户主姓名、保障人数、救助金额", "《社会救助暂行办法》", "每月公示", "乡镇人民政府",
         ["村务公开栏"], audience=("public", "specific"), levels=("township",)),
    item("特困人员救助供养", "救助供养标准", "供养标准", "《社会救助暂行办法》", "标准调整后10个工作日内", "县民政局",
         ["政府网站"], method=("active", "request"), levels=("county",)),
]


def expected(items, unit, domain, **same):
    return [dict(rec, unit=unit, domain=domain, **same) for rec in items]


TICK = "√"
TIER_WORD = {"county": "县级", "township": "乡级", "village": "村级", "city": "市级"}


def marks(rec, tick=TICK, tiers=("county", "township")):
    return ([tick if rec["audience_public"] else "", tick if rec["audience_specific"] else "",
             tick if rec["method_active"] else "", tick if rec["method_on_request"] else ""]
            + [tick if t in rec["levels"] else "" for t in tiers])


def words(rec):
    aud = "、".join(w for w, on in (("全社会", rec["audience_public"]), ("特定群众", rec["audience_specific"])) if on)
    meth = "、".join(w for w, on in (("主动公开", rec["method_active"]), ("依申请公开", rec["method_on_request"])) if on)
    lev = "、".join(TIER_WORD[t] for t in rec["levels"])
    return aud, meth, lev


TOP2 = ["序号", "公开事项", None, "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "公开对象", None,
        "公开方式", None, "公开层级", None]
SUB2 = [None, "一级事项", "二级事项", None, None, None, None, None, "全社会", "特定群体", "主动", "依申请", "县级", "乡级"]
MERGES2 = ("A2:A3", "B2:C2", "D2:D3", "E2:E3", "F2:F3", "G2:G3", "H2:H3", "I2:J2", "K2:L2", "M2:N2")


def row2(n, rec, level1=None, tick=TICK, channels=None):
    return ([str(n), rec["level1"] if level1 is None else level1, rec["level2"], rec["content"], rec["basis"],
             rec["time_limit"], rec["subject"], "、".join(rec["channels"]) if channels is None else channels]
            + marks(rec, tick))


# --------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------


def xlsx(path, sheets):
    """sheets: [(name, rows, merges)]"""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows, merges in sheets:
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        for rng in merges:
            ws.merge_cells(rng)
    wb.save(path)


def write_csv(path, rows, encoding):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


# --------------------------------------------------------------------------
# The cases
# --------------------------------------------------------------------------

CASES: dict[str, dict] = {}


def case(name, unit, domain, records, note, unit_arg=None):
    CASES[name] = {"unit": unit_arg or unit, "domain": domain, "note": note}
    (HERE / f"{name}.expected.json").write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n",
                                                encoding="utf-8")


def seq(records):
    return [dict(r, seq=i) for i, r in enumerate(records, 1)]


def build_01():
    """The most common form: title row, two-row merged header, 一级事项 merged down, 注 below."""
    rows = [["道县义务教育领域基层政务公开标准目录"], TOP2, SUB2]
    for n, rec in enumerate(EDU, 1):
        rows.append(row2(n, rec, level1="" if n in (2, 4) else None))
    rows.append(["注：1. 公开层级中“县级”指县级人民政府及其部门。"])
    xlsx(HERE / "01_merged_two_row_header.xlsx", [("义务教育", rows, MERGES2 + ("A1:N1", "B4:B5", "B6:B7", "A8:N8"))])
    case("01_merged_two_row_header", DX, "义务教育", expected(seq(EDU), DX, "义务教育"),
         "title row, two-row header with merged parents, 一级事项 vertically merged, 注 footnote", unit_arg="道县")


def build_02():
    """One-row header whose 公开对象 / 公开方式 / 公开层级 / 五公开 hold words (UTF-8, no BOM)."""
    header = ["序号", "一级事项", "二级事项", "公开内容", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "公开对象",
              "公开方式", "公开层级", "五公开"]
    stages = [["decision", "result"], ["result"], ["execution", "service"], ["result"]]
    names = {"decision": "决策", "execution": "执行", "management": "管理", "service": "服务", "result": "结果"}
    rows = [header]
    items = EDU[:3] + [dict(EDU[3], levels=["township", "village"])]  # words name any tier
    for n, (rec, st) in enumerate(zip(items, stages), 1):
        aud, meth, lev = words(rec)
        rows.append([str(n), rec["level1"], rec["level2"], rec["content"], rec["basis"], rec["time_limit"],
                     rec["subject"], "、".join(rec["channels"]), aud, meth, lev, "、".join(names[s] for s in st)])
    write_csv(HERE / "02_one_row_text_values.csv", rows, "utf-8")
    recs = [dict(r, stages=st) for r, st in zip(seq(items), stages)]
    case("02_one_row_text_values", DX, "义务教育", expected(recs, DX, "义务教育"),
         "one-row header; 公开对象/公开方式/公开层级/五公开 as words joined by 、")


def build_03():
    """GB18030 CSV as Excel on a Chinese Windows saves it; two header rows, synonyms."""
    top = ["序号", "一级事项", "二级事项", "公开内容", "公开依据", "时限要求", "责任主体", "公开渠道和载体", "公开对象", "",
           "公开方式", "", "公开层级", ""]
    sub = ["", "", "", "", "", "", "", "", "全社会", "特定群众", "主动公开", "依申请公开", "县级", "乡级"]
    rows = [top, sub] + [row2(n, rec) for n, rec in enumerate(RELIEF, 1)]
    write_csv(HERE / "03_gb18030_two_row.csv", rows, "gb18030")
    case("03_gb18030_two_row", DX, "社会救助", expected(seq(RELIEF), DX, "社会救助"),
         "GB18030 CSV; 时限要求 / 责任主体 / 特定群众 / 主动公开 synonyms; parents beside empty cells")


def build_04():
    """UTF-8 with BOM; 同上 in its written variants; a blank row left by hand."""
    header = ["序号", "一级事项", "二级事项", "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体",
              "全社会", "特定群体", "主动", "依申请", "县级", "乡级"]
    rows = [header, row2(1, EDU[0])]
    second = row2(2, EDU[1])
    second[1], second[4], second[6] = "同上", "同上。", "“同上”"
    rows += [second, [""] * 14]
    third = row2(3, EDU[2])
    rows.append(third)
    fourth = row2(4, EDU[3])
    fourth[1], fourth[4] = '"同上"', "同上"
    rows.append(fourth)
    write_csv(HERE / "04_bom_same_as_above.csv", rows, "utf-8-sig")
    case("04_bom_same_as_above", DX, "义务教育", expected(seq(EDU), DX, "义务教育"),
         "UTF-8 with BOM; 同上 / 同上。 / “同上” / \"同上\"; a blank row inside the table")


def build_05():
    """An old .xls (Excel 97–2003) with merged cells, as many county offices still keep them."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("社会救助")
    ws.write_merge(0, 0, 0, 13, "道县社会救助领域基层政务公开标准目录")
    for c, text in enumerate(TOP2):
        if text:
            ws.write(1, c, text)
    for c, text in enumerate(SUB2):
        if text:
            ws.write(2, c, text)
    for n, rec in enumerate(RELIEF, 1):
        for c, value in enumerate(row2(n, rec)):
            if not (n == 2 and c == 1):
                ws.write(2 + n, c, value)
    ws.merge(3, 4, 1, 1)  # 一级事项 over the first two items
    wb.save(str(HERE / "05_old_excel.xls"))
    case("05_old_excel", DX, None, expected(seq(RELIEF), DX, "社会救助"),
         ".xls; domain from the title row (…社会救助领域…目录); 一级事项 merged")


def _docx_table(doc, rows, merges=()):
    table = doc.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value:
                table.cell(r, c).text = value
    for (r0, c0), (r1, c1) in merges:
        a, b = table.cell(r0, c0), table.cell(r1, c1)
        keep = a.text
        merged = a.merge(b)
        merged.text = keep
    return table


def build_06():
    """A Word 附件: title paragraph, two-row header merged, 一级事项 merged down (no --domain)."""
    import docx

    doc = docx.Document()
    doc.add_paragraph("附件")
    doc.add_paragraph("道县社会救助领域基层政务公开标准目录")
    rows = [[t or "" for t in TOP2], [t or "" for t in SUB2]]
    for n, rec in enumerate(RELIEF, 1):
        rows.append(row2(n, rec, level1="" if n == 2 else None))
    merges = [((0, 0), (1, 0)), ((0, 1), (0, 2)), ((0, 3), (1, 3)), ((0, 4), (1, 4)), ((0, 5), (1, 5)),
              ((0, 6), (1, 6)), ((0, 7), (1, 7)), ((0, 8), (0, 9)), ((0, 10), (0, 11)), ((0, 12), (0, 13)),
              ((2, 1), (3, 1))]
    _docx_table(doc, rows, merges)
    doc.add_paragraph("注：本目录根据国家标准指引编制。")
    doc.save(HERE / "06_word_attachment.docx")
    case("06_word_attachment", DX, None, expected(seq(RELIEF), DX, "社会救助"),
         "Word table; title paragraph gives the domain; merged header and 一级事项")


def build_07():
    """A table saved from a government page: GBK page, rowspan/colspan, <br> inside cells."""
    head = ("<tr><th rowspan=2>序号</th><th colspan=2>公开事项</th><th rowspan=2>公开内容（要素）</th>"
            "<th rowspan=2>公开依据</th><th rowspan=2>公开时限</th><th rowspan=2>公开主体</th>"
            "<th rowspan=2>公开渠道和载体</th><th colspan=2>公开对象</th><th colspan=2>公开方式</th>"
            "<th colspan=2>公开层级</th></tr>"
            "<tr><th>一级事项</th><th>二级事项</th><th>全社会</th><th>特定群体</th><th>主动</th><th>依申请</th>"
            "<th>县级</th><th>乡级</th></tr>")
    body = []
    for n, rec in enumerate(EDU, 1):
        cells = row2(n, rec, channels="<br>".join(rec["channels"]))
        tds = []
        for c, v in enumerate(cells):
            if c == 1 and n in (1, 3):
                tds.append(f"<td rowspan=2>{v}</td>")
            elif c == 1:
                continue
            else:
                tds.append(f"<td>{v}</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    page = ("<!DOCTYPE html><html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">"
            "<title>道县人民政府</title></head><body><div class=\"nav\">首页 &gt; 政务公开</div>"
            "<h2>道县义务教育领域基层政务公开标准目录</h2><table border=1>" + head + "".join(body)
            + "</table><p>来源：道县教育局</p></body></html>")
    (HERE / "07_web_page_gbk.html").write_bytes(page.encode("gb18030"))
    case("07_web_page_gbk", DX, None, expected(seq(EDU), DX, "义务教育"),
         "saved web page (GB2312), rowspan/colspan, <br> between channels, domain from the heading")


def build_08():
    """One workbook, one domain per sheet (named by the sheet), header without 序号."""
    sheets = []
    header = ["一级事项", "二级事项", "公开内容", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "全社会", "特定群体",
              "主动", "依申请", "县级", "乡级"]
    for name, items in (("义务教育", EDU[:2]), ("社会救助", RELIEF)):
        rows = [header] + [row2(0, r)[1:] for r in items]
        sheets.append((name, rows, ()))
    xlsx(HERE / "08_multi_sheet.xlsx", sheets)
    records = expected(EDU[:2], DX, "义务教育") + expected(RELIEF, DX, "社会救助")
    case("08_multi_sheet", DX, None, records, "two sheets, the domain of each from its sheet name; no 序号 column")


TOWN = [
    item("低保", "低保名单", "保障对象姓名、保障金额", "《社会救助暂行办法》", "每季度", "镇民政办", ["村务公开栏"],
         levels=("township", "village")),
    item("低保", "审批程序", "申请、审核、审批程序", "《社会救助暂行办法》", "长期公开", "镇民政办", ["政府网站"],
         levels=("township",)),
    item("临时救助", "救助结果", "救助对象、救助金额", "《社会救助暂行办法》", "每月公示", "村委会", ["村务公开栏"],
         audience=("specific",), levels=("village",)),
]


def build_09():
    """A township's own catalog: 公开层级 over 镇级 | 村级."""
    top = TOP2[:12] + ["公开层级", None]
    sub = SUB2[:12] + ["镇级", "村级"]
    rows = [["某镇社会救助领域基层政务公开标准目录"], top, sub]
    rows += [row2(n, rec)[:12] + marks(rec, tiers=("township", "village"))[4:] for n, rec in enumerate(TOWN, 1)]
    xlsx(HERE / "09_township_levels.xlsx", [("Sheet1", rows, MERGES2)])
    case("09_township_levels", DX, "社会救助", expected(seq(TOWN), DX, "社会救助"),
         "a township's catalog: 镇级 | 村级 level columns")


def build_10():
    """公开渠道和载体 with ■/□ boxes and, in some rows, the Wingdings letters a lost font leaves."""
    rows = [["道县社会救助领域基层政务公开标准目录"], TOP2, SUB2]
    offered = ["政府网站", "政务新媒体", "村务公开栏"]
    renders = ["■政府网站 □政务新媒体 ■村务公开栏", "□政府网站 □政务新媒体 ■村务公开栏", "t政府网站 o政务新媒体 o村务公开栏"]
    chosen = [["政府网站", "村务公开栏"], ["村务公开栏"], ["政府网站"]]
    recs = [dict(r, channels=c) for r, c in zip(RELIEF, chosen)]
    for n, (rec, text) in enumerate(zip(recs, renders), 1):
        rows.append(row2(n, rec, channels=text))
    assert all(set(c) <= set(offered) for c in chosen)
    xlsx(HERE / "10_channel_boxes.xlsx", [("社会救助", rows, MERGES2)])
    case("10_channel_boxes", DX, None, expected(seq(recs), DX, "社会救助"),
         "channels as ■/□ boxes and Wingdings t / o; the selected ones are kept as a list")


def build_11():
    """A district's catalog: marks ✓ ✔ ● ☑ ■, levels 区级 | 街道, unit named by its name."""
    top = TOP2[:12] + ["公开层级", None]
    sub = SUB2[:12] + ["区级", "街道"]
    ticks = ["✓", "✔", "●", "☑"]
    rows = [top, sub]
    recs = []
    for n, (rec, tick) in enumerate(zip(EDU, ticks), 1):
        rec = dict(rec, levels=[t for t in rec["levels"] if t in ("county", "township")] or ["county"])
        recs.append(rec)
        rows.append(row2(n, rec, tick=tick)[:12] + ["■" if "county" in rec["levels"] else "",
                                                    "■" if "township" in rec["levels"] else ""])
    write_csv(HERE / "11_district_marks.csv", rows, "utf-8-sig")
    case("11_district_marks", GS, "义务教育", expected(seq(recs), GS, "义务教育"),
         "marks ✓ ✔ ● ☑ ■; 区级 | 街道; --unit 拱墅区 (a unique unit name)", unit_arg="拱墅区")


def build_12():
    """No 序号; 公开责任主体, 责任单位 and 备注 columns (备注 is not imported)."""
    header = ["一级事项", "二级事项", "公开内容（要素）", "公开依据", "公开时限", "公开责任主体", "责任单位", "公开渠道和载体",
              "全社会", "特定对象", "主动公开", "依申请公开", "县级", "乡级", "备注"]
    depts = ["基础教育股", "基础教育股", "学生资助中心", "学生资助中心"]
    rows = [["道县义务教育领域基层政务公开标准目录"], header]
    for rec, dept in zip(EDU, depts):
        r = row2(0, rec)[1:]
        rows.append(r[:6] + [dept] + r[6:] + ["每学期更新"])
    xlsx(HERE / "12_no_seq_extra_columns.xlsx", [("目录", rows, ())])
    recs = [dict(r, department=d) for r, d in zip(EDU, depts)]
    case("12_no_seq_extra_columns", DX, None, expected(recs, DX, "义务教育"),
         "no 序号; 公开责任主体 / 责任单位 / 特定对象 / 主动公开; a 备注 column read but not imported")


def build_13():
    """公开事项 over 一级 / 二级 / 三级事项; blank 一级 and 二级 under filled ones (not merged)."""
    top = ["序号", "公开事项", None, None] + TOP2[3:]
    sub = [None, "一级事项", "二级事项", "三级事项"] + SUB2[3:]
    subs = ["城市低保", "农村低保", None]
    recs = [dict(r, level3=s) for r, s in zip(RELIEF, subs)]
    recs[1]["level2"] = recs[0]["level2"]  # the second continues the first's 二级事项
    rows = [top, sub]
    for n, rec in enumerate(recs, 1):
        r = row2(n, rec)
        r.insert(3, rec["level3"] or "")
        if n == 2:
            r[1] = r[2] = ""
        rows.append(r)
    merges = ("A1:A2", "B1:D1", "E1:E2", "F1:F2", "G1:G2", "H1:H2", "I1:I2", "J1:K1", "L1:M1", "N1:O1")
    xlsx(HERE / "13_three_levels.xlsx", [("社会救助", rows, merges)])
    case("13_three_levels", DX, None, expected(seq(recs), DX, "社会救助"),
         "三级事项 under 公开事项; blank 一级/二级事项 under filled ones continue them")


TRAD = [  # (as written, in Traditional with full-width digits) → what it means
    (dict(level1="招生入學", level2="招生結果", content="錄取結果", basis="《中華人民共和國義務教育法》",
          time_limit="招生工作結束後５個工作日內", subject="縣教育局", channels="政府網站、公示欄"),
     item("招生入学", "招生结果", "录取结果", "《中华人民共和国义务教育法》", "招生工作结束后5个工作日内", "县教育局",
          ["政府网站", "公示栏"])),
    (dict(level1="學生資助", level2="資助名單", content="受助學生名單", basis="《學生資助資金管理辦法》",
          time_limit="自信息形成或者變更之日起２０個工作日內", subject="學校", channels="公示欄"),
     item("学生资助", "资助名单", "受助学生名单", "《学生资助资金管理办法》", "自信息形成或者变更之日起20个工作日内",
          "学校", ["公示栏"], levels=("county", "township"))),
]


def build_14():
    """Traditional characters (headers and cells) and full-width digits."""
    top = ["序號", "公開事項", None, "公開內容（要素）", "公開依據", "公開時限", "公開主體", "公開渠道和載體", "公開對象",
           None, "公開方式", None, "公開層級", None]
    sub = [None, "一級事項", "二級事項", None, None, None, None, None, "全社會", "特定群體", "主動", "依申請", "縣級", "鄉級"]
    rows = [["道縣義務教育領域基層政務公開標準目錄"], top, sub]
    for n, (written, rec) in enumerate(TRAD, 1):
        rows.append([f"{n}".translate(str.maketrans("0123456789", "０１２３４５６７８９")), written["level1"],
                     written["level2"], written["content"], written["basis"], written["time_limit"],
                     written["subject"], written["channels"]] + marks(rec))
    xlsx(HERE / "14_traditional_full_width.xlsx", [("義務教育", rows, MERGES2)])
    case("14_traditional_full_width", DX, None, expected(seq([r for _, r in TRAD]), DX, "义务教育"),
         "Traditional headers and cells, full-width digits (２０個工作日)")


def build_15():
    """A fragment pasted from a page: only a <table>, text-valued columns, values on separate lines."""
    header = "".join(f"<td>{h}</td>" for h in ("事项名称", "公开内容", "公开依据", "公开时限", "公开主体",
                                                "公开渠道和载体", "公开对象", "公开方式", "公开层级"))
    body = []
    recs = [dict(r, level2=None) for r in RELIEF]
    for rec in recs:
        aud, meth, lev = words(rec)
        cells = [rec["level1"], rec["content"], rec["basis"], rec["time_limit"], rec["subject"],
                 "<br/>".join(rec["channels"]), aud.replace("、", "<br>"), meth.replace("、", "，"), lev]
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    html = "<table><tbody><tr>" + header + "</tr>" + "".join(body) + "</tbody></table>\n"
    (HERE / "15_html_fragment.html").write_text(html, encoding="utf-8")
    case("15_html_fragment", DX, "社会救助", expected(recs, DX, "社会救助"),
         "an HTML fragment; 事项名称; values split by line breaks and ，")


def build_16():
    """A Word table with a one-row header, words for 公开对象/方式/层级 and 同上 cells."""
    import docx

    doc = docx.Document()
    doc.add_paragraph("道县义务教育领域基层政务公开标准目录")
    header = ["序号", "一级事项", "二级事项", "公开内容", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "公开对象",
              "公开方式", "公开层级"]
    rows = [header]
    for n, rec in enumerate(EDU, 1):
        aud, meth, lev = words(rec)
        r = [str(n), rec["level1"], rec["level2"], rec["content"], rec["basis"], rec["time_limit"], rec["subject"],
             "、".join(rec["channels"]), aud, meth, lev]
        if n in (2, 4):
            r[1] = r[4] = "同上"
        rows.append(r)
    _docx_table(doc, rows)
    doc.save(HERE / "16_word_one_row_header.docx")
    case("16_word_one_row_header", DX, None, expected(seq(EDU), DX, "义务教育"),
         "Word table, one-row header with words; 同上; domain from the paragraph above")


def build_17():
    """Header cells broken by hand to fit a narrow column: Alt+Enter line breaks (公开\n时限) and
    spaces between the characters (序  号, 公 开 主 体), with 附件1 and the title above."""
    top = ["序  号", "公开\n事项", None, "公开内容\n（要素）", "公开\n依据", "公开\n时限", "公 开 主 体", "公开渠道\n和载体",
           "公开\n对象", None, "公开\n方式", None, "公开\n层级", None]
    sub = [None, "一级\n事项", "二级\n事项", None, None, None, None, None, "全社会", "特定\n群体", "主 动", "依申请",
           "县级", "乡级"]
    rows = [["附件1"], ["道县义务教育领域基层政务公开标准目录"], top, sub]
    rows += [row2(n, rec) for n, rec in enumerate(EDU, 1)]
    merges = ("A3:A4", "B3:C3", "D3:D4", "E3:E4", "F3:F4", "G3:G4", "H3:H4", "I3:J3", "K3:L3", "M3:N3")
    xlsx(HERE / "17_broken_header_cells.xlsx", [("Sheet1", rows, merges)])
    case("17_broken_header_cells", DX, None, expected(seq(EDU), DX, "义务教育"),
         "header words broken by line breaks and spaces (公开\\n时限, 序  号); 附件1 above the title")


def build_18():
    """Section rows merged across the table (一、招生入学 / 二、学生资助) and the two-row header
    repeated after a page break with its words broken by hand (公开\n时限, 序  号), as in the
    workbooks printed over several pages."""
    rows = [["道县义务教育领域基层政务公开标准目录"], TOP2, SUB2, ["一、招生入学"]]
    rows += [row2(1, EDU[0]), row2(2, EDU[1], level1="")]
    rows.append(["二、学生资助"])
    top = [t.replace("时限", "\n时限").replace("序号", "序  号") if t else t for t in TOP2]
    sub = [t.replace("特定群体", "特定\n群体") if t else t for t in SUB2]
    rows += [top, sub, row2(3, EDU[2]), row2(4, EDU[3], level1="")]
    rows.append(["注：分节行和续页表头不是事项。"])
    merges = MERGES2 + ("A1:N1", "A4:N4", "B5:B6", "A7:N7", "A8:A9", "B8:C8", "D8:D9", "E8:E9", "F8:F9", "G8:G9",
                        "H8:H9", "I8:J8", "K8:L8", "M8:N8", "B11:B12", "A13:N13")
    xlsx(HERE / "18_section_rows_repeated_header.xlsx", [("义务教育", rows, merges)])
    case("18_section_rows_repeated_header", DX, "义务教育", expected(seq(EDU), DX, "义务教育"),
         "section rows merged across (一、 二、); the two-row header repeated mid-table with line breaks")


def build_19():
    """A CSV saved from such a workbook: a section's text in its first cell only, numbered （一）
    （二）, and the one-row header repeated exactly where the next printed page began."""
    header = ["序号", "一级事项", "二级事项", "公开内容", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "公开对象",
              "公开方式", "公开层级"]
    rows = [header, ["（一）最低生活保障"] + [""] * 10]
    for n, rec in enumerate(RELIEF, 1):
        if n == 3:
            rows += [list(header), ["（二）特困人员救助供养", "", "", "", "", "", "", "", "", "", ""]]
        aud, meth, lev = words(rec)
        rows.append([str(n), "" if n == 2 else rec["level1"], rec["level2"], rec["content"], rec["basis"],
                     rec["time_limit"], rec["subject"], "、".join(rec["channels"]), aud, meth, lev])
    write_csv(HERE / "19_section_rows_csv.csv", rows, "utf-8-sig")
    case("19_section_rows_csv", DX, "社会救助", expected(seq(RELIEF), DX, "社会救助"),
         "CSV: section text in the first cell only, （一） （二）; the header repeated exactly")


def build_20():
    """A Word table whose sections name the 一级事项: 一、招生入学 merged across the row, the
    一级事项 cells below it left empty, and the header row repeated on the next page."""
    import docx

    doc = docx.Document()
    doc.add_paragraph("道县义务教育领域基层政务公开标准目录")
    header = ["序号", "一级事项", "二级事项", "公开内容", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "公开对象",
              "公开方式", "公开层级"]
    rows, merges = [header], []
    for title, part in (("一、招生入学", EDU[:2]), ("二、学生资助", EDU[2:])):
        if title.startswith("二"):
            rows.append(list(header))
        rows.append([title] + [""] * 10)
        merges.append(((len(rows) - 1, 0), (len(rows) - 1, 10)))
        for rec in part:
            aud, meth, lev = words(rec)
            n = EDU.index(rec) + 1
            rows.append([str(n), "", rec["level2"], rec["content"], rec["basis"], rec["time_limit"], rec["subject"],
                         "、".join(rec["channels"]), aud, meth, lev])
    _docx_table(doc, rows, merges)
    doc.save(HERE / "20_word_sections_name_level1.docx")
    case("20_word_sections_name_level1", DX, None, expected(seq(EDU), DX, "义务教育"),
         "Word: sections merged across name the 一级事项 of the empty cells below them; header repeated")


MALFORMED = {
    # name: (rows, unit, domain, what the message must name)
    "bad_missing_basis": ([["序号", "一级事项", "公开内容", "公开时限", "公开主体", "公开渠道和载体", "全社会", "主动"],
                           ["1", "招生入学", "招生范围", "每年7月底前", "县教育局", "政府网站", "√", "√"]],
                          "道县", "义务教育", "公开依据"),
    "bad_unknown_column": ([["序号", "一级事项", "公开内容", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "全社会",
                             "主动", "审核意见栏"],
                            ["1", "招生入学", "招生范围", "《义务教育法》", "每年7月底前", "县教育局", "政府网站", "√", "√",
                             "同意"]], "道县", "义务教育", "审核意见栏"),
    "bad_no_header": ([["姓名", "电话"], ["张三", "123"]], "道县", "义务教育", "姓名"),
    "bad_wrong_unit": ([["序号", "一级事项", "公开内容", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "全社会", "主动"],
                        ["1", "招生入学", "招生范围", "《义务教育法》", "每年7月底前", "县教育局", "政府网站", "√", "√"]],
                       "火星县", "义务教育", "火星县"),
    "bad_mark": ([["序号", "一级事项", "公开内容", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "全社会", "主动"],
                  ["1", "招生入学", "招生范围", "《义务教育法》", "每年7月底前", "县教育局", "政府网站", "？", "√"]],
                 "道县", "义务教育", "全社会"),
    "bad_header_only": ([["序号", "一级事项", "公开内容", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "全社会",
                          "主动"]], "道县", "义务教育", "没有任何事项行"),
}


def build_malformed():
    out = {}
    for name, (rows, unit, domain, names) in MALFORMED.items():
        write_csv(HERE / f"{name}.csv", rows, "utf-8")
        out[name] = {"unit": unit, "domain": domain, "names": names}
    (HERE / "malformed.json").write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main():
    for name, fn in sorted(globals().items()):
        if name.startswith("build_") and name != "build_malformed":
            fn()
    build_malformed()
    (HERE / "cases.json").write_text(json.dumps(CASES, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(CASES)} forms and {len(MALFORMED)} malformed variants written to {HERE}")


if __name__ == "__main__":
    main()
