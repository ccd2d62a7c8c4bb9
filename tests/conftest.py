"""Fixtures: a fresh app and database per test, on SQLite or on the PostgreSQL named by
``ZWGK_TEST_DATABASE_URL``.

SQLite: template files (migrated; + national data; + regional plugins) made once per
session and copied for each test.  PostgreSQL: the same three as template databases; each
worker clones each once (CREATE DATABASE … TEMPLATE) and puts its clone back to the template's
state after every test (see _PgSlot); tests of the migrations themselves get a schema of their
own.
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


def _lazy_url_builders() -> None:
    """Compile each URL rule's builder when a URL is first built from it, not when the rule is added.

    Werkzeug compiles two Python functions per rule as it is added; the app has hundreds of rules
    (Flask-Admin's views), so that was half of every create_app — and nearly every test makes an
    app.  The builder is the same function, made from the same rule, only later; a test that
    builds a URL runs it (test_ci_speed checks the URLs against the eager builders)."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    if getattr(compile_builder, "zwgk_lazy", False):
        return

    def lazy(self, append_unknown: bool = True):
        name = "_build_unknown" if append_unknown else "_build"

        def build(rule, *args, **kwargs):
            real = compile_builder(rule, append_unknown).__get__(rule, None)
            setattr(rule, name, real)
            return real(*args, **kwargs)

        return build

    lazy.zwgk_lazy = True
    lazy.eager = compile_builder
    Rule._compile_builder = lazy


_lazy_url_builders()


def _shared_template_bytecode() -> None:
    """Every app of a test process keeps its templates' compiled code in one in-memory cache.

    Each test makes a new app, and each app a new Jinja environment that parsed and compiled every
    template it rendered again (~10 ms a template, a page renders a dozen).  Jinja's own bytecode
    cache keeps the code by template name and file and reloads it only while the source's
    checksum is unchanged; every app of the suite comes from create_app, so their environments
    (extensions, autoescape, newstyle gettext) compile a template to the same code.  Rendering is
    unchanged: the same code runs with each app's own globals, filters and translations."""
    import flask
    from jinja2.bccache import BytecodeCache

    if getattr(flask.Flask.create_jinja_environment, "zwgk_shared", False):
        return

    class InMemory(BytecodeCache):
        def __init__(self) -> None:
            self.code: dict[str, bytes] = {}

        def load_bytecode(self, bucket) -> None:
            if bucket.key in self.code:
                bucket.bytecode_from_string(self.code[bucket.key])

        def dump_bytecode(self, bucket) -> None:
            self.code[bucket.key] = bucket.bytecode_to_string()

    cache = InMemory()
    create = flask.Flask.create_jinja_environment

    def create_jinja_environment(self):
        env = create(self)
        env.bytecode_cache = cache
        return env

    create_jinja_environment.zwgk_shared = True
    create_jinja_environment.cache = cache
    flask.Flask.create_jinja_environment = create_jinja_environment


_shared_template_bytecode()

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
# + the regional plugins and calendar).  Each worker clones each template once
# (CREATE DATABASE … TEMPLATE) and, after every test, puts its clone back to the template's
# state instead of dropping it and cloning again: on PostgreSQL 15 every DROP DATABASE (and a
# FILE_COPY clone) waits for a checkpoint, seconds on a busy disk; finding what a test changed
# takes tens of milliseconds, and a test that changed nothing costs no more (docs/benchmarks.md).  See _PgSlot for why the reset gives each test what a fresh clone would.

def _pg_admin():
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT")


def _pg_url_for(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _pg_create(admin, name: str, template: str | None = None) -> str:
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    return _pg_url_for(name)


def _pg_drop(admin, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# Catalogues whose rows say what schema a database has: a test that changes the schema (a
# migration down and up, a temporary table) adds, removes or rewrites rows in them.
_CATALOGS = ("pg_class", "pg_attribute", "pg_attrdef", "pg_constraint", "pg_index", "pg_trigger",
             "pg_proc", "pg_type", "pg_namespace", "pg_sequence", "pg_rewrite", "pg_extension",
             "pg_enum", "pg_depend")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _PgSlot:
    """A worker's clone of one template database, put back after each test.

    The snapshot taken right after cloning holds every table's rows (COPY … binary), every
    sequence's position and the row counts of the schema catalogues, and a marker: the next
    transaction id.  After a test, a table was changed exactly when one of its visible rows was
    written after the marker (an insert or update gives the row a newer xmin) or its row count
    differs (a delete); rolled-back writes leave neither.  Changed tables and the tables that
    reference them (TRUNCATE must take those along) are emptied and refilled from the snapshot
    in their original order, and every sequence is set back (nextval is not transactional).
    A schema change shows the same way in the catalogues; then, or if the reset cannot take its
    locks within seconds (a connection left in a transaction), the clone is dropped and made
    again — the old way, which is always right.
    """

    def __init__(self, admin, template: str):
        self.admin, self.template = admin, template
        self.name = f"zwgk_w_{uuid.uuid4().hex[:12]}"
        self.url = _pg_url_for(self.name)
        self.conn = None
        self._clone()

    def _connect(self):
        import psycopg

        conninfo = make_url(self.url).set(drivername="postgresql").render_as_string(hide_password=False)
        return psycopg.connect(conninfo, autocommit=True)

    def _clone(self) -> None:
        if self.conn is not None:
            self.conn.close()
        _pg_create(self.admin, self.name, self.template)
        self.conn = self._connect()
        cur = self.conn.cursor()
        self.tables = cur.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
            " ORDER BY relname").fetchall()
        self.tables = [name for (name,) in self.tables]
        self.rows, self.counts = {}, {}
        for table in self.tables:
            data = bytearray()
            with cur.copy(f"COPY {_quote(table)} TO STDOUT (FORMAT binary)") as copy:
                for chunk in copy:
                    data += chunk
            self.rows[table] = bytes(data)
            self.counts[table] = cur.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()[0]
        referencing: dict[str, set[str]] = {t: set() for t in self.tables}
        for child, parent in cur.execute(
                "SELECT c.relname, p.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
                " JOIN pg_class p ON p.oid = k.confrelid WHERE k.contype = 'f'"
                " AND c.relnamespace = 'public'::regnamespace"):
            referencing.setdefault(parent, set()).add(child)
        self.referencing = referencing
        sequences = cur.execute(
            "SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences"
            " WHERE schemaname = 'public' ORDER BY 1").fetchall()
        positions = [cur.execute(f"SELECT last_value, is_called FROM {seq}").fetchone() + (seq,)
                     for (seq,) in sequences]
        self.setval = ("SELECT " + ", ".join(
            f"setval('{seq}', {value}, {'true' if called else 'false'})" for value, called, seq in positions)
            if positions else None)
        self.catalog_counts = self._catalog_counts(cur)
        self._mark(cur)

    @staticmethod
    def _catalog_counts(cur) -> tuple:
        return cur.execute("SELECT " + ", ".join(
            f"(SELECT count(*) FROM pg_catalog.{c})" for c in _CATALOGS)).fetchone()

    def _mark(self, cur) -> None:
        self.marker = cur.execute(
            "SELECT (pg_snapshot_xmax(pg_current_snapshot())::text::bigint % 4294967296)::text").fetchone()[0]

    def _changed(self, cur) -> tuple[bool, set[str]]:
        newer = f"coalesce(bool_or(age(xmin) <= age('{self.marker}'::xid)), false)"
        schema = " UNION ALL ".join(
            f"SELECT '{c}', count(*), {newer} FROM pg_catalog.{c}" for c in _CATALOGS)
        rows = cur.execute(schema).fetchall()
        if tuple(n for _, n, _ in rows) != tuple(self.catalog_counts) or any(new for _, _, new in rows):
            return True, set()
        data = " UNION ALL ".join(
            f"SELECT '{t}', count(*), {newer} FROM {_quote(t)}" for t in self.tables)
        return False, {t for t, n, new in cur.execute(data) if new or n != self.counts[t]}

    def reset(self) -> None:
        try:
            cur = self.conn.cursor()
            schema_changed, changed = self._changed(cur)
            if schema_changed:
                raise LookupError("the schema changed")
            if changed:
                closure, todo = set(), list(changed)
                while todo:
                    table = todo.pop()
                    if table not in closure:
                        closure.add(table)
                        todo.extend(self.referencing.get(table, ()))
                with self.conn.transaction():
                    cur.execute("SET LOCAL lock_timeout = '5s'")
                    cur.execute("SET LOCAL synchronous_commit = off")  # a lost reset is a lost test database
                    cur.execute("SET LOCAL session_replication_role = replica")  # no FK checks on the refill
                    cur.execute("TRUNCATE " + ", ".join(_quote(t) for t in sorted(closure)))
                    for table in sorted(closure):
                        if self.counts[table]:
                            with cur.copy(f"COPY {_quote(table)} FROM STDIN (FORMAT binary)") as copy:
                                copy.write(self.rows[table])
            if self.setval:
                cur.execute(self.setval)
            self.catalog_counts = self._catalog_counts(cur)
            self._mark(cur)
        except Exception:  # noqa: BLE001 - any doubt: a fresh clone
            self._clone()

    def drop(self) -> None:
        if self.conn is not None:
            self.conn.close()
        _pg_drop(self.admin, self.name)


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
    slots: dict[str, _PgSlot] = {}
    yield {"admin": admin, "names": names, "slots": slots}
    for slot in slots.values():
        slot.drop()
    for name in names.values():
        _pg_drop(admin, name)
    admin.dispose()


def _pg_clone(templates, which: str):
    slots = templates["slots"]
    if which not in slots:
        slots[which] = _PgSlot(templates["admin"], templates["names"][which])
    slot = slots[which]
    yield slot.url
    slot.reset()


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


CHROMIUM = os.environ.get("ZWGK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium through Playwright, started once per worker: each test opens its own pages
    (a page from ``new_page`` has a context of its own: no cookies or storage shared)."""
    require(shutil.which(CHROMIUM) is not None or Path(CHROMIUM).exists(),
            f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "playwright is not installed (pip install -e '.[test]')")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def national():
    return NATIONAL


@pytest.fixture
def data_dir() -> Path:
    return Path(__file__).parent / "data"
