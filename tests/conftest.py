"""Fixtures: a fresh app and database per test, on SQLite or on the PostgreSQL named by
``ZWGK_TEST_DATABASE_URL``.

SQLite: template files (migrated; + national data; + regional plugins) made once per
session and copied for each test.  PostgreSQL: the same three as template databases, and
each test gets a database cloned from one (CREATE DATABASE … TEMPLATE) and dropped after;
tests of the migrations themselves get a schema of their own.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from zwgk.app import create_app
from zwgk.db import Database
from zwgk.models import Base
from zwgk.plugin_manager import NATIONAL, apply, get_plugin_manager

PG_URL = os.environ.get("ZWGK_TEST_DATABASE_URL")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, reason: str) -> None:
    """Skip on a developer's machine, fail in CI: CI must run everything."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI must not skip: {reason}")
    pytest.skip(reason)


# Modules whose database use is the same on every dialect: CI runs them on SQLite only.  Each
# says why; whatever they exercise of the database runs on PostgreSQL through the modules named.
DIALECT_NEUTRAL = {
    # build and install a plugin package in a fresh environment; apply runs via test_apply/regions
    "test_external_plugin": "installs a wheel; the data path is test_apply's",
    "test_conformance": "installs a scaffolded plugin; the data path is test_apply's",
    # reading files into records; the write path is test_catalog_io / test_catalog_reimport
    "test_catalog_corpus": "file readers; writing runs in test_catalog_io",
    "test_catalog_hostile": "refused before anything is written",
    "test_calendar": "the working-day calendar is pure Python",
    "test_timeline_display": "drawing of dates",
    "test_settings": "environment settings",
    "test_cli_start": "start-up imports",
    "test_plugins": "plugin discovery",
    "test_hooks": "hook calling; the data path is test_apply's",
    "test_admin_words": "the words on pages; the admin's queries run in test_admin",
    "test_accounts": "password hashing and roles; scope queries run in test_security",
    "test_public_words": "the words on public pages; their queries run in test_public_pages",
    "test_language_login": "the session's language across login",
    "test_deadline_cli": "date arithmetic on the working-day calendar",
    "test_ratelimit_fallback": "the limiter's storage (Redis or memory), not the database",
    "test_english_pages": "the words on English pages; their queries run in test_public_pages / test_admin",
    "test_jobs_page": "the job board (threads or RQ); the jobs' own writes run in test_jobs",
    "test_import_unit_column": "the reader's unit column, refused before anything is written; "
                               "the streamed export's query runs in test_catalog_export",
}


def pytest_collection_modifyitems(items):
    for item in items:
        if {"app", "db", "db_url", "loaded_db_url", "empty_db_url", "regions_db_url"} & set(
                getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)
            if item.module.__name__.rpartition(".")[2] not in DIALECT_NEUTRAL:
                item.add_marker(pytest.mark.pg)


def pytest_report_header(config):
    return f"zwgk database: {make_url(PG_URL).render_as_string(hide_password=True) if PG_URL else 'SQLite'}"


# --------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------


def _national_only() -> list[str]:
    return []


@pytest.fixture(scope="session")
def _templates(tmp_path_factory):
    """SQLite template files: migrated, and migrated + national data."""
    if PG_URL:
        return None
    root = tmp_path_factory.mktemp("templates")
    empty = root / "migrated.sqlite"
    db = Database(f"sqlite:///{empty}")
    db.upgrade()
    db.dispose()
    loaded = root / "national.sqlite"
    shutil.copy(empty, loaded)
    db = Database(f"sqlite:///{loaded}")
    apply(db, get_plugin_manager(_national_only()))
    db.dispose()
    return {"migrated": empty, "national": loaded}


REGIONS = ["zhejiang", "shandong", "daoxian"]


def _apply_regions(url: str) -> None:
    from zwgk.workcalendar import seed_from_library

    db = Database(url)
    apply(db, get_plugin_manager(REGIONS))
    with db.session() as session:
        seed_from_library(session)
    db.dispose()


