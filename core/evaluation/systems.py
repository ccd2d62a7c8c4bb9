"""Indicator systems (考核评价指标体系) as data: a tree of indicators, weights summing to 100 at
each level, and a method for each leaf (computed from the records, scored by an assessor, or
taken from a satisfaction survey).

The core ships ``data/default.yaml``; a plugin adds systems through
``zwgk_register_indicator_systems``.  A system with ``base`` starts from another system's tree:
an indicator of the same code replaces the base's (e.g. a new weight), ``remove`` drops one,
a new code adds one.  Every system is validated as a whole after the merge.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..loader import Problem
from ..schemas import SourceSchema

METHODS = ("group", "computed", "assessor", "survey")
COMPUTED = ("completeness", "coverage", "publications", "milestones", "reports", "adjustment", "feedback")
METHOD_NAMES = {"group": "分组", "computed": "系统计算", "assessor": "评估机构评分", "survey": "满意度测评"}
METHOD_NAMES_EN = {"group": "Group", "computed": "Computed", "assessor": "Scored by an assessor",
                   "survey": "Satisfaction survey"}
DEFAULT_CODE = "zwgk-default"
DATA = Path(__file__).parent / "data"


class SystemError(ValueError):  # noqa: A001 - a name in this module's own namespace
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


class IndicatorNodeSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(1, 60))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    name_en = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 200))  # English pages
    weight = fields.Decimal(required=True, as_string=True, places=2, validate=validate.Range(0, 100))
    method = fields.String(required=True, validate=validate.OneOf(METHODS))
    compute = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(COMPUTED))
    questionnaire = fields.String(load_default=None, allow_none=True)
    description = fields.String(load_default=None, allow_none=True)
    description_en = fields.String(load_default=None, allow_none=True)
    source = fields.Nested(SourceSchema, load_default=None, allow_none=True)
    children = fields.List(fields.Nested(lambda: IndicatorNodeSchema()), load_default=list)

    @validates_schema
    def _method(self, data: dict[str, Any], **_: Any) -> None:
        if data["method"] == "group" and not data["children"]:
            raise ValidationError("分组指标需要下级指标 a group needs children", "children")
        if data["method"] != "group" and data["children"]:
            raise ValidationError("只有分组指标可以有下级指标 only a group has children", "children")
        if data["method"] == "computed" and not data.get("compute"):
            raise ValidationError(f"系统计算的指标需要 compute，可选 {', '.join(COMPUTED)}", "compute")


class SystemSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(1, 60))
    title = fields.String(required=True)
    title_en = fields.String(load_default=None, allow_none=True)  # the title in the English interface
    version = fields.String(required=True, validate=validate.Length(1, 20))
    scope = fields.String(load_default=None, allow_none=True)  # the region it is for (None: everywhere)
    base = fields.String(load_default=None, allow_none=True)
    remove = fields.List(fields.String(), load_default=list)
    source = fields.Nested(SourceSchema, load_default=None, allow_none=True)
    indicators = fields.List(fields.Nested(IndicatorNodeSchema), required=True)


def _json(node: Any) -> Any:
    if isinstance(node, Decimal):
        return str(node)
    if isinstance(node, dict):
        return {k: _json(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_json(v) for v in node]
    return node


def check_tree(system: dict[str, Any], where: str) -> list[Problem]:
    """Weights sum to 100 at every level; codes are unique in the system."""
    problems: list[Problem] = []
    seen: set[str] = set()

    def walk(nodes: list[dict[str, Any]], parent: str) -> None:
        total = sum(Decimal(str(n["weight"])) for n in nodes)
        if total != 100:
            problems.append(Problem(where, parent, "weight",
                                    f"同级指标权重之和应为 100，现为 {total} weights at one level must sum to 100"))
        for n in nodes:
            if n["code"] in seen:
                problems.append(Problem(where, n["code"], "code", "指标代码重复 duplicate indicator code"))
            seen.add(n["code"])
            if n.get("children"):
                walk(n["children"], f"{n['code']} {n['name']}")

    walk(system["indicators"], system["code"])
    return problems


def _merge(base: dict[str, Any], ext: dict[str, Any]) -> dict[str, Any]:
    """``ext``'s indicators over a deep copy of ``base``'s tree (same code: replace; new: add)."""
    tree = copy.deepcopy(base["indicators"])
    index: dict[str, list[dict[str, Any]]] = {}

    def walk(nodes: list[dict[str, Any]]) -> None:
        for n in nodes:
            index[n["code"]] = nodes
            walk(n.get("children") or [])

    walk(tree)
    for node in ext["indicators"]:
        siblings = index.get(node["code"])
        if siblings is not None:
            siblings[[n["code"] for n in siblings].index(node["code"])] = node
        else:
            tree.append(node)
    for code in ext.get("remove") or ():
        siblings = index.get(code)
        if siblings is not None:
            siblings[:] = [n for n in siblings if n["code"] != code]
    out = {**base, **{k: v for k, v in ext.items() if k not in ("indicators", "remove")}}
    out["indicators"] = tree
    return out


def load_system(raw: dict[str, Any], where: str) -> dict[str, Any]:
    try:
        return SystemSchema().load(raw)
    except ValidationError as exc:
        from ..loader import _flatten_errors

        raise SystemError(_flatten_errors(where, str(raw.get("code", "")), exc.messages)) from exc


def default_system() -> dict[str, Any]:
    """The core's system (``data/default.yaml``), validated, weights as text."""
    path = DATA / "default.yaml"
    system = load_system(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))
    problems = check_tree(system, str(path))
    if problems:
        raise SystemError(problems)
    return _json(system)


