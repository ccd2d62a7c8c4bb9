"""The importer's fast writes (SQLite: one compiled executemany; PostgreSQL: COPY with ids from the
sequence) store exactly what the plain multi-row INSERT stores."""

import pytest
from sqlalchemy import select

from zwgk import catalog_io as cio
from zwgk import models as m
from zwgk.catalog_io import import_catalog

from .test_catalog_io import DX, ROWS, real_layout

IGNORED = {"id", "created_at", "updated_at"}


@pytest.fixture
def app(make_app, regions_db_url):
    return make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")


def _stored(app, ids):
    with app.extensions["zwgk.db"].sessionmaker() as session:
        items = session.scalars(select(m.CatalogItem).where(m.CatalogItem.id.in_(ids)).order_by(m.CatalogItem.id))
        rows = [{c.key: getattr(item, c.key) for c in m.CatalogItem.__table__.c if c.key not in IGNORED}
                for item in items]
        versions = session.scalars(select(m.CatalogItemVersion).where(m.CatalogItemVersion.item_id.in_(ids))
                                   .order_by(m.CatalogItemVersion.item_id)).all()
        return rows, [(v.version, v.unit_key, v.status, v.deleted, v.snapshot, v.actor) for v in versions]


def _import(app, path, **kw):
    with app.extensions["zwgk.db"].session(actor="importer") as session:
        before = session.scalar(select(m.CatalogItem.id).order_by(m.CatalogItem.id.desc()).limit(1)) or 0
        result = import_catalog(session, app.extensions["zwgk.pm"], path, DX, "义务教育", append=True, **kw)
    assert result.ok, [str(p) for p in result.problems]
    with app.extensions["zwgk.db"].sessionmaker() as session:
        return session.scalars(select(m.CatalogItem.id).where(m.CatalogItem.id > before)).all()


def test_fast_and_plain_writes_store_the_same_items_and_versions(app, tmp_path, monkeypatch):
    rows = ROWS + [["", "其他事项", None, "内容", "依据", "时限", "主体", "■政府网站 □公开栏", "√", "√", "√", "√", "", "√"]]
    path = real_layout(tmp_path / "目录.xlsx", rows * 4)
    taken = []
    real_compiled, real_copy = cio._executemany_compiled, cio._insert_copy
    monkeypatch.setattr(cio, "_executemany_compiled", lambda *a: taken.append("executemany") or real_compiled(*a))
    monkeypatch.setattr(cio, "_insert_copy", lambda *a: (ids := real_copy(*a)) is not None and taken.append("copy")
                        or ids)
    fast_ids = _import(app, path)
    assert taken in (["executemany"], ["copy"])  # the fast path of this database was taken

    monkeypatch.setattr(cio, "_executemany_compiled", lambda *a: False)
    monkeypatch.setattr(cio, "_insert_copy", lambda *a: None)
    plain_ids = _import(app, path)
    assert len(fast_ids) == len(plain_ids) == 16
    fast, plain = _stored(app, fast_ids), _stored(app, plain_ids)
    assert fast[0] == plain[0]
    assert fast[1] == plain[1]


def test_the_cyclic_collector_is_paused_during_an_import_and_restored_after(app, tmp_path, monkeypatch):
    """An import runs without the cyclic garbage collector (its rows are not cyclic garbage; full
    collections walking them cost about 15 % of the import) and turns it back on when it ends,
    whether it succeeds or fails; a collector already off stays off."""
    import gc

    path = real_layout(tmp_path / "目录.xlsx", ROWS)
    seen = []
    real_read = cio.read_sheets
    monkeypatch.setattr(cio, "read_sheets", lambda *a: seen.append(gc.isenabled()) or real_read(*a))
    assert gc.isenabled()
    _import(app, path)
    assert seen == [False] and gc.isenabled()

    def broken(*a):
        seen.append(gc.isenabled())
        raise cio.CatalogFileError("broken")

    monkeypatch.setattr(cio, "read_sheets", broken)
    with pytest.raises(cio.CatalogFileError):
        _import(app, path)
    assert seen == [False, False] and gc.isenabled()
    gc.disable()
    try:
        with pytest.raises(cio.CatalogFileError):
            _import(app, path)
        assert not gc.isenabled()  # it was off before: left off
    finally:
        gc.enable()


