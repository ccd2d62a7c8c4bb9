"""Issue 10: ``zwgk dump`` / ``zwgk restore`` move the whole database between SQLite and
PostgreSQL; every table is the same after SQLite → PostgreSQL → SQLite."""

from __future__ import annotations

import json
import shutil
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from zwgk import models as m

from .admin_helpers import seed
from .conftest import PG_URL


def _rows(url):
    """Every table's rows, in a form both databases give alike (JSON of the dump)."""
    from zwgk.dump import dump

    engine = create_engine(url)
    with engine.connect() as conn:
        data = dump(conn, None)["tables"]
    engine.dispose()
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


def _normal(tables):
    def one(v):
        if isinstance(v, dict) and "$dt" in v:  # SQLite keeps no zone: the same instant, as UTC
            import datetime as dt

            t = dt.datetime.fromisoformat(v["$dt"])
            return (t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)).astimezone(dt.timezone.utc).isoformat()
        return v
    return {name: [[one(v) for v in row] for row in t["rows"]] for name, t in tables.items()}


@pytest.fixture
def source(make_app, tmp_path, _regions_template, regions_db_url):
    """A SQLite database with the regional data, accounts, items, history and versions."""
    if _regions_template is None:  # PostgreSQL run: make the SQLite source from scratch
        from .conftest import _apply_regions
        from zwgk.db import Database

        path = tmp_path / "src.sqlite"
        db = Database(f"sqlite:///{path}")
        db.upgrade()
        db.dispose()
        from zwgk.plugin_manager import apply, get_plugin_manager

        db = Database(f"sqlite:///{path}")
        apply(db, get_plugin_manager([]))
        db.dispose()
        _apply_regions(f"sqlite:///{path}")
    else:
        path = tmp_path / "src.sqlite"
        shutil.copy(_regions_template, path)
    url = f"sqlite:///{path}"
    app = make_app(url, plugins="zhejiang,shandong,daoxian")
    seed(app)
    with app.extensions["zwgk.db"].session(actor="张三", reason="测试") as session:
        item = session.query(m.CatalogItem).first()
        item.content = "改过一次"
    return app


def test_sqlite_to_postgresql_to_sqlite_keeps_every_table(source, make_app, tmp_path, run_cli):
    if not PG_URL:
        pytest.skip("needs ZWGK_TEST_DATABASE_URL (PostgreSQL); CI's PostgreSQL phase runs it")
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"zwgk_dump_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    pg_url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        first = tmp_path / "first.json"
        assert run_cli(source, "dump", str(first)).exit_code == 0
        pg = make_app(pg_url, plugins="zhejiang,shandong,daoxian")
        result = run_cli(pg, "restore", str(first))
        assert result.exit_code == 0, result.output
        second = tmp_path / "second.json"
        assert run_cli(pg, "dump", str(second)).exit_code == 0
        pg.extensions["zwgk.db"].dispose()
        back = make_app(f"sqlite:///{tmp_path / 'back.sqlite'}", plugins="zhejiang,shandong,daoxian")
        result = run_cli(back, "restore", str(second))
        assert result.exit_code == 0, result.output
        before, after = _rows(source.config["DATABASE_URL"]), _rows(back.config["DATABASE_URL"])
        assert set(before) == set(after) == {t.name for t in m.Base.metadata.sorted_tables}
        for table in before:
            assert _normal({table: before[table]}) == _normal({table: after[table]}), table
        assert sum(len(t["rows"]) for t in before.values()) > 1000
        # ids go on from where they were: a new record after the restore does not collide
        with back.extensions["zwgk.db"].session() as session:
            unit = session.query(m.AdminUnit).first()
            dom = session.query(m.Domain).first()
            session.add(m.CatalogItem(unit=unit, domain=dom, level1="恢复后新增"))
        from .admin_helpers import PASSWORD

        dumped = first.read_text("utf-8")
        assert PASSWORD not in dumped and "scrypt:" in dumped  # hashes only
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_restore_refuses_a_database_that_is_not_empty(source, tmp_path, run_cli):
    dump = tmp_path / "d.json"
    assert run_cli(source, "dump", str(dump)).exit_code == 0
    result = run_cli(source, "restore", str(dump))
    assert result.exit_code != 0 and "not empty" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2", encoding="utf-8")
    result = run_cli(source, "restore", str(bad))
    assert result.exit_code != 0 and "not valid JSON" in result.output
