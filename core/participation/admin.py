"""The unit's side of participation (Flask-Admin): moderate and answer feedback, turn a comment
into a catalog change, enter interpretations, responses to public concerns, the topic page's
short pages, and the region's retention period for contact details.

Every view is scoped like the rest of the admin: a user sees and writes only records of units
in their subtree; another region's record answers 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import FileField, SelectField, TextAreaField
from wtforms.validators import ValidationError

from .. import models as m
from ..admin.charts import _english
from ..admin.labels import LABELS
from ..admin.views import ScopedModelView
from . import service as svc
from .models import ConcernResponse, Feedback, Interpretation, ParticipationSetting, TopicPage

STATUS_NAMES = {"pending": _l("Awaiting moderation"), "approved": _l("Made public"), "hidden": _l("Not made public")}
KIND_NAMES = {"text": _l("Text interpretation"), "graphic": _l("Graphic interpretation"),
              "video": _l("Video interpretation")}
PAGE_KIND_NAMES = {"news": _l("Work news"), "practice": _l("Good practice")}
MAX_IMAGE = 2 * 1024 * 1024
IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF87a": "image/gif",
               b"GIF89a": "image/gif"}

PARTICIPATION_LABELS = {
    **LABELS, "unit": _l("Unit"), "item": _l("Catalog item"), "useful": _l("Useful"), "comment": _l("Comment"),
    "contact_name": _l("Name (private)"), "contact": _l("Contact (private)"), "status": _l("Moderation"),
    "answer": _l("Answer"), "answer_public": _l("Answer in public"), "answered_at": _l("Answered at"),
    "answered_by": _l("Answered by"), "change_item_id": _l("Catalog change"), "created_at": _l("Received at"),
    "contact_purged_at": _l("Contact deleted at"), "document_title": _l("Document interpreted"),
    "document_published_on": _l("Document published on"), "kind": _l("Kind"), "title": _l("Title"),
    "body": _l("Text"), "image": _l("Graphic (PNG, JPEG or GIF, at most 2 MB)"), "video_url": _l("Video link"),
    "published_on": _l("Published on"), "question": _l("Question"), "answered_on": _l("Answered on"),
    "channel": _l("Channel"), "published": _l("Published"), "author": _l("Author"),
    "contact_retention_days": _l("Days contact details are kept"),
}


def _in_scope_units():
    q = select(m.AdminUnit).order_by(m.AdminUnit.key)
    if not current_user.is_system_admin:
        path = current_user.unit_path or "\0"
        q = q.where(svc.under(m.AdminUnit.key, path))
    from ..db import get_db

    return get_db().scoped().scalars(q).all()


def _in_scope_items():
    q = select(m.CatalogItem).join(m.CatalogItem.unit).order_by(m.AdminUnit.key, m.CatalogItem.level1)
    if not current_user.is_system_admin:
        q = q.where(svc.under(m.AdminUnit.key, current_user.unit_path or "\0"))
    from ..db import get_db

    return get_db().scoped().scalars(q).all()


class ParticipationView(ScopedModelView):
    """Scope through the record's unit (``unit_path_of``), for models the export kinds do not know."""

    column_labels = PARTICIPATION_LABELS
    column_exclude_list = ("version",)
    form_args = {"unit": {"query_factory": _in_scope_units}, "item": {"query_factory": _in_scope_items}}
    unit_join: tuple[Any, ...] = (Feedback.unit,)

    def unit_path_of(self, model: Any) -> str | None:
        unit = getattr(model, "unit", None) or (model.item.unit if getattr(model, "item", None) else None)
        return unit.key if unit else None

    def _scoped(self, query: Any) -> Any:
        if current_user.is_system_admin:
            return query
        for target in self.unit_join:
            query = query.join(target)
        return query.filter(svc.under(m.AdminUnit.key, current_user.unit_path or "\0"))

    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        self.session.info["actor"] = current_user.username
        self.session.info["reason"] = (form.change_reason.data if hasattr(form, "change_reason") else None) or None
        if not current_user.covers(self.unit_path_of(model)):
            raise ValidationError(str(_l("This record is outside your region.")))
        self.check(form, model, is_created)

    def check(self, form: Any, model: Any, is_created: bool) -> None:
        """Rules of the model; raise ValidationError naming the field."""

    def on_model_delete(self, model: Any) -> None:
        self.session.info["actor"] = current_user.username
        if not current_user.covers(self.unit_path_of(model)):
            abort(404)


