"""Public pages of participation (no login, server-rendered, no script needed):

- ``/topic/`` and ``/topic/<unit>``: the 试点工作专题 of a region or pilot unit (000 五、（三）);
- ``/topic/<unit>/flowchart.svg``: its 公开流程图;
- ``/item/<id>``: a published item with its interpretations, public comments and answers, and the
  feedback form; ``/feedback/<unit>``: feedback on a unit's whole catalog;
- ``/api/v1/feedback``, ``/api/v1/interpretations``, ``/api/v1/concern_responses``: the same as JSON.

Nothing here ever reads a contact detail: public records are built by whitelist
(``service.public_record``).
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from .. import catalog_history
from .. import models as m
from ..app import get_pm
from ..auth import limiter
from ..catalog import review_steps, scopes_of
from ..catalog_history import BEIJING
from ..db import get_db
from . import service as svc
from .flowchart import _rule_en, disclosure_flowchart
from .models import Interpretation, TopicPage

bp = Blueprint("participation", __name__)

#: the five source documents (seeds README): what a standard's or plan's ``source_file`` names
DOCUMENTS = {
    "002_66f574390f353fca.txt": "国务院办公厅《开展基层政务公开标准化规范化试点工作方案》国办发〔2017〕42号",
    "003_c77de584ade0da08.txt": "浙江省人民政府办公厅 浙政办发〔2017〕82号",
    "000_ef7c0162f1b46fd5.txt": "山东省人民政府办公厅《开展基层政务公开标准化规范化试点工作实施方案》鲁政办发〔2017〕74号",
    "001_38f7583137ba7a7e.txt": "山东省人民政府办公厅《关于进一步做好政务公开工作的通知》鲁政办发〔2018〕21号",
    "004_f45e28f35d19f70e.txt": "《道县全面推进基层政务公开标准化规范化工作实施方案》（2020年9月1日）",
}
PAGE_KIND_NAMES = {"news": "工作动态", "practice": "经验做法"}
KIND_NAMES = {"text": "文字解读", "graphic": "图解", "video": "视频解读"}


def _kind_names(pages: bool = False) -> dict:
    """The kinds of interpretations (or of topic pages) in the page's language: the admin's English
    msgids on English pages."""
    from ..public import _english

    if _english():
        from .admin import KIND_NAMES as words, PAGE_KIND_NAMES as page_words

        return page_words if pages else words
    return PAGE_KIND_NAMES if pages else KIND_NAMES


def _feedback_rate() -> str:
    return current_app.config.get("ZWGK_FEEDBACK_RATE", "5 per minute;30 per day")


def _no_control(form, field):
    """A NUL no database stores, and no other control character; tab and line breaks are text."""
    if field.data and svc.CONTROL.search(field.data):
        raise ValidationError(_l("Contains a control character."))


class FeedbackForm(FlaskForm):
    """公众评价: useful or not, a comment and contact details (both optional), and a honeypot."""

    useful = RadioField(_l("Was this information useful to you?"), choices=[("yes", _l("Useful")), ("no", _l("Not useful"))],
                        validators=[DataRequired(_l("Choose useful or not useful."))])
    comment = TextAreaField(_l("Comments and suggestions (optional; published after review)"), validators=[
        Optional(), Length(max=svc.MAX_COMMENT, message=_l("No more than %(max)d characters.")), _no_control])
    contact_name = StringField(_l("How to address you (optional; seen by the unit only)"), validators=[
        Optional(), Length(max=svc.MAX_NAME, message=_l("No more than %(max)d characters.")), _no_control])
    contact = StringField(_l("Contact details (optional; seen by the unit only, deleted when due)"), validators=[
        Optional(), Length(max=svc.MAX_CONTACT, message=_l("No more than %(max)d characters.")), _no_control])
    # people never see it (hidden by style, not by script); a bot that fills every field does
    homepage = StringField(_l("Web address (leave empty)"))


def _unit(session, path: str) -> m.AdminUnit:
    unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == path.strip("/")))
    if unit is None:
        abort(404)
    return unit


def _today() -> dt.date:
    raw = request.args.get("today")
    if raw:
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            abort(400)
    return dt.datetime.now(BEIJING).date()


def _take_feedback(session, unit: m.AdminUnit, item: m.CatalogItem | None):
    """POST of the feedback form: the honeypot and the rate limit keep machines out."""
    form = FeedbackForm()
    if not form.validate_on_submit():
        return form, False
    if form.homepage.data:  # a bot: answer as if accepted, keep nothing
        return form, True
    svc.leave_feedback(session, unit, item, form.useful.data == "yes", form.comment.data,
                       form.contact_name.data, form.contact.data)
    session.commit()
    return form, True


@bp.route("/item/<int:item_id>", methods=["GET", "POST"])
@limiter.limit(_feedback_rate, methods=["POST"])
def item_page(item_id: int):
    """A published item: its elements, interpretations, public comments and answers, and the form."""
    session = get_db().scoped()
    shown = svc.published_items(session, item_id=item_id).get(item_id)
    if shown is None:
        abort(404)
    item = session.get(m.CatalogItem, item_id)
    form, sent = (_take_feedback(session, item.unit, item) if request.method == "POST" else (FeedbackForm(), False))
    if sent:
        return redirect(url_for(".item_page", item_id=item_id, sent=1) + "#feedback", code=303)
    interps = [i for i in session.scalars(select(Interpretation).where(Interpretation.item_id == item_id,
                                                                      Interpretation.published_on.isnot(None))
                                          .order_by(Interpretation.published_on))]
    today = _today()
    timings = {i.id: svc.interpretation_timing(session, i, today) for i in interps}
    stats = svc.feedback_stats(session, item.unit.key)
    marks = _item_marks(session, item_id)
    return render_template("participation/item.html", item=shown, unit=item.unit, form=form,
                           sent=request.args.get("sent"), comments=svc.public_feedback(session, item.unit.key, item_id),
                           interpretations=interps, timings=timings, kind_names=_kind_names(), stats=stats, marks=marks,
                           policy=svc.is_policy_document(shown)), (400 if form.errors else 200)


def _item_marks(session, item_id: int) -> dict[str, int]:
    from .models import Feedback

    rows = session.scalars(select(Feedback.useful).where(Feedback.item_id == item_id)).all()
    return {"useful": sum(rows), "not_useful": len(rows) - sum(rows)}


@bp.route("/feedback/<path:unit_path>", methods=["GET", "POST"])
@limiter.limit(_feedback_rate, methods=["POST"])
def catalog_feedback(unit_path: str):
    """Feedback on a unit's whole catalog (公众评价意见反馈渠道)."""
    session = get_db().scoped()
    unit = _unit(session, unit_path)
    if not svc.published_items(session, unit.key):
        abort(404)
    form, sent = (_take_feedback(session, unit, None) if request.method == "POST" else (FeedbackForm(), False))
    if sent:
        return redirect(url_for(".catalog_feedback", unit_path=unit.key, sent=1) + "#feedback", code=303)
    return render_template("participation/catalog_feedback.html", unit=unit, form=form, sent=request.args.get("sent"),
                           comments=svc.public_feedback(session, unit.key, with_items=False),
                           stats=svc.feedback_stats(session, unit.key)), (400 if form.errors else 200)


