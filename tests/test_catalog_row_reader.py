"""The row reader generated per sheet layout (``catalog_readers._row_reader``) reads every row
exactly as the plain loop over the columns (``_plain_row_reader``) does: the same records, the
same problems in the same order, the same refused cells, the same end of the table."""

import random
from pathlib import Path

import pytest

from zwgk import catalog_readers as cr

CORPUS = Path(__file__).parent / "data" / "catalogs"

FIELDS = ["seq", "level1", "level2", "level3", "content", "basis", "time_limit", "subject", "department", "category",
          "duration", "domain", "channels", "audience_public", "audience_specific", "method_active",
          "method_on_request", "audience", "method", "levels", "stages", "unit"]
TIER_SETS = [("county",), ("township",), ("township", "village"), ("city",)]
CELLS = ["", "", "", None, None, "√", "✓", "■", "●", "是", "否", "无", "n", "t", "maybe", "TRUE", "yes", "No", "□",
         "同上", "同上。", '"同上"', "“同上”", "同上 的", "招生入学", "  招生  入学 ", "學生資助", "２０个工作日内",
         "自信息形成或者变更之日起20个工作日内", "县教育局", "■政府网站 □公开栏 ■政务新媒体", "政府网站、公示栏",
         "全社会", "特定群众、全社会", "公众人物", "主动公开", "依申请", "主动、依申请公开", "县级、乡级", "乡、村级", "火星级",
         "决策、执行", "结果公开", "其他", "12", "３", "1234567890123", 3.0, 2.5, 7, 0, 0.0, True, False,
         "注：本目录由县政府办公室负责解释", "说明：空白表示否", "备注", "a\x00b", "'=1+1", "'@x", "  ", "\t",
         "x" * (cr.MAX_CELL_CHARS + 1)]


def _plan(rnd):
    fields = rnd.sample(FIELDS, rnd.randint(1, len(FIELDS)))
    if "level1" not in fields and rnd.random() < 0.8:
        fields.append("level1")
    fields += ["levels_mark"] * rnd.randint(0, 3)
    rnd.shuffle(fields)
    cols = sorted(rnd.sample(range(len(fields) + 4), len(fields)))
    tiers = {}
    plan = []
    for col, fname in zip(cols, fields):
        if fname == "levels_mark":
            tiers[col] = rnd.choice(TIER_SETS)
        plan.append((col, fname, "levels" if fname == "levels_mark" else fname, f"列{col}",
                     cr._CONVERTERS.get(fname, cr._CONVERTERS["text"] if fname not in cr._KEEP_KIND else None)))
    return plan, tiers


def _rows(rnd, n, width):
    rows = []
    for _ in range(n):
        row = [rnd.choice(CELLS) if rnd.random() < 0.7 else f"内容{rnd.randint(1, 50)}（第{rnd.randint(1, 9)}项）"
               for _ in range(rnd.randint(0, width + 2))]
        if rnd.random() < 0.05:
            row = []
        rows.append(row)
    return rows


def _read(make, plan, tiers, rows, domain):
    out = cr.Reading()
    read_row = make(plan, tiers, "湖南省/永州市/道县", domain, "表1", out)
    got = []
    for r, row in enumerate(rows, 4):
        parsed = read_row(list(row), r)
        got.append("END" if parsed is cr._END else parsed)
    return got, [(p.where, p.record, p.field, p.message) for p in out.problems], out.bad_cells


# memory: how many distinct texts per column the generated reader keeps normalised (none, a few
# then the rest normalised each time, the default)
@pytest.mark.parametrize("memory", [0, 5, cr.CELL_MEMORY])
@pytest.mark.parametrize("seed", range(60))
def test_the_generated_reader_equals_the_plain_loop_row_by_row(seed, memory, monkeypatch):
    monkeypatch.setattr(cr, "CELL_MEMORY", memory)
    rnd = random.Random(seed)
    plan, tiers = _plan(rnd)
    rows = _rows(rnd, 300, max(c for c, *_ in plan) + 1)
    domain = rnd.choice([None, "义务教育"])
    fast = _read(cr._row_reader, plan, tiers, rows, domain)
    plain = _read(cr._plain_row_reader, plan, tiers, rows, domain)
    assert fast[0] == plain[0]
    assert fast[1] == plain[1]
    assert fast[2] == plain[2]
    assert any(isinstance(p, cr.ParsedRow) for p in plain[0])


@pytest.mark.parametrize("path", sorted(p for p in CORPUS.iterdir() if p.suffix in (".xlsx", ".xls", ".csv", ".docx", ".html")),
                         ids=lambda p: p.name)