def collect_systems(pm: Any | None) -> dict[str, dict[str, Any]]:
    """Every system (the default and the plugins'), merged and validated; SystemError lists every problem."""
    raws: list[tuple[str, dict[str, Any]]] = []
    if pm is not None:
        for impl in pm.hook.zwgk_register_indicator_systems.get_hookimpls():
            for raw in impl.function() or ():
                raws.append((f"{impl.plugin_name}.zwgk_register_indicator_systems", raw))
    loaded: dict[str, dict[str, Any]] = {DEFAULT_CODE: default_system()}
    problems: list[Problem] = []
    pending = []
    for where, raw in raws:
        try:
            system = load_system(raw, where)
        except SystemError as exc:
            problems.extend(exc.problems)
            continue
        if system["code"] in loaded or any(system["code"] == p[1]["code"] for p in pending):
            problems.append(Problem(where, system["code"], "code", "指标体系代码重复 duplicate system code"))
            continue
        pending.append((where, system))
    for _ in range(len(pending) + 1):  # bases first, whatever order the plugins came in
        left = []
        for where, system in pending:
            if system.get("base") and system["base"] not in loaded:
                left.append((where, system))
                continue
            loaded[system["code"]] = _merge(loaded[system["base"]], system) if system.get("base") else system
            loaded[system["code"]]["_where"] = where
        pending = left
    for where, system in pending:
        problems.append(Problem(where, system["code"], "base", f"找不到基础指标体系 unknown base {system['base']!r}"))
    for code, system in loaded.items():
        problems.extend(check_tree(system, system.pop("_where", str(DATA / "default.yaml"))))
    if problems:
        raise SystemError(problems)
    return {code: _json(system) for code, system in loaded.items()}


def system_for(pm: Any | None, region: str, code: str | None = None) -> dict[str, Any]:
    """The system named ``code``, else the one whose scope is the closest above ``region``, else the default."""
    systems = collect_systems(pm)
    if code:
        if code not in systems:
            raise SystemError([Problem("--system", code, "code", f"找不到指标体系 unknown system; 可选 {', '.join(systems)}")])
        return systems[code]
    best, depth = systems[DEFAULT_CODE], -1
    for system in systems.values():
        scope = system.get("scope")
        if scope and (region == scope or region.startswith(scope + "/")) and scope.count("/") > depth:
            best, depth = system, scope.count("/")
    return best


def leaves(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for n in nodes:
        out.extend(leaves(n["children"]) if n.get("children") else [n])
    return out


def walk(nodes: list[dict[str, Any]], depth: int = 0):
    for n in nodes:
        yield n, depth
        yield from walk(n.get("children") or [], depth + 1)


def in_language(system: dict[str, Any], english: bool) -> dict[str, Any]:
    """The system as a page in the interface's language names it (docs/evaluation.md, Languages).

    Chinese: as stored.  English: the title's ``title_en`` and each indicator's ``name_en`` and
    ``description_en`` where the system gives them; a run stored before its system had them
    takes them from the packaged default system for the same code *and* the same Chinese name
    (the same indicator); any other indicator keeps its Chinese name, the documents' word."""
    if not english:
        return system
    base = default_system()
    known = {n["code"]: n for n, _ in walk(base["indicators"])}
    out = copy.deepcopy(system)
    out["title"] = (system.get("title_en") or (base.get("title_en") if system.get("title") == base["title"] else None)
                    or system["title"])
    for n, _ in walk(out["indicators"]):
        same = known.get(n["code"])
        same = same if same and same["name"] == n["name"] else {}
        n["name_zh"] = n["name"]
        n["name"] = n.get("name_en") or same.get("name_en") or n["name"]
        if n.get("description"):
            n["description"] = n.get("description_en") or same.get("description_en") or n["description"]
    return out


def english_names(system: dict[str, Any]) -> dict[str, str]:
    """Chinese indicator name → the name ``in_language(…, True)`` gives it (for stored reasons)."""
    return {n["name_zh"]: n["name"] for n, _ in walk(system["indicators"]) if "name_zh" in n}