@bp.errorhandler(429)
def _too_many(_exc):
    return render_template("participation/message.html", title=gettext("Too many submissions"),
                           message=gettext("You have submitted too often; please try again later.")), 429


# --------------------------------------------------------------------------
# 试点工作专题
# --------------------------------------------------------------------------


def _topic_units(session) -> tuple[list[m.AdminUnit], list[m.AdminUnit]]:
    """Regions with a plan of their own (a schedule), and pilot units."""
    regions = list(session.scalars(select(m.AdminUnit).where(m.AdminUnit.id.in_(
        select(m.Schedule.scope_id).where(m.Schedule.scope_id.isnot(None)))).order_by(m.AdminUnit.key)))
    pilots = list(session.scalars(select(m.AdminUnit).where(m.AdminUnit.is_pilot).order_by(m.AdminUnit.key)))
    return regions, [p for p in pilots if p not in regions]


@bp.get("/topic/")
def topic_index():
    session = get_db().scoped()
    regions, pilots = _topic_units(session)
    return render_template("participation/topic_index.html", regions=regions, pilots=pilots)


def _flowchart(session, unit: m.AdminUnit):
    ob = svc.interpretation_obligation(session, unit.key)
    steps = review_steps(get_pm(), unit.key)
    from ..public import _english

    english = _english()
    title = f"{unit.name}: disclosure flowchart" if english else f"{unit.name}政务公开流程图"
    return disclosure_flowchart(title, steps, ob.rule_text if ob else None, _request_steps(unit.key),
                                english), steps, ob


