"""What participation does: feedback (take, moderate, answer, turn into a catalog change,
forget contact details), interpretation deadlines, and the statistics the evaluation reads."""

from __future__ import annotations

import datetime as dt
import re
import statistics
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .. import models as m
from ..catalog import scopes_of
from ..catalog_history import BEIJING
from ..timelimits import normalize, parse
from ..workcalendar import DateOutOfRange, WorkCalendar
from .models import ConcernResponse, Feedback, Interpretation, ParticipationSetting

#: words that make a catalog item a policy document (二级事项 or 公开内容), Simplified after folding
POLICY_WORDS = ("规范性文件", "政策文件")
#: the days contact details are kept when the region has set nothing (the documents give no figure)
DEFAULT_RETENTION_DAYS = 180
#: catalog fields a comment may change (text elements of the item)
CHANGEABLE_FIELDS = ("level1", "level2", "level3", "content", "basis", "time_limit", "subject", "channels")
MAX_COMMENT, MAX_CONTACT, MAX_NAME = 2000, 200, 100  # MAX_NAME: the column Feedback.contact_name
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ParticipationError(ValueError):
    """Bad input, with the field and the reason in Chinese (and in English for the English pages)."""

    def __init__(self, field: str, message: str, english: str | None = None):
        super().__init__(f"{field}: {message}")
        self.field, self.message, self.english = field, message, english or message

    def in_language(self) -> str:
        """The reason in the interface's language (Chinese outside a request)."""
        from flask import has_request_context

        if has_request_context():
            from flask_babel import get_locale

            if str(get_locale() or "").startswith("en"):
                return self.english
        return self.message


