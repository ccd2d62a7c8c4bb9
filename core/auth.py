"""Login, logout, roles and scope (Flask-Login; passwords hashed by werkzeug)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, login_required, login_user, logout_user
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
        self.username = user.username
        self.role = user.role
        self.unit_path = user.unit.key if user.unit else None
        self.department = user.department

    def get_id(self) -> str:
        return str(self.id)

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
    user = get_db().scoped().get(User, int(user_id))
    return Account(user) if user is not None and user.active else None


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


def _safe_next(target: str | None) -> str:
    # only local paths: never redirect to another host after login
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("admin.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config.get("ZWGK_LOGIN_RATE", "10 per minute"), methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        db_session = get_db().scoped()
        user = db_session.scalar(select(User).where(User.username == form.username.data))
        if user is not None and accounts.verify(user, form.password.data):
            session.clear()  # a fresh session on login: no fixation
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
    logout_user()
    session.clear()
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
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("ZWGK_RATELIMIT_STORAGE", "memory://"))
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    app.register_blueprint(bp)