def _request_steps(unit_key: str) -> list[str]:
    hook = getattr(get_pm().hook, "zwgk_request_steps", None)
    if hook is None:
        return []
    for steps in hook(unit_path=unit_key):
        if steps:
            return list(steps)
    return []


@bp.get("/topic/<path:unit_path>/flowchart.svg")
def flowchart_svg(unit_path: str):
    session = get_db().scoped()
    chart, *_ = _flowchart(session, _unit(session, unit_path))
    return Response(str(chart), mimetype="image/svg+xml")


@bp.get("/topic/<path:unit_path>/page/<int:page_id>")
def topic_page(unit_path: str, page_id: int):
    session = get_db().scoped()
    unit = _unit(session, unit_path)
    page = session.get(TopicPage, page_id)
    if page is None or not page.published or page.unit_id != unit.id:
        abort(404)
    return render_template("participation/page.html", unit=unit, page=page, kind_names=_kind_names(pages=True))


@bp.get("/topic/<path:unit_path>")
def topic(unit_path: str):
    """试点工作专题: plan, catalog, flowchart, standards, progress, feedback, 工作动态 and 经验做法."""
    from ..admin.charts import timeline

    session = get_db().scoped()
    unit = _unit(session, unit_path)
    today = _today()
    scopes = scopes_of(unit.key)[1:]  # the unit and the units above it: their plans apply to it
    scope_ids = select(m.AdminUnit.id).where(m.AdminUnit.key.in_(scopes))
    schedules = list(session.scalars(select(m.Schedule).where(m.Schedule.scope_id.in_(scope_ids))
                                     .order_by(m.Schedule.id)))
    responsibilities = list(session.scalars(select(m.Responsibility).where(m.Responsibility.scope_id.in_(scope_ids))
                                            .order_by(m.Responsibility.id)))
    standards = list(session.scalars(select(m.Standard).where(m.Standard.scope_id.in_(scope_ids))
                                     .order_by(m.Standard.key)))
    in_force = [s for s in standards if s.status in ("in_force", "trial")]
    planned = [s for s in standards if s.status == "draft"]
    items = sorted(svc.published_items(session, unit.key).values(),
                   key=lambda i: (i["unit"], i["domain"], i.get("seq") or 0, i["level1"]))
    milestones = [ms for s in schedules for ph in s.phases for ms in ph.milestones]
    progress = {"done": sum(1 for x in milestones if x.completed_on),
                "overdue": sum(1 for x in milestones if not x.completed_on and x.due_on < today),
                "open": sum(1 for x in milestones if not x.completed_on and x.due_on >= today)}
    pilot_domains = _pilot_domains(session, unit, scope_ids)
    progress["complete"] = _completeness(session, items)
    covered = sorted({i["domain"] for i in items})
    chart, steps, obligation = _flowchart(session, unit)
    pages = list(session.scalars(select(TopicPage).where(TopicPage.unit_id == unit.id, TopicPage.published)
                                 .order_by(TopicPage.published_on.desc(), TopicPage.id.desc())))
    shown_ids = {i["id"] for i in items}
    interps = [i for i in svc.interpretations_of(session, unit.key) if i.item_id in shown_ids]
    return render_template(
        "participation/topic.html", unit=unit, today=today, schedules=schedules, responsibilities=responsibilities,
        timeline=timeline(schedules, today) if schedules else None, in_force=in_force, planned=planned,
        documents=DOCUMENTS, items=items, progress=progress, milestones=milestones, pilot_domains=pilot_domains,
        covered=covered, chart=chart, steps=steps, obligation=obligation, stats=svc.feedback_stats(session, unit.key),
        rule_en=_rule_en(obligation.rule_text) if obligation else None,
        pages=pages, kind_names=_kind_names(pages=True), interpretations=interps,
        timings={i.id: svc.interpretation_timing(session, i, today) for i in interps},
        responses=svc.concern_responses(session, unit.key))


