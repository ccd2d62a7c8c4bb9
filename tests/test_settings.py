"""Issue 10, failure 6: every setting the documentation names is read from the environment,
and each one takes effect."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from zwgk.app import create_app
from zwgk.settings import OTHER_VARIABLES, SETTINGS

from .admin_helpers import PASSWORD, login
from .conftest import require

ROOT = Path(__file__).parent.parent


def _app(monkeypatch, tmp_path, url, **env):
    """An app configured by the environment alone (no test config but TESTING)."""
    monkeypatch.setenv("ZWGK_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("ZWGK_DATABASE_URL", url)
    monkeypatch.setenv("ZWGK_PLUGINS", "none")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    app = create_app({"TESTING": True})
    return app


@pytest.fixture
def env_app(monkeypatch, tmp_path, loaded_db_url):
    apps = []

    def make(**env):
        app = _app(monkeypatch, tmp_path, loaded_db_url, **env)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["zwgk.db"].dispose()


def _ip() -> str:
    """A client address of its own: rate-limit counts of other tests (or runs) do not meet it."""
    n = uuid.uuid4().int
    return f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250 + 1}"


def _logins(app, n, ip):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return [login(client, "nobody", "wrong password").status_code for _ in range(n)]


def check_database_url(env_app, loaded_db_url):
    app = env_app()
    assert app.extensions["zwgk.db"].url == loaded_db_url


def check_plugins(env_app, loaded_db_url):
    app = env_app(ZWGK_PLUGINS="zhejiang")
    names = {name for name, _ in app.extensions["zwgk.pm"].list_name_plugin()}
    assert "zhejiang" in names and "daoxian" not in names


def check_secret_key(env_app, loaded_db_url):
    assert env_app(ZWGK_SECRET_KEY="from-the-environment").secret_key == "from-the-environment"


def check_language(env_app, loaded_db_url):
    page = env_app(ZWGK_LANGUAGE="en").test_client().get("/login").get_data(as_text=True)
    assert "Log in" in page and "登录" not in page


def check_login_rate(env_app, loaded_db_url):
    codes = _logins(env_app(ZWGK_LOGIN_RATE="2 per minute"), 3, _ip())
    assert codes == [401, 401, 429]


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def check_ratelimit_storage(env_app, loaded_db_url):
    """Two processes share the login limit through Redis: 2 attempts in another process, then this
    one refuses the third."""
    require(_redis_up(), "Redis at 127.0.0.1:6379")
    ip = _ip()
    app = env_app(ZWGK_LOGIN_RATE="2 per minute")  # sets the environment the other process starts with
    script = f"""
