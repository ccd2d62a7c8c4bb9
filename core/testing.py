"""``zwgk.testing``: what a plugin's own tests need, and nothing a plugin may not import.

A plugin's test builds a scratch database, applies the national data and its
plugin, and looks at the reports or the records::

    from zwgk.testing import apply_plugins, check, scratch_database

    def test_conforms():
        assert check("hainan") == []

    def test_applies_twice(tmp_path):
        with scratch_database(tmp_path) as db:
            first = apply_plugins(db, "hainan")
            assert first["hainan"].total("added") > 0
            again = apply_plugins(db, "hainan")
            assert again["hainan"].changed_anything is False

``records(db, kind)`` lists what is stored of one kind (by its natural key) and
``make_app(tmp_path, "hainan")`` gives a Flask app with a migrated database for a
plugin that adds admin views.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import catalog_history as _catalog_history  # noqa: F401  (every session records catalog versions)

__all__ = ["apply_plugins", "check", "make_app", "records", "remove_plugin", "scratch_database"]


@contextmanager
def scratch_database(tmp_path: str | Path) -> Iterator[Any]:
    """A migrated SQLite database under ``tmp_path`` (disposed afterwards)."""
    from .db import Database

    db = Database(f"sqlite:///{Path(tmp_path) / 'zwgk-test.sqlite'}")
    db.upgrade()
    try:
        yield db
    finally:
        db.dispose()


def apply_plugins(db: Any, *names: str, dry_run: bool = False) -> dict[str, Any]:
    """Apply the national data and the named plugins; the ``ApplyReport`` of each, by name.

    A report has ``total("added" | "changed" | "unchanged" | "kept" | "removed")``,
    ``counts`` per kind, ``differences`` (administrators' edits kept) and ``render()``.
    Invalid data raises ``zwgk.DataError`` naming file, record and field.
    """
    from .plugin_manager import apply, get_plugin_manager

    return {r.origin: r for r in apply(db, get_plugin_manager(list(names)), dry_run=dry_run)}


def remove_plugin(db: Any, name: str, dry_run: bool = False) -> Any:
    """Retire every record plugin ``name`` provided (``zwgk plugins remove``); its report."""
    from .plugin_manager import remove

    return remove(db, name, dry_run=dry_run)


def check(name: str) -> list[str]:
    """``zwgk plugins check NAME`` as a list of problems (empty: the plugin conforms)."""
    from .conformance import check_plugin

    return [str(p) for p in check_plugin(name) if not getattr(p, "warning", False)]


def records(db: Any, kind: str, *, current: bool = True) -> dict[str, dict[str, Any]]:
    """Stored records of one kind (``units``, ``schedules``, ``obligations`` …) by natural key,
    as the export writes them; ``current=False`` includes retired ones."""
    from sqlalchemy import select

    from .loader import KIND_BY_NAME

    kind_ = KIND_BY_NAME[kind]
    flat = kind_.flat()
    with db.sessionmaker() as session:
        query = select(kind_.model)
        if current:
            query = query.where(kind_.model.retired_at.is_(None))
        return {obj.key: flat.dump(obj) for obj in session.scalars(query)}


def make_app(tmp_path: str | Path, *plugins: str, **config: Any) -> Any:
    """A Flask app with only the named plugins enabled and a migrated (empty) database."""
    from .app import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{Path(tmp_path) / 'zwgk-app.sqlite'}",
                      "PLUGINS": ",".join(plugins) or "none", "SECRET_KEY": "test", "TESTING": True, **config})
    app.extensions["zwgk.db"].upgrade()
    return app
