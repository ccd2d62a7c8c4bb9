"""Engine, sessions, migrations and the change history.

The app keeps one :class:`Database` in ``app.extensions["zwgk.db"]``; code
outside a request (the CLI, the loaders) opens sessions from it the same way.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import create_engine, event, insert, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from .models import Base, Change, Tracked, load_all

MIGRATIONS = Path(__file__).parent / "migrations"
#: attributes that say nothing an auditor needs
_UNTRACKED_ATTRS = {"version", "loaded", "updated_at", "created_at", "session_generation"}
#: recorded as changed, never with their values (an account's password hash)
_SECRET_ATTRS = {"password_hash": "password"}


def json_dumps(value: Any) -> str:
    """JSON columns: orjson (several times faster than json on a catalog import's snapshots),
    UTF-8 text rather than \\u escapes; json for the few values orjson declines (non-text keys)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False)


def make_engine(url: str, busy_timeout: float = 30.0) -> Engine:
    """The engine; on SQLite with foreign keys on, and a file database in WAL mode (readers do not
    block the writer, nor it them) with a busy timeout: a writer waits ``busy_timeout`` seconds
    for another's lock instead of failing at once with "database is locked"."""
    is_sqlite = url.startswith("sqlite")
    engine = create_engine(url, json_serializer=json_dumps, json_deserializer=orjson.loads,
                           **({"connect_args": {"timeout": busy_timeout}} if is_sqlite else {}))
    if engine.dialect.name == "sqlite":
        in_memory = engine.url.database in (None, "", ":memory:") or "mode=memory" in str(engine.url)

        # SQLite leaves foreign keys unchecked unless asked, per connection.
        @event.listens_for(engine, "connect")
        def _fk_on(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
            if not in_memory:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

    return engine


class ZwgkSession(Session):
    """The session class of every ``Database``.

    Modules above this one watch flushes by listening on this class
    (``event.listen(ZwgkSession, "before_flush", …)``), so the database layer
    never imports them (the catalog history registers itself this way).
    """


class Database:
    """One engine and its session factory."""

    def __init__(self, url: str, busy_timeout: float = 30.0):
        self.url = url
        self.engine = make_engine(url, busy_timeout)
        self.sessionmaker = sessionmaker(self.engine, class_=ZwgkSession, expire_on_commit=False)
        event.listen(self.sessionmaker, "after_flush", _record_changes)
        # Flask-Admin needs one session object per request: scoped to the thread.
        self.scoped = scoped_session(self.sessionmaker)

    @contextmanager
    def session(self, actor: str = "system", reason: str | None = None) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error."""
        with self.sessionmaker() as session:
            session.info.update(actor=actor, reason=reason)
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    # -- migrations --------------------------------------------------------

    # alembic is imported where it is used: an import or a query has no need of it at start-up

    def alembic_config(self) -> Any:
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        cfg.attributes["engine"] = self.engine
        return cfg

    def upgrade(self, revision: str = "head") -> None:
        from alembic import command

        command.upgrade(self.alembic_config(), revision)

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def drift(self) -> list[Any]:
        """Differences between the models and the migrated schema (empty when in step)."""
        from alembic.autogenerate import compare_metadata
        from alembic.runtime.migration import MigrationContext

        load_all()  # the models of every table, not only those zwgk.models imports
        with self.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return [d for d in compare_metadata(ctx, Base.metadata) if not _ignorable(d)]

    def dispose(self) -> None:
        self.scoped.remove()
        self.engine.dispose()


def _ignorable(diff: Any) -> bool:
    # alembic's own bookkeeping table is not ours to model
    # nor SQLite's full-text table of the public catalog and its shadow tables (no model can say FTS5)
    return isinstance(diff, tuple) and diff[0] == "remove_table" and (
        diff[1].name == "alembic_version" or diff[1].name.startswith("published_item_fts"))


def init_app(app) -> Database:
    db = Database(app.config["DATABASE_URL"], float(app.config.get("SQLITE_BUSY_TIMEOUT") or 30.0))
    app.extensions["zwgk.db"] = db

    @app.teardown_appcontext
    def _remove_session(_exc):
        db.scoped.remove()

    return db


def get_db(app=None) -> Database:
    from flask import current_app

    return (app or current_app).extensions["zwgk.db"]


# --------------------------------------------------------------------------
# Change history
# --------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def _column_changes(obj: Any, *, new: bool) -> dict[str, list[Any]]:
    state = inspect(obj)
    out: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in _UNTRACKED_ATTRS:
            continue
        hist = state.attrs[attr.key].history
        if attr.key in _SECRET_ATTRS:
            if new or hist.has_changes():
                out[_SECRET_ATTRS[attr.key]] = [None if new else "***", "***"]
            continue
        if new:
            value = getattr(obj, attr.key)
            if value is not None:
                out[attr.key] = [None, jsonable(value)]
        elif hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            cur = hist.added[0] if hist.added else None
            if old != cur:
                out[attr.key] = [jsonable(old), jsonable(cur)]
    return out


def _record_changes(session: Session, _flush_context) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    actor = session.info.get("actor", "system")
    reason = session.info.get("reason")
    rows = []
    for objs, action in ((session.new, "create"), (session.dirty, "update"), (session.deleted, "delete")):
        for obj in objs:
            if not isinstance(obj, Tracked):
                continue
            changes = _column_changes(obj, new=action == "create") if action != "delete" else {}
            if action == "update" and not changes:
                continue
            rows.append(dict(entity=obj.__tablename__, entity_id=obj.id, action=action,
                             changes=changes, actor=actor, reason=reason, at=now))
    if rows:
        session.connection().execute(insert(Change), rows)
