"""Migrations take an empty database to head, and the models do not drift from them."""

from sqlalchemy import inspect

from alembic.script import ScriptDirectory

from zwgk.db import Database
from zwgk.models import Base

HEAD = "0026"  # the newest migration; the chain is linear (one head)


def _head(db):
    return ScriptDirectory.from_config(db.alembic_config()).get_current_head()


def test_empty_database_upgrades_to_head_without_drift(empty_db_url):
    db = Database(empty_db_url)
    assert db.current_revision() is None
    db.upgrade()
    assert db.current_revision() == _head(db) == HEAD
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert db.drift() == []
    db.upgrade()  # a second upgrade is a no-op
    assert db.current_revision() == _head(db)
    db.dispose()


def test_drift_check_notices_a_model_change(empty_db_url):
    from sqlalchemy import Column, String

    db = Database(empty_db_url)
    db.upgrade()
    col = Column("nickname", String(20))
    Base.metadata.tables["domain"].append_column(col)
    try:
        diffs = db.drift()
        assert any(d[0] == "add_column" and d[3].name == "nickname" for d in diffs if isinstance(d, tuple))
    finally:
        Base.metadata.tables["domain"]._columns.remove(col)
    assert db.drift() == []
    db.dispose()


def test_init_uses_migrations_not_create_all(make_app, empty_db_url, run_cli):
    app = make_app(empty_db_url)
    result = run_cli(app, "init")
    assert result.exit_code == 0, result.output
    assert f"@ {HEAD}" in result.output
    assert app.extensions["zwgk.db"].current_revision() == HEAD
    check = run_cli(app, "db", "check")
    assert check.exit_code == 0 and "no drift" in check.output


def test_upgrade_step_by_step_keeps_data(empty_db_url):
    """0001 → 0002 on a database that already holds rows (as a deployed one would)."""
    from sqlalchemy import text

    db = Database(empty_db_url)
    db.upgrade("0001")
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO responsibility (task, responsible, responsible_units, key, origin, version)"
                          " VALUES ('任务', '某单位', '[]', 'k', 'national', 1)"))
    db.upgrade()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT task, edition FROM responsibility")).all() == [("任务", None)]
    assert db.drift() == []
    db.dispose()


def test_catalog_item_ids_are_never_reused_on_sqlite(empty_db_url):
    """Item history is keyed by id: SQLite must not hand a deleted item's id to a new one."""
    from sqlalchemy import text

    db = Database(empty_db_url)
    db.upgrade()
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as conn:
            sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'catalog_item'")).scalar()
        assert "AUTOINCREMENT" in sql
    db.dispose()


def test_0005_duration_column_down_and_up_again_without_losing_items(empty_db_url):
    from alembic import command
    from sqlalchemy import inspect, text

    from zwgk import models as m

    db = Database(empty_db_url)
    db.upgrade()
    with db.session() as session:
        unit = m.AdminUnit(name="道县", level="county", key="道县", origin="admin")
        dom = m.Domain(name="义务教育", key="义务教育", origin="admin")
        session.add(m.CatalogItem(unit=unit, domain=dom, level1="招生入学", duration="长期"))
    command.downgrade(db.alembic_config(), "0004")
    db.engine.dispose()
    assert "duration" not in {c["name"] for c in inspect(db.engine).get_columns("catalog_item")}
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT level1 FROM catalog_item")).scalars().all() == ["招生入学"]
        if db.engine.dialect.name == "sqlite":
            sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'catalog_item'")).scalar()
            assert "AUTOINCREMENT" in sql  # the batch copy keeps it
    db.upgrade()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT level1, duration FROM catalog_item")).all() == [("招生入学", None)]
    assert db.drift() == []
    db.dispose()


def test_0011_down_and_up_again_keeps_the_records(empty_db_url):
    """Policy documents, retired records and a domain's region come and go with 0011; rows stay."""
    from alembic import command
    from sqlalchemy import inspect, text

    from zwgk import models as m

    db = Database(empty_db_url)
    db.upgrade()
    with db.session() as session:
        unit = m.AdminUnit(name="道县", level="county", key="道县", origin="admin")
        dom = m.Domain(name="义务教育", key="义务教育", origin="admin", region="湖南省")
        session.add(m.CatalogItem(unit=unit, domain=dom, level1="招生入学"))
    command.downgrade(db.alembic_config(), "0005")
    db.engine.dispose()
    tables = inspect(db.engine).get_table_names()
    assert "policy_document" not in tables
    assert "retired_at" not in {c["name"] for c in inspect(db.engine).get_columns("domain")}
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM domain")).scalars().all() == ["义务教育"]
    db.upgrade()
    assert db.drift() == []
    db.dispose()


def test_0026_version_lookups_keep_an_index_without_the_prefix_indexes(empty_db_url):
    """0026 drops the item_id and unit_key indexes of catalog_item_version (each the leading column
    of a composite one); a look-up by item or by unit still reads an index, not the whole table,
    and going down and up again keeps the versions."""
    from alembic import command
    from sqlalchemy import select, text

    from zwgk import models as m

    db = Database(empty_db_url)
    db.upgrade()
    names = {ix["name"] for ix in inspect(db.engine).get_indexes("catalog_item_version")}
    assert "ix_catalog_item_version_item_id" not in names and "ix_catalog_item_version_unit_key" not in names
    assert {"ix_catalog_item_version_unit_item", "ix_catalog_item_version_at"} <= names
    V = m.CatalogItemVersion
    with db.engine.begin() as conn:
        conn.execute(m.CatalogItemVersion.__table__.insert(), [
            dict(item_id=i, version=1, unit_key="湖南省/永州市/道县", status="draft", deleted=False, snapshot={},
                 actor="t", at=__import__("datetime").datetime(2026, 11, 24)) for i in range(1, 201)])
        if db.engine.dialect.name == "sqlite":
            for stmt in (select(V).where(V.item_id == 7).order_by(V.version),  # an item's history
                         select(V).where(V.unit_key == "湖南省/永州市/道县", V.item_id > 5).order_by(V.item_id)):
                sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
                plan = " ".join(r[-1] for r in conn.execute(text("EXPLAIN QUERY PLAN " + sql)))
                assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
    command.downgrade(db.alembic_config(), "0025")
    db.engine.dispose()
    names = {ix["name"] for ix in inspect(db.engine).get_indexes("catalog_item_version")}
    assert {"ix_catalog_item_version_item_id", "ix_catalog_item_version_unit_key"} <= names
    db.upgrade()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM catalog_item_version")).scalar() == 200
    assert db.drift() == []
    db.dispose()
