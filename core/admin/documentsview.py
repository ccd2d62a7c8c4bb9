"""政策文件: the documents of the user's region, each with what was derived from it."""

from __future__ import annotations

from flask import request
from flask_admin import BaseView, expose
from flask_login import current_user

from ..db import get_db
from ..documents_web import page_context
from . import LoginRequired


class DocumentsView(LoginRequired, BaseView):
    @expose("/")
    def index(self):
        # a system administrator may choose a region; everyone else sees their own
        region = (request.args.get("region", "").strip() if current_user.is_system_admin
                  else current_user.unit_path or "")
        return self.render("zwgk/documents.html", **page_context(get_db().scoped(), region),
                           may_choose=current_user.is_system_admin)
