"""How the admin shows stored values: codes as words, yes/no, Beijing time, changes in words.

Stored values stay codes (``general``, ``monthly``, ``renamed`` …) and times stay UTC; this
module is the one place that turns them into what a clerk reads, in the interface's language
(Chinese first; the English words are the msgids).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext, lazy_gettext as _l
from markupsafe import Markup, escape

from .labels import LABELS, STATUS_CHOICES

#: 北京时间: China has kept UTC+8, without summer time, since 1992
BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

STANDARD_CATEGORIES = {"general": _l("General and basic"), "platform": _l("Platform"),
                       "evaluation": _l("Evaluation"), "domain": _l("Domain")}
STANDARD_STATUSES = {"draft": _l("Draft"), "trial": _l("Trial"), "in_force": _l("In force"),
                     "withdrawn": _l("Repealed")}
ITEM_STATUSES = dict(STATUS_CHOICES)
CADENCES = {"monthly": _l("Monthly"), "quarterly": _l("Quarterly"), "yearly": _l("Yearly")}
SUCCESSION_KINDS = {"renamed": _l("Renamed"), "split": _l("Split")}
UNIT_LEVELS = {"province": _l("Province"), "city": _l("City"), "county": _l("County"),
               "township": _l("Township")}
ROLES = {"system_admin": _l("System administrator"), "region_admin": _l("Region administrator"),
         "editor": _l("Department editor"), "reviewer": _l("Reviewer"), "viewer": _l("Read-only user")}
ACTIONS = {"create": _l("Created"), "update": _l("Modified"), "delete": _l("Deleted"), "import": _l("Imported")}
DUE_STATUSES = {"done": _l("Done"), "overdue": _l("Overdue"), "due_soon": _l("Due soon"),
                "in_progress": _l("In progress"), "not_started": _l("Not started"), "on_time": _l("On time"),
                "late": _l("Published late"), "pending": _l("Pending"), "no_rule": _l("No computable time limit"),
                "out_of_range": _l("Date outside the working-day calendar")}
STEPS = {"submit": _l("Submitted"), "review": _l("Confidentiality review"), "signoff": _l("Sign-off"),
         "publish": _l("Published"), "withdraw": _l("Withdrawn")}
#: table → what a clerk calls a record of it
ENTITIES = {
    "catalog_item": _l("Catalog item"), "publication_record": _l("Publication record"),
    "standard": _l("Standard"), "responsibility": _l("Responsibility"),
    "element_requirement": _l("Required element"), "schedule": _l("Schedule"), "schedule_phase": _l("Phase"),
    "milestone": _l("Milestone"), "report_submission": _l("Progress report"), "obligation": _l("Obligation"),
    "indicator": _l("Indicator"), "score": _l("Score"), "admin_unit": _l("Unit"),
    "pilot_program": _l("Pilot programme"), "domain": _l("Domain"), "domain_alias": _l("Domain alias"),
    "domain_succession": _l("Domain succession"), "disclosure_stage": _l("Five disclosures"),
    "catalog_element": _l("Catalog element"), "calendar_year": _l("Calendar year"),
    "calendar_day": _l("Holiday or make-up day"), "account": _l("User"),
}
#: column → its words, where the column holds a code (per table where the same name means two things)
ENUMS: dict[str, dict[str, Any]] = {
    "category": STANDARD_CATEGORIES, "report_cadence": CADENCES, "kind": SUCCESSION_KINDS,
    "level": UNIT_LEVELS, "role": ROLES, "action": ACTIONS, "entity": ENTITIES, "step": STEPS,
}
TABLE_ENUMS: dict[tuple[str, str], dict[str, Any]] = {
    ("standard", "status"): STANDARD_STATUSES, ("catalog_item", "status"): ITEM_STATUSES,
    ("catalog_item", "category"): {},  # 类别 (Shandong) is text, not a code
}


def origin_name(value: str | None) -> str:
    if value == "national":
        return gettext("National")
    if value == "admin":
        return gettext("Entered in the admin")
    return value or ""


def scope_name(value: str | None) -> str:
    return gettext("National") if value in (None, "national") else value


def enum_name(table: str, column: str, value: Any) -> Any:
    """The words for a stored code (the code itself when it is not one we know)."""
    names = TABLE_ENUMS.get((table, column), ENUMS.get(column))
    if column == "origin":
        return origin_name(value)
    if names and isinstance(value, str) and value in names:
        return str(names[value])
    return value


def yes_no(value: Any) -> str:
    return gettext("Yes") if value else gettext("No")


def beijing(moment: Any, seconds: bool = False) -> str:
    """A stored moment in Beijing time; a stored time without a zone is UTC (SQLite drops it)."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        try:
            moment = dt.datetime.fromisoformat(moment)
        except ValueError:
            return moment
    if not isinstance(moment, dt.datetime):
        return str(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def today_in_beijing() -> dt.date:
    return dt.datetime.now(BEIJING).date()


def field_name(column: str) -> str:
    label = LABELS.get(column) or LABELS.get(column[:-3] if column.endswith("_id") else "")
    return str(label) if label is not None else column


def value_words(table: str, column: str, value: Any, resolve: Any = None) -> str:
    """One stored value as words: yes/no, a code's name, a related record's name, Beijing time."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return yes_no(value)
    if column.endswith("_id") and resolve is not None and column != "entity_id":
        named = resolve(table, column, value)
        if named is not None:
            return named
    if column.endswith("_at"):
        return beijing(value)
    if column == "stages" and isinstance(value, list):
        from ..catalog_io import shown

        return shown(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}: {v}" for k, v in value.items())
    named = enum_name(table, column, value)
    text = str(named)
    return text if len(text) <= 120 else text[:119] + "…"


def change_lines(change: Any, resolve: Any = None) -> list[tuple[str, str, str | None]]:
    """A history row's changes as (field, old, new) in words; a record's creation lists its values."""
    out = []
    for column, pair in (change.changes or {}).items():
        if column in ("id", "loaded", "key", "version"):
            continue
        old, new = (pair if isinstance(pair, list) and len(pair) == 2 else (None, pair))
        words_new = value_words(change.entity, column, new, resolve)
        if change.action == "create":
            out.append((field_name(column), words_new, None))
        else:
            out.append((field_name(column), value_words(change.entity, column, old, resolve), words_new))
    return out


def changes_markup(change: Any, resolve: Any = None) -> Markup:
    parts = []
    for name, old, new in change_lines(change, resolve):
        if new is None:
            parts.append(f"{escape(name)}: {escape(old)}")
        else:
            parts.append(f"{escape(name)}: {escape(old)} → {escape(new)}")
    return Markup("<br>".join(parts))


def related_resolver(session: Any) -> Any:
    """(table, column, id) → the related record's name, looked up once per id."""
    from .. import models as m

    tables = {mp.class_.__tablename__: mp.class_ for mp in m.Base.registry.mappers}
    cache: dict[tuple[str, str, Any], str | None] = {}

    def resolve(table: str, column: str, value: Any) -> str | None:
        key = (table, column, value)
        if key not in cache:
            model = tables.get(table)
            target = None
            if model is not None and column in model.__table__.c:
                fks = list(model.__table__.c[column].foreign_keys)
                target = tables.get(fks[0].column.table.name) if fks else None
            record = session.get(target, value) if target is not None else None
            cache[key] = str(record) if record is not None else None
        return cache[key]

    return resolve


# -- Flask-Admin formatters --------------------------------------------------------------

def bool_formatter(view: Any, value: Any, name: str = "") -> str:
    return yes_no(value)


def datetime_formatter(view: Any, value: Any, name: str = "") -> str:
    return beijing(value)


def list_formatter(view: Any, values: Any, name: str = "") -> str:
    return "、".join(str(v) for v in values)


def dict_formatter(view: Any, value: Any, name: str = "") -> str:
    return "；".join(f"{field_name(k)}: {v}" for k, v in value.items())


def type_formatters() -> dict[type, Any]:
    from flask_admin.model import typefmt

    return {type(None): typefmt.empty_formatter, bool: bool_formatter, dt.datetime: datetime_formatter,
            list: list_formatter, dict: dict_formatter}


def enum_formatter(view: Any, context: Any, model: Any, name: str) -> Any:
    value = getattr(model, name, None)
    return "" if value is None else enum_name(model.__tablename__, name, value)


def changes_formatter(view: Any, context: Any, model: Any, name: str) -> Markup:
    return changes_markup(model, related_resolver(view.session))
