"""Flask-Admin model views: role permissions and region scope on every path.

Scope is enforced in the query (lists, counts, exports, bulk actions), in
``get_one`` (detail, edit and delete pages answer 404 for a record outside the
user's region) and in ``on_model_change`` (a record cannot be created or moved
outside it).  Permissions are checked in ``_handle_view`` for every endpoint.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import current_app, abort, flash, redirect, request, url_for

from . import _compat  # noqa: F401  (before flask_admin.contrib.sqla)
from flask_admin.contrib.sqla import ModelView  # noqa: E402
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.babel import lazy_gettext as admin_gettext
from flask_admin.form import SecureForm
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import ValidationError as SchemaError
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField, SelectMultipleField, StringField
from wtforms.validators import ValidationError

from .. import models as m
from .. import schemas as s
from ..catalog import validate_item
from ..export import neutralise
from ..scope import record_path, scope_filter
from . import display
from .labels import LABELS, STATUS_CHOICES

ENDPOINT_ACTIONS = {"index_view": "list", "details_view": "view", "create_view": "create", "edit_view": "edit",
                    "delete_view": "delete", "export": "export", "action_view": "list", "ajax_lookup": "list",
                    "ajax_update": "edit"}



def workflow_words(exc: Any) -> str:
    """A refused catalog step (``zwgk.workflow.WorkflowError``) in the interface's language."""
    statuses = dict(STATUS_CHOICES)
    facts = exc.facts
    if exc.kind == "status":
        return gettext("“%(item)s” is %(status)s: this step needs %(needs)s.", item=facts["item"],
                       status=statuses.get(facts["status"], facts["status"]),
                       needs=gettext(" or ").join(str(statuses.get(s, s)) for s in facts["needs"]))
    if exc.kind == "missing":
        return gettext("Not published: these steps are missing: %(steps)s.",
                       steps=gettext("、").join(str(display.STEPS.get(s, s)) for s in facts["missing"]))
    if exc.kind == "review_reason":
        return gettext("A failed confidentiality review needs a reason.")
    if exc.kind == "withdraw_reason":
        return gettext("Withdrawing needs a reason.")
    return str(exc)

class LongSecureForm(SecureForm):
    """SecureForm whose CSRF token lasts a working day, not 30 minutes: catalog forms are long."""

    class Meta(SecureForm.Meta):
        csrf_time_limit = dt.timedelta(hours=8)


def _current(model: Any, query: Any) -> Any:
    """Records a plugin no longer provides (已移除) stay in history but leave the lists."""
    return query.filter(model.retired_at.is_(None)) if hasattr(model, "retired_at") else query


