"""Public, read-only pages and JSON API."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request
from sqlalchemy import func, select

from . import catalog_history, export
from . import models as m
from .app import get_pm
from .db import get_db
from .plugin_manager import describe_plugins

bp = Blueprint("public", __name__)

# Kinds the public may read; history and scores stay inside the admin.
PUBLIC_KINDS = tuple(k for k in export.KINDS if k not in ("changes", "scores"))


@bp.get("/")
def index():
    session = get_db().scoped()
    domains = session.scalars(select(m.Domain).order_by(m.Domain.position)).all()
    pilots = session.scalar(select(func.count()).select_from(m.AdminUnit).where(m.AdminUnit.is_pilot))
    provinces = session.scalars(
        select(m.AdminUnit).where(m.AdminUnit.level == "province").order_by(m.AdminUnit.position)
    ).all()
    editions = {e: sum(e in (d.editions or []) for d in domains) for e in m.EDITIONS}
    return render_template("index.html", domains=domains, pilots=pilots, provinces=provinces, editions=editions,
                           plugins=describe_plugins(get_pm()), kinds=PUBLIC_KINDS)


@bp.get("/api/v1/<kind>")
def api_list(kind: str):
    if kind not in PUBLIC_KINDS:
        abort(404)
    session = get_db().scoped()
    region = request.args.get("region")
    try:
        if kind == "catalog_items":  # the public sees published versions only, never drafts
            path = export.resolve_region(session, get_pm(), region)[0] if region else None
            return jsonify(catalog_history.published(session, path))
        objs = export.query(session, kind, get_pm(), region)
    except export.ExportError as exc:
        return jsonify(message=str(exc)), 400
    return jsonify(export.dump(kind, objs))


@bp.get("/api/v1/catalog_changes")
def api_catalog_changes():
    """公开的目录调整记录: what changed in a unit's catalog between two dates (?region=&from=&to=,
    dates in Beijing time, ``to`` included)."""
    session = get_db().scoped()
    try:
        path = export.resolve_region(session, get_pm(), request.args.get("region", ""))[0]
        start = catalog_history.parse_moment(request.args.get("from"))
        end = catalog_history.parse_moment(request.args.get("to"), end=True)
    except (export.ExportError, ValueError) as exc:
        return jsonify(message=str(exc)), 400
    result = catalog_history.diff(session, path, start, end, published_only=True)
    return jsonify(added=result.added, removed=result.removed, changed=result.changed)


def init_app(app) -> None:
    app.register_blueprint(bp)
