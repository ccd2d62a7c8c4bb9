"""What the test fixtures do to keep CI fast gives each test what the slow way gave it
(tests/conftest.py): URL builders compiled on first use build the same URLs, and a worker's
PostgreSQL database put back after a test holds exactly what a fresh clone of its template holds."""

import threading

import pytest
from sqlalchemy import create_engine, text
from werkzeug.routing.converters import FloatConverter, NumberConverter, PathConverter, UUIDConverter
from werkzeug.routing.rules import Rule

from . import conftest
from .conftest import PG_URL


def _sample(rule):
    values = {}
    for name in rule.arguments:
        converter = rule._converters.get(name)
        if isinstance(converter, FloatConverter):
            values[name] = 1.5
        elif isinstance(converter, NumberConverter):
            values[name] = 7
        elif isinstance(converter, UUIDConverter):
            values[name] = "00000000-0000-0000-0000-000000000001"
        elif isinstance(converter, PathConverter):
            values[name] = "a/b c"
        else:
            values[name] = "名 x"
    return values


def test_lazy_url_builders_build_what_the_eager_ones_build(make_app, regions_db_url):
    assert getattr(Rule._compile_builder, "zwgk_lazy", False)  # the fixtures' change is in force
    eager = Rule._compile_builder.eager
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 300
    for rule in rules:
        values = _sample(rule)
        for append_unknown in (False, True):
            extra = {"q": "查 询", "page": 2} if append_unknown else {}
            expected = eager(rule, append_unknown).__get__(rule, None)(**values, **extra)
            assert rule.build({**values, **extra}, append_unknown=append_unknown) == expected, rule.rule
    with app.test_request_context():
        from flask import url_for

        assert url_for("static", filename="a.css") == "/static/a.css"


# --------------------------------------------------------------------------
# PostgreSQL: a worker's clone, put back after each test
# --------------------------------------------------------------------------

pg = pytest.mark.pg


def _state(url):
    """Every table's rows in physical order, and where every sequence would go on."""
    engine = create_engine(url)
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        cur = raw.cursor()
        tables = [t for (t,) in cur.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
            " ORDER BY relname")]
        rows = {}
        for table in tables:
            data = bytearray()
            with cur.copy(f'COPY "{table}" TO STDOUT (FORMAT binary)') as copy:
                for chunk in copy:
                    data += chunk
            rows[table] = bytes(data)
        sequences = dict(cur.execute(
            "SELECT sequencename, coalesce(last_value, 0) FROM pg_sequences WHERE schemaname = 'public'"))
        columns = cur.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public'").fetchone()[0]
    engine.dispose()
    return rows, sequences, columns


@pytest.fixture
def slot(_pg_templates):
    if not PG_URL:
        pytest.skip("needs ZWGK_TEST_DATABASE_URL (PostgreSQL); CI's PostgreSQL phase runs it")
    slot = conftest._PgSlot(_pg_templates["admin"], _pg_templates["names"]["national"])
    yield slot
    slot.drop()


def _write(url, *statements):
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


@pg
def test_writes_are_put_back_to_the_template_state(slot):
    fresh = _state(slot.url)
    assert sum(len(r) for r in fresh[0].values()) > 0 and fresh[1]
    _write(slot.url,
           "INSERT INTO catalog_item (unit_id, domain_id, level1, channels, audience_public, audience_specific,"
           " method_active, method_on_request, levels, stages, status, is_example, version)"
           " SELECT min(u.id), min(d.id), '新事项', '[]', false, false, false, false, '[]', '[]', 'draft', false, 1"
           " FROM admin_unit u, domain d",
           "UPDATE domain SET name = name || '改' WHERE id = (SELECT min(id) FROM domain)",
           "DELETE FROM domain_alias WHERE id = (SELECT max(id) FROM domain_alias)",
           "SELECT nextval('account_id_seq')")
    changed = _state(slot.url)
    assert changed[0]["catalog_item"] != fresh[0]["catalog_item"] and changed[0]["domain"] != fresh[0]["domain"]
    assert changed[0]["domain_alias"] != fresh[0]["domain_alias"] and changed[1] != fresh[1]
    slot.reset()
    assert _state(slot.url) == fresh


