"""The Flask application factory."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from . import catalog_history as _catalog_history  # noqa: F401  (every session records catalog versions)
from . import db as dbmod
from .models import load_all
from .plugin_manager import get_plugin_manager, get_pm, installed_entry_points, parse_enabled  # noqa: F401

load_all()  # the app serves every table (the admin lists them all); a catalog import needs fewer


def _secret_key(instance: Path) -> str:
    """``ZWGK_SECRET_KEY``, else a random key kept in the instance folder (shared by all processes)."""
    if os.environ.get("ZWGK_SECRET_KEY"):
        return os.environ["ZWGK_SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class _IdConverter(IntegerConverter):
    """``<int:…>`` in every route: at most the largest 32-bit integer, which every id column holds."""

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def create_app(test_config: dict[str, Any] | None = None, *, web: bool = True) -> Flask:
    """Build the app; configuration comes from ``test_config`` or the environment.
    ``web=False``: the database and the plugins only, no pages (commands that need nothing
    else start faster: ``zwgk.cli.LIGHT_COMMANDS``).

    ``ZWGK_DATABASE_URL`` (default: a SQLite file under ``instance/``),
    ``ZWGK_PLUGINS`` (default: every installed plugin), ``ZWGK_SECRET_KEY``.
    """
    app = Flask(__name__, instance_path=os.environ.get("ZWGK_INSTANCE_PATH") or None,
                instance_relative_config=True)
    app.url_map.converters["int"] = _IdConverter  # <int:id> beyond any id column is a 404, not a database error
    instance = Path(app.instance_path)
    config = test_config or {}
    from .settings import DEFAULTS, from_environment

    app.config.from_mapping(
        DATABASE_URL=f"sqlite:///{instance / 'zwgk.sqlite'}",
        PLUGINS=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        JSON_AS_ASCII=False,
        **DEFAULTS,
    )
    app.config.update(from_environment())  # every documented setting (core/settings.py)
    app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)
    _sqlite_folder(app.config["DATABASE_URL"])
    app.json.ensure_ascii = False
    app.json.sort_keys = False  # keep the schema's field order

    app.register_error_handler(413, _too_large)
    dbmod.init_app(app)
    enabled = parse_enabled(app.config["PLUGINS"], installed_entry_points())
    app.extensions["zwgk.pm"] = get_plugin_manager(enabled)
    if not web:
        return app
    from .importjobs import ImportJobs

    app.extensions["zwgk.import_jobs"] = ImportJobs()

    from . import auth, documents_web, public
    from .admin import init_app as init_admin

    _init_babel(app)
    public.init_app(app)
    from .participation import public as participation_public  # issue 16

    participation_public.init_app(app)
    documents_web.init_app(app)
    auth.init_app(app)
    from . import foi  # issue 17: 依申请公开

    foi.init_app(app)
    init_admin(app)
    from .evaluation import public as evaluation_public  # issue 15: 通报

    evaluation_public.init_app(app)
    from . import pages

    pages.init_app(app)
    app.after_request(_security_headers)
    return app


#: sent with every answer.  No script-restricting Content-Security-Policy: Flask-Admin's own
#: templates confirm deletes with inline onclick handlers, which such a policy would silently
#: switch off (a delete without its confirmation); framing, sniffing and referrers are closed.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'; object-src 'none'; base-uri 'self'",
    "Referrer-Policy": "same-origin",
}


def _security_headers(response):
    from flask import request

    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.path.startswith(("/admin", "/login")):  # nothing of the admin kept by a shared cache
        response.headers["Cache-Control"] = "no-store"
    return response


def _sqlite_folder(url: str) -> None:
    """Create the folder of a SQLite file, read from the URL as SQLAlchemy reads it: percent-decoded
    (sqlite:////tmp/a%20b/x.db is in "/tmp/a b", not "/tmp/a%20b") and without its query string."""
    if not url.startswith("sqlite"):
        return
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    path = parsed.database
    if parsed.get_backend_name() != "sqlite" or not path or path.startswith(":") or path.startswith("file:"):
        return  # in memory, or a sqlite3 URI (uri=true) whose file part SQLite itself reads
    Path(path).parent.mkdir(parents=True, exist_ok=True)


def _too_large(exc):
    """A body over ``MAX_CONTENT_LENGTH`` (werkzeug refuses it from its Content-Length, before
    reading it): said in words, as JSON to the import page's script."""
    from flask import current_app, jsonify, request

    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    message = f"请求过大（上限 {limit // (1024 * 1024)} MB）request too large (limit {limit} bytes)"
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return jsonify(errors={"file": [message]}), 413
    from werkzeug.exceptions import RequestEntityTooLarge

    from .pages import _error_page

    return _error_page(RequestEntityTooLarge(), text=message)


LANGUAGES = ("zh_Hans_CN", "en")


def _init_babel(app: Flask) -> None:
    """Chinese first: zh_Hans_CN (the locale Flask-Admin's catalogue uses), English by switch or setting."""
    from flask import has_request_context, session
    from flask_babel import Babel
    from flask_wtf.csrf import generate_csrf

    app.config.setdefault("ZWGK_LANGUAGE", "zh_Hans_CN")
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["ZWGK_LANGUAGE"]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(__file__).parent / "translations")

    def locale() -> str:
        if not has_request_context():  # e.g. building views inside a CLI command
            return app.config["ZWGK_LANGUAGE"]
        chosen = session.get("lang")
        if chosen in LANGUAGES:
            return chosen
        from flask import request

        if request.path.startswith("/api/"):
            # an API client has no language switch: it says its language as HTTP does (Accept-Language),
            # by primary tag in its order of preference (zh-TW before en is Chinese), q=0 meaning "not"
            for value, quality in request.accept_languages:  # highest quality first
                tag = value.replace("_", "-").split("-")[0].lower()
                if quality > 0 and tag in ("zh", "en"):
                    return "en" if tag == "en" else "zh_Hans_CN"
        return app.config["ZWGK_LANGUAGE"]

    Babel(app, locale_selector=locale)

    def here() -> str:
        """This page's path, with its query string only when there is one (for ?next=)."""
        from flask import request

        return request.full_path if request.query_string else request.path

    app.jinja_env.globals["here"] = here
    app.extensions["zwgk.here"] = here
    # not "csrf_token": Flask-Admin would add it to its own forms beside SecureForm's token
    app.jinja_env.globals["zwgk_csrf_token"] = generate_csrf
