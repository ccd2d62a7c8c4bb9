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


def _separate(path, block):
    """The two scans as they were run before they were one pass: the DTD, then the formulas."""
    from zwgk.catalog_readers import part_with_dtd

    dtd = part_with_dtd(path, block)
    return dtd, None if dtd else formula_cells(path, block)


@pytest.mark.parametrize("seed", range(12))
def test_one_pass_finds_the_dtd_and_the_formulas_the_two_scans_find(tmp_path, seed):
    """``scan_parts`` (the DTD check and the formula scan in one pass over the parts, what the
    importer runs) says what :func:`part_with_dtd` and :func:`formula_cells` say apart, at any
    block size: formulas in sheets and in other parts, a renamed sheet, a part declaring a DTD
    anywhere (then no formulas: the file is refused), a part named twice."""
    from zwgk.catalog_readers import scan_parts

    rnd = random.Random(seed)
    path = tmp_path / "f.xlsx"
    rels = ('<Relationships><Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/data.xml"/><Relationship Type="x/worksheet" '
            'Target="/xl/worksheets/sheet2.xml"/></Relationships>')
    parts = {"xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": "<Types/>", "docProps/app.xml": "<p>f f</p>"}
    for name in ("xl/worksheets/data.xml", "xl/worksheets/sheet2.xml", "xl/other.xml", "xl/media/a.bin"):
        cells = "".join(f'<c r="B{n}"><f>1+{n}</f></c>' if rnd.random() < 0.05 else f'<c r="B{n}"><v>{n} of f</v></c>'
                        for n in range(1, rnd.randint(2, 300)))
        parts[name] = f"<worksheet><sheetData>{cells}</sheetData></worksheet>"
    if seed % 3 == 1:
        name = rnd.choice(sorted(parts))
        at = rnd.randint(0, len(parts[name]))
        parts[name] = parts[name][:at] + '<!DOCTYPE x [<!ENTITY a "b">]>' + parts[name][at:]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name in rnd.sample(sorted(parts), len(parts)):
            z.writestr(name, parts[name])
        if seed % 4 == 3:  # the same name twice (zipfile warns, and writes it)
            with pytest.warns(UserWarning):
                z.writestr("xl/worksheets/data.xml", '<c r="Z9"><f>2</f></c>')
    for block in (16, 100, 4096, 1 << 20):
        expected = _separate(path, block)
        assert scan_parts(path, block, formulas=True) == expected
        assert scan_parts(path, block) == (expected[0], None)
    if seed % 3 != 1:
        assert _separate(path, 1 << 20)[1]  # there was something to find


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


def test_a_dtd_is_found_wherever_the_blocks_cut_it(tmp_path):
    """``<!DOCTYPE`` anywhere in a part, split by the blocks at every place (or whole in one): found,
    as a plain test of the whole part finds it; a part without one (or with a near miss) is not."""
    from zwgk.catalog_readers import scan_parts

    filler = '<c r="A1" t="s"><v>1</v></c>' * 3
    for at in range(0, 40):
        for text, expected in (("<!DOCTYPE x []>", SHEET), ("<!DOCTYP x>", None), ("<!doctype x>", None)):
            path = tmp_path / f"{at}.xlsx"
            body = filler[:at] + text + filler[at:]
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr(SHEET, f"<worksheet>{body}</worksheet>")
            with zipfile.ZipFile(path) as z:
                assert (SHEET if b"<!DOCTYPE" in z.read(SHEET) else None) == expected
            for block in (8, 9, 10, 11, 16, 17, 64, 1 << 20):  # a block holds at least 8 bytes of the 9
                assert scan_parts(path, block)[0] == expected, (at, text, block)
                assert scan_parts(path, block, formulas=True)[0] == expected, (at, text, block)
