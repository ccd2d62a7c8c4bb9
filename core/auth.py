"""Login, logout, roles and scope (Flask-Login; passwords hashed by werkzeug)."""

from __future__ import annotations

import re

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from . import accounts
from .db import get_db
from .models import User

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
#: Flask-Limiter, for views that decorate with ``@limiter.limit`` (its storage is the last app's
#: ``RATELIMIT_STORAGE_URI``); the login's own limit is per app (``_rate_limited``)
limiter = Limiter(get_remote_address, default_limits=[])

#: what each role may do with the records inside its scope
PERMISSIONS: dict[str, set[str]] = {
    "system_admin": {"list", "view", "create", "edit", "delete", "export", "publish", "review", "manage_users",
                     "reference"},
    "region_admin": {"list", "view", "create", "edit", "delete", "export", "publish"},
    "editor": {"list", "view", "create", "edit", "export"},
    "reviewer": {"list", "view", "export", "review"},
    "viewer": {"list", "view", "export"},
    "assessor": {"assess"},  # 评估机构: its engagements' units only (zwgk.evaluation.assessment)
}


class Account:
    """The logged-in user as Flask-Login sees it (a snapshot, not a live ORM row)."""

    is_active = True
    is_anonymous = False
    is_authenticated = True

    def __init__(self, user: User):
        self.id = user.id
        self.generation = user.session_generation or 0
        self.username = user.username
        self.role = user.role
        self.unit_path = user.unit.key if user.unit else None
        self.department = user.department

    def get_id(self) -> str:
        # what the session cookie carries: the account and its session generation, which logout
        # (and a new password) moves on, so that a copied cookie stops working
        return f"{self.id}:{self.generation}"

    def can(self, action: str) -> bool:
        return action in PERMISSIONS.get(self.role, set())

    @property
    def is_system_admin(self) -> bool:
        return self.role == "system_admin"

    def covers(self, path: str | None) -> bool:
        """Is a record whose unit path is ``path`` inside this user's scope?"""
        if self.is_system_admin:
            return True
        if not path or not self.unit_path:
            return False
        return path == self.unit_path or path.startswith(self.unit_path + "/")


@login_manager.user_loader
def _load(user_id: str) -> Account | None:
    try:
        uid, generation = (int(part) for part in user_id.split(":"))
    except (ValueError, AttributeError):
        return None  # a cookie from before generations, or a forged one
    user = get_db().scoped().get(User, uid)
    if user is None or not user.active or (user.session_generation or 0) != generation:
        return None
    return Account(user)


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