class ScopedModelView(ModelView):
    """The base of every zwgk model view."""

    form_base_class = LongSecureForm
    can_view_details = True
    can_export = True
    export_types = ["csv", "xlsx"]
    page_size = 50
    can_set_page_size = True
    column_display_pk = False
    column_labels = LABELS
    column_exclude_list = ("loaded", "source_text", "version", "retired_at")
    column_details_exclude_list = ("loaded",)
    form_excluded_columns = ("loaded", "version", "key", "origin", "created_at", "updated_at", "retired_at")
    form_extra_fields = {"change_reason": StringField(_l("Reason for the change")),
                         # the version the edit page was loaded at, and the last history row then:
                         # a save based on an older version is refused (no lost update)
                         "loaded_version": HiddenField()}

    kind: str = ""  # the export kind: how the view is scoped
    reference = False  # reference data: everyone reads it, only a system administrator edits it
    editors: frozenset[str] = frozenset({"system_admin", "region_admin"})
    schema: type | None = None  # the marshmallow schema the form must satisfy

    def __init__(self, model: Any, *args: Any, **kwargs: Any) -> None:
        self._words_for_codes(model)
        super().__init__(model, *args, **kwargs)

    def _words_for_codes(self, model: Any) -> None:
        """Codes shown (and offered in forms and filters) as words; yes/no; moments in Beijing time."""
        from sqlalchemy import DateTime

        table = model.__tablename__
        choices, forms = dict(self.column_choices or {}), dict(self.form_choices or {})
        for column in model.__table__.c:
            names = display.TABLE_ENUMS.get((table, column.name), display.ENUMS.get(column.name))
            if column.name == "origin" or not names or column.name in choices:
                continue
            choices[column.name] = [(code, label) for code, label in names.items()]
            forms.setdefault(column.name, choices[column.name])
        self.column_choices, self.form_choices = choices, forms
        formatters = dict(self.column_formatters or {})
        for name in choices:
            formatters.setdefault(name, display.enum_formatter)
        for column in model.__table__.c:
            if isinstance(column.type, DateTime) and column.type.timezone:
                formatters.setdefault(column.name, lambda v, c, model, name: display.beijing(getattr(model, name)))
        if "origin" in model.__table__.c:
            formatters.setdefault("origin", lambda v, c, model, name: display.origin_name(model.origin))
        if table == "element_requirement" or "scope" in model.__table__.c and not hasattr(model, "scope_id"):
            formatters.setdefault("scope", lambda v, c, model, name: display.scope_name(model.scope)
                                  if isinstance(model.scope, str) or model.scope is None else model.scope)
        self.column_formatters = formatters
        self.column_type_formatters = display.type_formatters()
        self.column_type_formatters_detail = display.type_formatters()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # the reason field goes on every form, last
        if cls.__dict__.get("form_columns") and "change_reason" not in cls.form_columns:
            cls.form_columns = (*cls.form_columns, "change_reason", "loaded_version")

    # -- access ------------------------------------------------------------

    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def inaccessible_callback(self, name: str, **kwargs: Any):
        return redirect(url_for("auth.login", next=current_app.extensions["zwgk.here"]()))

    def is_visible(self) -> bool:
        """In the menu only for those who may open it."""
        return self.allows("list")

    def allows(self, action: str) -> bool:
        user = current_user
        if not user.is_authenticated or not user.can(action):
            return False
        if action in ("create", "edit", "delete"):
            if self.reference:
                return user.is_system_admin
            return user.role in self.editors
        return True

    @property
    def can_create(self) -> bool:  # type: ignore[override]
        return self.allows("create")

    @property
    def can_edit(self) -> bool:  # type: ignore[override]
        return self.allows("edit")

    @property
    def can_delete(self) -> bool:  # type: ignore[override]
        return self.allows("delete")

    def _handle_view(self, name: str, **kwargs: Any):
        if not self.is_accessible():
            return self.inaccessible_callback(name, **kwargs)
        action = ENDPOINT_ACTIONS.get(name, "list")
        if not self.allows(action):
            abort(403)
        self.session.info["actor"] = current_user.username
        return None

    # -- scope -------------------------------------------------------------

    def _scoped(self, query: Any) -> Any:
        user = current_user
        if user.is_system_admin or self.reference:
            return query
        return scope_filter(query, self.kind, user.unit_path or "\0")

    def get_query(self):
        return self._scoped(_current(self.model, super().get_query()))

    def get_count_query(self):
        return self._scoped(_current(self.model, super().get_count_query()))

    #: the primary key's type: ids come from the URL as text, and PostgreSQL will not compare text to it
    pk_cast: Any = int

    def get_one(self, id: Any):
        try:
            pk = _in_range(self.pk_cast(id))
        except (TypeError, ValueError, OverflowError):
            abort(404)
        column = self.model.__mapper__.primary_key[0]
        obj = self.get_query().filter(column == pk).one_or_none()
        if obj is None:
            abort(404)
        return obj

    #: bulk action → the permission it needs
    ACTION_PERMISSIONS = {"delete": "delete"}

    def is_action_allowed(self, name: str) -> bool:
        need = self.ACTION_PERMISSIONS.get(name)
        return need is not None and self.allows(need)

    def get_export_value(self, model: Any, name: str) -> Any:
        """Flask-Admin's CSV and xlsx exports: a cell a spreadsheet would run is neutralised (OWASP)."""
        value = super().get_export_value(model, name)
        return neutralise(value) if isinstance(value, str) else value

    @action("delete", admin_gettext("Delete"), admin_gettext("Are you sure you want to delete selected records?"))
    def action_delete(self, ids: Any) -> None:
        # ids come as text; PostgreSQL will not compare them to integers (the query stays scoped)
        try:
            ids = tuple(_in_range(self.pk_cast(i)) for i in ids)
        except (TypeError, ValueError, OverflowError):
            abort(400)
        return super().action_delete(ids)

    # -- requests that would otherwise answer 500 ------------------------------

    def _get_list_extra_args(self):
        """The list's query arguments, refused (400) when no list could answer them: a negative page
        (a negative OFFSET fails on PostgreSQL), a NUL in a search or filter (PostgreSQL text
        cannot hold one)."""
        if any("\x00" in value for values in request.args.listvalues() for value in values):
            abort(400)
        args = super()._get_list_extra_args()
        if not 0 <= (args.page or 0) <= _MAX_ID or not 0 <= (args.page_size or 0) <= 1000:
            abort(400)
        return args

    def handle_view_exception(self, exc: Exception) -> bool:
        """A save, delete or action that the database refused, said in words: never the
        driver's or SQLAlchemy's text (it shows SQL), never a 500."""
        import logging

        if isinstance(exc, StaleDataError):
            flash(str(_l("Someone else changed this record in the meantime; nothing was saved. Open it "
                         "again to see the current version.")), "error")
            return True
        if isinstance(exc, IntegrityError):
            logging.getLogger("zwgk.admin").warning("integrity error: %s", exc)
            flash(str(_l("The database refused the change: a record with the same key exists, or another "
                         "record still refers to this one. Nothing was saved.")), "error")
            return True
        if isinstance(exc, DBAPIError):
            logging.getLogger("zwgk.admin").exception("database error")
            flash(str(_l("The database refused the change; nothing was saved.")), "error")
            return True
        return super().handle_view_exception(exc)

    # -- relation fields: only what the user may see -----------------------------

    def create_form(self, obj: Any = None) -> Any:
        return self._scope_relations(super().create_form(obj))

    def edit_form(self, obj: Any = None) -> Any:
        form = self._scope_relations(super().edit_form(obj))
        if obj is not None and hasattr(form, "loaded_version") and hasattr(obj, "version") \
                and request.method == "GET":
            form.loaded_version.data = f"{obj.version}:{_history_mark(self.session, obj)}"
        return form

    def relation_query(self, name: str, remote: type) -> Any:
        """The choices of a relation field: the related model's records inside the user's scope
        (reference data for everyone).  The posted choice is checked against the same query."""
        query = self.session.query(remote)
        if current_user.is_system_admin:
            return query
        kind = _KIND_OF.get(remote)
        if kind is None:  # reference data (domains, elements …): everyone reads it
            return query
        return scope_filter(query, kind, current_user.unit_path or "\0")

    def _scope_relations(self, form: Any) -> Any:
        from flask_admin.contrib.sqla.fields import QuerySelectField, QuerySelectMultipleField

        relationships = self.model.__mapper__.relationships
        for field in form:
            if isinstance(field, (QuerySelectField, QuerySelectMultipleField)) and field.name in relationships:
                remote = relationships[field.name].mapper.class_
                field.query = self.relation_query(field.name, remote)
                if isinstance(field, QuerySelectField):
                    field.pre_validate = _outside_named(field)
        return form

    def update_model(self, form: Any, model: Any) -> bool:
        # before the form touches the record: once it does, a query may flush it
        try:
            self._check_version(form, model)
        except ValidationError as exc:
            flash(str(exc), "error")
            return False
        return super().update_model(form, model)

    def _check_version(self, form: Any, model: Any) -> None:
        """Refuse a save based on a version older than the record's (a lost update), saying what
        others changed meanwhile."""
        if not isinstance(model, m.Versioned):
            return
        # a post without the version it was loaded at (a script, a form saved from elsewhere) or
        # with one that is no number is refused: nothing says the editor saw the current record
        loaded = str(getattr(getattr(form, "loaded_version", None), "data", None) or "").strip()
        if not loaded:
            raise ValidationError(str(_l("Not saved: the form does not say which version of the record it was "
                                         "opened at. Open the record again and make your change there.")))
        version, _, mark = loaded.partition(":")
        try:
            version, mark = int(version), int(mark or 0)
        except ValueError:
            raise ValidationError(str(_l("Not saved: the form's version of the record is not valid. Open the "
                                         "record again and make your change there."))) from None
        if version == model.version:
            return
        raise ValidationError(_stale_message(self.session, model, version, mark))

    # -- saving ------------------------------------------------------------

    def validate_form(self, form: Any) -> bool:
        """Text no database should store is refused before any validator queries with it."""
        if request.method in ("POST", "PUT") and _unstorable_text(form):
            return False
        return super().validate_form(form)

    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        _natural_key(model, is_created)
        self.session.info["actor"] = current_user.username
        reason = form.change_reason.data if hasattr(form, "change_reason") else None
        self.session.info["reason"] = reason or None
        if not self.reference and not current_user.covers(record_path(model)):
            raise ValidationError(str(_l("This record is outside your region.")))
        self.validate(form, model)
        if not is_created and hasattr(model, "loaded"):
            pass  # the loaded values stay: a re-apply will see the edit and keep it

    def on_model_delete(self, model: Any) -> None:
        self.session.info["actor"] = current_user.username
        if not self.reference and not current_user.covers(record_path(model)):
            abort(404)

    def validate(self, form: Any, model: Any) -> None:
        """The same schema as the loaders and the API; errors land next to their fields."""
        if self.schema is None:
            return
        schema = self.schema()
        data = _present(schema, schema.dump(model))
        try:
            schema.load(data, partial=("source",))
        except SchemaError as exc:
            _raise_on_fields(form, exc.messages)


