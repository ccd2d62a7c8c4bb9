"""Catalog export streamed (issue #18): the same files as before, written row by row from the database."""

import csv
import io
import json
import os
import random
import stat

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select

from zwgk import catalog_export as ce
from zwgk import models as m
from zwgk.catalog_history import snapshot
from zwgk.catalog_io import FLAT_HEADER, item_row, write_catalog
from zwgk.export import neutralise, query

DX = "湖南省/永州市/道县"
PLUGINS = "zhejiang,shandong,daoxian"
TIERS = ["province", "city", "county", "township", "village"]
STAGES = ["decision", "execution", "management", "service", "result"]


def _varied_items(session, n=60, seed=7):
    """Items that differ in every way the export reads: text that starts like a formula or an
    error value, Traditional text, empty and missing fields, lists of every length."""
    rnd = random.Random(seed)
    unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == DX))
    other = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key != DX, ~m.AdminUnit.key.like(DX + "/%"))
                           .order_by(m.AdminUnit.id))
    domains = session.scalars(select(m.Domain).order_by(m.Domain.id)).all()[:4]
    starts = ["", "", "", "", "=", "+", "-", "@", "\t", "\r", "'", "#N/A"]
    for i in range(n):
        head = rnd.choice(starts)
        text = f"{head}公开内容{i}（第{rnd.randint(1, 10**6)}项）"
        if i % 7 == 3:
            text = text.replace("内容", "內容").replace("1", "１")  # Traditional, full-width digits
        session.add(m.CatalogItem(
            unit=other if i % 10 == 9 else unit, domain=rnd.choice(domains),
            seq=None if i % 5 == 0 else rnd.randint(-3, 500),
            category=rnd.choice([None, "", "教育", "=分类"]), level1=rnd.choice(["招生入学", "@一级", "學生資助"]),
            level2=rnd.choice([None, f"二级{i}", "-"]), level3=rnd.choice([None, "三级"]), content=text,
            basis=rnd.choice([None, "《条例》", "#N/A", "#DIV/0!", "+86"]), time_limit=rnd.choice(["3个工作日内", None]),
            subject=rnd.choice(["县教育局", None, "=A1"]), department=rnd.choice([None, "办公室"]),
            channels=rnd.choice([[], ["政府网站"], ["政府网站", "公开栏"], ["=HYPERLINK(\"x\")", "网站"]]),
            duration=rnd.choice([None, "长期"]), audience_public=rnd.random() < 0.5,
            audience_specific=rnd.random() < 0.5, method_active=rnd.random() < 0.5,
            method_on_request=rnd.random() < 0.5, levels=rnd.sample(TIERS, rnd.randint(0, 3)),
            stages=rnd.sample(STAGES, rnd.randint(0, 3)),
            status=rnd.choice(["draft", "published", "submitted"]), is_example=rnd.random() < 0.2))


@pytest.fixture
def app(make_app, regions_db_url):
    return make_app(regions_db_url, plugins=PLUGINS)


@pytest.fixture
def varied(app):
    db = app.extensions["zwgk.db"]
    with db.session() as session:
        _varied_items(session)
    return _Sessions(db, app.extensions["zwgk.pm"])


class _Sessions:
    """Sessions that know the app's plugins (the region is resolved through them)."""

    def __init__(self, db, pm):
        self.db, self.pm = db, pm

    def sessionmaker(self):
        session = self.db.sessionmaker()
        session.info["pm"] = self.pm
        return session


def _orm_items(session):
    return query(session, "catalog_items", session.info["pm"], DX)


def _rows(session):
    return list(ce.stream_rows(session, ce.rows_query(session, session.info["pm"], DX)))


def test_rows_give_the_same_cells_and_records_as_the_orm_items(varied):
    with varied.sessionmaker() as session:
        items = _orm_items(session)
        rows = _rows(session)
        assert len(rows) == len(items) == 54  # the region's items only (every tenth is another unit's)
        for n, (row, item) in enumerate(zip(rows, items), 1):
            assert ce.cells(n, row) == [neutralise(v) for v in item_row(n, item)]
            assert ce.record(row) == snapshot(item)
            assert ce.cells(n, ce.item_tuple(item)) == ce.cells(n, row)  # ORM items take the same path
        assert any(c.startswith("'") for n, r in enumerate(rows, 1) for c in ce.cells(n, r))


