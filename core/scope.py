"""Which unit a record belongs to: the one rule behind region-scoped access.

``record_path(obj)`` answers for one loaded object; ``scope_filter`` adds the same
rule to a query (joins through export's paths), so lists, counts, detail pages,
edits, deletes, exports and bulk actions all agree.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, or_, select

from . import models as m
from .export import EXPORTS
from .unitpath import under as _under


def record_path(obj: Any) -> str | None:
    """The unit path a record belongs to (``None``: national or reference data)."""
    if isinstance(obj, m.AdminUnit):
        return obj.key
    if isinstance(obj, m.ElementRequirement):
        return None if obj.scope == "national" else obj.scope
    if isinstance(obj, (m.CatalogItem, m.Score)):
        return obj.unit.key if obj.unit else None
    if isinstance(obj, m.SchedulePhase):
        return record_path(obj.schedule) if obj.schedule else None
    if isinstance(obj, m.Milestone):
        return record_path(obj.phase) if obj.phase else None
    if isinstance(obj, m.ReportSubmission):
        return record_path(obj.schedule) if obj.schedule else None
    if isinstance(obj, m.PublicationRecord):
        target = obj.obligation or obj.catalog_item
        return record_path(target) if target else None
    if isinstance(obj, m.User):
        return obj.unit.key if obj.unit else None
    scope = getattr(obj, "scope", None)
    return scope.key if isinstance(scope, m.AdminUnit) else None


def scope_filter(query: Any, kind: str, path: str) -> Any:
    """Restrict a query of ``kind`` to records under ``path`` (works on Query and select)."""
    exp = EXPORTS.get(kind)
    if kind == "element_requirements":
        return query.filter(_under(m.ElementRequirement.scope, path))
    if kind == "users":
        unit = select(m.AdminUnit.id).where(_under(m.AdminUnit.key, path))
        return query.filter(m.User.unit_id.in_(unit))
    if kind == "report_submissions":
        ids = scope_filter(select(m.Schedule.id), "schedules", path)
        return query.filter(m.ReportSubmission.schedule_id.in_(ids))
    if kind == "publication_records":
        obligations = scope_filter(select(m.Obligation.id), "obligations", path)
        items = scope_filter(select(m.CatalogItem.id), "catalog_items", path)
        return query.filter(or_(m.PublicationRecord.obligation_id.in_(obligations),
                                m.PublicationRecord.catalog_item_id.in_(items)))
    if kind == "changes":
        conds = []
        for k, e in EXPORTS.items():
            if e.unit_path is None or not hasattr(e.model, "__tablename__"):
                continue
            ids = scope_filter(select(e.model.id), k, path)
            conds.append((m.Change.entity == e.model.__tablename__) & m.Change.entity_id.in_(ids))
        return query.filter(or_(*conds))
    if exp is None or exp.unit_path is None:
        return query.filter(false())
    query, key = exp.unit_path(query)
    return query.filter(_under(key, path))


def unit_keys_in_scope(session: Any, user: Any) -> list[str]:
    """The paths of the units ``user`` may choose (every unit for a system administrator)."""
    q = select(m.AdminUnit.key).order_by(m.AdminUnit.key)
    if not user.is_system_admin:
        q = scope_filter(q, "units", user.unit_path or "\0")
    return list(session.scalars(q))