#: PostgreSQL's integer: an id beyond it names no record (and would fail the query, not miss)
_MAX_ID = 2**31 - 1


def _in_range(pk: Any) -> Any:
    if isinstance(pk, int) and not -_MAX_ID <= pk <= _MAX_ID:
        raise OverflowError(pk)
    return pk


def _history_mark(session: Any, obj: Any) -> int:
    """The id of the last history row about ``obj`` (0 if none): what the editor has seen."""
    from sqlalchemy import func

    if not isinstance(obj, m.Tracked):
        return 0
    return session.scalar(select(func.max(m.Change.id)).where(
        m.Change.entity == obj.__tablename__, m.Change.entity_id == obj.id)) or 0


def _stale_message(session: Any, model: Any, version: int, mark: int) -> str:
    """Who changed what since version ``version`` (history rows after ``mark``), old → new, in the
    page's language and its punctuation (English: ASCII; Chinese: full-width)."""
    from ..catalog_history import in_beijing

    lines = []
    if isinstance(model, m.Tracked):
        rows = session.scalars(select(m.Change).where(
            m.Change.entity == model.__tablename__, m.Change.entity_id == model.id, m.Change.id > mark)
            .order_by(m.Change.id)).all()
        for row in rows:
            what = gettext("; ").join(
                gettext('%(field)s: "%(old)s" → "%(new)s"', field=LABELS.get(k, k), old=_short(old), new=_short(new))
                for k, (old, new) in (row.changes or {}).items() if isinstance(row.changes, dict))
            lines.append(gettext("%(who)s (%(when)s) %(what)s", who=row.actor, when=in_beijing(row.at)[:16],
                                 what=what))
    head = gettext("Not saved: this record was changed after you opened it (you had version %(mine)s, it is "
                   "now version %(now)s). Open it again and make your change on the current version.",
                   mine=version, now=model.version)
    if not lines:
        return head
    return gettext("%(refusal)s Changed meanwhile: %(changes)s", refusal=head, changes=" | ".join(lines))