def test_an_export_row_has_the_keys_of_a_snapshot():
    from zwgk.catalog_history import SNAPSHOT_FIELDS

    assert ce.KEYS == SNAPSHOT_FIELDS  # a field added to the schema must be added to the rows too


def test_rows_are_read_in_chunks_in_the_export_order(varied):
    with varied.sessionmaker() as session:
        in_chunks = list(ce.stream_rows(session, ce.rows_query(session, session.info["pm"], DX), chunk=7))
        assert in_chunks == _rows(session)
        assert [r[:4] for r in in_chunks] == [ce.item_tuple(i)[:4] for i in _orm_items(session)]


def _old_csv(items):
    """The export as it was written before rows were streamed."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(FLAT_HEADER)
    for n, item in enumerate(items, 1):
        writer.writerow([neutralise(v) for v in item_row(n, item)])
    return buf.getvalue().encode("utf-8-sig")


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_cli_export_equals_the_old_output(varied, app, run_cli, tmp_path, fmt):
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / f"目录.{fmt}"
    result = run_cli(app, "export-catalog", "--region", DX, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "54 条" in result.output
    with varied.sessionmaker() as session:
        items = _orm_items(session)
        if fmt == "csv":
            assert out.read_bytes() == _old_csv(items)
        elif fmt == "json":  # valid JSON, one record per line, equal to the list built at once before
            text = out.read_text(encoding="utf-8")
            assert json.loads(text) == json.loads(json.dumps([snapshot(i) for i in items], ensure_ascii=False))
            assert text.count("\n") == len(items) + 2 and "\\u" not in text  # Chinese as UTF-8 text
        else:
            sheet = load_workbook(out).active
            got = list(sheet.iter_rows(min_row=4))
            assert len(got) == len(items)
            for n, (cells, item) in enumerate(zip(got, items), 1):
                want = [neutralise(v) for v in item_row(n, item)]
                assert [c.value or "" for c in cells][:len(want)] == want
                assert all(c.data_type == "s" for c in cells if c.value is not None)  # "#N/A" too: text
            assert any(c.value == "#N/A" for row in got for c in row)
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # nothing left beside it


def test_json_of_no_items_is_an_empty_list(app, run_cli, tmp_path):
    out = tmp_path / "none.json"
    assert run_cli(app, "export-catalog", "--region", DX, "-o", str(out)).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8")) == []


def test_filters_are_applied_by_the_query(varied, app, run_cli, tmp_path):
    with varied.sessionmaker() as session:
        items = _orm_items(session)
        dom = items[0].domain
        want = [snapshot(i) for i in items if i.domain_id == dom.id and i.status == "published"]
    out = tmp_path / "p.json"
    result = run_cli(app, "export-catalog", "--region", DX, "-o", str(out), "--domain", dom.name,
                     "--status", "published")
    assert result.exit_code == 0 and json.loads(out.read_text(encoding="utf-8")) == want and want


def test_a_failed_export_leaves_no_file(varied, monkeypatch, tmp_path):
    calls = []

    def failing(n, row):
        calls.append(n)
        if n == 3:
            raise RuntimeError("disk gone")
        return real(n, row)

    real = ce.cells
    monkeypatch.setattr(ce, "cells", failing)
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "x.csv"
    out.write_text("the previous export", encoding="utf-8")
    with varied.sessionmaker() as session, pytest.raises(RuntimeError):
        write_catalog(ce.stream_rows(session, ce.rows_query(session, session.info["pm"], DX)), out)
    assert calls == [1, 2, 3]
    assert out.read_text(encoding="utf-8") == "the previous export"  # untouched, and no half file beside it
    assert [p.name for p in out.parent.iterdir()] == ["x.csv"]


def test_the_file_gets_the_usual_permissions(varied, tmp_path):
    mask = os.umask(0o022)
    os.umask(mask)
    with varied.sessionmaker() as session:
        write_catalog(_orm_items(session), tmp_path / "a.json")
    assert stat.S_IMODE((tmp_path / "a.json").stat().st_mode) == 0o666 & ~mask


def test_export_catalog_starts_an_app_without_pages(varied, monkeypatch, tmp_path, regions_db_url):
    """The console script builds its own app: export-catalog asks for one without pages."""
    import zwgk.cli as cli

    asked, made = [], []
    real = cli.create_app

    def spy(*args, **kwargs):
        asked.append(kwargs.get("web", True))
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(cli, "create_app", spy)
    out = tmp_path / "c.csv"
    env = {"ZWGK_DATABASE_URL": regions_db_url, "ZWGK_PLUGINS": PLUGINS, "ZWGK_SECRET_KEY": "test",
           "ZWGK_INSTANCE_PATH": str(tmp_path / "instance")}
    result = CliRunner().invoke(cli.main, ["export-catalog", "--region", DX, "-o", str(out)], env=env)
    for built in made:
        built.extensions["zwgk.db"].dispose()
    assert result.exit_code == 0, result.output
    assert asked == [False] and out.read_bytes().startswith(b"\xef\xbb\xbf")
    from zwgk.app import create_app

    light = create_app({"DATABASE_URL": regions_db_url, "PLUGINS": PLUGINS, "SECRET_KEY": "t"}, web=False)
    assert "zwgk.db" in light.extensions and "zwgk.pm" in light.extensions
    assert not light.blueprints and [r.rule for r in light.url_map.iter_rules()] == ["/static/<path:filename>"]
    light.extensions["zwgk.db"].dispose()
    assert "export-catalog" in cli.LIGHT_COMMANDS


def test_a_control_character_is_refused_by_name_and_leaves_no_workbook(varied, app, run_cli, tmp_path):
    with varied.sessionmaker() as session:
        items = _orm_items(session)
        target = items[4]
        target.subject = "县教育局\x01"
        session.commit()
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "x.xlsx"
    result = run_cli(app, "export-catalog", "--region", DX, "-o", str(out))
    assert result.exit_code == 1
    assert "第 5 个事项的“公开主体”含有 .xlsx 不能保存的控制字符" in result.output
    assert not any((tmp_path / "out").iterdir())
    csv_out = tmp_path / "out" / "x.csv"  # a CSV carries it as it is
    assert run_cli(app, "export-catalog", "--region", DX, "-o", str(csv_out)).exit_code == 0
    assert "县教育局\x01" in csv_out.read_text(encoding="utf-8-sig")


# --------------------------------------------------------------------------
# The light export of the console script (zwgk.console): the driver alone, the same files
# --------------------------------------------------------------------------


def test_the_writers_layout_is_catalog_io_s():
    """catalog_export keeps the layout and the tier/stage names as plain values (so that writing
    imports neither catalog_io nor catalog_readers): they must stay equal to theirs."""
    from zwgk import catalog_io as io_, catalog_readers as readers

    assert ce.TOP == io_.TOP and ce.SUB == io_.SUB and ce.FLAT_HEADER == io_.FLAT_HEADER
    assert ce.MERGES == io_.MERGES and ce.UNIT_MERGES == io_.UNIT_MERGES and ce.UNIT_HEADER == io_.UNIT_HEADER
    assert ce.TIERS == readers.TIERS
    assert ce.STAGE_NAMES == {v: k + "公开" for k, v in readers.STAGE_WORDS.items()}


def _spread(app):
    """Some of the region's items moved to a sibling unit: 湖南省/永州市 then spans two units."""
    with app.extensions["zwgk.db"].session() as session:
        sibling = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == "湖南省/永州市/蓝山县"))
        unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == DX))
        for item in session.scalars(select(m.CatalogItem).where(m.CatalogItem.unit_id == unit.id)
                                    .order_by(m.CatalogItem.id)).all()[::4]:
            item.unit_id = sibling.id