# PostgreSQL: three template databases built once per session (migrated; + national data;
# + the regional plugins and calendar), and for each test a database cloned from one of them
# with CREATE DATABASE … TEMPLATE — a file copy, far cheaper than applying the data again.

def _pg_admin():
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT")


def _pg_url_for(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _pg_create(admin, name: str, template: str | None = None) -> str:
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    return _pg_url_for(name)


@pytest.fixture(scope="session")
def _pg_templates():
    if not PG_URL:
        yield None
        return
    admin = _pg_admin()
    prefix = f"zwgk_tpl_{os.getpid()}"
    names = {"migrated": f"{prefix}_m", "national": f"{prefix}_n", "regions": f"{prefix}_r"}
    db = Database(_pg_create(admin, names["migrated"]))
    db.upgrade()
    db.dispose()
    db = Database(_pg_create(admin, names["national"], names["migrated"]))
    apply(db, get_plugin_manager(_national_only()))
    db.dispose()
    url = _pg_create(admin, names["regions"], names["national"])
    _apply_regions(url)
    yield names
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _pg_clone(templates: dict[str, str], which: str):
    admin = _pg_admin()
    name = f"zwgk_t_{uuid.uuid4().hex[:12]}"
    yield _pg_create(admin, name, templates[which])
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def db_url(tmp_path, _templates, _pg_templates) -> str:
    """A migrated, empty database."""
    if PG_URL:
        yield from _pg_clone(_pg_templates, "migrated")
        return
    path = tmp_path / "zwgk.sqlite"
    shutil.copy(_templates["migrated"], path)
    yield f"sqlite:///{path}"


@pytest.fixture
def loaded_db_url(tmp_path, _templates, _pg_templates) -> str:
    """A migrated database with the national data applied."""
    if PG_URL:
        yield from _pg_clone(_pg_templates, "national")
        return
    path = tmp_path / "zwgk.sqlite"
    shutil.copy(_templates["national"], path)
    yield f"sqlite:///{path}"


@pytest.fixture(scope="session")
def _regions_template(_templates, tmp_path_factory):
    if PG_URL:
        return None
    path = tmp_path_factory.mktemp("templates") / "regions.sqlite"
    shutil.copy(_templates["national"], path)
    _apply_regions(f"sqlite:///{path}")
    return path


@pytest.fixture
def regions_db_url(tmp_path, _regions_template, _pg_templates) -> str:
    """National data, the three built-in plugins and the calendar, applied."""
    if PG_URL:
        yield from _pg_clone(_pg_templates, "regions")
        return
    path = tmp_path / "zwgk.sqlite"
    shutil.copy(_regions_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def empty_db_url(tmp_path) -> str:
    """A database with no tables at all (for the migrations themselves)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture
def db(loaded_db_url):
    database = Database(loaded_db_url)
    yield database
    database.dispose()


# --------------------------------------------------------------------------
# App
# --------------------------------------------------------------------------


@pytest.fixture
def make_app(tmp_path):
    apps = []

    def make(url: str, plugins: str | None = "none", **config):
        app = create_app({"TESTING": True, "DATABASE_URL": url, "PLUGINS": plugins,
                          "SECRET_KEY": "test", **config})
        app.instance_path = str(tmp_path / "instance")
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["zwgk.db"].dispose()


@pytest.fixture
def app(make_app, loaded_db_url):
    """The app on a database with the national data; no regional plugins unless a test asks."""
    return make_app(loaded_db_url)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def run_cli():
    """Run ``zwgk ARGS`` against an app, as the console script would."""
    from zwgk.cli import main

    def run(app, *args: str, input: str | None = None):
        return app.test_cli_runner().invoke(main, list(args), input=input, catch_exceptions=False)

    return run


@pytest.fixture
def national():
    return NATIONAL


@pytest.fixture
def data_dir() -> Path:
    return Path(__file__).parent / "data"
