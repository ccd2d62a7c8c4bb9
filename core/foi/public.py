"""Public pages: apply for disclosure online (依申请公开) and follow a request by its number.

The tracking page opens only with the number *and* the 查询码 given at registration (stored
hashed); both arrive by POST, so neither lands in a URL, a log or a Referer.  It shows the
request's dates, steps, deadline and reply, never a name, an ID number or contact details.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import validate_csrf
from sqlalchemy import select
from wtforms.validators import ValidationError

from .. import models as m
from ..auth import limiter
from ..db import get_db
from ..workcalendar import WorkCalendar
from . import deadlines, service, words
from .models import APPLICANT_KINDS, REPLY_TYPES, STEP_KINDS

bp = Blueprint("foi_public", __name__, url_prefix="/requests")

FIELDS = ("unit", "applicant_kind", "applicant_name", "applicant_id_number", "applicant_contact", "applicant_address",
          "description", "purpose", "delivery")


def _rate() -> str:
    return current_app.config.get("ZWGK_REQUEST_RATE", "20 per minute")


def _units(session) -> list[str]:
    q = select(m.AdminUnit.key).where(m.AdminUnit.level.in_(("county", "township", "city"))).order_by(m.AdminUnit.key)
    return list(session.scalars(q))


def _csrf_ok() -> bool:
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


def _english() -> bool:
    from ..public import _english as english

    return english()


@bp.route("/new", methods=["GET", "POST"])
@limiter.limit(_rate, methods=["POST"])
def apply():
    """政府信息公开申请: the form of 条例第二十九条."""
    session = get_db().scoped()
    form = {f: (request.form.get(f) or "").strip() for f in FIELDS}
    error = None
    if request.method == "POST":
        if not _csrf_ok():
            abort(400)
        try:
            req, secret = service.register(session, channel="online", actor="public", **{
                k: (v or None) if k not in ("unit", "applicant_kind", "description") else v for k, v in form.items()})
            session.commit()
        except service.FoiError as exc:
            session.rollback()
            error = str(exc)
        else:
            return render_template("foi/public_registered.html", req=req, secret=secret,
                                   rule=deadlines.RECEIPT_RULES["online"],
                                   rule_en=deadlines.RECEIPT_RULES_EN["online"].capitalize())
    return render_template("foi/public_apply.html", form=form, units=_units(session),
                           kinds=words.APPLICANT_KINDS if _english() else APPLICANT_KINDS,
                           error=error), (400 if error else 200)


def _found(session):
    return service.find(session, request.form.get("tracking_no", ""), request.form.get("secret", ""))


@bp.route("/track", methods=["GET", "POST"])
@limiter.limit(_rate, methods=["POST"])
def track():
    """申请查询: by number and 查询码, without logging in."""
    if request.method == "GET":
        return render_template("foi/public_track.html", req=None, error=None)
    if not _csrf_ok():
        abort(400)
    session = get_db().scoped()
    req = _found(session)
    if req is None:
        return render_template("foi/public_track.html", req=None,
                               error=gettext("The number or the code is not right.")), 404
    import datetime as dt

    today = service.beijing_day(dt.datetime.now(dt.timezone.utc))
    dl = deadlines.compute(req, WorkCalendar.load(session), today)
    return render_template("foi/public_track.html", req=req, dl=dl, error=None,
                           steps=words.STEP_KINDS if _english() else STEP_KINDS, reply_types=REPLY_TYPES,
                           reply_words=words.REPLY_TYPES, tracking_no=request.form.get("tracking_no"),
                           secret=request.form.get("secret"))


@bp.post("/track/document")
@limiter.limit(_rate)
def document():
    if not _csrf_ok():
        abort(400)
    req = _found(get_db().scoped())
    if req is None or req.reply_document is None:
        abort(404)
    return Response(req.reply_document, mimetype="application/octet-stream", headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(req.reply_document_name or 'reply')}",
        "Cache-Control": "no-store"})


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