def test_the_plain_sql_gives_the_rows_of_rows_query(varied, app):
    """The light export's SELECT, through the driver alone, against rows_query through SQLAlchemy:
    every filter, on the database the tests run on (SQLite or PostgreSQL)."""
    from zwgk import console

    _spread(app)
    conn, dialect = console._connect(app.config["DATABASE_URL"])
    try:
        with varied.sessionmaker() as session:
            dom = session.scalar(select(m.Domain).join(m.CatalogItem).order_by(m.Domain.id))
            for region in (DX, "湖南省/永州市", "湖南省"):
                for domain_id in (None, dom.id):
                    for status in (None, "published"):
                        want = list(ce.stream_rows(session, ce.rows_query(session, session.info["pm"], region,
                                                                          domain_id, status)))
                        params = {**ce.under_params(region), "domain_id": domain_id, "status": status}
                        sql = ce.plain_sql(domain_id is not None, status is not None)
                        got = list(console._rows(conn, dialect, sql, params, 7))
                        assert [tuple(r) for r in got] == [tuple(r) for r in want] and want, (region, domain_id, status)
    finally:
        conn.close()


def _sheet(path):
    import zipfile

    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
@pytest.mark.parametrize("extra", [[], ["--status", "published"], ["--domain", "DOMAIN"], ["--region-spread"]])
def test_the_light_export_writes_the_full_commands_file(varied, app, run_cli, tmp_path, monkeypatch, fmt, extra):
    from zwgk import console

    region = DX
    if extra == ["--region-spread"]:  # two units: the 所属单位 column is added, by both
        _spread(app)
        region, extra = "湖南省/永州市", []
    if extra[:1] == ["--domain"]:
        with varied.sessionmaker() as session:
            extra = ["--domain", _orm_items(session)[0].domain.name]
    monkeypatch.setenv("ZWGK_DATABASE_URL", app.config["DATABASE_URL"])
    full, light = tmp_path / f"full.{fmt}", tmp_path / f"light.{fmt}"
    assert run_cli(app, "export-catalog", "--region", region, "-o", str(full), *extra).exit_code == 0
    assert console.export_catalog(["--region", region, f"--output={light}", *extra]) == 0  # the light run did it
    if fmt == "xlsx":
        assert _sheet(light) == _sheet(full)
        if region != DX:
            assert "所属单位" in [c.value for c in load_workbook(light).active[2]]
    else:
        assert light.read_bytes() == full.read_bytes()


