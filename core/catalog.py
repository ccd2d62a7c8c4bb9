"""Catalog items (公开事项): validation by the region's rules.

One validation path for the importer, the admin forms and the API: the schema,
then the elements the unit's region requires (national ones plus those of every
unit above it), then the checks the plugins add.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from .domains import resolve_domain
from .loader import Problem, _flatten_errors
from .models import AdminUnit, ElementRequirement
from .schemas import CatalogItemSchema, fast_loader
from .timelimits import impossible_dates

#: which item fields carry an element (any one filled in is enough)
ELEMENT_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("level1",),
    "basis": ("basis",),
    "content": ("content",),
    "subject": ("subject",),
    "time_limit": ("time_limit",),
    "method": ("method_active", "method_on_request"),
    "channels": ("channels",),
    "audience": ("audience_public", "audience_specific"),
    "category": ("category",),
}


def scopes_of(unit_path: str) -> list[str]:
    """``national`` and every path from the province down to the unit itself."""
    parts = unit_path.split("/")
    return ["national"] + ["/".join(parts[: i + 1]) for i in range(len(parts))]


#: each element as the English catalog page's columns call it (a region's wording is Chinese)
ELEMENT_WORDS_EN = {"name": "Item name", "basis": "Basis", "content": "Content", "subject": "Disclosing body",
                    "time_limit": "Time limit", "method": "Disclosure method", "channels": "Channels",
                    "audience": "Disclosed to", "category": "Category"}


def required_elements(session: Session, unit_path: str) -> list[ElementRequirement]:
    """The elements a unit's catalog must carry; a region's own wording wins over the national one."""
    scopes = scopes_of(unit_path)
    rows = session.scalars(
        select(ElementRequirement).where(ElementRequirement.scope.in_(scopes)).order_by(ElementRequirement.id)
    ).all()
    seen: dict[str, ElementRequirement] = {}
    for row in sorted(rows, key=lambda r: scopes.index(r.scope)):  # national first, the unit itself last
        seen[row.element.code] = row
    return list(seen.values())


class ItemValidator:
    """Validates many items of one import or form: units, domains and rules looked up once each."""

    def __init__(self, session: Session, pm: Any):
        self.session, self.pm = session, pm
        self.schema = CatalogItemSchema()
        #: the fast path is generated on the second record: one form or API call does not pay for it
        self._fast = self._first_record
        self._units: dict[str, AdminUnit | None] = {}
        self._domains: dict[str, Any] = {}
        self._required: dict[str, list[tuple[str, tuple[str, ...] | None, str, str, str]]] = {}
        self._has_checks = bool(pm.hook.zwgk_validate_catalog_item.get_hookimpls())
        #: per unit named in a row: (the unit, its key, the required elements' test)
        self._known: dict[str, tuple[Any, str | None, Any]] = {}

    def _first_record(self, raw: Any) -> None:
        """The first record goes through ``schema.load``; the fast loader (about 20 ms to generate)
        serves the records after it, when there are any."""
        self._fast = self._second_record
        return None

    def _second_record(self, raw: Any) -> dict[str, Any] | None:
        self._fast = fast_loader(self.schema) or (lambda raw: None)
        return self._fast(raw)

    def unit(self, key: str) -> AdminUnit | None:
        if key not in self._units:
            self._units[key] = self.session.scalar(select(AdminUnit).where(AdminUnit.key == key))
        return self._units[key]

    def domain(self, name: str) -> Any:
        if name not in self._domains:
            self._domains[name] = resolve_domain(self.session, name)
        return self._domains[name]

    def required(self, unit_key: str) -> list[tuple[str, tuple[str, ...] | None, str, str, str]]:
        if unit_key not in self._required:
            self._required[unit_key] = [
                (req.element.code, ELEMENT_FIELDS.get(req.element.code), req.wording or req.element.name,
                 f"{req.source_file} {req.source_section}", req.element.name)
                for req in required_elements(self.session, unit_key)]
        return self._required[unit_key]

    def __call__(self, raw: dict[str, Any], where: str = "") -> tuple[dict | None, list[Problem]]:
        data = self._fast(raw)  # the same result as load, for rows the importer has typed already
        if data is None:
            label = str(raw.get("level1") or "") if isinstance(raw, dict) else ""
            try:
                data = self.schema.load(raw)
            except ValidationError as exc:
                return None, _flatten_errors(where, label, exc.messages)
        # a typed row of a known unit and domain with every required element: nothing to say
        # (the unit's key and the required elements' test remembered per unit named)
        ref = data["unit"]
        known = self._known.get(ref)
        if known is None:
            unit = self.unit(ref)
            known = self._known[ref] = (unit, unit.key if unit is not None else None,
                                        _presence_test(self.required(unit.key)) if unit is not None else None)
        unit, key, present = known
        if (present is not None and not self._has_checks and present(data.get)
                and self._domains.get(data["domain"]) is not None and not impossible_dates(data.get("time_limit"))):
            return data, []
        label = str(raw.get("level1") or "") if isinstance(raw, dict) else ""
        problems: list[Problem] = []
        if unit is None:
            problems.append(Problem(where, label, "unit", f"找不到单位 unknown unit {data['unit']!r}",
                                    words=("Unknown region or unit: %(name)s", {"name": data["unit"]})))
        if self.domain(data["domain"]) is None:
            problems.append(Problem(where, label, "domain", f"找不到领域 unknown domain {data['domain']!r}",
                                    words=("Unknown domain: %(name)s", {"name": data["domain"]})))
        for bad in impossible_dates(data.get("time_limit")):
            problems.append(Problem(where, label, "time_limit",
                                    f"公开时限中的日期不存在“{bad}” no such date in the time limit",
                                    words=("No such date in the time limit: “%(date)s”.", {"date": bad})))
        if unit is None:
            return data, problems
        for code, fields, wording, source, name in self.required(key):
            if fields is None:
                problems.append(Problem(where, label, code, f"要素“{name}”在目录中没有对应的列 has no catalog column",
                                        words=("The element “%(element)s” has no catalog column.",
                                               {"element": name})))
            elif not any(map(data.get, fields)):
                problems.append(Problem(where, label, fields[0],
                                        f"缺少必填要素“{wording}” missing required element (依据 per {source})",
                                        words=("Missing required element “%(element)s” (per %(source)s).",
                                               {"element": wording, "source": source})))
        if self._has_checks:
            for messages in self.pm.hook.zwgk_validate_catalog_item(item=data, unit_path=key):
                problems.extend(Problem(where, label, None, msg) for msg in messages or ())
        return data, problems


def _presence_test(required: list[tuple[str, tuple[str, ...] | None, str, str, str]]) -> Any:
    """``test(data.get)``: True when every required element has a field filled in (what the loop in
    :meth:`ItemValidator.__call__` finds nothing missing for), as one generated expression; None
    when an element has no field at all (every row gets that problem: the loop says it)."""
    if any(fields is None for _, fields, *_ in required):
        return None
    terms = ["(" + " or ".join(f"g({f!r})" for f in fields) + ")" for _, fields, *_ in required
             if all(f.isidentifier() for f in fields)]
    if len(terms) != len(required):
        return None
    return eval(compile(f"lambda g: bool({' and '.join(terms) or 'True'})", "<zwgk required elements>", "eval"), {})


def validate_item(session: Session, pm: Any, raw: dict[str, Any], where: str = "") -> tuple[dict | None, list[Problem]]:
    """Validate one catalog item; returns (data, problems). ``data`` is None when the schema fails."""
    return ItemValidator(session, pm)(raw, where)


REVIEW_STEPS = ("review", "signoff")


def review_steps(pm: Any, unit_path: str) -> list[str]:
    """The review steps an item of this unit must pass before publication, in workflow order."""
    wanted = {step for steps in pm.hook.zwgk_review_steps(unit_path=unit_path) for step in steps or ()}
    unknown = wanted - set(REVIEW_STEPS)
    if unknown:
        raise ValueError(f"未知的审核步骤 unknown review steps: {', '.join(sorted(unknown))}")
    return [s for s in REVIEW_STEPS if s in wanted]
