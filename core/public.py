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


def _published_units(session) -> list[str]:
    """Units whose catalogs have something published (the public pages offer these)."""
    rows = session.scalars(select(m.CatalogItemVersion.unit_key).where(
        m.CatalogItemVersion.status == "published").distinct().order_by(m.CatalogItemVersion.unit_key))
    return list(rows)


@bp.get("/catalog")
def catalog_page():
    """公开目录: the published catalog of a unit, searchable — what the public may read."""
    session = get_db().scoped()
    units = _published_units(session)
    region, q = request.args.get("region") or (units[0] if units else ""), (request.args.get("q") or "").strip()
    error, items = None, []
    if region:
        try:
            path = export.resolve_region(session, get_pm(), region)[0]
            items = catalog_history.published(session, path)
        except export.ExportError as exc:
            error = str(exc)
    if q:
        items = [i for i in items if any(q in (i.get(f) or "") for f in ("level1", "level2", "level3", "content",
                                                                        "basis", "subject"))]
    items.sort(key=lambda i: (i["unit"], i["domain"], i.get("seq") or 0, i["level1"]))
    for i in items:  # the day it was published, in Beijing time
        i["published_on"] = catalog_history.in_beijing(i["published_at"])[:10]
    return render_template("public/catalog.html", units=units, region=region, q=q, items=items, error=error)


@bp.get("/catalog/changes")
def changes_page():
    """目录调整记录: what the public saw change in a unit's catalog between two dates."""
    session = get_db().scoped()
    units = _published_units(session)
    region = request.args.get("region") or (units[0] if units else "")
    error, result = None, None
    try:
        start = catalog_history.parse_moment(request.args.get("from"))
        end = catalog_history.parse_moment(request.args.get("to"), end=True)
        if region:
            path = export.resolve_region(session, get_pm(), region)[0]
            result = catalog_history.diff(session, path, start, end, published_only=True)
    except (export.ExportError, ValueError) as exc:
        error = str(exc)
    from .admin.labels import LABELS
    from .catalog_io import shown

    return render_template("public/changes.html", units=units, region=region, args=request.args, result=result,
                           error=error, labels=LABELS, shown=shown)


def init_app(app) -> None:
    app.register_blueprint(bp)
    from . import api

    api.init_app(app)
