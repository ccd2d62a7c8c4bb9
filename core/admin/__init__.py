"""The admin interface: Flask-Admin in Chinese first, behind a login, scoped by region."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, Flask, request
from flask_admin import Admin, AdminIndexView, BaseView, expose
from flask_admin.theme import Bootstrap4Theme
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import String, case, cast, func, select
from sqlalchemy.orm import selectinload

from .. import models as m
from ..catalog import ELEMENT_FIELDS, required_elements
from ..db import get_db
from ..scope import scope_filter
from ..tracking import due_items
from ..unitpath import under
from . import charts
from . import views as v
from ._compat import AdminDB


def _user_path() -> str | None:
    return None if current_user.is_system_admin else (current_user.unit_path or "\0")


def _region_param(session) -> str | None:
    """?region= for a system administrator; everyone else sees their own region."""
    if not current_user.is_system_admin:
        return current_user.unit_path
    return request.args.get("region") or None


class LoginRequired:
    def is_accessible(self) -> bool:
        # an assessor (评估机构, issue 15) reads only its engagements: no page that lists records
        return current_user.is_authenticated and current_user.can("list")

    def inaccessible_callback(self, name: str, **kwargs: Any):
        from flask import abort, redirect, url_for

        if current_user.is_authenticated:
            abort(403)
        return redirect(url_for("auth.login", next=current_app.extensions["zwgk.here"]()))


class DashboardView(LoginRequired, AdminIndexView):
    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    @expose("/")
    def index(self):
        if not current_user.can("list"):  # an assessor lands on its engagements
            from flask import redirect, url_for

            return redirect(url_for("assessments.index"))
        from . import display

        session = get_db().scoped()
        today = display.today_in_beijing()
        path = _user_path()
        due = _unfinished(session, due_items(session, today, 30, None if path is None else path))
        by_region: dict[str, list[Any]] = {}
        for item in sorted(due, key=lambda i: (i.scope != "national", i.scope)):  # stable: by date within
            by_region.setdefault(item.scope, []).append(item)
        # every region gets a few lines, so one region's old pilot cannot push out another's
        summary_page = request.args.get("summary_page", "1")
        summary_page = int(summary_page) if summary_page.isdigit() and 0 < int(summary_page) < 10**6 else 1
        catalog, summary_pages = _catalog_summary(session, path, summary_page)
        return self.render("zwgk/dashboard.html", today=today, catalog=catalog, summary_page=min(summary_page, summary_pages),
                           summary_pages=summary_pages,
                           due=due, due_by_region=by_region,
                           status_names=display.DUE_STATUSES, changes=_recent_changes(session, path),
                           display=display)


def _unfinished(session, items: list[Any]) -> list[Any]:
    """Leave out the milestones and reports of a scope whose pilot programme is finished (结项)."""
    finished = {p.scope.key if p.scope else "national"
                for p in session.scalars(select(m.PilotProgram).where(m.PilotProgram.finished_on.isnot(None))
                                         .options(selectinload(m.PilotProgram.scope)))}
    return [i for i in items if not (i.kind in ("milestone", "report") and i.scope in finished)]


#: rows of the dashboard's unit summary a page
SUMMARY_PAGE = 50


def _catalog_summary(session, path: str | None, page: int = 1) -> tuple[list[dict[str, Any]], int]:
    """Per unit and domain: items, and how complete they are against the unit's required elements;
    one page of :data:`SUMMARY_PAGE` rows (a page past the last shows the last), and how many pages."""
    item = m.CatalogItem
    filled = {code: func.sum(case(*[(getattr(item, f).isnot(None) & (getattr(item, f) != "")
                                     if f in ("level1", "basis", "content", "subject", "time_limit", "category")
                                     else cast(getattr(item, f), String).notin_(["[]", "null"])
                                     if f == "channels" else getattr(item, f).is_(True), 1)
                                    for f in fields], else_=0))
              for code, fields in ELEMENT_FIELDS.items()}
    q = (select(m.AdminUnit.key, m.Domain.name, func.count(item.id), *filled.values())
         .select_from(item).join(m.AdminUnit, item.unit).join(m.Domain, item.domain)
         .group_by(m.AdminUnit.key, m.Domain.name).order_by(m.AdminUnit.key, m.Domain.name))
    if path is not None:
        q = q.where(under(m.AdminUnit.key, path))
    rows = session.scalar(select(func.count()).select_from(q.with_only_columns(m.AdminUnit.key).subquery()))
    pages = max(1, -(-rows // SUMMARY_PAGE))
    page = min(max(page, 1), pages)
    out, required_cache = [], {}
    for unit_key, domain, count, *sums in session.execute(q.offset((page - 1) * SUMMARY_PAGE).limit(SUMMARY_PAGE)):
        if unit_key not in required_cache:
            required_cache[unit_key] = [r.element.code for r in required_elements(session, unit_key)]
        codes = [c for c in required_cache[unit_key] if c in filled]
        by_code = dict(zip(filled, sums))
        done = sum(by_code[c] or 0 for c in codes)
        out.append({"unit": unit_key, "domain": domain, "count": count,
                    "complete": round(100 * done / (count * len(codes))) if codes and count else 100})
    return out, pages


def _recent_changes(session, path: str | None) -> list[m.Change]:
    q = select(m.Change).order_by(m.Change.id.desc()).limit(10)
    if path is not None:
        q = scope_filter(q, "changes", path)
    return list(session.scalars(q))


class StructureView(LoginRequired, BaseView):
    @expose("/")
    def index(self):
        session = get_db().scoped()
        region = _region_param(session)
        regions = [u for u in session.scalars(select(m.AdminUnit).where(m.AdminUnit.id.in_(
            select(m.Standard.scope_id).distinct()))).all()]
        if region is None and regions:
            region = regions[0].key
        q = select(m.Standard).options(selectinload(m.Standard.parent))
        standards = list(session.scalars(scope_filter(q, "standards", region))) if region else []
        unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == region)) if region else None
        title = gettext("%(unit)s standard system of grassroots disclosure", unit=unit.name if unit else region or "")
        return self.render("zwgk/chart.html", title=title, chart=charts.standard_tree(title, standards),
                           regions=regions if current_user.is_system_admin else [], region=region,
                           empty=not standards)


class TimelineView(LoginRequired, BaseView):
    @expose("/")
    def index(self):
        session = get_db().scoped()
        region = _region_param(session)
        regions = list(session.scalars(select(m.AdminUnit).where(m.AdminUnit.id.in_(
            select(m.Schedule.scope_id).distinct()))))
        q = select(m.Schedule).options(selectinload(m.Schedule.phases).selectinload(m.SchedulePhase.milestones))
        if region:
            q = scope_filter(q, "schedules", region)
        elif not current_user.is_system_admin:
            q = q.where(False)
        schedules = list(session.scalars(q))
        from .display import today_in_beijing

        try:
            today = dt.date.fromisoformat(request.args["today"]) if request.args.get("today") else today_in_beijing()
        except ValueError:
            from flask import abort

            abort(400)
        title = gettext("%(region)s schedule timeline", region=region or gettext("All regions"))
        return self.render("zwgk/chart.html", title=title, chart=charts.timeline(schedules, today),
                           regions=regions if current_user.is_system_admin else [], region=region,
                           empty=not schedules, allow_all=True)


MODEL_VIEWS: tuple[tuple[type, type, Any, Any, str], ...] = (
    (v.CatalogItemView, m.CatalogItem, _l("Catalog items"), _l("Catalogs"), "catalog_item"),
    (v.PublicationView, m.PublicationRecord, _l("Publication records"), _l("Catalogs"), "publication_record"),
    (v.StandardView, m.Standard, _l("Standards"), _l("Standard system"), "standard"),
    (v.ResponsibilityView, m.Responsibility, _l("Responsibilities"), _l("Standard system"), "responsibility"),
    (v.RequirementView, m.ElementRequirement, _l("Required elements"), _l("Standard system"), "element_requirement"),
    (v.ScheduleView, m.Schedule, _l("Schedules"), _l("Schedules"), "schedule"),
    (v.PhaseView, m.SchedulePhase, _l("Phases"), _l("Schedules"), "schedule_phase"),
    (v.MilestoneView, m.Milestone, _l("Milestones"), _l("Schedules"), "milestone"),
    (v.ReportView, m.ReportSubmission, _l("Progress reports"), _l("Schedules"), "report_submission"),
    (v.ObligationView, m.Obligation, _l("Obligations"), _l("Schedules"), "obligation"),
    (v.IndicatorView, m.Indicator, _l("Indicators"), _l("Evaluation"), "indicator"),
    (v.ScoreView, m.Score, _l("Scores"), _l("Evaluation"), "score"),
    (v.UnitView, m.AdminUnit, _l("Units"), _l("Units and domains"), "admin_unit"),
    (v.ProgramView, m.PilotProgram, _l("Pilot programmes"), _l("Units and domains"), "pilot_program"),
    (v.DomainView, m.Domain, _l("Domains"), _l("Units and domains"), "domain"),
    (v.AliasView, m.DomainAlias, _l("Domain aliases"), _l("Units and domains"), "domain_alias"),
    (v.SuccessionView, m.DomainSuccession, _l("Domain successions"), _l("Units and domains"), "domain_succession"),
    (v.StageView, m.DisclosureStage, _l("Five disclosures"), _l("Units and domains"), "disclosure_stage"),
    (v.ElementView, m.CatalogElement, _l("Catalog elements"), _l("Units and domains"), "catalog_element"),
    (v.CalendarYearView, m.CalendarYear, _l("Calendar years"), _l("Schedules"), "calendar_year"),
    (v.CalendarDayView, m.CalendarDay, _l("Holidays and make-up days"), _l("Schedules"), "calendar_day"),
    (v.UserView, m.User, _l("Users"), _l("System"), "account"),
    (v.ChangeView, m.Change, _l("Change history"), _l("System"), "change"),
)


def init_app(app: Flask) -> Admin:
    db = get_db(app)
    from pathlib import Path

    admin = Admin(app, name=_l("Government affairs disclosure"), url="/admin",
                  translations_path=str(Path(__file__).parent.parent / "translations"),
                  index_view=DashboardView(name=_l("Dashboard"), url="/admin"),
                  theme=Bootstrap4Theme(base_template="zwgk/admin_base.html", swatch="default", fluid=True))
    admin.add_view(StructureView(name=_l("Standard system tree"), endpoint="structure",
                                 category=_l("Standard system")))
    admin.add_view(TimelineView(name=_l("Schedule timeline"), endpoint="timeline", category=_l("Schedules")))
    from .importview import ImportView

    admin.add_view(ImportView(name=_l("Import a catalog"), endpoint="catalog_import", category=_l("Catalogs")))
    from .diffview import CatalogDiffView

    admin.add_view(CatalogDiffView(name=_l("Compare versions"), endpoint="catalog_diff", category=_l("Catalogs")))
    from ..evaluation.admin import add_views as add_evaluation_views  # issue 15

    add_evaluation_views(admin)
    from .documentsview import DocumentsView

    admin.add_view(DocumentsView(name=_l("Policy documents"), endpoint="policy_documents", category=_l("Standard system")))
    from .jobsview import JobsView  # issue 14: every job's progress

    admin.add_view(JobsView(name=_l("Background jobs"), endpoint="jobs"))
    session = AdminDB(db.scoped)
    for view, model, name, category, endpoint in MODEL_VIEWS:
        admin.add_view(view(model, session, name=name, category=category, endpoint=endpoint))
    from ..participation.admin import add_views as add_participation_views  # issue 16

    add_participation_views(admin, session)
    from ..foi.admin import add_views as add_foi_views  # issue 17: 依申请公开

    add_foi_views(admin, session)
    from ..plugin_manager import admin_views

    for extra in admin_views(app.extensions["zwgk.pm"], admin, session):
        admin.add_view(extra)
    app.extensions["zwgk.admin"] = admin
    app.before_request(_refuse_nul_arguments)
    return admin


def _refuse_nul_arguments():
    """A NUL in the admin's query arguments answers 400: PostgreSQL text cannot hold one, and
    no search, filter or region contains it."""
    if request.path.startswith("/admin") and any(
            "\x00" in value for values in request.args.listvalues() for value in values):
        from flask import abort

        abort(400)