def _fmt_status(view, ctx, model, name):
    return Markup('<span class="zwgk-badge">%s</span>') % str(STATUS_NAMES.get(model.status, model.status))


def _fmt_useful(view, ctx, model, name):
    return str(_l("Marked useful") if model.useful else _l("Not useful"))


def _fmt_change(view, ctx, model, name):
    if model.change_item_id:
        href = url_for("catalog_item.versions_view", id=model.change_item_id)
        return Markup(f'<a href="{escape(href)}">#{model.change_item_id} v{model.change_version}</a>')
    if not view.allows("edit"):
        return ""
    href = url_for(".change_view", id=model.id)
    return Markup(f'<a href="{escape(href)}">{escape(str(_l("Turn into a catalog change")))}</a>')


CLIP = 40  # characters of a comment or answer shown in the list; the whole text is its title


def _clip(text: str | None, limit: int = CLIP) -> Markup:
    """A long text cut to ``limit`` characters with "…"; the whole text in the title (hover)."""
    text = (text or "").strip()
    if len(text) <= limit:
        return Markup(f'<span class="zwgk-wrap">{escape(text)}</span>')
    return Markup(f'<span class="zwgk-wrap" title="{escape(text)}">{escape(text[:limit])}…</span>')


def _fmt_comment(view, ctx, model, name):
    return _clip(model.comment)


def _fmt_contact(view, ctx, model, name):
    """The name and the contact details in one column (both private), cut like a comment."""
    return _clip(" · ".join(x for x in (model.contact_name, model.contact) if x), 40)


def _fmt_answer(view, ctx, model, name):
    if not (model.answer or "").strip():
        return ""
    where = _l("in public") if model.answer_public else _l("to the commenter only")
    return _clip(model.answer) + Markup('<br><small class="text-muted">%s</small>') % str(where)


class FeedbackView(ParticipationView):
    """公众评价意见: moderation (待审核 / 已公开 / 不公开), an answer in public or in private.

    The list fits a page 1024 pixels wide: comment and answer cut to 40 characters (the whole text
    on hover and on the record's page), name and contact in one column, whether the answer is
    public under it; the export keeps every column in full."""

    can_create = False
    column_list = ("created_at", "unit", "item", "useful", "comment", "contact", "status", "answer",
                   "change_item_id")
    column_export_list = ("created_at", "unit", "item", "useful", "comment", "contact_name", "contact", "status",
                          "answer", "answer_public", "answered_at", "change_item_id")
    column_filters = ("status", "useful", "answer_public")
    column_searchable_list = ("comment",)
    column_default_sort = ("created_at", True)
    column_formatters = {"status": _fmt_status, "useful": _fmt_useful, "change_item_id": _fmt_change,
                         "comment": _fmt_comment, "contact": _fmt_contact, "answer": _fmt_answer}
    column_formatters_export = {"status": lambda v, c, model, n: str(STATUS_NAMES.get(model.status, model.status)),
                                "useful": _fmt_useful,
                                "change_item_id": lambda v, c, model, n: (
                                    f"#{model.change_item_id} v{model.change_version}" if model.change_item_id else "")}
    form_columns = ("status", "answer", "answer_public")
    form_overrides = {"status": SelectField, "answer": TextAreaField}
    form_args = {"status": {"choices": list(STATUS_NAMES.items())}}
    ACTION_PERMISSIONS = {"delete": "delete", "approve": "edit", "hide": "edit"}

    @property
    def can_create(self) -> bool:  # type: ignore[override]
        return False

    def check(self, form: Any, model: Any, is_created: bool) -> None:
        if model.answer and model.answer.strip():
            if model.answered_at is None:
                model.answered_at = dt.datetime.now(dt.timezone.utc)
            model.answered_by = current_user.username
        elif model.answered_at is not None:
            raise ValidationError(gettext("Answer: an answer given cannot be emptied."))

    def _bulk(self, ids: Any, status: str) -> None:
        try:
            ids = tuple(int(i) for i in ids)
        except (TypeError, ValueError):
            abort(400)
        rows = self.get_query().filter(Feedback.id.in_(ids)).all()  # scoped: others' ids are not found
        for fb in rows:
            svc.moderate(fb, status)
        self.session.info["actor"] = current_user.username
        self.session.commit()
        flash(gettext("%(n)s comments set to “%(status)s”", n=len(rows), status=STATUS_NAMES[status]), "success")

    @action("approve", _l("Publish the comments"))
    def action_approve(self, ids):
        return self._bulk(ids, "approved")

    @action("hide", _l("Do not publish the comments"))
    def action_hide(self, ids):
        return self._bulk(ids, "hidden")

    @expose("/change/", methods=["GET", "POST"])
    def change_view(self):
        """Turn a comment into a catalog change: one element of an item takes a new value (a new
        draft version whose reason names the comment; the comment links to that version)."""
        from flask_wtf.csrf import validate_csrf

        if not self.allows("edit"):
            abort(403)
        fb = self.get_one(request.values.get("id"))
        items = [i for i in _in_scope_items()
                 if i.unit.key == fb.unit.key or i.unit.key.startswith(fb.unit.key + "/")]
        error = None
        if request.method == "POST":
            try:
                validate_csrf(request.form.get("csrf_token"))
            except ValidationError:
                abort(400)
            try:
                item_id = int(request.form.get("item_id", ""))
            except ValueError:
                item_id = None
            item = next((i for i in items if i.id == item_id), None)
            loaded = _loaded_versions(request.form.get("loaded_versions"))
            try:
                if item is None:
                    raise svc.ParticipationError("item", "请选择本目录中的事项", "choose an item of this catalog")
                if item.id not in loaded:  # a post without the versions the form showed: nothing says they were seen
                    raise svc.ParticipationError("item", str(_l(
                        "Not saved: the form does not say which version of the record it was opened at. Open the "
                        "record again and make your change there.")))
                version = svc.to_catalog_change(self.session, fb, item, request.form.get("field", ""),
                                                request.form.get("value", ""), current_user.username,
                                                pm=current_app.extensions["zwgk.pm"],
                                                loaded_version=loaded[item.id])
                self.session.commit()
            except svc.ParticipationError as exc:
                self.session.rollback()
                error = f"{PARTICIPATION_LABELS.get(exc.field, LABELS.get(exc.field, exc.field))}: {exc.in_language()}"
            else:
                flash(gettext("Item “%(item)s” changed, now version %(v)s (a draft: it is reviewed again before it is "
                              "published)", item=item.level1, v=version), "success")
                return redirect(url_for(".index_view"))
        return self.render("participation/admin_change.html", fb=fb, items=items, error=error,
                           fields=[(f, LABELS.get(f, f)) for f in svc.CHANGEABLE_FIELDS], form=request.form)


