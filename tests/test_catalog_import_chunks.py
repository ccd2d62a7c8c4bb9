"""An import reads its file lazily and writes checked rows chunk by chunk, inside one transaction:
nothing is visible to other readers before it commits, and a problem found after some chunks were
written leaves the database exactly as it was (SQLite and PostgreSQL)."""

import random

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from zwgk import catalog_io as cio
from zwgk import catalog_readers as cr
from zwgk import models as m
from zwgk.catalog_io import import_catalog

from .test_catalog_io import DX, ROWS, real_layout


@pytest.fixture
def app(make_app, regions_db_url):
    return make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")


def _rows(n, refused_at=None):
    out = []
    for i in range(1, n + 1):
        row = list(ROWS[0])
        row[0], row[2], row[3] = str(i), f"招生政策{i}", f"招生范围{i}"
        if i == refused_at:
            row[4] = ""  # 公开依据 is required in 道县
        out.append(row)
    return out


def _state(engine_or_app):
    """Every row of the tables an import writes (ids aside for versions: they follow the items)."""
    db = engine_or_app.extensions["zwgk.db"]
    with db.engine.connect() as conn:
        items = conn.execute(select(m.CatalogItem.__table__).order_by(m.CatalogItem.id)).all()
        versions = conn.execute(select(func.count()).select_from(m.CatalogItemVersion)).scalar()
        changes = conn.execute(select(func.count()).select_from(m.Change)).scalar()
    return [tuple(r) for r in items], versions, changes


def _writes(monkeypatch, chunk=2):
    """Chunks of 2 rows; each write remembers how many rows had been read when it came."""
    monkeypatch.setattr(cio, "WRITE_CHUNK", chunk)
    written = []
    real = cio._Writer.write

    def write(self, pending, report=None):
        written.append(len(pending))
        return real(self, pending, report)

    monkeypatch.setattr(cio._Writer, "write", write)
    return written


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_refused_last_row_after_chunks_were_written_leaves_the_database_as_it_was(app, tmp_path, monkeypatch, fmt):
    path = real_layout(tmp_path / "目录.xlsx", _rows(7, refused_at=7))
    if fmt == "csv":
        from zwgk.catalog_io import read_sheets

        rows = list(read_sheets(path)[0].rows)
        import csv

        path = tmp_path / "目录.csv"
        with path.open("w", encoding="gb18030", newline="") as f:
            csv.writer(f).writerows([["" if c is None else str(c) for c in r] for r in rows[1:]])
    written = _writes(monkeypatch)
    before = _state(app)
    with app.extensions["zwgk.db"].session() as session:
        result = import_catalog(session, app.extensions["zwgk.pm"], path, DX, "义务教育", append=True)
        assert written == [2, 2, 2]  # three chunks were written before the last row was read
        assert not result.ok and [p.where for p in result.problems] == [
            "[义务教育] 第10行 row 10" if fmt == "xlsx" else "[目录] 第9行 row 9"]
        # already undone inside the caller's session, whatever the caller does next
        assert session.scalar(select(func.count()).select_from(m.CatalogItem)) == len(before[0])
    assert _state(app) == before  # the caller's session committed: still nothing


def test_nothing_is_visible_to_other_readers_before_the_import_ends(app, tmp_path, monkeypatch):
    path = real_layout(tmp_path / "目录.xlsx", _rows(7))
    written = _writes(monkeypatch)
    before = _state(app)
    seen = []

    def progress(phase, done, total):  # another connection looks while chunks are being written
        if phase == "check" and done == 6:
            seen.append(_state(app))

    monkeypatch.setattr(cio, "PROGRESS_EVERY", 1)
    with app.extensions["zwgk.db"].session() as session:
        result = import_catalog(session, app.extensions["zwgk.pm"], path, DX, "义务教育", append=True,
                                progress=progress)
        assert result.ok and result.written == 7 and sum(written) == 7 and written[:2] == [2, 2]
        assert session.scalar(select(func.count()).select_from(m.CatalogItem)) == len(before[0]) + 7
    assert seen == [before]
    after = _state(app)
    assert len(after[0]) == len(before[0]) + 7 and after[1] == before[1] + 7 and after[2] == before[2] + 1


