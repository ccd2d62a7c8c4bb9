"""The Flask application factory."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from . import db as dbmod
from .plugin_manager import get_plugin_manager, installed_entry_points, parse_enabled


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


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app; configuration comes from ``test_config`` or the environment.

    ``ZWGK_DATABASE_URL`` (default: a SQLite file under ``instance/``),
    ``ZWGK_PLUGINS`` (default: every installed plugin), ``ZWGK_SECRET_KEY``.
    """
    app = Flask(__name__, instance_path=os.environ.get("ZWGK_INSTANCE_PATH") or None,
                instance_relative_config=True)
    instance = Path(app.instance_path)
    config = test_config or {}
    app.config.from_mapping(
        DATABASE_URL=os.environ.get("ZWGK_DATABASE_URL") or f"sqlite:///{instance / 'zwgk.sqlite'}",
        PLUGINS=os.environ.get("ZWGK_PLUGINS"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        JSON_AS_ASCII=False,
    )
    app.config.update(config)
    if "SECRET_KEY" not in config:
        app.config["SECRET_KEY"] = _secret_key(instance)
    if app.config["DATABASE_URL"].startswith("sqlite:///") and not app.config["DATABASE_URL"].startswith("sqlite:///:"):
        Path(app.config["DATABASE_URL"][len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    app.json.ensure_ascii = False
    app.json.sort_keys = False  # keep the schema's field order

    dbmod.init_app(app)
    enabled = parse_enabled(app.config["PLUGINS"], installed_entry_points())
    app.extensions["zwgk.pm"] = get_plugin_manager(enabled)

    from . import public

    public.init_app(app)
    return app


def get_pm(app: Flask | None = None):
    from flask import current_app

    return (app or current_app).extensions["zwgk.pm"]