def _completeness(session, items: list[dict]) -> int | None:
    """Percent of the required elements (the region's rules: national 6, 山东 7, 道县 8) that the
    published items fill; None without items."""
    from ..catalog import ELEMENT_FIELDS, required_elements

    wanted: dict[str, list[tuple[str, ...]]] = {}
    filled = total = 0
    for item in items:
        if item["unit"] not in wanted:
            wanted[item["unit"]] = [ELEMENT_FIELDS[r.element.code] for r in required_elements(session, item["unit"])
                                    if r.element.code in ELEMENT_FIELDS]
        for fields in wanted[item["unit"]]:
            total += 1
            filled += any(item.get(f) for f in fields)
    return round(100 * filled / total) if total else None


def _pilot_domains(session, unit: m.AdminUnit, scope_ids) -> list[str]:
    """The domains the unit pilots: its own, else those of the programmes of its region."""
    if unit.pilot_domains:
        return [d.name for d in unit.pilot_domains]
    programmes = session.scalars(select(m.PilotProgram).where(m.PilotProgram.scope_id.in_(scope_ids)))
    return list(dict.fromkeys(d.name for p in programmes for d in p.domains))


@bp.get("/interpretation/<int:interp_id>/image")
def interpretation_image(interp_id: int):
    session = get_db().scoped()
    interp = session.get(Interpretation, interp_id)
    if (interp is None or interp.image is None or interp.published_on is None
            or interp.item_id not in svc.published_items(session, item_id=interp.item_id)):
        abort(404)
    return Response(interp.image, mimetype=interp.image_type or "application/octet-stream",
                    headers={"Content-Disposition": "inline", "Cache-Control": "public, max-age=3600"})


# --------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------


def _api_unit(session) -> m.AdminUnit | None:
    region = (request.args.get("region") or "").strip("/")
    if not region:
        return None
    return session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == region))


@bp.get("/api/v1/feedback")
def api_feedback():
    """Public comments (approved) with public answers, and the counts; never contact details."""
    session = get_db().scoped()
    unit = _api_unit(session)
    if unit is None:
        return jsonify(message="需要 ?region= 单位路径 (a unit path), e.g. 湖南省/永州市/道县"), 400
    return jsonify(region=unit.key, stats=svc.feedback_stats(session, unit.key).as_dict(),
                   feedback=svc.public_feedback(session, unit.key))


@bp.get("/api/v1/interpretations")
def api_interpretations():
    session = get_db().scoped()
    unit = _api_unit(session)
    if unit is None:
        return jsonify(message="需要 ?region= 单位路径 (a unit path)"), 400
    today = _today()
    shown = svc.published_items(session, unit.key)
    out = []
    for i in svc.interpretations_of(session, unit.key):
        if i.item_id not in shown:
            continue
        t = svc.interpretation_timing(session, i, today)
        out.append({"id": i.id, "item_id": i.item_id, "document_title": i.document_title,
                    "document_published_on": i.document_published_on.isoformat(), "kind": i.kind, "title": i.title,
                    "body": i.body, "video_url": i.video_url,
                    "image": url_for(".interpretation_image", interp_id=i.id) if i.image else None,
                    "published_on": i.published_on.isoformat(), "timing": t.status,
                    "due_on": t.due.isoformat() if t.due else None, "late_workdays": t.late_by,
                    "rule": t.obligation.rule_text if t.obligation else None,
                    "rule_source": t.obligation.source if t.obligation else None})
    return jsonify(region=unit.key, interpretations=out)


@bp.get("/api/v1/concern_responses")
def api_concern_responses():
    session = get_db().scoped()
    unit = _api_unit(session)
    if unit is None:
        return jsonify(message="需要 ?region= 单位路径 (a unit path)"), 400
    return jsonify(region=unit.key, responses=[
        {"id": r.id, "unit": r.unit.key, "question": r.question, "answer": r.answer,
         "answered_on": r.answered_on.isoformat(), "channel": r.channel, "item_id": r.item_id}
        for r in svc.concern_responses(session, unit.key)])


def init_app(app) -> None:
    app.register_blueprint(bp)