@pytest.mark.parametrize("args", [
    ["--region", "daoxian"],  # a plugin's name
    ["--region", "道县"],  # a unit's name
    ["--region", "湖南省/永州市/没有的县"],  # no such unit: the full command says so
    ["--region", DX, "--domain", "no such domain"],
    ["--region", DX, "--help"],
    ["--region", DX, "--status", "lost"],
    ["--region", DX, "--format", "pdf"],
])
def test_anything_else_is_left_to_the_full_command(varied, app, tmp_path, monkeypatch, args):
    from zwgk import console

    monkeypatch.setenv("ZWGK_DATABASE_URL", app.config["DATABASE_URL"])
    (tmp_path / "out").mkdir()
    assert console.export_catalog([*args, "-o", str(tmp_path / "out" / "x.csv")]) is None
    assert not list((tmp_path / "out").iterdir())  # nothing written: the full command starts afresh


def test_the_console_script_falls_back_and_the_full_command_answers(varied, app, tmp_path, monkeypatch, capsys):
    import zwgk.cli as cli
    from zwgk import console

    made, real = [], cli.create_app
    monkeypatch.setattr(cli, "create_app", lambda *a, **kw: made.append(real(*a, **kw)) or made[-1])
    try:
        _falls_back(app, tmp_path, monkeypatch, capsys, console)
    finally:
        for built in made:  # the full command's own apps: their connections closed here
            built.extensions["zwgk.db"].dispose()


def _falls_back(app, tmp_path, monkeypatch, capsys, console):
    for name, value in {"ZWGK_DATABASE_URL": app.config["DATABASE_URL"], "ZWGK_PLUGINS": PLUGINS,
                        "ZWGK_SECRET_KEY": "test", "ZWGK_INSTANCE_PATH": str(tmp_path / "instance")}.items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "by-plugin.csv"
    with pytest.raises(SystemExit) as done:
        console.main(["export-catalog", "--region", "daoxian", "-o", str(out)])
    assert done.value.code == 0 and "54 条" in capsys.readouterr().err
    light = tmp_path / "light.csv"
    assert console.main(["export-catalog", "--region", DX, "-o", str(light)]) == 0
    assert light.read_bytes() == out.read_bytes()
    with pytest.raises(SystemExit) as failed:
        console.main(["export-catalog", "--region", "湖南省/永州市/没有的县", "-o", str(tmp_path / "n.csv")])
    assert failed.value.code == 1 and "找不到地区" in capsys.readouterr().err


