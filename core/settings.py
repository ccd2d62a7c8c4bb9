"""Settings read from the environment: every one the README and docs document, in one table.

``create_app`` copies each variable that is set into ``app.config`` (a test's own config wins);
``tests/test_settings.py`` sets each one and checks that it takes effect, and fails when the
documentation names a setting that is not here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not a yes/no value: {text!r}")


def _days(text: str) -> int:
    number = int(text.strip())
    if number <= 0:
        raise ValueError(f"not a positive number of days: {text!r}")
    return number


def _count(text: str) -> int:
    number = int(text.strip())
    if number <= 0:
        raise ValueError(f"not a positive number: {text!r}")
    return number


def _bytes(text: str) -> int:
    """A size: bytes, or with K / M / G (binary multiples)."""
    value = text.strip().upper().removesuffix("B")
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(value[-1:], 1)
    number = int(value[:-1] if scale > 1 else value)
    if number <= 0:
        raise ValueError(f"not a positive size: {text!r}")
    return number * scale


@dataclass(frozen=True)
class Setting:
    env: str  # the environment variable
    config: str  # the app.config key it sets
    parse: Callable[[str], Any] = str
    doc: str = ""


SETTINGS: tuple[Setting, ...] = (
    Setting("ZWGK_DATABASE_URL", "DATABASE_URL", doc="SQLAlchemy URL; default a SQLite file under instance/"),
    Setting("ZWGK_PLUGINS", "PLUGINS", doc="enabled plugins: all (default), none, or a comma list"),
    Setting("ZWGK_SECRET_KEY", "SECRET_KEY", doc="signs sessions; default a random key kept in instance/secret_key"),
    Setting("ZWGK_LANGUAGE", "ZWGK_LANGUAGE", doc="the interface's default language: zh_Hans_CN or en"),
    Setting("ZWGK_LOGIN_RATE", "ZWGK_LOGIN_RATE", doc="login POSTs allowed per address, e.g. '10 per minute'"),
    Setting("ZWGK_RATELIMIT_STORAGE", "RATELIMIT_STORAGE_URI",
            doc="where the login limit is counted: memory:// (one process) or redis://host:6379 (shared)"),
    Setting("SESSION_COOKIE_SECURE", "SESSION_COOKIE_SECURE", _bool, doc="send the session cookie over HTTPS only"),
    Setting("ZWGK_SESSION_COOKIE_SECURE", "SESSION_COOKIE_SECURE", _bool, doc="the same, by its zwgk name"),
    Setting("ZWGK_MAX_CONTENT_LENGTH", "MAX_CONTENT_LENGTH", _bytes,
            doc="the largest request body (default 21 MiB: a 20 MB catalog and its form)"),
    Setting("ZWGK_SQLITE_BUSY_TIMEOUT", "SQLITE_BUSY_TIMEOUT", float,
            doc="seconds a SQLite writer waits for another's lock (default 30)"),
    Setting("ZWGK_FEEDBACK_RATE", "ZWGK_FEEDBACK_RATE",
            doc="public feedback POSTs allowed per address (default '5 per minute;30 per day')"),
    Setting("ZWGK_REQUEST_RATE", "ZWGK_REQUEST_RATE",
            doc="依申请公开 form POSTs allowed per address (default '20 per minute')"),
    Setting("ZWGK_CONTACT_RETENTION_DAYS", "ZWGK_CONTACT_RETENTION_DAYS", _days,
            doc="days feedback contact details are kept where the region sets no period (default 180)"),
    Setting("ZWGK_FOI_RETENTION_DAYS", "ZWGK_FOI_RETENTION_DAYS", _days,
            doc="days applicants' personal data are kept after the request closes (no default)"),
    Setting("ZWGK_REDIS_URL", "ZWGK_REDIS_URL",
            doc="background jobs on an RQ queue on this Redis (run by `zwgk worker`); in-process without it"),
    Setting("ZWGK_IMPORT_MAX_FILE_SIZE", "ZWGK_IMPORT_MAX_FILE_SIZE", _bytes,
            doc="the largest catalog file an import reads (default 20M; an upload is also held to ZWGK_MAX_CONTENT_LENGTH)"),
    Setting("ZWGK_IMPORT_MAX_UNZIPPED", "ZWGK_IMPORT_MAX_UNZIPPED", _bytes,
            doc="the largest uncompressed size of an .xlsx/.docx an import opens (default 200M)"),
    Setting("ZWGK_IMPORT_MAX_ROWS", "ZWGK_IMPORT_MAX_ROWS", _count,
            doc="the most rows a sheet of an imported catalog may have (default 200000)"),
    Setting("ZWGK_SMTP_HOST", "ZWGK_SMTP_HOST", doc="digest mail server; mail is off without it"),
    Setting("ZWGK_SMTP_PORT", "ZWGK_SMTP_PORT", int),
    Setting("ZWGK_SMTP_USER", "ZWGK_SMTP_USER"),
    Setting("ZWGK_SMTP_PASSWORD", "ZWGK_SMTP_PASSWORD"),
    Setting("ZWGK_SMTP_FROM", "ZWGK_SMTP_FROM"),
    Setting("ZWGK_SMTP_STARTTLS", "ZWGK_SMTP_STARTTLS", _bool),
)

#: read outside create_app: the instance folder is needed before the app exists
#: (``ZWGK_INSTANCE_PATH``), and the tests' own database and Redis (``ZWGK_TEST_DATABASE_URL``,
#: ``ZWGK_TEST_JOBS_REDIS_URL``)
OTHER_VARIABLES = ("ZWGK_INSTANCE_PATH", "ZWGK_TEST_DATABASE_URL", "ZWGK_TEST_JOBS_REDIS_URL")

DEFAULTS: dict[str, Any] = {
    "MAX_CONTENT_LENGTH": 21 * 1024 * 1024,
    "SQLITE_BUSY_TIMEOUT": 30.0,
    "ZWGK_LOGIN_RATE": "10 per minute",
    "RATELIMIT_STORAGE_URI": "memory://",
    "ZWGK_FEEDBACK_RATE": "5 per minute;30 per day",
    "ZWGK_REQUEST_RATE": "20 per minute",
}


def from_environment(environ: Any = None) -> dict[str, Any]:
    """The config values the environment sets (a malformed value is an error naming the variable)."""
    environ = os.environ if environ is None else environ
    out: dict[str, Any] = {}
    for setting in SETTINGS:
        text = environ.get(setting.env)
        if text is None or text == "":
            continue
        try:
            out[setting.config] = setting.parse(text)
        except ValueError as exc:
            raise ValueError(f"{setting.env}: {exc}") from exc
    return out
