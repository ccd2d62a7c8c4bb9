"""政策文件: the documents of the user's region, each with what was derived from it."""

from __future__ import annotations

from flask import request
from flask_admin import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..db import get_db
from ..documents_web import page_context
from . import LoginRequired

#: the page's words for kinds, levels and statuses (the public page keeps the Chinese of zwgk.documents_web)
KIND_NAMES = {"stages": _l("Five disclosures"), "elements": _l("Catalog element"),
              "element_requirements": _l("Required element"), "domains": _l("Domain"),
              "domain_aliases": _l("Domain alias"), "domain_successions": _l("Domain succession"),
              "units": _l("Unit"), "pilot_programs": _l("Pilot programme"), "standards": _l("Standard"),
              "responsibilities": _l("Responsibility"), "schedules": _l("Schedule"), "schedule_phases": _l("Phase"),
              "milestones": _l("Milestone"), "obligations": _l("Obligation"), "indicators": _l("Indicator")}
LEVEL_NAMES = {"national": _l("National"), "province": _l("Province"), "city": _l("City"), "county": _l("County")}
STATUS_NAMES = {"in_force": _l("In force"), "repealed": _l("Repealed")}


class DocumentsView(LoginRequired, BaseView):
    @expose("/")
    def index(self):
        # a system administrator may choose a region; everyone else sees their own
        region = (request.args.get("region", "").strip() if current_user.is_system_admin
                  else current_user.unit_path or "")
        context = dict(page_context(get_db().scoped(), region), kind_names=KIND_NAMES, level_names=LEVEL_NAMES,
                       status_names=STATUS_NAMES)
        return self.render("zwgk/documents.html", **context, may_choose=current_user.is_system_admin)