# --------------------------------------------------------------------------
# The admin's large export (zwgk.exportjobs): the command's rows, the user's scope
# --------------------------------------------------------------------------


def _job_file(app, ids, fmt, tmp_path, scope=None, unit_column=False):
    import time

    from zwgk.exportjobs import ExportJobs

    job = ExportJobs().start(app.extensions["zwgk.db"], ids, fmt, 1, f"x.{fmt}", unit_column=unit_column,
                             scope=scope)
    end = time.monotonic() + 60
    while not job.finished:
        assert time.monotonic() < end
        time.sleep(0.02)
    assert job.error is None, job.error
    return job


def _export_order_ids(app, region):

    with app.extensions["zwgk.db"].sessionmaker() as session:
        pm = app.extensions["zwgk.pm"]
        q = ce.rows_query(session, pm, region).add_columns(m.CatalogItem.__table__.c.id)
        return [row[-1] for row in session.execute(q)]


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
@pytest.mark.parametrize("region", [DX, "湖南省/永州市"])
def test_the_admins_export_job_writes_the_commands_file_for_the_same_items(varied, app, run_cli, tmp_path, fmt,
                                                                           region):
    if region != DX:
        _spread(app)  # two units: both add the 所属单位 column
    ids = _export_order_ids(app, region)
    cli_out = tmp_path / f"cli.{fmt}"
    assert run_cli(app, "export-catalog", "--region", region, "-o", str(cli_out)).exit_code == 0
    job = _job_file(app, ids, fmt, tmp_path, scope=region, unit_column=region != DX)
    assert job.done == job.total == len(ids) > 40
    if fmt == "xlsx":
        assert _sheet(job.path) == _sheet(cli_out)
    else:
        assert job.path.read_bytes() == cli_out.read_bytes()


def test_the_export_job_keeps_the_lists_order_and_the_users_scope(varied, app, tmp_path):
    """Ids outside the scope (another region's item, put in the selection) are not written, the
    rest in the order of the list; a user with no unit gets nothing, a system administrator all."""
    ids = _export_order_ids(app, DX)
    with app.extensions["zwgk.db"].sessionmaker() as session:
        outside = session.scalars(select(m.CatalogItem.id).join(m.AdminUnit).where(
            m.AdminUnit.key != DX, ~m.AdminUnit.key.like(DX + "/%"))).all()
    assert outside
    chosen = list(reversed(ids))[:30] + outside
    scoped = json.loads(_job_file(app, chosen, "json", tmp_path, scope=DX).path.read_text(encoding="utf-8"))
    everyone = json.loads(_job_file(app, chosen, "json", tmp_path, scope=None).path.read_text(encoding="utf-8"))
    nobody = json.loads(_job_file(app, chosen, "json", tmp_path, scope="\0").path.read_text(encoding="utf-8"))
    with varied.sessionmaker() as session:
        by_id = {i: snapshot(session.get(m.CatalogItem, i)) for i in chosen}
    assert scoped == [by_id[i] for i in chosen[:30]]
    assert everyone == [by_id[i] for i in chosen] and nobody == []


def test_the_queued_export_reads_rows_in_the_users_scope(varied, app, tmp_path):
    """``zwgk.jobs.export_catalog_items`` (the RQ workers' export) writes the same file as the job."""
    from zwgk.jobs import export_catalog_items

    ids = _export_order_ids(app, DX)
    with app.extensions["zwgk.db"].sessionmaker() as session:
        outside = session.scalars(select(m.CatalogItem.id).join(m.AdminUnit).where(
            m.AdminUnit.key != DX, ~m.AdminUnit.key.like(DX + "/%"))).all()
    seen = []
    with app.app_context():
        count = export_catalog_items(ids + outside, "csv", str(tmp_path / "q" / "x.csv"), False, DX,
                                     progress=lambda done, total: seen.append((done, total)))
    assert count == len(ids) and seen[0] == (0, len(ids) + len(outside)) and seen[-1][0] == len(ids)
    job = _job_file(app, ids, "csv", tmp_path, scope=DX)
    assert (tmp_path / "q" / "x.csv").read_bytes() == job.path.read_bytes()