def test_an_error_while_writing_rolls_back_the_chunks_already_written(app, tmp_path, monkeypatch):
    path = real_layout(tmp_path / "目录.xlsx", _rows(7))
    _writes(monkeypatch)
    calls = []
    real = cio._insert_sqlite if app.extensions["zwgk.db"].engine.dialect.name == "sqlite" else cio._insert_copy
    name = real.__name__

    def failing(conn, part):
        calls.append(len(part))
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(conn, part)

    monkeypatch.setattr(cio, name, failing)
    before = _state(app)
    with app.extensions["zwgk.db"].sessionmaker() as session:
        with pytest.raises(RuntimeError, match="disk full"):
            import_catalog(session, app.extensions["zwgk.pm"], path, DX, "义务教育", append=True)
        assert session.scalar(select(func.count()).select_from(m.CatalogItem)) == len(before[0])
        session.commit()
    assert _state(app) == before


def test_reimport_matches_chunk_by_chunk_as_in_one_piece(app, tmp_path, monkeypatch):
    """Rows matched per chunk: new, changed, unchanged and no longer listed come out as with one
    chunk, and --withdraw-missing withdraws the same items."""
    def run(chunk, db_app):
        monkeypatch.setattr(cio, "WRITE_CHUNK", chunk)
        pm = db_app.extensions["zwgk.pm"]
        with db_app.extensions["zwgk.db"].session() as session:
            first = import_catalog(session, pm, real_layout(tmp_path / f"a{chunk}.xlsx", _rows(6)), DX, "义务教育")
        again = _rows(8)
        again[1][3] = "改过的内容"  # changed
        del again[3]  # no longer listed
        with db_app.extensions["zwgk.db"].session() as session:
            dry = import_catalog(session, pm, real_layout(tmp_path / f"b{chunk}.xlsx", again), DX, "义务教育",
                                 dry_run=True)
        with db_app.extensions["zwgk.db"].session() as session:
            result = import_catalog(session, pm, real_layout(tmp_path / f"c{chunk}.xlsx", again), DX, "义务教育",
                                    withdraw_missing=True)
        with db_app.extensions["zwgk.db"].sessionmaker() as session:
            mine = session.scalars(select(m.CatalogItem).join(m.Domain).where(m.Domain.name == "义务教育",
                                                                          m.CatalogItem.level2.like("招生政策%"))
                                   .order_by(m.CatalogItem.id)).all()
            state = [(i.level2, i.content, i.status, i.version) for i in mine]
        return (first.written, dry.reimport.counts(), dry.written, result.reimport.counts(), result.written,
                result.reimport.withdrawn, state)

    one = run(5000, app)
    assert one[1] == {"new": 2, "changed": 1, "unchanged": 4, "missing": 1} and one[5] == 1
    # the same on a fresh copy of the database, two rows at a time
    with app.extensions["zwgk.db"].session() as session:
        session.execute(m.CatalogItemVersion.__table__.delete().where(m.CatalogItemVersion.item_id.in_(
            select(m.CatalogItem.id).where(m.CatalogItem.level2.like("招生政策%")))))
        session.execute(m.CatalogItem.__table__.delete().where(m.CatalogItem.level2.like("招生政策%")))
    assert run(2, app) == one


def test_workbook_rows_with_merges_applied_as_they_go_equal_the_whole_sheet(tmp_path):
    """The lazy reader gives exactly the rows of ``to_python`` + :func:`_expand_merges`."""
    from python_calamine import CalamineWorkbook

    rnd = random.Random(5)
    for case in range(12):
        wb = Workbook()
        ws = wb.active
        top, left = rnd.randint(1, 4), rnd.randint(1, 3)
        height, width = rnd.randint(1, 30), rnd.randint(1, 6)
        for r in range(height):
            for c in range(width):
                if rnd.random() < 0.7:
                    ws.cell(top + r, left + c, f"{r},{c}")
        used = set()
        for _ in range(rnd.randint(0, 8)):  # non-overlapping merges, some below the last row
            r0, c0 = rnd.randint(1, top + height + 2), rnd.randint(1, left + width + 1)
            r1, c1 = r0 + rnd.randint(0, 4), c0 + rnd.randint(0, 2)
            cells = {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
            if cells & used or (r0, c0) == (r1, c1):
                continue
            used |= cells
            ws.merge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)
        path = tmp_path / f"{case}.xlsx"
        wb.save(path)
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Sheet")
        whole = sheet.to_python(skip_empty_area=False)
        cr._expand_merges(whole, sheet.merged_cell_ranges or ())
        lazy = cr.read_sheets(path)[0].rows
        assert list(lazy) == whole, case
        assert list(lazy) == whole  # read again from the top


