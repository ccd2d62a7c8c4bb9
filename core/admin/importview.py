"""导入目录: upload a catalog file in the admin; the same importer and rules as the CLI."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import quote

from flask import abort, jsonify, request, url_for
from flask_admin import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from markupsafe import Markup
from wtforms import BooleanField, SelectField, StringField

from ..catalog_io import CatalogFileError, problems_csv
from ..catalog_readers import import_limits
from ..db import get_db
from ..importjobs import Busy, import_and_commit
from ..scope import unit_keys_in_scope
from .views import tier_names


def _field_label(fname: str) -> str:
    """A field of the mapping as the interface names it (``levels ← county+township`` → 公开层级：县级、乡级)."""
    from .labels import LABELS

    if fname.startswith("levels ← "):
        from ..catalog_readers import TIER_NAMES

        return f"{LABELS['levels']}：" + "、".join(TIER_NAMES.get(t, t) for t in fname[9:].split("+"))
    extra = {"audience": _l("Audience (words)"), "method": _l("Method (words)")}
    return str(LABELS.get(fname) or extra.get(fname) or fname)


class UploadForm(FlaskForm):
    file = FileField(_l("Catalog file"), validators=[FileRequired(), FileAllowed(["xlsx", "xls", "csv", "json", "docx", "html", "htm"])])
    unit = SelectField(_l("Unit"), choices=[])
    domain = StringField(_l("Domain (if the file has no domain column)"))
    dry_run = BooleanField(_l("Check only, write nothing"))
    withdraw_missing = BooleanField(_l("Withdraw the unit's items that the file no longer lists"))
    append = BooleanField(_l("Add every row as a new item (do not match the unit's items)"))


def upload_name(filename: str | None, suffix: str) -> str:
    """The user's own file name (so every message names the file they chose), without any folder
    part or character a file system would take as one; ``upload.xlsx`` when nothing is left."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable() and c not in '<>:"|?*').strip(" .")[:120]
    if not name or not name.lower().endswith(suffix):
        return f"upload{suffix}"
    return name


class ImportView(BaseView):
    def is_accessible(self) -> bool:
        return current_user.is_authenticated and current_user.can("create")

    def is_visible(self) -> bool:
        return self.is_accessible()

    def inaccessible_callback(self, name, **kwargs):
        abort(403 if current_user.is_authenticated else 401)

    def _units(self):
        return [(key, key) for key in unit_keys_in_scope(get_db().scoped(), current_user)]

    @staticmethod
    def _scope():
        """The importer checks the unit against this too, not only the form's choices."""
        return None if current_user.is_system_admin else (current_user.unit_path or "\0")

    def _allowed_domains(self):
        if current_user.role != "editor":
            return None
        from .views import editor_domains

        return set(get_db().scoped().scalars(editor_domains(current_user)))

    def _page(self, form, result=None, job=None):
        report = None
        if result is not None and result.problems:
            if job is not None:  # a link, not the whole report inlined in the page
                report = url_for(".job_report", job_id=job.id)
            else:
                report = Markup("data:text/csv;charset=utf-8," + quote("\ufeff" + problems_csv(result.problems)))
        from flask_babel import get_locale

        from ..import_words import in_language

        english = str(get_locale()) == "en"
        return self.render("zwgk/import.html", form=form, result=result, report=report, job=job,
                           field_label=_field_label, tiers=tier_names,
                           in_language=lambda message: in_language(message, english),
                           dry_run=job.dry_run if job else form.dry_run.data,
                           limit_mb=import_limits()[0] // (1024 * 1024))

    @expose("/", methods=["GET", "POST"])
    def index(self):
        """The form.  Posted by the page's script (``Accept: application/json``) the import runs
        beside the request and the answer is the job to follow; posted without script it runs
        within the request and the answer is the result page."""
        form = UploadForm()
        form.unit.choices = self._units()
        if not form.is_submitted():  # the user's own unit first, not the first unit of the list
            form.unit.data = current_user.unit_path
        options = {"append": form.append.data, "withdraw_missing": form.withdraw_missing.data}
        wants_json = request.accept_mimetypes.best == "application/json"
        if not form.validate_on_submit():
            if wants_json and request.method == "POST":
                return jsonify(errors={name: [str(e) for e in errs] for name, errs in form.errors.items()}), 400
            return self._page(form)
        upload = form.file.data
        suffix = Path(upload.filename or "").suffix.lower()
        if wants_json:
            folder = Path(tempfile.mkdtemp(prefix="zwgk-import-"))
            path = folder / upload_name(upload.filename, suffix)
            upload.save(path)
            app = self.admin.app
            try:
                job = app.extensions["zwgk.import_jobs"].start(
                    app.extensions["zwgk.db"], app.extensions["zwgk.pm"], path, current_user.id,
                    current_user.username, upload.filename or path.name, form.unit.data, form.domain.data or None,
                    form.dry_run.data, self._allowed_domains(), cleanup=folder, scope=self._scope(), **options)
            except Busy:
                return jsonify(errors={"file": [str(_l("An import of yours is still running; wait for it to "
                                                       "finish."))]}), 429
            return jsonify(job=job.id, status=url_for(".job_status", job_id=job.id),
                           result=url_for(".job_result", job_id=job.id)), 202
        session = get_db().scoped()
        result = None
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / upload_name(upload.filename, suffix)
            upload.save(path)
            session.info.update(actor=current_user.username, reason=f"import {upload.filename}")
            try:
                result = import_and_commit(session, self.admin.app.extensions["zwgk.pm"], path, form.unit.data,
                                           form.domain.data or None, form.dry_run.data, self._allowed_domains(),
                                           scope=self._scope(), **options)
            except CatalogFileError as exc:
                form.file.errors = list(form.file.errors) + [str(exc)]
        return self._page(form, result)

    def _job(self, job_id: str):
        job = self.admin.app.extensions["zwgk.import_jobs"].get(job_id, current_user.id)
        if job is None:
            abort(404)
        return job

    @expose("/job/<job_id>")
    def job_status(self, job_id: str):
        """How far the import is: ``{phase, done, total, finished, …}``."""
        return jsonify(self._job(job_id).status())

    @expose("/job/<job_id>/result")
    def job_result(self, job_id: str):
        job = self._job(job_id)
        form = UploadForm()
        form.unit.choices = self._units()
        form.unit.data = job.unit
        if job.error:
            form.file.errors = [job.error]
        return self._page(form, job.result, job)

    @expose("/job/<job_id>/errors.csv")
    def job_report(self, job_id: str):
        """The error report of a finished job: where, item, column, reason."""
        from flask import Response

        job = self._job(job_id)
        if job.result is None or not job.result.problems:
            abort(404)
        return Response("\ufeff" + problems_csv(job.result.problems), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=errors.csv"})
