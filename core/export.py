"""Export of every kind of record as JSON or CSV, through the same schemas as loading."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, aliased

from . import models as m
from . import schemas as s
from .plugin_manager import origins, plugin_info
from .unitpath import under as _under


class ChangeSchema(s.StrictSchema):
    entity = fields.String()
    entity_id = fields.Integer()
    action = fields.String()
    changes = fields.Dict()
    actor = fields.String()
    reason = fields.String(allow_none=True)
    at = fields.DateTime()


@dataclass(frozen=True)
class Export:
    model: type
    schema: type[Schema]
    order: tuple[str, ...]
    unit_path: Callable[[Select], tuple[Select, Any]] | None = None  # joins to the unit that scopes it


def _via(*path: Any) -> Callable[[Select], tuple[Select, Any]]:
    """Join along relationship attributes, ending at an AdminUnit; return (query, unit key column)."""

    def join(q: Select) -> tuple[Select, Any]:
        unit = aliased(m.AdminUnit)
        for attr in path[:-1]:
            q = q.join(attr)
        q = q.join(unit, path[-1])
        return q, unit.key

    return join


def _own_key(q: Select) -> tuple[Select, Any]:
    return q, m.AdminUnit.key


#: the kinds of :data:`EXPORTS`, in their order
KINDS = ("documents", "stages", "elements", "element_requirements", "domains", "domain_aliases", "domain_successions",
         "units", "pilot_programs", "standards", "responsibilities", "schedules", "schedule_phases", "milestones",
         "obligations", "indicators", "catalog_items", "scores", "changes")


def _exports() -> dict[str, Export]:
    from . import documents as d  # not at module level: a catalog import never exports documents
    from .catalog_export import ORDER_COLUMNS

    exports = {
        "documents": Export(d.PolicyDocument, d.PolicyDocumentSchema, ("issued_on", "id")),
        "stages": Export(m.DisclosureStage, s.StageSchema, ("position",)),
        "elements": Export(m.CatalogElement, s.ElementSchema, ("id",)),
        "element_requirements": Export(m.ElementRequirement, s.ElementRequirementSchema, ("id",)),
        "domains": Export(m.Domain, s.DomainSchema, ("position", "id")),
        "domain_aliases": Export(m.DomainAlias, s.DomainAliasSchema, ("alias",)),
        "domain_successions": Export(m.DomainSuccession, s.DomainSuccessionSchema, ("id",)),
        "units": Export(m.AdminUnit, s.UnitSchema, ("key",), _own_key),
        "pilot_programs": Export(m.PilotProgram, s.PilotProgramSchema, ("id",), _via(m.PilotProgram.scope)),
        "standards": Export(m.Standard, s.StandardSchema, ("scope_id", "position", "id"), _via(m.Standard.scope)),
        "responsibilities": Export(m.Responsibility, s.ResponsibilitySchema, ("id",), _via(m.Responsibility.scope)),
        "schedules": Export(m.Schedule, s.ScheduleSchema, ("id",), _via(m.Schedule.scope)),
        "schedule_phases": Export(m.SchedulePhase, s.PhaseRecordSchema, ("schedule_id", "position"),
                                  _via(m.SchedulePhase.schedule, m.Schedule.scope)),
        "milestones": Export(m.Milestone, s.MilestoneRecordSchema, ("due_on", "id"),
                             _via(m.Milestone.phase, m.SchedulePhase.schedule, m.Schedule.scope)),
        "obligations": Export(m.Obligation, s.ObligationSchema, ("id",), _via(m.Obligation.scope)),
        "indicators": Export(m.Indicator, s.IndicatorSchema, ("id",), _via(m.Indicator.scope)),
        # each domain's items together, 序号 NULL first: zwgk export-catalog's order (select_query)
        "catalog_items": Export(m.CatalogItem, s.CatalogItemSchema, ORDER_COLUMNS, _via(m.CatalogItem.unit)),
        "scores": Export(m.Score, s.ScoreSchema, ("id",), _via(m.Score.unit)),
        "changes": Export(m.Change, ChangeSchema, ("id",)),
    }
    return exports


class _Built(Mapping[str, Export]):
    """A mapping made at its first use: :data:`EXPORTS` names the models of ``zwgk.models_rest``
    (standards, schedules …), which ``zwgk.models`` imports only when they are asked for — a
    catalog import, which imports this module for :func:`neutralise`, never does."""

    def __init__(self, build: Callable[[], dict[str, Export]]):
        self._build, self._made = build, None

    def _data(self) -> dict[str, Export]:
        if self._made is None:
            self._made = self._build()
        return self._made

    def __getitem__(self, key: str) -> Export:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())


EXPORTS: Mapping[str, Export] = _Built(_exports)


class ExportError(ValueError):
    """A refusal said in both languages (the command line); ``words`` (msgid and values), when
    given, say it in one: the API gives it in the request's language."""

    def __init__(self, message: str, words: tuple[str, dict[str, Any]] | None = None):
        super().__init__(message)
        self.words = words


#: a unit name two units or more share (their paths are the candidates)
NOT_UNIQUE = "The unit name “%(name)s” is not unique; write its full path: %(candidates)s."