def test_csv_encoding_is_decided_by_the_whole_file(tmp_path):
    """A CSV whose first megabytes are ASCII is still read as GB18030 when a later byte says so, and
    a bad byte far into the file is refused with its position in the whole file."""
    head = "一级事项,二级事项,公开内容\n".encode("gb18030") + (b"a" * 200 + b",b,c\n") * 10_000
    path = tmp_path / "late.csv"
    path.write_bytes(head + "学生资助,资助政策,标准\n".encode("gb18030"))
    rows = list(cr.read_sheets(path)[0].rows)
    assert rows[0] == ["一级事项", "二级事项", "公开内容"] and rows[-1] == ["学生资助", "资助政策", "标准"]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(head + b"\x81\x20,x,y\n")
    with pytest.raises(cr.CatalogFileError, match=f"byte {len(head)}"):
        list(cr.read_sheets(bad)[0].rows)
    utf8 = tmp_path / "utf8.csv"
    utf8.write_bytes(b"\xef\xbb\xbf" + "一级事项,二级事项\n".encode() + (b"a" * 200 + b",b\n") * 10_000 + "学,生\n".encode())
    assert list(cr.read_sheets(utf8)[0].rows)[-1] == ["学", "生"]


def _shared_strings(src, dst):
    """The same workbook with its inline strings moved to a shared strings table, as Excel writes."""
    import re
    import zipfile

    strings: dict[bytes, int] = {}

    def share(m):
        return m.group(1) + b' t="s"' + m.group(2) + b"><v>" + str(strings.setdefault(m.group(3), len(strings))).encode() \
            + b"</v></c>"

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'(<c\b[^>]*?)\st="inlineStr"([^>]*)><is>(.*?)</is></c>', share, data)
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats'
                                    b'.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                    b"</Relationships>")
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            zout.writestr(info, data)
        zout.writestr("xl/sharedStrings.xml", b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
                      b'openxmlformats.org/spreadsheetml/2006/main" uniqueCount="%d">' % len(strings)
                      + b"".join(b"<si>" + s + b"</si>" for s in strings) + b"</sst>")


def _trimmed(rows):
    out = []
    for row in rows:
        row = list(row)
        while row and row[-1] in ("", None):
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


@pytest.mark.parametrize("shared", [False, True])
def test_a_large_sheet_read_in_pieces_gives_what_python_calamine_gives_for_the_whole(tmp_path, monkeypatch, shared):
    """Pieces of a few kilobytes (so a sheet is many pieces): every cell as python-calamine types it
    (text with entities and _x000D_, numbers, dates by their style, 1904 aside), merged ranges
    across pieces, rows without cells, shared strings written into the cells."""
    import datetime

    from python_calamine import CalamineWorkbook

    monkeypatch.setattr(cr, "PIECES_ABOVE", 0)
    monkeypatch.setattr(cr, "PIECE_BYTES", 4096)
    rnd = random.Random(7)
    wb = Workbook()
    ws = wb.active
    for r in range(1, 1200):
        if rnd.random() < 0.05:
            continue  # a row without cells
        for c in range(1, 9):
            x = rnd.random()
            value = (None if x < 0.1 else f"文本{rnd.randint(1, 300)}&<>\"'" if x < 0.6 else rnd.randint(1, 99)
                     if x < 0.7 else datetime.date(2024, 1, rnd.randint(1, 28)) if x < 0.8 else rnd.random()
                     if x < 0.9 else "a_x000D_b  ")
            if value is not None:
                ws.cell(r, c, value)
    for r in range(5, 1190, 7):
        ws.merge_cells(start_row=r, start_column=2, end_row=r + 3, end_column=2)
    ws.merge_cells("D1195:E1210")  # below the last row
    wb.create_sheet("第二张").append(["一级事项", "公开内容"])
    path = tmp_path / "big.xlsx"
    wb.save(path)
    if shared:
        _shared_strings(path, tmp_path / "shared.xlsx")
        path = tmp_path / "shared.xlsx"
    sheets = cr.read_sheets(path)
    assert [type(s.rows).__name__ for s in sheets] == ["_PiecewiseRows", "_PiecewiseRows"]
    book = CalamineWorkbook.from_path(str(path))
    for sheet in sheets:
        whole = book.get_sheet_by_name(sheet.name)
        expected = whole.to_python(skip_empty_area=False)
        cr._expand_merges(expected, whole.merged_cell_ranges or ())
        assert _trimmed(sheet.rows) == _trimmed(expected), sheet.name
        assert sheet.rows.estimate == len(expected)  # what the row limit counted


