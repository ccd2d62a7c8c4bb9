"""导入目录: upload a catalog file in the admin; the same importer and rules as the CLI."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import quote

from flask import abort
from flask_admin import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from markupsafe import Markup
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField

from .. import models as m
from ..catalog_io import MAX_FILE_BYTES, CatalogFileError, import_catalog, problems_csv
from ..db import get_db
from ..scope import scope_filter


class UploadForm(FlaskForm):
    file = FileField(_l("Catalog file"), validators=[FileRequired(), FileAllowed(["xlsx", "csv", "json"])])
    unit = SelectField(_l("Unit"), choices=[])
    domain = StringField(_l("Domain (if the file has no domain column)"))
    dry_run = BooleanField(_l("Check only, write nothing"))


class ImportView(BaseView):
    def is_accessible(self) -> bool:
        return current_user.is_authenticated and current_user.can("create")

    def is_visible(self) -> bool:
        return self.is_accessible()

    def inaccessible_callback(self, name, **kwargs):
        abort(403 if current_user.is_authenticated else 401)

    @expose("/", methods=["GET", "POST"])
    def index(self):
        session = get_db().scoped()
        q = select(m.AdminUnit).order_by(m.AdminUnit.key)
        if not current_user.is_system_admin:
            q = scope_filter(q, "units", current_user.unit_path or "\0")
        form = UploadForm()
        form.unit.choices = [(u.key, u.key) for u in session.scalars(q)]
        result, report = None, None
        if form.validate_on_submit():
            upload = form.file.data
            suffix = Path(upload.filename or "").suffix.lower()
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"upload{suffix}"
                upload.save(path)
                session.info.update(actor=current_user.username, reason=f"import {upload.filename}")
                allowed = None
                if current_user.role == "editor":
                    from .views import editor_domains

                    allowed = set(session.scalars(editor_domains(current_user)))
                try:
                    result = import_catalog(session, self.admin.app.extensions["zwgk.pm"], path, form.unit.data,
                                            form.domain.data or None, dry_run=form.dry_run.data,
                                            allowed_domains=allowed)
                except CatalogFileError as exc:
                    result = None
                    form.file.errors = list(form.file.errors) + [str(exc)]
            if result is not None:
                if result.ok and not form.dry_run.data:
                    session.commit()
                else:
                    session.rollback()
                    result.written = 0
                if result.problems:
                    report = Markup("data:text/csv;charset=utf-8," + quote("\ufeff" + problems_csv(result.problems)))
        return self.render("zwgk/import.html", form=form, result=result, report=report,
                           limit_mb=MAX_FILE_BYTES // (1024 * 1024))

