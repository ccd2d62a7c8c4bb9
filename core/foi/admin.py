"""Admin views of 依申请公开: the requests (list, page with how each deadline was counted, each step
as a form), the annual report, 依申请转主动, and the appeal cases.  Every view is scoped to the
user's unit subtree; applicants' personal data is shown to the handling unit only."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.validators import ValidationError

from .. import models as m
from ..db import get_db
from ..scope import unit_keys_in_scope
from ..unitpath import under
from ..workcalendar import WorkCalendar
from . import deadlines, privacy, proactive, report as rp, service, words
from .models import (REPLY_CHOICES,
                     REPLY_TYPES, STEP_KINDS, AppealCase, InfoRequest)

ACTORS = frozenset({"system_admin", "region_admin", "editor"})


def _today() -> dt.date:
    return service.beijing_day(dt.datetime.now(dt.timezone.utc))


def _csrf() -> None:
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        abort(400)


#: the fields of the step forms, as the page names them (errors name the field in the page's language)
FIELDS = {"on": _l("Date"), "received_on": _l("Received on"), "notified_on": _l("Applicant told on"),
          "days": _l("Working days"), "domain_id": _l("Domain")}
#: each step form's action, named as the step it records
ACTIONS = {"confirm": "received", "correction": "correction_requested", "correction_received": "correction_received",
           "lapse": "lapsed", "consult": "consultation_sent", "consult_returned": "consultation_returned",
           "extend": "extension", "reply": "replied", "withdraw": "withdrawn"}


def _field(name: str) -> str:
    return str(FIELDS.get(name, name))


def _date(name: str, required: bool = True) -> dt.date | None:
    value = (request.form.get(name) or "").strip()
    if not value:
        if required:
            raise service.FoiError(gettext("%(field)s: required (YYYY-MM-DD).", field=_field(name)))
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise service.FoiError(gettext("%(field)s: not a date: %(value)s", field=_field(name),
                                       value=repr(value))) from None
    # every date on these forms is a day something happened: a later one is a typo, and one near
    # the calendar's end made the request page, the dashboard and ``zwgk due`` fail (date overflow)
    if day > _today():
        raise service.FoiError(gettext("%(field)s: %(day)s is after today (Beijing time) and cannot be registered.",
                                       field=_field(name), day=day.isoformat()))
    return day


def _int(name: str) -> int:
    value = (request.form.get(name) or "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        raise service.FoiError(gettext("%(field)s: not a whole number: %(value)s", field=_field(name),
                                       value=repr(value)))
    return int(value)


def _scoped(q):
    if current_user.is_system_admin:
        return q
    path = current_user.unit_path or "\0"
    return q.join(m.AdminUnit, InfoRequest.unit).where(under(m.AdminUnit.key, path))


class _Base(BaseView):
    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def inaccessible_callback(self, name: str, **kwargs: Any):
        return redirect(url_for("auth.login", next=current_app.extensions["zwgk.here"]()))

    @staticmethod
    def can_act(unit_path: str) -> bool:
        return current_user.role in ACTORS and current_user.covers(unit_path)


class RequestsView(_Base):
    """政府信息公开申请: list, registration by staff, the request page and its steps."""

    @expose("/")
    def index(self):
        session = get_db().scoped()
        status = request.args.get("status") or "open"
        q = _scoped(select(InfoRequest)).options(selectinload(InfoRequest.steps), selectinload(InfoRequest.unit))
        if status == "open":
            q = q.where(InfoRequest.closed_on.is_(None))
        elif status == "closed":
            q = q.where(InfoRequest.closed_on.isnot(None))
        rows = list(session.scalars(q.order_by(InfoRequest.id.desc()).limit(500)))
        cal, today = WorkCalendar.load(session), _today()
        listed = [(r, deadlines.compute(r, cal, today)) for r in rows]
        return self.render("foi/admin_list.html", listed=listed, status=status, today=today,
                           may_see=lambda r: privacy.may_see_personal(current_user, r), channels=words.CHANNELS,
                           w=words)

    @expose("/new", methods=("GET", "POST"))
    def new(self):
        session = get_db().scoped()
        units = [u for u in unit_keys_in_scope(session, current_user)]
        if current_user.role not in ACTORS:
            abort(403)
        form = request.form
        if request.method == "POST":
            _csrf()
            try:
                if form.get("unit") not in units:
                    raise service.FoiError(gettext("Handling unit: outside your region."))
                req, secret = service.register(
                    session, unit=form["unit"], channel=form.get("channel", ""), actor=current_user.username,
                    description=form.get("description", ""), applicant_name=form.get("applicant_name"),
                    applicant_kind=form.get("applicant_kind", "person"),
                    applicant_id_number=form.get("applicant_id_number") or None,
                    applicant_contact=form.get("applicant_contact"), applicant_address=form.get("applicant_address"),
                    topic=form.get("topic"), received_on=_date("received_on", required=False))
                session.commit()
            except service.FoiError as exc:
                session.rollback()
                flash(str(exc), "error")
            else:
                flash(gettext("Registered: %(number)s, query code: %(code)s (shown once only: tell the applicant)",
                              number=req.tracking_no, code=secret), "success")
                return redirect(url_for(".detail", id=req.id))
        return self.render("foi/admin_new.html", units=units, channels=words.CHANNELS, kinds=words.APPLICANT_KINDS,
                           form=form)

    def _get(self, session, id: int) -> InfoRequest:
        req = session.scalar(_scoped(select(InfoRequest)).where(InfoRequest.id == id))
        if req is None:
            abort(404)
        return req

    @expose("/<int:id>")
    def detail(self, id: int):
        session = get_db().scoped()
        req = self._get(session, id)
        try:
            today = dt.date.fromisoformat(request.args["today"]) if request.args.get("today") else _today()
        except ValueError:
            abort(400)
        dl = deadlines.compute(req, WorkCalendar.load(session), today)
        domains = session.scalars(select(m.Domain).order_by(m.Domain.position)).all()
        return self.render("foi/admin_detail.html", req=req, dl=dl, today=today, steps=words.STEP_KINDS, w=words,
                           personal=privacy.may_see_personal(current_user, req), can_act=self.can_act(req.unit.key),
                           reply_types=REPLY_TYPES, reply_choices=REPLY_CHOICES, parties=words.CONSULT_PARTIES,
                           channels=words.CHANNELS, kinds=words.APPLICANT_KINDS, remedies=service.REMEDIES_TEMPLATE,
                           domains=domains, submitted=service.in_beijing(req.submitted_at).strftime("%Y-%m-%d %H:%M"))

    @expose("/<int:id>/act", methods=("POST",))
    def act(self, id: int):
        _csrf()
        session = get_db().scoped()
        req = self._get(session, id)
        if not self.can_act(req.unit.key):
            abort(403)
        who, f = current_user.username, request.form
        action = f.get("action")
        cal = WorkCalendar.load(session)
        try:
            if action == "confirm":
                service.confirm(session, req, _date("on"), who)
            elif action == "correction":
                service.request_correction(session, req, _date("on"), _int("days"), f.get("note", ""), who)
            elif action == "correction_received":
                service.receive_correction(session, req, _date("on"), who, cal)
            elif action == "lapse":
                service.lapse(session, req, _date("on"), who, cal)
            elif action == "consult":
                service.consult(session, req, _date("on"), f.get("party", ""), who, f.get("note") or None)
            elif action == "consult_returned":
                service.consultation_returned(session, req, _date("on"), who, f.get("note") or None)
            elif action == "extend":
                service.extend(session, req, _date("on"), _int("days"), f.get("approved_by", ""),
                               _date("notified_on", required=False), who, f.get("note") or None, cal)
            elif action == "reply":
                upload = request.files.get("document")
                document = (upload.filename, upload.read()) if upload and upload.filename else None
                service.reply(session, req, _date("on"), f.get("reply_type", ""), who, f.get("text") or None,
                              f.get("reason"), f.get("remedies"), document)
            elif action == "withdraw":
                service.withdraw(session, req, _date("on"), who, f.get("note") or None)
            elif action == "classify":
                domain = _int("domain_id") if f.get("domain_id") else None
                if domain is not None and session.get(m.Domain, domain) is None:
                    raise service.FoiError(gettext("Domain: no domain %(id)s.", id=domain))
                topic = (f.get("topic") or "").strip() or None
                if topic and len(topic) > 300:
                    raise service.FoiError(gettext("Information asked for: at most 300 characters."))
                req.topic, req.domain_id = topic, domain
            else:
                abort(400)
            session.commit()
            step = words.STEP_KINDS[ACTIONS[action]] if action in ACTIONS else \
                gettext("Information asked for and domain (for proactive disclosure)")
            flash(gettext("Saved: %(step)s", step=step), "success")
        except service.FoiError as exc:
            session.rollback()
            flash(str(exc), "error")
        return redirect(url_for(".detail", id=id))

    @expose("/<int:id>/document")
    def document(self, id: int):
        session = get_db().scoped()
        req = self._get(session, id)
        if not privacy.may_see_personal(current_user, req) or req.reply_document is None:
            abort(404)
        return Response(req.reply_document, mimetype="application/octet-stream",
                        headers={"Content-Disposition": "attachment; filename*=UTF-8''"
                                 + _quote(req.reply_document_name or "reply")})


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


class ReportView(_Base):
    """政府信息公开工作年度报告: printable HTML, .xlsx, and the records behind each figure."""

    def _args(self, session):
        units = unit_keys_in_scope(session, current_user)
        unit = request.values.get("unit") or (current_user.unit_path if current_user.unit_path in units else None)
        if unit is not None and unit not in units:
            abort(404)
        try:
            year = int(request.values.get("year") or _today().year - 1)
        except ValueError:
            abort(400)
        if not 1990 <= year <= 2100:  # the range rp.build accepts
            abort(400)
        return units, unit, year

    def link(self, unit: str, year: int):
        return lambda key: url_for(".records", unit=unit, year=year, cell=key, _external=True)

    @expose("/", methods=("GET", "POST"))
    def index(self):
        session = get_db().scoped()
        units, unit, year = self._args(session)
        rep = None
        if unit:
            rep = rp.build(session, unit, year)
            if request.method == "POST":
                _csrf()
                if not self.can_act(unit):
                    abort(403)
                for section in rp.NARRATIVES:
                    rp.save_text(session, rep.unit, year, section, request.form.get(section, ""))
                session.commit()
                flash(gettext("Saved."), "success")
                return redirect(url_for(".index", unit=unit, year=year))
        return self.render("foi/report.html", rep=rep, rp=rp, w=words, units=units, unit=unit, year=year,
                           link=self.link(unit, year) if unit else None, printable=request.args.get("print") == "1",
                           can_edit=bool(unit) and self.can_act(unit))

    @expose("/xlsx")
    def xlsx(self):
        session = get_db().scoped()
        _units, unit, year = self._args(session)
        if not unit:
            abort(400)
        rep = rp.build(session, unit, year)
        buf = io.BytesIO()
        rp.write_xlsx(rep, buf, self.link(unit, year))
        name = _quote(f"{rep.unit.name}{year}年政府信息公开工作年度报告.xlsx")
        return Response(buf.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})

    @expose("/records")
    def records(self):
        session = get_db().scoped()
        _units, unit, year = self._args(session)
        if not unit:
            abort(400)
        rep = rp.build(session, unit, year)
        try:
            cell = rep.cell(request.args.get("cell", ""))
        except (KeyError, ValueError, AttributeError):
            abort(404)
        model = {"info_request": InfoRequest, "catalog_item": m.CatalogItem,
                 "publication_record": m.PublicationRecord, "info_appeal_case": AppealCase}[cell.kind]
        rows = list(session.scalars(select(model).where(model.id.in_(cell.ids)).order_by(model.id))) if cell.ids else []
        found = {r.id for r in rows}
        missing = [i for i in cell.ids if i not in found]  # e.g. a catalog item deleted since
        return self.render("foi/report_records.html", rep=rep, cell=cell, key=request.args["cell"], rows=rows,
                           missing=missing, unit=unit, year=year, steps=STEP_KINDS, reply_types=words.REPLY_TYPES,
                           appeal_kinds=words.APPEAL_KINDS, outcomes=words.APPEAL_OUTCOMES)


class ProactiveView(_Base):
    """依申请转主动: information asked for n times or more, each with one action that drafts a catalog item."""

    def _args(self):
        today = _today()
        try:
            start = dt.date.fromisoformat(request.values.get("from") or f"{today.year}-01-01")
            end = dt.date.fromisoformat(request.values.get("to") or today.isoformat())
            n = int(request.values.get("n") or 3)
        except ValueError:
            abort(400)
        return start, end, n

    def _region(self):
        return None if current_user.is_system_admin else (current_user.unit_path or "\0")

    @expose("/")
    def index(self):
        session = get_db().scoped()
        start, end, n = self._args()
        error, rows = None, []
        try:
            rows = proactive.frequent(session, self._region(), start, end, n)
        except ValueError as exc:
            error = str(exc)
        return self.render("foi/proactive.html", rows=rows, start=start, end=end, n=n, error=error,
                           can_act=self.can_act)

    @expose("/draft", methods=("GET", "POST"))
    def draft(self):
        session = get_db().scoped()
        start, end, n = self._args()
        unit, topic = request.values.get("unit", ""), request.values.get("topic", "")
        if not self.can_act(unit):
            abort(403)
        found = [t for t in proactive.frequent(session, self._region(), start, end, n)
                 if t.unit == unit and t.topic == topic]
        if not found:
            abort(404)
        unit_obj = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == unit))
        fields = proactive.proposal(found[0], unit_obj)
        problems = []
        if request.method == "POST":
            _csrf()
            fields = {k: request.form.get(k, "") for k in ("domain", "level1", "content", "basis", "time_limit",
                                                           "subject", "channels")}
            fields.update({k: bool(request.form.get(k)) for k in ("method_active", "audience_public")})
            session.info["reason"] = f"依申请转主动 from {found[0].count} requests"
            item, problems = proactive.draft_item(session, current_app.extensions["zwgk.pm"], self._region(), start,
                                                  end, n, unit, topic, fields, current_user.username)
            if item is not None:
                session.commit()
                flash(gettext("Catalog item #%(id)s drafted (a draft until it is reviewed).", id=item.id), "success")
                return redirect(url_for("catalog_item.details_view", id=item.id))
            session.rollback()
        return self.render("foi/proactive_draft.html", t=found[0], fields=fields, problems=problems, start=start,
                           end=end, n=n)


def appeal_view(session):
    from ..admin.views import ScopedModelView

    class AppealView(ScopedModelView):
        """政府信息公开行政复议、行政诉讼: entered by staff, counted in the annual report."""

        column_list = ("unit", "kind", "filed_on", "outcome", "decided_on", "note")
        form_columns = ("unit", "kind", "filed_on", "outcome", "decided_on", "note")
        form_choices = {"kind": list(words.APPEAL_KINDS.items()), "outcome": list(words.APPEAL_OUTCOMES.items())}
        column_formatters = {"kind": lambda v, c, mo, n: str(words.APPEAL_KINDS.get(mo.kind, mo.kind)),
                             "outcome": lambda v, c, mo, n: str(words.APPEAL_OUTCOMES.get(mo.outcome, mo.outcome))}
        column_labels = {"unit": _l("Unit"), "kind": _l("Kind"), "filed_on": _l("Filed on"),
                         "outcome": _l("Outcome"), "decided_on": _l("Decided on"), "note": _l("Note")}

        def _scoped(self, query):
            if current_user.is_system_admin:
                return query
            path = current_user.unit_path or "\0"
            units = select(m.AdminUnit.id).where(under(m.AdminUnit.key, path))
            return query.filter(AppealCase.unit_id.in_(units))

    return AppealView(AppealCase, session, name=_l("Appeals and lawsuits"), category=_l("Requests for disclosure"),
                      endpoint="info_appeal_case")


def add_views(admin, session) -> None:
    """Called by ``zwgk.admin.init_app``."""
    cat = _l("Requests for disclosure")
    admin.add_view(RequestsView(name=_l("Requests"), endpoint="foi_requests", category=cat))
    admin.add_view(ReportView(name=_l("Annual report"), endpoint="foi_report", category=cat))
    admin.add_view(ProactiveView(name=_l("Requested often"), endpoint="foi_proactive", category=cat))
    admin.add_view(appeal_view(session))


__all__ = ["add_views"]
