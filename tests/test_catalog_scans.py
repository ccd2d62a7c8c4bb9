"""The formula scan's shortcuts (a block without an "f" is skipped before the substring probes and
the regex) find every formula the plain regex over the whole part finds, wherever the blocks cut."""

import random
import re
import zipfile

import pytest

from zwgk.catalog_readers import formula_cells

SHEET = "xl/worksheets/sheet1.xml"


def _workbook(path, cells):
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    body = "".join(cells)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        z.writestr(SHEET, f'<worksheet xmlns="x"><sheetData><row r="1">{body}</row></sheetData></worksheet>')


def _plain(path):
    """Every formula tag in the sheet part, by the regex over the whole part at once."""
    with zipfile.ZipFile(path) as z:
        data = z.read(SHEET)
    found = []
    for tag in re.finditer(rb"<(?:\w+:)?f[ >/]", data):
        ref = re.compile(rb'<(?:\w+:)?c r="([A-Z]+[0-9]+)"').match(data, max(data.rfind(b"<c ", 0, tag.start()), 0))
        found.append(("sheet1.xml", ref.group(1).decode() if ref else "?"))
    return found


@pytest.mark.parametrize("seed", range(20))
def test_the_scan_finds_what_the_plain_regex_finds_at_any_block_size(tmp_path, seed):
    rnd = random.Random(seed)
    cells = []
    for n in range(1, 400):
        ref = f"A{n}"
        kind = rnd.random()
        if kind < 0.03:
            cells.append(f'<c r="{ref}"><f>SUM(B1:B{n})</f><v>1</v></c>')
        elif kind < 0.05:
            cells.append(f'<c r="{ref}"><x:f t="shared" ref="A1:A9" si="0"/></c>')
        elif kind < 0.3:  # ASCII text holding "f" but no formula
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>pdf of {n} f / f&gt;</t></is></c>')
        else:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>&#20844;&#24320;{n}</t></is></c>')
    path = tmp_path / "f.xlsx"
    _workbook(path, cells)
    expected = _plain(path)
    assert expected  # there is something to find
    for block in (64, 257, 4096, 1 << 20):
        assert formula_cells(path, block=block) == expected


def _deep(n):
    return "[" + "[" * (n - 1) + "]" * (n - 1) + "]"


JSON_CASES = [
    '[{"level1": "招生", "seq": 3, "channels": ["政府网站"], "audience_public": true}]',
    '[{"level1": "a", "seq": 123456789012345678901234567890}]',  # orjson: a float; json: an int
    '[{"level1": "a", "seq": -9223372036854775809}]',
    '[{"level1": "a", "seq": 18446744073709551615}]',
    '[{"level1": "a", "seq": 1.0}]', '[{"level1": "a", "seq": 1E400}]', '[{"level1": "a", "seq": NaN}]',
    '[{"level1": "\\ud800"}]', '[{"level1": "\\u0000x"}]', '[{"level1": "a\\/b\\n"}]',
    '[{"level1": "a", "level1": "b"}]', '[{"a": {"b": {"c": [1, [2, [3]]]}}}]', '[]', '{}', '"x"', "3", "3.5",
    '[{"level1": "a"},]', '[{"level1": "a\x01"}]', '  [ {"level1" : "a"} ]  ', '[1]x', "[" * 70, _deep(64),
    _deep(65), "[" + ",".join([_deep(3)] * 5 + [_deep(66)]) + "]", _deep(1100), "[" + '{"a":' * 70 + "1" + "}" * 70 + "]",
]


@pytest.mark.parametrize("n", range(len(JSON_CASES)))
def test_json_read_by_orjson_equals_the_plain_read(tmp_path, monkeypatch, n):
    """orjson reads a JSON file (and the nesting is counted on what it read) only when its answer
    is the standard library's: the same records, or the same refusal, as the plain way."""
    from zwgk import catalog_readers as cr

    path = tmp_path / "c.json"
    path.write_text(JSON_CASES[n], encoding="utf-8")

    def read():
        try:
            return cr._read_json_whole(path), None
        except cr.CatalogFileError as exc:
            return None, str(exc)

    quick = read()
    monkeypatch.setattr(cr, "_quick_json", lambda text: cr._NOT_QUICK)
    plain = read()
    assert repr(quick) == repr(plain)  # repr: 1 and 1.0, nan, -0.0 told apart