@pytest.mark.parametrize("region", ["湖南省/永州市/道_县", "湖南省/永州市/道%县", "湖南省/永州市/Dao"])
def test_a_unit_path_with_like_wildcards_or_capitals_matches_only_itself(varied, app, run_cli, tmp_path,
                                                                          monkeypatch, region):
    """A unit path is compared as text, not as a LIKE pattern: ``_``/``%`` in a key, or SQLite's
    case-blind LIKE, must not bring in another unit's items (道_县 is not 道x县, Dao is not dao)."""
    from zwgk import console

    other = region.replace("_", "x").replace("%", "xx").replace("Dao", "dao")
    with app.extensions["zwgk.db"].session() as session:
        city = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == "湖南省/永州市"))
        dom = session.scalar(select(m.Domain).order_by(m.Domain.id))
        mine = m.AdminUnit(name=region.rsplit("/", 1)[1], key=region, level="county", parent=city, origin="test")
        theirs = m.AdminUnit(name=other.rsplit("/", 1)[1], key=other, level="county", parent=city, origin="test")
        below = m.AdminUnit(name="某镇", key=other + "/某镇", level="township", parent=theirs, origin="test")
        session.add_all([mine, theirs, below])
        session.add(m.CatalogItem(unit=mine, domain=dom, seq=1, level1="一级", content="本单位的事项"))
        session.add(m.CatalogItem(unit=below, domain=dom, seq=1, level1="一级", content="别的单位的事项"))
    monkeypatch.setenv("ZWGK_DATABASE_URL", app.config["DATABASE_URL"])
    full, light = tmp_path / "full.csv", tmp_path / "light.csv"
    assert run_cli(app, "export-catalog", "--region", region, "-o", str(full)).exit_code == 0
    assert console.export_catalog(["--region", region, f"--output={light}"]) == 0
    for out in (full, light):
        text = out.read_text(encoding="utf-8-sig")
        assert "本单位的事项" in text and "别的单位的事项" not in text, out
    with varied.sessionmaker() as session:
        keys = {r[0] for r in ce.stream_rows(session, ce.rows_query(session, under=region))}
        assert keys == {region}


def test_the_light_export_opens_the_sqlite_file_sqlalchemy_opens(varied, app, run_cli, tmp_path, monkeypatch):
    """``sqlite:///`` URLs are URL-decoded by SQLAlchemy (``a%20b.sqlite`` is ``a b.sqlite``): the
    light run reads that same file, not one whose name is the undecoded text."""
    import sqlite3
    from urllib.parse import quote

    url = app.config["DATABASE_URL"]
    if not url.startswith("sqlite:///"):
        pytest.skip("a SQLite file's name")
    src = sqlite3.connect(url[len("sqlite:///"):])
    copy = tmp_path / "库 副本#1.sqlite"
    with sqlite3.connect(copy) as dst:
        src.backup(dst)
    src.close()
    encoded = "sqlite:///" + quote(str(copy))
    (tmp_path / quote(copy.name)).write_bytes(b"")  # the undecoded name: not the database
    monkeypatch.setenv("ZWGK_DATABASE_URL", encoded)
    from zwgk import console

    light = tmp_path / "light.csv"
    assert console.export_catalog(["--region", DX, "-o", str(light)]) == 0
    full = tmp_path / "full.csv"
    assert run_cli(app, "export-catalog", "--region", DX, "-o", str(full)).exit_code == 0
    assert light.read_bytes() == full.read_bytes()