@pg
def test_a_rolled_back_write_and_a_read_leave_nothing_to_put_back(slot):
    engine = create_engine(slot.url)
    with engine.connect() as conn:
        conn.execute(text("UPDATE domain SET name = name || 'x'"))
        conn.rollback()
        assert conn.execute(text("SELECT count(*) FROM domain")).scalar() > 0
    engine.dispose()
    assert slot._changed(slot.conn.cursor()) == (False, set())
    _write(slot.url, "UPDATE domain SET name = name")  # same values, new row versions: still a write
    assert slot._changed(slot.conn.cursor()) == (False, {"domain"})


@pg
def test_a_schema_change_gets_a_fresh_clone(slot):
    fresh = _state(slot.url)
    _write(slot.url, "ALTER TABLE domain ADD COLUMN extra integer", "CREATE INDEX ix_x ON standard (id)")
    assert slot._changed(slot.conn.cursor())[0]
    slot.reset()
    assert _state(slot.url) == fresh
    engine = create_engine(slot.url)
    with engine.connect() as conn:
        assert not conn.execute(text("SELECT 1 FROM pg_indexes WHERE indexname = 'ix_x'")).all()
    engine.dispose()


@pg
def test_a_connection_left_in_a_transaction_gets_a_fresh_clone(slot):
    fresh = _state(slot.url)
    _write(slot.url, "DELETE FROM domain_alias")
    engine = create_engine(slot.url)
    conn = engine.connect()
    conn.execute(text("SELECT count(*) FROM domain"))  # holds a lock TRUNCATE has to wait for
    done = threading.Event()
    threading.Thread(target=lambda: (slot.reset(), done.set()), daemon=True).start()
    assert done.wait(60)  # the lock wait gives up after seconds; the clone is made again
    assert _state(slot.url) == fresh
    conn.invalidate()  # its server process was ended with the old clone
    engine.dispose()


# --------------------------------------------------------------------------
# Templates compiled once per test process; set-up accounts hashed once per password
# --------------------------------------------------------------------------


def test_templates_from_the_shared_cache_are_the_code_a_fresh_environment_compiles(make_app, regions_db_url):
    import flask

    create = flask.Flask.create_jinja_environment
    assert getattr(create, "zwgk_shared", False)  # the fixtures' change is in force
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")
    client = app.test_client()
    for url in ("/", "/login", "/search?q=教育"):
        assert client.get(url).status_code == 200
    env = app.jinja_env
    assert env.bytecode_cache is create.cache
    # what the cache holds is the code this environment compiles from the source, template by template
    loaded = [name for name in env.list_templates() if name.endswith(".html")]
    compared = 0
    for name in loaded:
        source, filename, _ = env.loader.get_source(env, name)
        bucket = create.cache.get_bucket(env, name, filename, source)
        if bucket.code is None:
            continue  # not rendered in this process yet
        assert bucket.code == env.compile(source, name, filename), name
        compared += 1
    assert compared >= 3
    # a second app finds them compiled: no template of these pages is compiled again
    other = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")
    compiled = []
    real = other.jinja_env.compile
    other.jinja_env.compile = lambda *a, **k: compiled.append(a[1] if len(a) > 1 else k.get("name")) or real(*a, **k)
    for url in ("/", "/login", "/search?q=教育"):
        assert other.test_client().get(url).status_code == 200
    assert compiled == []


def test_set_up_accounts_share_a_real_hash_and_others_get_their_own(admin_app_for_hashes):
    from werkzeug.security import check_password_hash

    from zwgk import accounts
    from zwgk import models as m

    from .admin_helpers import PASSWORD, ROLES, login

    with admin_app_for_hashes.extensions["zwgk.db"].session() as session:
        hashes = {u.username: u.password_hash for u in session.query(m.User)}
        assert set(hashes) == set(ROLES) and len(set(hashes.values())) == 1
        stored = next(iter(hashes.values()))
        assert stored.startswith("scrypt:") and check_password_hash(stored, PASSWORD)
        assert not check_password_hash(stored, PASSWORD + "x")
        accounts.create_user(session, "own_salt", PASSWORD, "viewer", "湖南省/永州市/道县")
        session.flush()
        own = session.query(m.User).filter_by(username="own_salt").one().password_hash
        assert own != stored and check_password_hash(own, PASSWORD)
    for name in ROLES:
        assert login(admin_app_for_hashes.test_client(), name).status_code == 302, name
    assert login(admin_app_for_hashes.test_client(), "dx_admin", "wrong").status_code == 401


@pytest.fixture
def admin_app_for_hashes(make_app, regions_db_url):
    from .admin_helpers import seed

    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_LOGIN_RATE="1000 per minute")
    seed(app)
    return app