def _short(value: Any, width: int = 60) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= width else text[:width] + "…"


def _outside_named(field: Any) -> Any:
    """A posted choice the scoped list does not hold is refused saying why (not "Not a valid choice")."""
    check = field.pre_validate

    def pre_validate(form: Any) -> None:
        try:
            check(form)
        except ValidationError:
            if field.data is None and getattr(field, "_formdata", None) not in (None, "", "__None"):
                raise ValidationError(str(_l("This record is outside your region."))) from None
            raise

    return pre_validate


_KIND_OF: dict[type, str] = {
    m.AdminUnit: "units", m.Standard: "standards", m.Responsibility: "responsibilities",
    m.Schedule: "schedules", m.SchedulePhase: "schedule_phases", m.Milestone: "milestones",
    m.Obligation: "obligations", m.Indicator: "indicators", m.Score: "scores",
    m.ReportSubmission: "report_submissions", m.PublicationRecord: "publication_records",
    m.CatalogItem: "catalog_items", m.PilotProgram: "pilot_programs", m.User: "users",
    m.ElementRequirement: "element_requirements",
}


def _natural_key(model: Any, is_created: bool) -> None:
    """Records made in the admin get the loader's natural key and the origin ``admin``.

    A loaded record keeps its key when edited, so that a re-apply finds it and keeps the edit.
    """
    from ..loader import KINDS

    kind = next((k for k in KINDS if k.model is type(model)), None)
    if kind is None:
        return
    if is_created:
        model.origin = "admin"
    if model.origin == "admin":
        model.key = kind.key(_present(kind.flat(), kind.flat().dump(model)))


def _present(schema: Any, data: dict[str, Any]) -> dict[str, Any]:
    """A new model's unset columns dump as None: let the schema's defaults stand in for them."""
    return {k: v for k, v in data.items() if not (v is None and k in schema.fields
                                                      and not schema.fields[k].allow_none)}


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab and line breaks are text


def _unstorable_text(form: Any) -> bool:
    """Mark every field whose text holds a control character (a NUL: PostgreSQL refuses it in any
    query — the form's own uniqueness checks included — and SQLite kept it, which the .xlsx export
    then could not write); True if there was one.  Tab and line breaks are text."""
    found = False
    for field in form:
        texts = field.data if isinstance(field.data, list) else [field.data]
        if any(isinstance(t, str) and _CONTROL.search(t) for t in texts):
            field.errors = [*(field.errors or ()), str(_l("Contains a control character."))]
            found = True
    return found


def _raise_on_fields(form: Any, messages: dict[str, Any]) -> None:
    summary = []
    for field, msgs in messages.items():
        text = "；".join(map(str, msgs if isinstance(msgs, list) else [msgs]))
        if field in form:
            form[field].errors = list(form[field].errors) + [text]
        summary.append(f"{LABELS.get(field, field)}: {text}")
    raise ValidationError("；".join(summary))


# --------------------------------------------------------------------------
# The views
# --------------------------------------------------------------------------


class ReferenceView(ScopedModelView):
    reference = True
    column_exclude_list = ("loaded", "source_text", "version", "key", "retired_at")