def test_an_output_in_a_missing_folder_is_an_error_message_not_a_traceback(varied, app, run_cli, tmp_path,
                                                                            monkeypatch):
    """The light run leaves it to the full command, which says what went wrong (exit 1), and
    writes nothing."""
    from zwgk import console

    out = tmp_path / "没有的目录" / "x.csv"
    monkeypatch.setenv("ZWGK_DATABASE_URL", app.config["DATABASE_URL"])
    assert console.export_catalog(["--region", DX, "-o", str(out)]) is None
    result = run_cli(app, "export-catalog", "--region", DX, "-o", str(out))  # raised FileNotFoundError before
    assert result.exit_code == 1 and "无法写入" in result.output and str(out) in result.output
    assert not (tmp_path / "没有的目录").exists()


def _two_domains_in_turn(app):
    """Two domains of 道县, each numbered 1, 2, 3, their items made in turn (by id: 1, 1, 2, 2, 3, 3);
    the names each export should give, in order: each domain's items together, by 序号."""
    from .admin_helpers import publish

    made = []
    for seq in (3, 1, 2):
        for domain in ("社会救助", "义务教育"):
            publish(app, DX, domain=domain, seq=seq, level1=f"{domain}第{seq}项")
            made.append((domain, seq))
    with app.extensions["zwgk.db"].sessionmaker() as session:
        ids = dict(session.execute(select(m.Domain.name, m.Domain.id)).all())
    return [f"{d}第{s}项" for d, s in sorted(made, key=lambda ds: (ids[ds[0]], ds[1]))]


def _every_export_lists(app, run_cli, tmp_path, fmt, expected):
    """zwgk export-catalog, the public export, the console script's light SQL and zwgk export
    catalog_items each list the region's items (their 一级事项) in ``expected``'s order."""
    from sqlalchemy import text

    out = tmp_path / f"目录.{fmt}"
    assert run_cli(app, "export-catalog", "--region", DX, "-o", str(out)).exit_code == 0
    public = app.test_client().get(f"/export/catalog.{fmt}?region={DX}")
    assert public.status_code == 200
    if fmt == "json":
        said = [r["level1"] for r in json.loads(out.read_text(encoding="utf-8"))]
        shown = [r["level1"] for r in public.get_json()]
    elif fmt == "csv":
        said = [r[1] for r in list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))[1:]]
        shown = [r[1] for r in list(csv.reader(io.StringIO(public.data.decode("utf-8-sig"))))[1:]]
    else:
        said = [row[1].value for row in load_workbook(out).active.iter_rows(min_row=4)]
        shown = [row[1].value for row in load_workbook(io.BytesIO(public.data)).active.iter_rows(min_row=4)]
    assert said == expected and shown == expected, (said, shown)
    with app.extensions["zwgk.db"].sessionmaker() as session:
        # the console script's export (level1 is the 5th column: unit, domain, seq, category)
        light = [r[4] for r in session.execute(text(ce.plain_sql()), ce.under_params(DX))]
    assert light == expected
    listed = json.loads(run_cli(app, "export", "catalog_items", "--region", DX).output)
    assert [r["level1"] for r in listed] == expected


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_each_domains_items_stay_together_in_every_export(app, run_cli, tmp_path, fmt):
    """Domains that each number 序号 from 1 came out as 1, 1, 2, 2, 3, 3: the export orders by unit,
    domain, 序号, id — zwgk export-catalog, its light SQL, zwgk export catalog_items and the public export."""
    expected = _two_domains_in_turn(app)
    assert [name[-2] for name in expected] == ["1", "2", "3", "1", "2", "3"]
    _every_export_lists(app, run_cli, tmp_path, fmt, expected)


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_items_without_a_seq_come_first_in_every_export_and_database(app, run_cli, tmp_path, fmt):
    """An item without 序号 (a file with no 序号 column) comes before its domain's numbered items in
    every export, on PostgreSQL as on SQLite (which puts NULL first: PostgreSQL put it last, so the
    same catalog came out in another order)."""
    from .admin_helpers import publish

    for seq in (2, None, 1):
        publish(app, DX, domain="社会救助", seq=seq, level1=f"社会救助第{seq}项")
    expected = ["社会救助第None项", "社会救助第1项", "社会救助第2项"]
    _every_export_lists(app, run_cli, tmp_path, fmt, expected)