def _safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, else the admin's start page.

    Judged as a browser reads it: browsers drop tabs and line breaks from a URL and read ``\\`` as
    ``/``, so ``/\t/evil.example`` and ``/\\evil.example`` mean ``//evil.example`` — another host.
    Any control character refuses the target (a CR/LF would also break the header)."""
    fallback = url_for("admin.index")
    if not target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return fallback
    path = target.replace("\\", "/")
    if not path.startswith("/") or path.startswith("//"):
        return fallback
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        return fallback
    return path


def _rate_limited() -> Any:
    """The login limit per address (``ZWGK_LOGIN_RATE``), counted in ``ZWGK_RATELIMIT_STORAGE``:
    memory for one process, Redis when several serve (they must share the count)."""
    from limits import parse

    limiter = current_app.extensions["zwgk.login_limiter"]  # a FallbackLimiter
    rate = parse(current_app.config.get("ZWGK_LOGIN_RATE") or "10 per minute")
    address = request.remote_addr or "?"
    if limiter.hit(rate, "zwgk-login", address):
        return None
    reset = limiter.get_window_stats(rate, "zwgk-login", address).reset_time
    import time

    retry = max(1, int(reset - time.time()) + 1)
    body = render_template("auth/login.html", form=LoginForm(), too_many=True)
    return body, 429, {"Retry-After": str(retry)}


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        refused = _rate_limited()
        if refused is not None:
            return refused
    form = LoginForm()
    if form.validate_on_submit():
        db_session = get_db().scoped()
        name = form.username.data or ""
        # a name with a control character is nobody's (PostgreSQL refuses a NUL in a query: a 500)
        user = None if _CONTROL.search(name) else db_session.scalar(select(User).where(User.username == name))
        if user is None:
            accounts.verify_nobody(form.password.data)  # as slow as a wrong password: no user list by timing
        elif accounts.verify(user, form.password.data):
            lang = session.get("lang")
            session.clear()  # a fresh session on login: no fixation (the chosen language is kept)
            if lang:
                session["lang"] = lang
            login_user(Account(user))
            return redirect(_safe_next(request.args.get("next")))
        flash(_l("Wrong username or password."), "error")
    return render_template("auth/login.html", form=form), (401 if form.is_submitted() else 200)


@bp.post("/logout")
@login_required
def logout():
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        abort(400)
    db_session = get_db().scoped()
    user = db_session.get(User, current_user.id)
    if user is not None:  # every cookie of this account issued so far stops working
        accounts.revoke_sessions(user)
        db_session.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:  # the language chosen stays; nothing of the account does
        session["lang"] = lang
    return redirect(url_for("auth.login"))


@bp.get("/lang/<code>")
def set_language(code: str):
    if code not in ("zh_Hans_CN", "en"):
        abort(404)
    session["lang"] = code
    return redirect(_safe_next(request.args.get("next")))


def init_app(app: Any) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in.")
    from limits.storage import storage_from_string
    from limits.strategies import MovingWindowRateLimiter

    # one limiter per app (not per module: a second app in the process would take over its storage)
    uri = app.config.get("ZWGK_RATELIMIT_STORAGE") or app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    options = _STORAGE_TIMEOUTS if uri.split(":", 1)[0].startswith("redis") else {}
    app.extensions["zwgk.login_limiter"] = FallbackLimiter(
        MovingWindowRateLimiter(storage_from_string(uri, **options)), uri)
    app.config.setdefault("RATELIMIT_STORAGE_URI", uri)
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", options)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # the decorated limits (feedback, 依申请公开 forms): Redis down → counted in this process
    # (Flask-Limiter logs it and tries the storage again with a growing pause)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter.init_app(app)
    app.register_blueprint(bp)


#: a Redis that does not answer costs a login at most this long, not the system's TCP timeout
_STORAGE_TIMEOUTS = {"socket_connect_timeout": 2, "socket_timeout": 2}


class FallbackLimiter:
    """The login limiter: counted in the configured storage (Redis shared between processes);
    when that storage fails, counted in this process instead — logins keep working, each process
    keeps its own limit — with one warning per outage, and the storage is tried again every
    ``retry`` seconds (``docs/security.md``, threat 6)."""

    retry = 30.0

    def __init__(self, primary: Any, uri: str) -> None:
        from limits.storage import MemoryStorage
        from limits.strategies import MovingWindowRateLimiter

        self.primary, self.fallback = primary, MovingWindowRateLimiter(MemoryStorage())
        self.where = _without_password(uri)
        self.down_since: float | None = None  # time.monotonic() of the failure, None: the storage works
        self._tried = 0.0

    def _failures(self) -> tuple[type[BaseException], ...]:
        own = getattr(self.primary.storage, "base_exceptions", ())  # a class or a tuple of them
        return (*(own if isinstance(own, tuple) else (own,)), OSError, TimeoutError)

    def _use_primary(self) -> bool:
        import time

        if self.down_since is None:
            return True
        now = time.monotonic()
        if now - self._tried < self.retry:
            return False
        self._tried = now
        try:
            up = bool(self.primary.storage.check())
        except Exception:  # noqa: BLE001 - a check that fails is a storage still down
            up = False
        if up:
            _log().warning("login rate-limit storage %s answers again: the limit is shared again", self.where)
            self.down_since = None
        return up

    def _call(self, name: str, *args: Any) -> Any:
        import time

        if self._use_primary():
            try:
                return getattr(self.primary, name)(*args)
            except self._failures() as exc:
                self.down_since = self._tried = time.monotonic()
                _log().warning("login rate-limit storage %s does not answer (%s): the login limit is counted "
                               "in each process until it answers again", self.where, exc)
        return getattr(self.fallback, name)(*args)

    def hit(self, rate: Any, *identifiers: str) -> bool:
        return self._call("hit", rate, *identifiers)

    def get_window_stats(self, rate: Any, *identifiers: str) -> Any:
        return self._call("get_window_stats", rate, *identifiers)


def _log() -> Any:
    import logging

    return logging.getLogger("zwgk.auth")


def _without_password(uri: str) -> str:
    """The storage's address for a log line: no password."""
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()