def test_every_corpus_file_reads_the_same_through_both_readers(path, monkeypatch):
    def read():
        sheets = cr.read_sheets(path)
        reading = cr.read_records(sheets, "湖南省/永州市/道县", None, lambda text: "义务教育" if "教育" in text else None)
        return ([(r.where, r.record) for r in reading.rows], [str(p) for p in reading.problems], reading.bad_cells,
                reading.warnings)

    fast = read()
    monkeypatch.setattr(cr, "_row_reader", cr._plain_row_reader)
    assert read() == fast
    assert fast[0] or fast[1]  # rows read, or (a malformed variant) problems


def test_the_reader_is_generated_one_block_per_column_without_a_loop():
    """A sanity check of what is being compared: the generated reader is not the plain one."""
    plan = [(0, "level1", "level1", "一级事项", cr._CONVERTERS["text"])]
    read_row = cr._row_reader(plan, {}, "u", None, "s", cr.Reading())
    assert read_row.__code__.co_filename.startswith("<zwgk row reader")


def test_the_traditional_test_by_pattern_equals_the_set_of_characters():
    """``_simplified`` asks a regular expression whether a text holds a character Traditional →
    Simplified changes: the same answer as the set of those characters, for every character of
    the ranges and for mixed texts."""
    changes = cr._traditional()
    search = cr._traditional_search()
    assert changes and search is not None
    for code in (*range(0x3000, 0xA000), *range(0xF900, 0xFB00), *range(0x20, 0x250)):
        c = chr(code)
        assert (search(c) is not None) == (c in changes), hex(code)
    rnd = random.Random(3)
    pool = sorted(changes)[:300] + list("学生资助县教育局政府网站（）：，、 abc123-]^\\") + ["\x00"]
    for _ in range(3000):
        text = "".join(rnd.choice(pool) for _ in range(rnd.randint(0, 12)))
        assert (search(text) is not None) == (not changes.isdisjoint(text)), text
        assert cr._simplified(text) == (text if changes.isdisjoint(text) else cr._t2s().convert(text))


def test_the_shipped_traditional_characters_are_the_installed_opencc_s():
    """The set an import reads from ``data/opencc_t2s_changes.txt`` is the one converting every CJK
    character gives with the installed OpenCC (after an upgrade of OpenCC this fails: run
    ``python -m zwgk.catalog_readers --write-traditional``)."""
    shipped = cr._traditional_cached()
    assert shipped is not None, "the file was written for another OpenCC: write it again"
    assert shipped == cr._traditional_computed()


def test_a_traditional_file_of_another_opencc_is_not_trusted(tmp_path, monkeypatch):
    stale = tmp_path / "t2s.txt"
    stale.write_text("opencc 0.0.1 t2s\n學\n", encoding="utf-8")  # another release, one character only
    monkeypatch.setattr(cr, "TRADITIONAL_FILE", stale)
    cr._traditional.cache_clear()
    try:
        assert cr._traditional_cached() is None
        assert cr._traditional() == cr._traditional_computed() and "體" in cr._traditional()
        cr.write_traditional_file(stale)  # written again, it is trusted
        assert stale.read_text(encoding="utf-8").startswith(f"opencc {cr._opencc_version()} t2s ")
        assert cr._traditional_cached() == cr._traditional_computed()
    finally:
        cr._traditional.cache_clear()


def test_a_simplified_catalog_never_loads_opencc():
    """Cells without a Traditional character are read without OpenCC; the first that has one loads it."""
    import subprocess
    import sys

    code = ("import sys; from zwgk import catalog_readers as cr; "
            "a = [cr.norm(t) for t in ('学生资助', '１２３', '县教育局（政务公开）')]; "
            "before = 'opencc' in sys.modules; b = cr.norm('學生資助'); "
            "print(a, before, b, 'opencc' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "['学生资助', '123', '县教育局(政务公开)'] False 学生资助 True"


def test_a_damaged_traditional_file_is_not_trusted(tmp_path, monkeypatch):
    """A file whose header names the installed OpenCC but whose characters were cut short (a
    truncated copy, a bad edit) or changed is not read: a Traditional character missing from it
    would pass into the catalog unconverted."""
    good = tmp_path / "good.txt"
    cr.write_traditional_file(good)
    head, chars = good.read_text(encoding="utf-8").split("\n")[:2]
    damaged = tmp_path / "t2s.txt"
    monkeypatch.setattr(cr, "TRADITIONAL_FILE", damaged)
    for text in (f"{head}\n{chars[:len(chars) // 2]}\n",  # cut at a character
                 f"{head}\n{chars.replace('體', '体')}\n",  # a character changed
                 f"{head}\n{chars}abc\n"):  # characters added
        damaged.write_text(text, encoding="utf-8")
        assert cr._traditional_cached() is None, text[:40]
    cr._traditional.cache_clear()
    try:
        damaged.write_text(f"{head}\n{chars[:len(chars) // 2]}\n", encoding="utf-8")
        assert "體" in cr._traditional()  # computed instead
    finally:
        cr._traditional.cache_clear()
    damaged.write_text(good.read_text(encoding="utf-8"), encoding="utf-8")
    assert cr._traditional_cached() == cr._traditional_computed()