def test_reading_a_file_outside_the_web_app_does_not_import_flask(tmp_path):
    """The import limits come from the app's settings only when there is an app: a script or the
    benchmark reading a catalog does not pay for importing Flask (about 0.2 s of CPU)."""
    import subprocess
    import sys

    path = real_layout(tmp_path / "目录.xlsx", ROWS)
    code = ("import sys\nfrom pathlib import Path\nfrom zwgk.catalog_readers import read_sheets, import_limits\n"
            f"read_sheets(Path({str(path)!r}))\nassert import_limits()[2] == 200_000\n"
            "print('flask' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _varied_csv(path, rnd, n, refused):
    """A catalog as counties write it, every row different: Traditional text and full-width digits,
    同上 and blank continuations of 一级事项, ■/□ channels, every kind of mark; ``refused``: a few
    bad cells and rows that fail validation too."""
    import csv

    marks = ["√", "✓", "■", "●", "☑", "是", "", "", ""]
    units = ["县教育局", "县教育局基教股", "縣財政局", "县人社局", "县民政局"]
    limits = ["每年7月底前", "自信息形成或者变更之日起２０个工作日内", "3个工作日内", "按季度", "長期公開"]
    out = [["道县义务教育领域基层政务公开标准目录"],
           ["序号", "公开事项", "", "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "公开对象", "",
            "公开方式", "", "公开层级", ""],
           ["", "一级事项", "二级事项", "", "", "", "", "", "全社会", "特定群体", "主动", "依申请", "县级", "乡级"]]
    for i in range(1, n + 1):
        level1 = rnd.choice(["招生入学", "學生資助", "", "", "同上"]) if i > 1 else "招生入学"
        row = [rnd.choice([str(i), f"{i}".translate(str.maketrans("0123456789", "０１２３４５６７８９"))]), level1,
               f"二级事项{i}", f"内容（第{i}项，{rnd.randint(1, 10**6)}）",
               rnd.choice(["《义务教育法》", "同上", "《資助辦法》"] if i > 1 else ["《义务教育法》"]),
               rnd.choice(limits), rnd.choice(units + ["同上"] if i > 1 else units),
               "■政府网站 " + " ".join(rnd.choice("■□") + c for c in ("公开栏", "政务新媒体")),
               *(rnd.choice(marks[:6] if k % 2 == 0 else marks) for k in range(6))]  # each pair has one mark
        if refused and rnd.random() < 0.08:
            k = rnd.randrange(4)
            if k == 0:
                row[4] = ""  # a required element missing
            elif k == 1:
                row[5] = "每年2月30日前"  # no such date
            elif k == 2:
                row[8] = "maybe"  # an unknown mark
            else:
                row[3] = "a\x00b"  # a NUL byte
        out.append(row)
    with path.open("w", encoding="gb18030", newline="") as f:
        csv.writer(f).writerows(out)
    return path


def _plain_everywhere(monkeypatch):
    """The reference pieces: the plain row reader, ``schema.load`` for every row, the plain INSERT."""
    from zwgk import catalog as cat
    from zwgk import catalog_readers as cr

    monkeypatch.setattr(cr, "_row_reader", cr._plain_row_reader)
    monkeypatch.setattr(cat, "fast_loader", lambda schema: None)
    monkeypatch.setattr(cio, "_executemany_compiled", lambda *a: False)
    monkeypatch.setattr(cio, "_insert_copy", lambda *a: None)


@pytest.mark.parametrize("seed", range(3))
def test_a_varied_catalog_imports_the_same_through_the_fast_and_the_plain_pieces(app, tmp_path, monkeypatch, seed):
    """Reader, validator and writer together: the same items, versions, problems and warnings as
    the plain pieces give, for a valid catalog and for one with bad cells and refused rows."""
    import random

    rnd = random.Random(seed)
    good = _varied_csv(tmp_path / "good.csv", rnd, 300, refused=False)
    bad = _varied_csv(tmp_path / "bad.csv", rnd, 300, refused=True)

    def run(path):
        with app.extensions["zwgk.db"].session(actor="importer") as session:
            before = session.scalar(select(m.CatalogItem.id).order_by(m.CatalogItem.id.desc()).limit(1)) or 0
            result = import_catalog(session, app.extensions["zwgk.pm"], path, DX, "义务教育", append=True)
            if not result.ok:
                session.rollback()
        with app.extensions["zwgk.db"].sessionmaker() as session:
            ids = session.scalars(select(m.CatalogItem.id).where(m.CatalogItem.id > before)).all()
        said = ([str(p) for p in result.problems], result.warnings, result.rows, result.written)
        return said, _stored(app, ids)

    fast = run(good), run(bad)
    with monkeypatch.context() as patched:
        _plain_everywhere(patched)
        plain = run(good), run(bad)
    assert fast == plain
    (good_said, good_stored), (bad_said, bad_stored) = fast
    assert good_said[0] == [] and good_said[3] == 300 and len(good_stored[0]) == 300
    assert bad_said[0] and bad_stored == ([], [])  # refused: problems said, nothing written