def resolve_region(session: Session, pm: Any, region: str) -> tuple[str | None, str | None]:
    """A region given as a plugin name, a unit path or a unique unit name → (unit path, plugin name)."""
    for name in origins(pm):
        info = plugin_info(pm, name)
        if region == name or (info.get("region") and region == info["region"]):
            return info.get("region"), name
    unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == region))
    if unit is None:
        units = session.scalars(select(m.AdminUnit).where(m.AdminUnit.name == region)).all()
        if len(units) > 1:
            keys = [u.key for u in units]
            raise ExportError(f"单位名称不唯一，请写完整路径 ambiguous unit name {region!r}: " + ", ".join(keys),
                              words=(NOT_UNIQUE, {"name": region, "candidates": keys}))
        unit = units[0] if units else None
    if unit is None:
        raise ExportError(f"找不到地区 unknown region {region!r} (插件名、单位名称或路径 plugin, unit name or path)",
                          words=("Unknown region: %(region)s (a plugin name, a unit name or a unit path).",
                                 {"region": region}))
    owner = next((n for n in origins(pm) if plugin_info(pm, n).get("region") == unit.key), None)
    return unit.key, owner


def _domains_of_region(path: str) -> Any:
    """Ids of the domains a region pilots: its programmes' and its pilot units' domains."""
    unit = aliased(m.AdminUnit)
    by_program = (select(m.program_domain.c.domain_id)
                  .join(m.PilotProgram, m.PilotProgram.id == m.program_domain.c.program_id)
                  .join(unit, unit.id == m.PilotProgram.scope_id).where(_under(unit.key, path)))
    by_unit = (select(m.unit_pilot_domain.c.domain_id)
               .join(m.AdminUnit, m.AdminUnit.id == m.unit_pilot_domain.c.unit_id)
               .where(_under(m.AdminUnit.key, path)))
    return by_program.union(by_unit)


def query(session: Session, kind: str, pm: Any = None, region: str | None = None) -> list[Any]:
    return list(session.scalars(select_query(session, kind, pm, region)).unique())


def select_query(session: Session, kind: str, pm: Any = None, region: str | None = None) -> Select:
    """The SELECT of ``kind`` (filtered by region, in export order) without running it."""
    if kind not in EXPORTS:
        raise ExportError(f"未知类型 unknown kind {kind!r}; 可选 choose from {', '.join(KINDS)}",
                          words=("Unknown kind: %(kind)s; choose from %(kinds)s.",
                                 {"kind": kind, "kinds": list(KINDS)}))
    exp = EXPORTS[kind]
    q = select(exp.model)
    if hasattr(exp.model, "retired_at"):  # 已移除: kept in history, not in current lists
        q = q.where(exp.model.retired_at.is_(None))
    if region:
        path, owner = resolve_region(session, pm, region)
        if exp.unit_path is not None and path:
            q, key = exp.unit_path(q)
            q = q.where(_under(key, path))
        elif exp.model is m.Domain and path:
            q = q.where(or_(m.Domain.origin == (owner or ""), m.Domain.id.in_(_domains_of_region(path))))
        elif exp.model is m.ElementRequirement and path:
            q = q.where(_under(m.ElementRequirement.scope, path))
        elif kind == "documents" and path:  # a region's documents, and those of units in it
            q = q.where(_under(exp.model.region, path))
        elif hasattr(exp.model, "origin"):
            q = q.where(exp.model.origin == (owner or ""))
        else:
            raise ExportError(f"{kind} 不能按地区筛选 cannot be filtered by region",
                              words=("%(kind)s cannot be filtered by region.", {"kind": kind}))
    if kind == "catalog_items":  # zwgk export-catalog's order, 序号 NULL first on every database
        from .catalog_export import order_of

        return q.order_by(*order_of(lambda c: getattr(exp.model, c)))
    return q.order_by(*(getattr(exp.model, c) for c in exp.order))


def dump(kind: str, objs: list[Any]) -> list[dict[str, Any]]:
    schema = EXPORTS[kind].schema()
    out = []
    for obj in objs:
        row: dict[str, Any] = {}
        if hasattr(obj, "key"):
            row["key"] = obj.key
        if hasattr(obj, "origin"):
            row["origin"] = obj.origin
        row.update(schema.dump(obj))
        if "source" in row:  # where it comes from reads best last
            row["source"] = row.pop("source")
        out.append(row)
    return out


def to_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """OWASP CSV injection: a cell a spreadsheet would execute is prefixed with a quote."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _flat(row: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in row.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flat(v, name + "."))
        elif isinstance(v, list):
            out[name] = "、".join(json.dumps(x, ensure_ascii=False) if isinstance(x, dict) else str(x) for x in v)
        elif v is None:
            out[name] = ""
        else:
            out[name] = str(v).lower() if isinstance(v, bool) else str(v)
    return out


def to_csv(rows: list[dict[str, Any]]) -> str:
    flat = [_flat(r) for r in rows]
    header: list[str] = []
    for r in flat:
        header.extend(k for k in r if k not in header)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header)  # RFC 4180 CRLF: cells with CR or LF get quoted
    writer.writeheader()
    for r in flat:
        writer.writerow({k: neutralise(v) for k, v in r.items()})
    return buf.getvalue()
