"""The reader's one-pass normalisation of a row must give exactly what normalising each cell gives."""

import random

import pytest

from zwgk.catalog_readers import norm, norm_row

# cells as workbooks, CSV files and Word tables carry them: plain, and every way a cell can need work
POOL = ["", "招生入学", "县教育局", "自信息形成或者变更之日起20个工作日内", "■政府网站 □公开栏", "√", "同上", "12",
        "x", "a b", " 前导空格", "末尾空格 ", "两个  空格", "制\t表", "全角数字２０个", "全角　空格", "縣教育局",
        "學生資助", "e\u0301", "\u0301开头", "ﬁ", "'=SUM(A1)", "'普通引号", "'", "\u00a0不换行", "行\n内换行",
        "\n", "NUL\x00在内", "\x00", "Ⅻ", "①", "㈠", "\ufeff零宽", "\u200b零宽空格", "注：说明", "·", "—",
        "（第1项，42）", "：", "\u1100", "\u1161", "Ａ", "ｶ", "ﾞ", "ｸﾞ", "\u0308",
        3, 3.0, 2.5, None, True]


def _slow(cells):
    return [norm(v) if v else "" for v in cells]


@pytest.mark.parametrize("seed", range(4))
def test_random_rows_equal_cell_by_cell_normalisation(seed):
    rnd = random.Random(seed)
    taken = 0
    for _ in range(3000):
        cells = tuple(rnd.choice(POOL) for _ in range(rnd.randint(1, 14)))
        fast = norm_row(cells)
        if fast is not None:
            taken += 1
            assert fast == _slow(cells), cells
    assert taken > 0  # the fast path is exercised, not always stepped around


@pytest.mark.parametrize("cells", [
    ("1", "招生入学", "二级事项1", "实施方案(第1项,42)", "《中华人民共和国义务教育法》", "3个工作日内", "县教育局",
     "■政府网站 □政务新媒体", "√", "", "", "●", "☑", ""),
    ("x", "y"), ("", ""),
])
def test_a_plain_simplified_row_is_taken_as_it_is(cells):
    assert norm_row(cells) == list(cells) == _slow(cells)


def test_full_width_punctuation_is_normalised_in_the_one_pass():
    cells = ("实施方案（第１项，42）", "时限：３个工作日内")
    assert norm_row(cells) == _slow(cells) == ["实施方案(第1项,42)", "时限:3个工作日内"]


@pytest.mark.parametrize("cell", [" a", "a ", "a  b", "a\tb", "縣", "全角　　空格", "'=1", 3.0, None,
                                  "\u00a0x", "x\n", "a\x00b", "２０　"])
def test_a_cell_that_needs_work_sends_the_row_the_slow_way(cell):
    assert norm_row(("招生入学", cell)) is None