class DomainView(ReferenceView):
    kind = "domains"
    schema = s.DomainSchema
    column_list = ("name", "editions", "region", "position", "origin", "source_file", "source_section")
    column_searchable_list = ("name",)
    # national or local: a local domain names the region that introduced it
    column_formatters = {"region": lambda view, ctx, model, name: model.region or _l("National")}
    column_filters = ("origin",)
    column_default_sort = "position"


class AliasView(ReferenceView):
    kind = "domain_aliases"
    column_list = ("alias", "domain", "origin", "source_file", "source_section")
    column_searchable_list = ("alias",)


class SuccessionView(ReferenceView):
    kind = "domain_successions"
    column_list = ("predecessor", "successor", "kind", "source_file", "source_section")


class StageView(ReferenceView):
    kind = "stages"
    column_list = ("code", "name", "position", "source_file", "source_section")


class ElementView(ReferenceView):
    kind = "elements"
    column_list = ("code", "name", "description", "source_file", "source_section")


class RequirementView(ScopedModelView):
    kind = "element_requirements"
    column_list = ("scope", "element", "wording", "origin", "source_file", "source_section")
    column_filters = ("scope",)


class UnitView(ScopedModelView):
    kind = "units"
    schema = s.UnitSchema
    column_list = ("key", "level", "written_as", "is_pilot", "pilot_edition", "origin", "source_section")
    column_searchable_list = ("key", "name")
    column_filters = ("level", "is_pilot", "origin")
    column_default_sort = "key"
    form_columns = ("name", "level", "parent", "written_as", "is_pilot", "pilot_edition", "pilot_domains",
                    "position", "source_file", "source_section")



class ProgramView(ScopedModelView):
    kind = "pilot_programs"
    column_list = ("title", "scope", "edition", "unit_count", "city_count", "finished_on", "origin", "source_section")
    ACTION_PERMISSIONS = {"delete": "delete", "finish": "edit", "reopen": "edit"}

    def _set_finished(self, ids: Any, day: Any) -> None:
        try:
            ids = tuple(int(i) for i in ids)
        except (TypeError, ValueError):
            abort(400)
        self.session.info["actor"] = current_user.username
        programmes = self.get_query().filter(m.PilotProgram.id.in_(ids)).all()  # scoped
        for programme in programmes:
            programme.finished_on = day
        self.session.commit()
        flash(str(_l("%(n)s programmes changed.", n=len(programmes))), "success")

    @action("finish", _l("Mark as finished"))
    def action_finish(self, ids):
        self._set_finished(ids, display.today_in_beijing())

    @action("reopen", _l("Not finished after all"))
    def action_reopen(self, ids):
        self._set_finished(ids, None)


class StandardView(ScopedModelView):
    kind = "standards"
    schema = s.StandardSchema
    column_list = ("code", "title", "category", "status", "planned", "scope", "domain", "responsible")
    column_searchable_list = ("code", "title")
    column_filters = ("category", "status", "origin")
    column_default_sort = "key"
    form_columns = ("code", "title", "category", "parent", "domain", "scope", "edition", "status", "planned",
                    "effective_on", "withdrawn_on", "responsible", "position", "source_file", "source_section")



class ResponsibilityView(ScopedModelView):
    kind = "responsibilities"
    column_list = ("task", "responsible", "due", "domain", "standard", "scope")
    column_searchable_list = ("task", "responsible")
    form_columns = ("scope", "task", "standard", "domain", "responsible", "responsible_units", "due",
                    "source_file", "source_section")


class ScheduleView(ScopedModelView):
    kind = "schedules"
    column_list = ("title", "scope", "report_cadence", "report_by", "report_to")


class PhaseView(ScopedModelView):
    kind = "schedule_phases"
    column_list = ("schedule", "name", "starts_on", "ends_on")
    column_default_sort = "starts_on"


class MilestoneView(ScopedModelView):
    kind = "milestones"
    column_list = ("phase", "title", "due_on", "completed_on", "responsible")
    column_default_sort = "due_on"
    form_columns = ("phase", "title", "due_on", "deliverable", "responsible", "completed_on")


class ObligationView(ScopedModelView):
    kind = "obligations"
    column_list = ("title", "rule_text", "domain", "responsible", "scope")
    column_searchable_list = ("title", "rule_text")


class IndicatorView(ScopedModelView):
    kind = "indicators"
    column_list = ("code", "name", "weight", "min_weight", "scope")


class ScoreView(ScopedModelView):
    kind = "scores"
    column_list = ("indicator", "unit", "period", "value")


class ReportView(ScopedModelView):
    kind = "report_submissions"
    column_list = ("schedule", "period", "submitted_on", "note")


class PublicationView(ScopedModelView):
    kind = "publication_records"
    column_list = ("subject", "obligation", "event_at", "published_at")


#: the tiers of 公开层级 in the interface's language (the data's words are catalog_readers.TIER_NAMES)
TIER_WORDS = {"province": _l("province"), "city": _l("city"), "county": _l("county"), "township": _l("township"),
              "village": _l("village")}