import os, sys
sys.path.insert(0, {str(ROOT)!r})
from zwgk.app import create_app
from tests.admin_helpers import login
app = create_app({{"TESTING": True}})
client = app.test_client()
client.environ_base["REMOTE_ADDR"] = {ip!r}
print([login(client, "nobody", "wrong password").status_code for _ in range(2)])
"""
    import os

    env = {**os.environ}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[401, 401]"
    assert _logins(app, 1, ip) == [429]


def check_session_cookie_secure(env_app, loaded_db_url, name="SESSION_COOKIE_SECURE"):
    from zwgk import accounts

    app = env_app(**{name: "true"})
    with app.extensions["zwgk.db"].session() as session:
        accounts.create_user(session, "sys", PASSWORD, "system_admin")
    answer = login(app.test_client(), "sys", PASSWORD)
    assert answer.status_code == 302 and "Secure" in answer.headers["Set-Cookie"]


def check_zwgk_session_cookie_secure(env_app, loaded_db_url):
    check_session_cookie_secure(env_app, loaded_db_url, "ZWGK_SESSION_COOKIE_SECURE")


def check_max_content_length(env_app, loaded_db_url):
    client = env_app(ZWGK_MAX_CONTENT_LENGTH="1K").test_client()
    assert client.post("/login", data={"username": "x" * 4000, "password": "y"}).status_code == 413
    assert client.post("/login", data={"username": "x", "password": "y"}).status_code != 413


def check_sqlite_busy_timeout(env_app, loaded_db_url):
    from sqlalchemy import text

    app = env_app(ZWGK_SQLITE_BUSY_TIMEOUT="2.5")
    assert app.config["SQLITE_BUSY_TIMEOUT"] == 2.5
    engine = app.extensions["zwgk.db"].engine
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 2500
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def check_smtp(env_app, loaded_db_url):
    from zwgk.mail import smtp_settings

    app = env_app(ZWGK_SMTP_HOST="mail.example.gov.cn", ZWGK_SMTP_PORT="2525", ZWGK_SMTP_USER="u",
                  ZWGK_SMTP_PASSWORD="p", ZWGK_SMTP_FROM="gk@example.gov.cn", ZWGK_SMTP_STARTTLS="no")
    assert smtp_settings(app.config) == {"host": "mail.example.gov.cn", "port": 2525, "user": "u", "password": "p",
                                         "sender": "gk@example.gov.cn", "starttls": False}


def _posts(app, path, n):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = _ip()
    return [client.post(path, data={"useful": "yes"}).status_code for _ in range(n)]


def check_feedback_rate(env_app, loaded_db_url):
    codes = _posts(env_app(ZWGK_FEEDBACK_RATE="1 per minute"), "/feedback/湖南省", 2)
    assert codes[0] != 429 and codes[1] == 429, codes


def check_request_rate(env_app, loaded_db_url):
    codes = _posts(env_app(ZWGK_REQUEST_RATE="1 per minute"), "/requests/new", 2)
    assert codes[0] != 429 and codes[1] == 429, codes


def check_redis_url(env_app, loaded_db_url):
    from zwgk.jobs import InProcessJobs, RQJobs, get_jobs

    url = os.environ.get("ZWGK_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
    assert isinstance(get_jobs(env_app()), InProcessJobs)
    assert isinstance(get_jobs(env_app(ZWGK_REDIS_URL=url)), RQJobs)


def check_import_limits(env_app, loaded_db_url):
    import tempfile

    import openpyxl

    from zwgk.catalog_readers import CatalogFileError, read_sheets

    tmp_path = Path(tempfile.mkdtemp())

    rows = ["一级事项,二级事项,公开内容", *(f"事项{i},子项{i},内容{i}" for i in range(5))]
    csv_file = tmp_path / "five.csv"
    csv_file.write_text("\n".join(rows), encoding="utf-8")
    xlsx = tmp_path / "one.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["一级事项"])
    wb.save(xlsx)
    json_file = tmp_path / "four.json"  # four records holding eight {: the limit counts records
    json_file.write_text(json.dumps([{"level1": f"事项{i}", "x": {"y": "{"}} for i in range(4)]), encoding="utf-8")
    with env_app().app_context():  # the defaults read all three
        assert len(read_sheets(csv_file)[0].rows) >= 5
        read_sheets(xlsx)
        assert len(read_sheets(json_file)[0].rows) == 4
    with env_app(ZWGK_IMPORT_MAX_ROWS="4").app_context():
        assert len(read_sheets(json_file)[0].rows) == 4
    with env_app(ZWGK_IMPORT_MAX_ROWS="3").app_context():
        with pytest.raises(CatalogFileError, match="行数过多.*> 3"):
            read_sheets(csv_file)
        with pytest.raises(CatalogFileError, match=r"行数过多.*\(4 > 3\)"):
            read_sheets(json_file)
    with env_app(ZWGK_IMPORT_MAX_FILE_SIZE="64").app_context():
        with pytest.raises(CatalogFileError, match="文件过大.*> 64"):
            read_sheets(csv_file)
        with pytest.raises(CatalogFileError, match="文件过大.*> 64"):
            read_sheets(json_file)
    with env_app(ZWGK_IMPORT_MAX_UNZIPPED="1K", ZWGK_IMPORT_MAX_FILE_SIZE="20M").app_context():
        with pytest.raises(CatalogFileError, match="解压后过大.*exceeds 1024"):
            read_sheets(xlsx)
    with pytest.raises(ValueError, match="ZWGK_IMPORT_MAX_ROWS"):
        env_app(ZWGK_IMPORT_MAX_ROWS="0")


def check_contact_retention_days(env_app, loaded_db_url):
    from zwgk.participation import service

    used = []
    app = env_app(ZWGK_CONTACT_RETENTION_DAYS="33")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(service, "purge_contacts", lambda session, now, days: used.append(days) or 0)
        from zwgk.participation.cli import purge

        result = app.test_cli_runner().invoke(purge, [])
    assert result.exit_code == 0, result.output
    assert used == [33]


def check_foi_retention_days(env_app, loaded_db_url):
    app = env_app(ZWGK_FOI_RETENTION_DAYS="44")
    from zwgk.foi.cli import purge_command

    result = app.test_cli_runner().invoke(purge_command, ["--dry-run", "--today", "2020-01-01"])
    assert result.exit_code == 0, result.output
    assert "办结满 44 天" in result.output


CHECKS = {
    "ZWGK_DATABASE_URL": check_database_url,
    "ZWGK_PLUGINS": check_plugins,
    "ZWGK_SECRET_KEY": check_secret_key,
    "ZWGK_LANGUAGE": check_language,
    "ZWGK_LOGIN_RATE": check_login_rate,
    "ZWGK_RATELIMIT_STORAGE": check_ratelimit_storage,
    "SESSION_COOKIE_SECURE": check_session_cookie_secure,
    "ZWGK_SESSION_COOKIE_SECURE": check_zwgk_session_cookie_secure,
    "ZWGK_MAX_CONTENT_LENGTH": check_max_content_length,
    "ZWGK_SQLITE_BUSY_TIMEOUT": check_sqlite_busy_timeout,
    "ZWGK_FEEDBACK_RATE": check_feedback_rate,
    "ZWGK_REQUEST_RATE": check_request_rate,
    "ZWGK_CONTACT_RETENTION_DAYS": check_contact_retention_days,
    "ZWGK_FOI_RETENTION_DAYS": check_foi_retention_days,
    "ZWGK_REDIS_URL": check_redis_url,
    **{f"ZWGK_IMPORT_MAX_{k}": check_import_limits for k in ("FILE_SIZE", "UNZIPPED", "ROWS")},
    **{f"ZWGK_SMTP_{k}": check_smtp for k in ("HOST", "PORT", "USER", "PASSWORD", "FROM", "STARTTLS")},
}


@pytest.mark.parametrize("name", sorted({s.env for s in SETTINGS} - {"ZWGK_SMTP_PORT", "ZWGK_SMTP_USER",
                                                                     "ZWGK_SMTP_PASSWORD", "ZWGK_SMTP_FROM",
                                                                     "ZWGK_SMTP_STARTTLS"}))
def test_6_each_setting_is_read_from_the_environment_and_takes_effect(name, env_app, loaded_db_url, monkeypatch):
    if name == "ZWGK_RATELIMIT_STORAGE":
        monkeypatch.setenv(name, "redis://127.0.0.1:6379")
    CHECKS[name](env_app, loaded_db_url)


def test_6_every_documented_setting_is_read_and_tested():
    documented = set()
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        documented |= set(re.findall(r"\b(?:ZWGK_[A-Z_]+[A-Z]|SESSION_COOKIE_SECURE)\b", doc.read_text("utf-8")))
    documented -= {"ZWGK_SMTP_"}  # "ZWGK_SMTP_PORT, _USER, …" in prose
    read = {s.env for s in SETTINGS}
    assert documented - read - set(OTHER_VARIABLES) == set()
    assert read == set(CHECKS)


def test_6_a_malformed_setting_is_an_error_naming_it(monkeypatch, tmp_path):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "perhaps")
    with pytest.raises(ValueError, match="SESSION_COOKIE_SECURE"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite"})


def test_6_defaults_bound_request_bodies():
    from zwgk.catalog_io import MAX_FILE_BYTES
    from zwgk.settings import DEFAULTS

    assert MAX_FILE_BYTES < DEFAULTS["MAX_CONTENT_LENGTH"] <= MAX_FILE_BYTES + 2 * 1024 * 1024


@pytest.mark.parametrize("name, made", [("a%20b/x.sqlite", "a b"), ("c%2Fd/x.sqlite?timeout=5", "c/d"),
                                        ("e%25f/x.sqlite", "e%f")])
def test_a_sqlite_folder_is_made_where_sqlalchemy_puts_the_file(tmp_path, name, made):
    """create_app made the folder from the undecoded URL: /tmp/a%20b/ while SQLAlchemy wrote /tmp/a b/x.sqlite."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path}/{name}"})
    assert (tmp_path / made).is_dir()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "instance") == [made.split("/")[0]]
    with app.app_context():
        from sqlalchemy import text

        from zwgk.db import get_db

        with get_db().session() as s:
            s.execute(text("select 1"))
    assert (tmp_path / made / "x.sqlite").is_file()