def _loaded_versions(text: str | None) -> dict[int, int]:
    """The change form's ``loaded_versions`` ("id:version,…", every item it offered, as loaded)."""
    out = {}
    for pair in (text or "").split(","):
        key, _, version = pair.partition(":")
        if key.strip().isdigit() and version.strip().isdigit():
            out[int(key)] = int(version)
    return out


def _fmt_kind(view, ctx, model, name):
    return str(KIND_NAMES.get(model.kind, model.kind))


def _fmt_timing(view, ctx, model, name):
    from ..db import get_db

    t = svc.interpretation_timing(get_db().scoped(), model)
    due = gettext(" (due by %(day)s)", day=t.due) if t.due else ""
    return (t.label_en if _english() else t.label) + due


class InterpretationView(ParticipationView):
    """政策解读 of a published policy document: text, a graphic or a video link."""

    unit_join = (Interpretation.item, m.CatalogItem.unit)
    column_list = ("item", "document_title", "document_published_on", "kind", "title", "published_on", "timing")
    column_labels = {**PARTICIPATION_LABELS, "timing": _l("On time?")}
    column_formatters = {"kind": _fmt_kind, "timing": _fmt_timing}
    column_exclude_list = ("version", "image")
    column_details_exclude_list = ("image",)
    form_columns = ("item", "document_title", "document_published_on", "kind", "title", "body", "graphic",
                    "video_url", "published_on")
    form_extra_fields = {**ParticipationView.form_extra_fields,
                         "graphic": FileField(_l("Graphic (PNG, JPEG or GIF, at most 2 MB)"))}
    form_overrides = {"kind": SelectField, "body": TextAreaField}
    form_args = {"kind": {"choices": list(KIND_NAMES.items())}, "item": {"query_factory": _in_scope_items}}
    # exported like every list (the graphic itself stays out: it is served by its own page)
    column_export_list = ("item", "document_title", "document_published_on", "kind", "title", "body", "video_url",
                          "published_on", "timing")
    column_formatters_export = {"kind": _fmt_kind, "timing": _fmt_timing}

    def unit_path_of(self, model: Any) -> str | None:
        return model.item.unit.key if model.item else None

    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        upload = form.graphic.data  # an empty upload keeps the stored graphic
        data = upload.read(MAX_IMAGE + 1) if upload is not None and hasattr(upload, "read") else b""
        if data:
            if len(data) > MAX_IMAGE:
                raise ValidationError(gettext("Graphic: at most 2 MB."))
            kind = next((t for magic, t in IMAGE_TYPES.items() if data.startswith(magic)), None)
            if kind is None:  # no SVG: a script inside it would run on our origin
                raise ValidationError(gettext("Graphic: only PNG, JPEG or GIF pictures are accepted."))
            model.image, model.image_type = data, kind
        super().on_model_change(form, model, is_created)

    def check(self, form: Any, model: Any, is_created: bool) -> None:
        if model.item is None:
            raise ValidationError(gettext("Catalog item: required."))
        if not svc.is_policy_document(model.item):
            raise ValidationError(gettext("Catalog item: only a policy document can be interpreted (an item whose "
                                          "second-level item or content is a normative or policy document)."))
        if not svc.published_items(self.session, item_id=model.item.id):
            raise ValidationError(gettext("Catalog item: only a published policy document can be interpreted."))
        if model.kind == "text" and not (model.body or "").strip():
            raise ValidationError(gettext("Text: a text interpretation needs a text."))
        if model.kind == "graphic" and not model.image:
            raise ValidationError(gettext("Graphic: upload a picture."))
        if model.kind == "video":
            url = (model.video_url or "").strip()
            if not url.startswith(("https://", "http://")):
                raise ValidationError(gettext("Video link: must begin with http:// or https://."))
        if model.video_url and not model.video_url.startswith(("https://", "http://")):
            raise ValidationError(gettext("Video link: must begin with http:// or https://."))
        if model.published_on and model.document_published_on and model.published_on < model.document_published_on:
            raise ValidationError(gettext("Published on: not before the document was published."))