def beijing_day(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is None:  # SQLite gives naive datetimes back: they were stored in UTC
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(BEIJING).date()


def under(col: Any, path: str) -> Any:
    from ..unitpath import under as _under

    return _under(col, path)


# --------------------------------------------------------------------------
# Feedback
# --------------------------------------------------------------------------


def leave_feedback(session: Session, unit: m.AdminUnit, item: m.CatalogItem | None, useful: bool,
                   comment: str | None = None, contact_name: str | None = None,
                   contact: str | None = None) -> Feedback:
    """A citizen's feedback; a comment waits for the unit's moderation before anyone sees it."""
    comment, contact_name, contact = ((x or "").strip() or None for x in (comment, contact_name, contact))
    if comment and len(comment) > MAX_COMMENT:
        raise ParticipationError("comment", f"意见不超过{MAX_COMMENT}字", f"at most {MAX_COMMENT} characters")
    for name, value, limit in (("contact_name", contact_name, MAX_NAME), ("contact", contact, MAX_CONTACT)):
        if value and len(value) > limit:
            raise ParticipationError(name, f"不超过{limit}字", f"at most {limit} characters")
    for name, value in (("comment", comment), ("contact_name", contact_name), ("contact", contact)):
        if value and CONTROL.search(value):
            raise ParticipationError(name, "含有控制字符", "contains a control character")
    if item is not None and item.unit_id != unit.id:
        raise ParticipationError("item", "事项不属于该单位的目录", "the item is not in the unit's catalog")
    fb = Feedback(unit=unit, item=item, useful=useful, comment=comment, contact_name=contact_name,
                  contact=contact, status="pending")
    session.add(fb)
    session.flush()
    return fb


def moderate(fb: Feedback, status: str) -> None:
    if status not in ("pending", "approved", "hidden"):
        raise ParticipationError("status", f"未知状态 {status!r}", f"unknown status {status!r}")
    fb.status = status


def answer(fb: Feedback, text: str, public: bool, actor: str, now: dt.datetime | None = None) -> None:
    """The unit's answer: public (shown under the comment) or private (to the citizen only)."""
    text = (text or "").strip()
    if not text:
        raise ParticipationError("answer", "答复不能为空", "an answer cannot be empty")
    first = fb.answered_at is None
    fb.answer, fb.answer_public, fb.answered_by = text, public, actor
    if first:  # the answer time the evaluation counts is the first answer's
        fb.answered_at = now or dt.datetime.now(dt.timezone.utc)


def to_catalog_change(session: Session, fb: Feedback, item: m.CatalogItem, field_name: str, value: str,
                      actor: str, pm: Any = None, loaded_version: int | None = None) -> int:
    """Turn a comment into a catalog change: the item's field takes ``value`` as a new version
    (back to draft: it passes the region's steps again), whose reason names the feedback; the
    feedback keeps the item and version.  Returns the new version.

    The changed item passes the one validation path of every write (the schema, the region's
    required elements, the plugins' checks; 公开渠道和载体 is a list, read from the words as the
    importer reads them); ``loaded_version``, the version the form showed, refuses a stale form.
    Nothing changes when it is refused."""
    from ..api_write import ItemInputSchema
    from ..catalog import validate_item
    from ..catalog_history import snapshot
    from ..catalog_readers import channels as channel_list

    if field_name not in CHANGEABLE_FIELDS:
        raise ParticipationError("field", f"不能修改的要素 {field_name!r}",
                                 f"an element that cannot be changed {field_name!r}")
    if not (item.unit.key == fb.unit.key or item.unit.key.startswith(fb.unit.key + "/")):
        raise ParticipationError("item", "事项不属于该意见所针对的目录", "the item is not in the catalog the comment is about")
    if loaded_version is not None and loaded_version != item.version:
        raise ParticipationError("item", f"事项已被修改：表单打开时为第{loaded_version}版，现为第{item.version}版，请重新打开",
                                 f"the item changed since version {loaded_version}; it is now version {item.version}")
    value = (value or "").strip()
    if field_name == "level1" and not value:
        raise ParticipationError("value", "一级事项不能为空", "the first-level item cannot be empty")
    new: Any = channel_list(value) if field_name == "channels" else (value or None)
    if (getattr(item, field_name) or None) == (new or None):
        raise ParticipationError("value", "新内容与原内容相同", "the new value is the same as the old one")
    if pm is None:
        from flask import current_app

        pm = current_app.extensions["zwgk.pm"]
    inputs = ItemInputSchema()
    raw = {k: v for k, v in snapshot(item).items() if k in inputs.fields}
    raw[field_name] = new
    errors = inputs.validate(raw)
    if errors:
        name, messages = next(iter(errors.items()))
        raise ParticipationError("value", "；".join(map(str, messages if isinstance(messages, list) else [messages])))
    _data, problems = validate_item(session, pm, raw)
    if problems:
        raise ParticipationError("value", "；".join(p.message for p in problems))
    saved = dict(session.info)
    session.info.update(actor=actor, reason=f"依据公众意见第{fb.id}号调整 (feedback #{fb.id})")
    try:
        setattr(item, field_name, new)
        session.flush()
    finally:
        session.info.clear()
        session.info.update(saved)
    fb.change_item_id, fb.change_version = item.id, item.version
    session.flush()
    return item.version


def retention_days(session: Session, unit_key: str, default: int = DEFAULT_RETENTION_DAYS) -> int:
    """The retention period the unit's region set (the nearest unit at or above it), else ``default``."""
    rows = session.execute(select(m.AdminUnit.key, ParticipationSetting.contact_retention_days)
                           .join(ParticipationSetting.unit).where(m.AdminUnit.key.in_(scopes_of(unit_key))))
    found = {k: d for k, d in rows}
    for scope in reversed(scopes_of(unit_key)):
        if scope in found:
            return found[scope]
    return default


def purge_contacts(session: Session, now: dt.datetime | None = None,
                   default: int = DEFAULT_RETENTION_DAYS) -> int:
    """Clear the contact details of feedback older than its region's retention period; returns how many."""
    now = now or dt.datetime.now(dt.timezone.utc)
    count, cache = 0, {}
    rows = session.scalars(select(Feedback).where(or_(Feedback.contact.isnot(None),
                                                      Feedback.contact_name.isnot(None))))
    for fb in rows:
        key = fb.unit.key
        if key not in cache:
            cache[key] = retention_days(session, key, default)
        created = fb.created_at if fb.created_at.tzinfo else fb.created_at.replace(tzinfo=dt.timezone.utc)
        if created + dt.timedelta(days=cache[key]) <= now:
            fb.contact = fb.contact_name = None
            fb.contact_purged_at = now
            count += 1
    session.flush()
    return count


def public_feedback(session: Session, unit_key: str, item_id: int | None = None,
                    with_items: bool = True) -> list[dict[str, Any]]:
    """Feedback as the public may see it: approved comments, public answers, never contact details."""
    q = (select(Feedback).join(Feedback.unit).where(under(m.AdminUnit.key, unit_key), Feedback.status == "approved",
                                                    Feedback.comment.isnot(None))
         .order_by(Feedback.created_at.desc()))
    if item_id is not None:
        q = q.where(Feedback.item_id == item_id)
    elif not with_items:
        q = q.where(Feedback.item_id.is_(None))
    return [public_record(fb) for fb in session.scalars(q)]


def public_record(fb: Feedback) -> dict[str, Any]:
    """The public fields of one feedback — a whitelist, so a new column stays private until added here."""
    return {
        "id": fb.id, "unit": fb.unit.key, "item_id": fb.item_id, "useful": fb.useful, "comment": fb.comment,
        "created_on": beijing_day(fb.created_at).isoformat(),
        "answer": fb.answer if fb.answer and fb.answer_public else None,
        "answered_on": beijing_day(fb.answered_at).isoformat() if fb.answered_at and fb.answer_public else None,
        "answered_privately": bool(fb.answer and not fb.answer_public),
        "change": {"item_id": fb.change_item_id, "version": fb.change_version} if fb.change_item_id else None,
    }


@dataclass
class FeedbackStats:
    """Counts and answer times of a unit's feedback (for the topic page and the evaluation)."""

    total: int = 0
    useful: int = 0
    not_useful: int = 0
    comments: int = 0
    answered: int = 0
    unanswered: int = 0
    changes: int = 0  # comments that led to a catalog change
    answer_workdays: list[int] = field(default_factory=list)

    @property
    def satisfaction(self) -> float | None:
        """Share of "useful" among all marks (0–1), None without any mark."""
        return self.useful / self.total if self.total else None

    @property
    def mean_answer_workdays(self) -> float | None:
        return round(statistics.fmean(self.answer_workdays), 2) if self.answer_workdays else None

    @property
    def median_answer_workdays(self) -> float | None:
        return statistics.median(self.answer_workdays) if self.answer_workdays else None

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "useful": self.useful, "not_useful": self.not_useful,
                "comments": self.comments, "answered": self.answered, "unanswered": self.unanswered,
                "changes": self.changes, "satisfaction": self.satisfaction,
                "mean_answer_workdays": self.mean_answer_workdays,
                "median_answer_workdays": self.median_answer_workdays}