def tier_names(levels: Any) -> str:
    return gettext("、").join(str(TIER_WORDS.get(t, t)) for t in levels or ())


class ChannelsField(StringField):
    """A list of channels, shown and typed as one line joined by 、 (or ，, / and line breaks)."""

    def _value(self) -> str:
        if isinstance(self.data, list):
            return "、".join(self.data)
        return self.data or ""

    def process_formdata(self, valuelist: list[str]) -> None:
        from ..catalog_readers import norm, words

        self.data = [norm(w) for w in words(valuelist[0])] if valuelist else []


class LevelsField(SelectMultipleField):
    """公开层级: the tiers that publish the item."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any):
        from ..catalog_readers import TIERS

        kwargs.pop("allow_blank", None)
        super().__init__(label, validators, choices=[(t, _TIER_LABELS[t]) for t in TIERS], **kwargs)

    def process_data(self, value: Any) -> None:
        self.data = list(value or [])

    def process_formdata(self, valuelist: list[str]) -> None:
        from ..catalog_readers import TIERS

        self.data = [t for t in TIERS if t in valuelist]


_TIER_LABELS = {"province": _l("Province level"), "city": _l("City level"), "county": _l("County level"),
                "township": _l("Township level"), "village": _l("Village level")}


class CatalogItemView(ScopedModelView):
    """公开事项: editors work on their department's domains; only a region administrator publishes."""

    kind = "catalog_items"
    editors = frozenset({"system_admin", "region_admin", "editor"})
    simple_list_pager = True  # no COUNT(*) per page on a province's catalog
    column_list = ("unit", "domain", "level1", "level2", "time_limit", "subject", "status", "is_example")
    column_searchable_list = ("level1", "level2", "content")
    column_filters = ("status", "is_example", "domain.name", "unit.key")
    form_columns = ("unit", "domain", "seq", "category", "level1", "level2", "level3", "content", "basis",
                    "time_limit", "subject", "department", "channels", "duration", "audience_public",
                    "audience_specific", "method_active", "method_on_request", "levels")
    # 公开渠道和载体 typed as one line (政府网站、公示栏), kept as a list; 公开层级 picked from the tiers
    form_overrides = {"channels": ChannelsField, "levels": LevelsField}
    column_formatters_detail = {"channels": lambda view, ctx, model, name: "、".join(model.channels or ()),
                                "levels": lambda view, ctx, model, name: tier_names(model.levels)}
    ACTION_PERMISSIONS = {"delete": "delete", "submit": "edit", "review": "review", "signoff": "review",
                          "publish": "publish", "export_layout": "export"}
    # the list's export links write the published layout (.xlsx), its columns (.csv) or records (.json)
    export_types = ["xlsx", "csv", "json"]

    def _layout_response(self, items: Any, fmt: str) -> Any:
        import io
        import tempfile
        from pathlib import Path

        from flask import send_file

        from ..catalog_io import write_catalog

        name = f"政务公开事项标准目录-{display.today_in_beijing().isoformat()}.{fmt}"
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"export.{fmt}"
            write_catalog(items, path, fmt)
            data = io.BytesIO(path.read_bytes())
        mimetypes = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     "csv": "text/csv; charset=utf-8", "json": "application/json"}
        return send_file(data, mimetype=mimetypes[fmt], as_attachment=True, download_name=name)

    def _export_csv(self, return_url: Any) -> Any:
        return self._export_selection(self._export_data()[1], "csv")

    def _export_tablib(self, export_type: str, return_url: str) -> Any:
        return self._export_selection(self._export_data()[1], export_type)

    def _export_selection(self, items: Any, fmt: str) -> Any:
        """A small selection is downloaded at once; a large one is written by a job whose page
        shows how many items are written, then downloads the file."""
        from .. import exportjobs

        if len(items) < exportjobs.THRESHOLD:
            return self._layout_response(items, fmt)
        if getattr(current_app.extensions.get("zwgk.jobs"), "backend", None) == "rq":  # the workers write it
            from .jobsview import queue_export

            return queue_export(self, items, fmt)
        app = current_app._get_current_object()
        jobs = app.extensions.setdefault("zwgk.export_jobs", exportjobs.ExportJobs())
        name = f"政务公开事项标准目录-{display.today_in_beijing().isoformat()}.{fmt}"
        from ..catalog_io import several_units

        job = jobs.start(app.extensions["zwgk.db"], [i.id for i in items], fmt, current_user.id, name,
                         unit_column=several_units(items), actor=current_user.username,
                         unit=current_user.unit_path,
                         scope=None if current_user.is_system_admin else (current_user.unit_path or "\0"))
        return self.render("zwgk/export_progress.html", job=job,
                           status_url=url_for(".export_status", job_id=job.id),
                           file_url=url_for(".export_file", job_id=job.id))

    def _export_job(self, job_id: str):
        jobs = current_app.extensions.get("zwgk.export_jobs")
        job = jobs.get(job_id, current_user.id) if jobs else None
        if job is None or not self.allows("export"):
            abort(404)
        return job

    @expose("/export-job/<job_id>")
    def export_status(self, job_id: str):
        from flask import jsonify

        return jsonify(self._export_job(job_id).status())

    @expose("/export-job/<job_id>/file")
    def export_file(self, job_id: str):
        from flask import send_file

        job = self._export_job(job_id)
        if not job.finished or job.path is None:
            abort(404)
        mimetypes = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     "csv": "text/csv; charset=utf-8", "json": "application/json"}
        import io

        return send_file(io.BytesIO(job.path.read_bytes()), mimetype=mimetypes[job.fmt], as_attachment=True,
                         download_name=job.filename)

    @action("export_layout", _l("Export the selected items (catalog layout, .xlsx)"))
    def action_export_layout(self, ids):
        try:
            ids = tuple(_in_range(int(i)) for i in ids)
        except (TypeError, ValueError, OverflowError):
            abort(400)
        from ..catalog_export import order_of  # every catalog export's order (序号 NULL first everywhere)

        items = self.get_query().filter(m.CatalogItem.id.in_(ids)).order_by(
            *order_of(lambda c: getattr(m.CatalogItem, c)))
        return self._layout_response(items.all(), "xlsx")  # scoped: another region's ids are not found

    details_template = "zwgk/catalog_item_details.html"

    @expose("/versions/")
    def versions_view(self):
        """Every version of one item, newest first, each with its changes from the one before."""
        from ..catalog_history import ELEMENTS, in_beijing
        from ..catalog_io import shown

        if not self.allows("view"):
            abort(403)
        item = self.get_one(request.args.get("id"))  # scoped: another region's item is a 404
        versions = self.session.scalars(select(m.CatalogItemVersion).where(
            m.CatalogItemVersion.item_id == item.id).order_by(m.CatalogItemVersion.version)).all()
        rows, before = [], None
        for v in versions:
            fields = ELEMENTS + ("status",)
            changes = {} if before is None else {
                f: [before.get(f), v.snapshot.get(f)] for f in fields if before.get(f) != v.snapshot.get(f)}
            rows.append({"version": v, "changes": changes, "first": before is None, "at": in_beijing(v.at)})
            before = v.snapshot
        return self.render("zwgk/versions.html", item=item, rows=list(reversed(rows)), labels=LABELS,
                           statuses=dict(STATUS_CHOICES), shown=shown, can_revert=self.allows("edit"))

    @expose("/revert/", methods=["POST"])
    def revert_view(self):
        """Bring an item back to an earlier version: a new draft version, with the reason given."""
        from flask_wtf.csrf import validate_csrf

        from ..catalog_history import revert

        if not self.allows("edit"):
            abort(403)
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError:  # missing, stale or forged
            abort(400)
        item = self.get_one(request.form.get("id"))
        try:
            version = int(request.form.get("version", ""))
        except ValueError:
            abort(400)
        reason = (request.form.get("reason") or "").strip()
        target = url_for(".versions_view", id=item.id)
        if not reason:
            flash(str(_l("Give a reason for the change.")), "error")
            return redirect(target)
        self.session.info["actor"] = current_user.username
        self.session.info["reason"] = reason
        try:
            revert(self.session, item, version)
            self.session.commit()
        except StaleDataError:
            self.session.rollback()
            flash(str(_l("Someone else changed this record in the meantime; nothing was saved. Open it "
                         "again to see the current version.")), "error")
            return redirect(target)
        except ValueError as exc:
            self.session.rollback()
            flash(str(exc), "error")
            return redirect(target)
        flash(gettext("Reverted to the content of version %(v)s, now version %(now)s (a draft)", v=version,
                      now=item.version), "success")
        return redirect(target)

    def _workflow(self, ids: Any, step: str) -> None:
        from ..plugin_manager import get_pm
        from .. import workflow

        try:
            ids = tuple(_in_range(int(i)) for i in ids)
        except (TypeError, ValueError, OverflowError):
            abort(400)
        done, failed = 0, []
        for item in self.get_query().filter(m.CatalogItem.id.in_(ids)).all():  # scoped
            try:
                with self.session.begin_nested():
                    if step == "submit":
                        workflow.submit(self.session, item, current_user.username)
                    elif step == "review":
                        workflow.review(self.session, item, current_user.username, True, None)
                    elif step == "signoff":
                        workflow.sign_off(self.session, item, current_user.username, get_pm())
                    else:
                        workflow.publish(self.session, item, current_user.username, get_pm())
                done += 1
            except workflow.WorkflowError as exc:
                failed.append(workflow_words(exc))
            except StaleDataError:  # another user's step or edit came first
                failed.append(str(_l("“%(item)s” was changed by someone else at the same moment; this step was "
                                     "not taken. Look at its status and try again.", item=item.level1)))
        try:
            self.session.commit()
        except StaleDataError:
            self.session.rollback()
            flash(str(_l("Someone else changed these items at the same moment; nothing was done. Try again.")),
                  "error")
            return
        flash(gettext("%(step)s: %(n)s items", step=display.STEPS[step], n=done), "success" if done else "warning")
        for message in failed:
            flash(message, "error")

    @action("submit", _l("Submit for review"))
    def action_submit(self, ids):
        self._workflow(ids, "submit")

    @action("review", _l("Confidentiality review passed"))
    def action_review(self, ids):
        self._workflow(ids, "review")

    @action("signoff", _l("Signed off by the principal leader"))
    def action_signoff(self, ids):
        self._workflow(ids, "signoff")

    @action("publish", _l("Publish"))
    def action_publish(self, ids):
        if request.form.get("confirmed") != "1":  # ask first, naming how many items of which units
            return self._confirm_publish(ids)
        self._workflow(ids, "publish")

    def _confirm_publish(self, ids):
        from collections import Counter

        try:
            ids = tuple(int(i) for i in ids)
        except (TypeError, ValueError):
            abort(400)
        items = self.get_query().filter(m.CatalogItem.id.in_(ids)).all()  # scoped
        units = sorted(Counter(item.unit.key for item in items).items())
        return self.render("zwgk/confirm_publish.html", items=items, units=units, form=self.action_form(),
                           return_url=request.form.get("url") or url_for(".index_view"))

    def _scoped(self, query):
        query = super()._scoped(query)
        if current_user.role == "editor":
            query = query.filter(m.CatalogItem.domain_id.in_(editor_domains(current_user)))
        return query

    def validate(self, form, model):
        if current_user.role == "editor":
            if model.domain is None or model.domain.id not in set(self.session.scalars(editor_domains(current_user))):
                form.domain.errors = list(form.domain.errors) + [str(_l("Not a domain of your department."))]
                raise ValidationError(str(_l("Not a domain of your department.")))
        schema = s.CatalogItemSchema()
        data = _present(schema, schema.dump(model))
        data.pop("source", None)
        from ..plugin_manager import get_pm

        _, problems = validate_item(self.session, get_pm(), data)
        if problems:
            _raise_on_fields(form, {p.field or "level1": [p.message] for p in problems})