def test_sqlite_an_import_holds_the_write_lock_from_its_first_chunk_readers_go_on(app, tmp_path, monkeypatch):
    """The trade-off of docs/benchmarks.md: on SQLite, once the first chunk is written the import holds
    the write lock to its end (other writers wait, up to their busy timeout); readers are not held."""
    import sqlite3

    engine = app.extensions["zwgk.db"].engine
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")
    path = real_layout(tmp_path / "目录.xlsx", _rows(7))
    _writes(monkeypatch)
    monkeypatch.setattr(cio, "PROGRESS_EVERY", 1)
    seen = []

    def progress(phase, done, total):
        if phase == "check" and done in (1, 6):  # before any chunk, and after two were written
            other = sqlite3.connect(engine.url.database, timeout=0.1, isolation_level=None)
            try:
                count = other.execute("SELECT count(*) FROM catalog_item").fetchone()[0]
                try:
                    other.execute("BEGIN IMMEDIATE")
                    other.execute("ROLLBACK")
                    seen.append((done, count, "may write"))
                except sqlite3.OperationalError as exc:
                    seen.append((done, count, str(exc)))
            finally:
                other.close()

    before = len(_state(app)[0])
    with app.extensions["zwgk.db"].session() as session:
        assert import_catalog(session, app.extensions["zwgk.pm"], path, DX, "义务教育", append=True,
                              progress=progress).ok
    assert seen == [(1, before, "may write"), (6, before, "database is locked")]


@pytest.mark.parametrize("seed", range(6))
def test_a_csv_file_never_has_more_rows_than_its_line_count_says(tmp_path, monkeypatch, seed):
    """The row limit reads a CSV file to the end only when its lines (\\n, \\r\\n or a lone \\r,
    counted from the bytes, in blocks) could exceed the limit: that count is never below the rows
    the csv module reads, and a file written with \\r\\n is not counted twice over."""
    rnd = random.Random(seed)
    monkeypatch.setattr(cr._CsvRows, "BLOCK", rnd.choice([1, 2, 3, 7, 64]))  # \r\n across block ends
    pieces = ["a", "招生", ",", '"', '""', "\r\n", "\n", "\r", "\r\r\n", "\n\r", " "]
    for n in range(40):
        path = tmp_path / f"f{n}.csv"
        path.write_bytes("".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 60))).encode())
        rows = cr._CsvRows(path)
        try:
            read = len(rows)
        except cr.CatalogFileError:  # an unclosed quote: refused when read, whatever the count
            continue
        assert rows.most >= read, path.read_bytes()
    path = tmp_path / "crlf.csv"
    path.write_bytes("".join(f"{i},事项{i}\r\n" for i in range(500)).encode("gb18030"))
    rows = cr._CsvRows(path)
    assert len(rows) == 500 and rows.most == 501 and rows.estimate == 500


def test_bulk_rows_that_are_published_reach_the_public_table_and_drafts_do_not(app, tmp_path):
    """The bulk writer refreshes the public table for a chunk holding a published row (the import
    itself writes drafts only): the published row is there, the drafts are not."""
    from zwgk.catalog import ItemValidator
    from zwgk.published import PublishedItem

    pm = app.extensions["zwgk.pm"]
    with app.extensions["zwgk.db"].session() as session:
        validate = ItemValidator(session, pm)
        rows = []
        for i in range(3):
            data, problems = validate({"unit": DX, "domain": "义务教育", "level1": "招生入学", "level2": f"批量{i}",
                                       "content": "招生范围", "basis": "《义务教育法》", "time_limit": "3个工作日内",
                                       "subject": "县教育局", "channels": ["政府网站"], "audience_public": True,
                                       "method_active": True, "levels": ["county"]})
            assert not problems, problems
            rows.append(cio._item_row(validate, data, "bulk.csv", False))
        rows[1]["status"] = "published"
        cio._bulk_insert(session, rows, "bulk.csv", DX, lambda *a: None, chunk=2)
    with app.extensions["zwgk.db"].engine.connect() as conn:
        shown = conn.execute(select(m.CatalogItem.level2).join(
            PublishedItem.__table__, PublishedItem.__table__.c.item_id == m.CatalogItem.id)).scalars().all()
    assert shown == ["批量1"]