def feedback_stats(session: Session, unit_key: str | None = None, start: dt.date | None = None,
                   end: dt.date | None = None, calendar: WorkCalendar | None = None) -> FeedbackStats:
    """Feedback of ``unit_key`` and the units below it (all units: None), received between
    ``start`` and ``end`` (Beijing dates, both included).  Answer time: working days from the
    day received to the day of the first answer, on the official calendar (0: the same day).

    This is the function the evaluation (考核评估: satisfaction, responsiveness) reads.
    """
    q = select(Feedback).join(Feedback.unit)
    if unit_key:
        q = q.where(under(m.AdminUnit.key, unit_key))
    cal = calendar or WorkCalendar.load(session)
    out = FeedbackStats()
    for fb in session.scalars(q):
        day = beijing_day(fb.created_at)
        if (start and day < start) or (end and day > end):
            continue
        out.total += 1
        out.useful += fb.useful
        out.not_useful += not fb.useful
        if fb.comment:
            out.comments += 1
            if fb.answered_at:
                out.answered += 1
                try:
                    out.answer_workdays.append(cal.fresh().workdays_between(day, beijing_day(fb.answered_at)))
                except DateOutOfRange:  # a stored date the calendar does not count from: no answer time
                    pass
            elif fb.status != "hidden":
                out.unanswered += 1
        out.changes += fb.change_item_id is not None
    return out


# --------------------------------------------------------------------------
# Interpretations (解读)
# --------------------------------------------------------------------------


def is_policy_document(item: m.CatalogItem | dict[str, Any]) -> bool:
    """An item whose 二级事项 or 公开内容 names a 规范性文件 / 政策文件 (Traditional folded)."""
    get = item.get if isinstance(item, dict) else (lambda k: getattr(item, k))
    text = normalize(f"{get('level2') or ''}|{get('content') or ''}")
    return any(w in text for w in POLICY_WORDS)


def interpretation_obligation(session: Session, unit_key: str) -> m.Obligation | None:
    """The region's interpretation obligation (e.g. 001 四、（一）: 相關解讀材料應于文件公布后3個工作日內
    主動發布): an obligation in scope of the unit whose title names 解读 and whose rule is a period
    counted from the document's publication.  The nearest scope wins; None when the region has none."""
    unit_ids = select(m.AdminUnit.id).where(m.AdminUnit.key.in_(scopes_of(unit_key)))
    rows = session.scalars(select(m.Obligation).where(m.Obligation.scope_id.in_(unit_ids))).all()
    best, depth = None, -1
    for ob in rows:
        rule = parse(ob.rule_text)
        if "解读" not in normalize(ob.title) or rule.kind != "period" or rule.anchor != "document_published":
            continue
        d = ob.scope.key.count("/")
        if d > depth:
            best, depth = ob, d
    return best