def editor_domains(user: Any):
    """Domains whose responsibility (in the editor's unit or above) names the editor's department."""
    from ..db import get_db

    return editor_domains_of(get_db().scoped(), user)


def editor_domains_of(session: Any, user: Any):
    """:func:`editor_domains` in a given session (the CLI has no request)."""
    rows = select(m.Responsibility.domain_id, m.Responsibility.responsible_units, m.AdminUnit.key).join(
        m.AdminUnit, m.Responsibility.scope)
    ids = [dom for dom, units, key in session.execute(rows)
           if dom and user.department in (units or []) and user.unit_path
           and (user.unit_path == key or user.unit_path.startswith(key + "/"))]
    return select(m.Domain.id).where(m.Domain.id.in_(ids or [-1]))


class CalendarYearView(ReferenceView):
    """Years whose official arrangement is in the calendar; add next year's here, then its days."""

    kind = "calendar"
    column_list = ("year", "source", "entered_at")
    column_default_sort = ("year", True)
    form_columns = ("year", "source", "entered_at")


class CalendarDayView(ReferenceView):
    """Days that break the weekday rule: a holiday on a weekday (放假) or a make-up working day (调休上班)."""

    kind = "calendar"
    column_list = ("day", "is_workday", "name", "source")
    column_default_sort = ("day", True)
    column_filters = ("is_workday", "day")
    form_columns = ("day", "is_workday", "name", "source")
    pk_cast = staticmethod(lambda text: dt.date.fromisoformat(str(text)))


class UserView(ScopedModelView):
    kind = "users"
    column_list = ("username", "role", "unit", "department", "active")
    form_columns = ("username", "role", "unit", "department", "active")
    column_exclude_list = ("password_hash",)
    column_details_exclude_list = ("password_hash",)

    def allows(self, action):
        return current_user.is_authenticated and current_user.is_system_admin


class ChangeView(ScopedModelView):
    kind = "changes"
    can_create = can_edit = can_delete = False  # type: ignore[assignment]
    column_list = ("at", "actor", "entity", "entity_id", "action", "changes", "reason")
    column_default_sort = ("at", True)
    column_filters = ("entity", "actor", "action")
    column_formatters = {"changes": display.changes_formatter}

    def allows(self, action):
        return action in ("list", "view", "export") and super().allows(action)