class ConcernResponseView(ParticipationView):
    """回应关切: the question, the answer and the date."""

    unit_join = (ConcernResponse.unit,)
    column_list = ("unit", "question", "answer", "answered_on", "channel", "published")
    column_searchable_list = ("question", "answer")
    form_columns = ("unit", "item", "question", "answer", "answered_on", "channel", "published")
    form_overrides = {"question": TextAreaField, "answer": TextAreaField}

    def check(self, form: Any, model: Any, is_created: bool) -> None:
        if model.item is not None and model.item.unit_id != model.unit.id:
            raise ValidationError(gettext("Catalog item: must be an item of this unit's catalog."))


class TopicPageView(ParticipationView):
    """工作动态 and 经验做法 on the region's 试点工作专题."""

    unit_join = (TopicPage.unit,)
    column_list = ("unit", "kind", "title", "published", "published_on", "author")
    column_formatters = {"kind": lambda v, c, model, n: str(PAGE_KIND_NAMES.get(model.kind, model.kind))}
    form_columns = ("unit", "kind", "title", "body", "published", "published_on", "author")
    form_overrides = {"kind": SelectField, "body": TextAreaField}
    form_args = {"kind": {"choices": list(PAGE_KIND_NAMES.items())}, "unit": {"query_factory": _in_scope_units}}

    def check(self, form: Any, model: Any, is_created: bool) -> None:
        if model.published and not model.published_on:
            model.published_on = dt.datetime.now(svc.BEIJING).date()


class SettingView(ParticipationView):
    """The region's retention period for contact details (days)."""

    unit_join = (ParticipationSetting.unit,)
    column_list = ("unit", "contact_retention_days")
    form_columns = ("unit", "contact_retention_days")

    def check(self, form: Any, model: Any, is_created: bool) -> None:
        if model.contact_retention_days is None or not 1 <= model.contact_retention_days <= 3650:
            raise ValidationError(gettext("Days contact details are kept: between 1 and 3650."))


def add_views(admin: Any, session: Any) -> None:
    category = _l("Participation")
    for view, model, name, endpoint in (
        (FeedbackView, Feedback, _l("Feedback"), "feedback"),
        (InterpretationView, Interpretation, _l("Interpretations"), "interpretation"),
        (ConcernResponseView, ConcernResponse, _l("Responses to public concerns"), "concern_response"),
        (TopicPageView, TopicPage, _l("Topic page articles"), "topic_page"),
        (SettingView, ParticipationSetting, _l("Contact retention"), "participation_setting"),
    ):
        admin.add_view(view(model, session, name=name, category=category, endpoint=endpoint))