TIMING_NAMES = {"on_time": "按时", "late": "逾期", "pending": "待发布", "overdue": "逾期未发布",
                "no_rule": "无时限要求", "out_of_range": "日期超出工作日历范围"}
TIMING_NAMES_EN = {"on_time": "On time", "late": "Late", "pending": "Not yet due", "overdue": "Overdue, not published",
                   "no_rule": "No time limit", "out_of_range": "Date outside the working-day calendar"}


@dataclass
class Timing:
    """Whether an interpretation met its deadline: on time, late (by n working days), pending."""

    status: str
    due: dt.date | None = None
    late_by: int = 0  # working days after the due date (published, or today when still missing)
    obligation: m.Obligation | None = None
    provisional: bool = False
    facts: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        name = TIMING_NAMES[self.status]
        return f"{name} {self.late_by} 个工作日" if self.late_by else name

    @property
    def label_en(self) -> str:
        name = TIMING_NAMES_EN[self.status]
        return f"{name} by {self.late_by} working days" if self.late_by else name


def interpretation_timing(session: Session, interp: Interpretation, today: dt.date | None = None,
                          calendar: WorkCalendar | None = None) -> Timing:
    """Check an interpretation against its region's obligation on the working-day calendar."""
    from ..timelimits import due_date

    ob = interpretation_obligation(session, interp.item.unit.key)
    if ob is None:
        return Timing("no_rule")
    cal = calendar or WorkCalendar.load(session)
    due = due_date(parse(ob.rule_text), interp.document_published_on, cal)
    if due.out_of_range:  # a stored date the calendar does not count from (docs/decisions.md)
        return Timing("out_of_range", None, 0, ob)
    result = Timing("on_time", due.due, 0, ob, due.provisional, list(due.facts))
    done = interp.published_on
    today = today or dt.datetime.now(BEIJING).date()
    counter = cal.fresh()
    try:
        if done is None:
            if today <= due.due:
                result.status = "pending"
            else:
                result.status, result.late_by = "overdue", counter.workdays_between(due.due, today)
        elif done > due.due:
            result.status, result.late_by = "late", counter.workdays_between(due.due, cal.check(done))
    except DateOutOfRange:
        return Timing("out_of_range", None, 0, ob)
    result.provisional = result.provisional or counter.provisional
    result.facts += counter.used
    return result


def interpretations_of(session: Session, unit_key: str, published_only: bool = True) -> list[Interpretation]:
    q = (select(Interpretation).join(Interpretation.item).join(m.CatalogItem.unit)
         .where(under(m.AdminUnit.key, unit_key)).order_by(Interpretation.document_published_on.desc()))
    if published_only:
        q = q.where(Interpretation.published_on.isnot(None))
    return list(session.scalars(q))


def concern_responses(session: Session, unit_key: str) -> list[ConcernResponse]:
    q = (select(ConcernResponse).join(ConcernResponse.unit).where(under(m.AdminUnit.key, unit_key),
                                                                 ConcernResponse.published)
         .order_by(ConcernResponse.answered_on.desc()))
    return list(session.scalars(q))


# --------------------------------------------------------------------------
# What the public sees of the catalog
# --------------------------------------------------------------------------


def published_items(session: Session, unit_key: str | None = None,
                    item_id: int | None = None) -> dict[int, dict[str, Any]]:
    """The last published version of each item still published (drafts never show), by item id —
    the same rule as ``zwgk.catalog_history.published``, keyed so pages can link to an item."""
    q = select(m.CatalogItemVersion).order_by(m.CatalogItemVersion.item_id, m.CatalogItemVersion.version)
    if unit_key:
        q = q.where(under(m.CatalogItemVersion.unit_key, unit_key))
    if item_id is not None:
        q = q.where(m.CatalogItemVersion.item_id == item_id)
    shown: dict[int, dict[str, Any]] = {}
    for r in session.scalars(q):
        if r.deleted or r.status == "withdrawn":
            shown.pop(r.item_id, None)
        elif r.status == "published":
            shown[r.item_id] = {**r.snapshot, "id": r.item_id, "version": r.version,
                                "published_on": beijing_day(r.at).isoformat()}
    return shown
