"""The admin interface: Flask-Admin in Chinese first, behind a login, scoped by region."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, Flask, request
from flask_admin import Admin, AdminIndexView, BaseView, expose
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import String, case, cast, func, select
from sqlalchemy.orm import selectinload

from .. import models as m
from ..catalog import ELEMENT_FIELDS, required_elements
from ..db import get_db
from ..scope import scope_filter
from ..tracking import STATUS_NAMES, due_items
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
        return current_user.is_authenticated

    def inaccessible_callback(self, name: str, **kwargs: Any):
        from flask import redirect, url_for

        return redirect(url_for("auth.login", next=current_app.extensions["zwgk.here"]()))


class DashboardView(LoginRequired, AdminIndexView):
    @expose("/")
    def index(self):
        session = get_db().scoped()
        today = dt.date.today()
        path = _user_path()
        return self.render("zwgk/dashboard.html", today=today, catalog=_catalog_summary(session, path),
                           due=due_items(session, today, 30, None if path is None else path)[:30],
                           status_names=STATUS_NAMES, changes=_recent_changes(session, path))


def _catalog_summary(session, path: str | None) -> list[dict[str, Any]]:
    """Per unit and domain: items, and how complete they are against the unit's required elements."""
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
        q = q.where((m.AdminUnit.key == path) | m.AdminUnit.key.like(f"{path}/%"))
    out, required_cache = [], {}
    for unit_key, domain, count, *sums in session.execute(q.limit(200)):
        if unit_key not in required_cache:
            required_cache[unit_key] = [r.element.code for r in required_elements(session, unit_key)]
        codes = [c for c in required_cache[unit_key] if c in filled]
        by_code = dict(zip(filled, sums))
        done = sum(by_code[c] or 0 for c in codes)
        out.append({"unit": unit_key, "domain": domain, "count": count,
                    "complete": round(100 * done / (count * len(codes))) if codes and count else 100})
    return out


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
        title = f"{unit.name if unit else region or ''}基层政务公开标准体系"
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
        today = dt.date.fromisoformat(request.args["today"]) if request.args.get("today") else dt.date.today()
        title = f"{region or '全部地区'}进度安排时间轴"
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
    admin = Admin(app, name=_l("Government affairs disclosure"), url="/admin",
                  index_view=DashboardView(name=_l("Dashboard"), url="/admin"),
                  theme=Bootstrap4Theme(base_template="zwgk/admin_base.html", swatch="default", fluid=True))
    admin.add_view(StructureView(name=_l("Standard system tree"), endpoint="structure",
                                 category=_l("Standard system")))
    admin.add_view(TimelineView(name=_l("Schedule timeline"), endpoint="timeline", category=_l("Schedules")))
    from .importview import ImportView

    admin.add_view(ImportView(name=_l("Import a catalog"), endpoint="catalog_import", category=_l("Catalogs")))
    from .diffview import CatalogDiffView

    admin.add_view(CatalogDiffView(name=_l("Compare versions"), endpoint="catalog_diff", category=_l("Catalogs")))
    session = AdminDB(db.scoped)
    for view, model, name, category, endpoint in MODEL_VIEWS:
        admin.add_view(view(model, session, name=name, category=category, endpoint=endpoint))
    from ..plugin_manager import admin_views

    for extra in admin_views(app.extensions["zwgk.pm"], admin, session):
        admin.add_view(extra)
    app.extensions["zwgk.admin"] = admin
    return admin
