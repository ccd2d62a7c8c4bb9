"""Applying data (national or a plugin's) to the database, idempotently.

Every record passes through its marshmallow schema, then its references are
resolved, then it is merged into the database by its natural key:

* a record that is not there yet is **added**;
* a field whose stored value still equals what was last applied is brought up to
  date (**changed**) if the data changed;
* a field that an administrator edited since (stored value differs from what was
  last applied) is **kept** and reported as a difference: data never overwrites
  an edit;
* everything else is **unchanged**, so a second run writes nothing.

Problems are collected for the whole batch and reported with file, record and
field; nothing is written unless every record is valid.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import models as m
from . import schemas as s
from .domains import resolve_domain

AT = "_at"  # where a record was read from; stripped before validation


# --------------------------------------------------------------------------
# Errors and reports
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record."""

    where: str  # file and record number, or plugin and hook
    record: str  # the record's name, title or code
    field: str | None
    message: str
    warning: bool = False  # worth a look, but not a refusal (e.g. a contradiction of the national data)
    #: the message as a catalogue msgid (English) and its values, for a reader in one language (the API)
    words: tuple[str, dict[str, Any]] | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        place = f"{self.where} [{self.record}]" if self.record else self.where
        return f"{'警告 warning: ' if self.warning else ''}{place} {self.field or '-'}: {self.message}"


class DataError(Exception):
    """Data that cannot be applied; ``problems`` names file, record and field of each."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Difference:
    """A value an administrator edited that the data would set otherwise."""

    kind: str
    key: str
    field: str
    current: Any
    incoming: Any


OUTCOMES = ("added", "changed", "unchanged", "kept", "removed")


@dataclass
class ApplyReport:
    origin: str
    dry_run: bool = False
    counts: dict[str, Counter] = field(default_factory=dict)
    differences: list[Difference] = field(default_factory=list)

    def count(self, kind: str, outcome: str) -> None:
        self.counts.setdefault(kind, Counter())[outcome] += 1

    def total(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.counts.values())

    @property
    def changed_anything(self) -> bool:
        return bool(self.total("added") or self.total("changed") or self.total("removed"))

    def summary(self) -> dict[str, dict[str, int]]:
        return {k: {o: c[o] for o in OUTCOMES} for k, c in self.counts.items()}

    def render(self, limit: int = 20) -> str:
        head = f"{self.origin}{'（试运行 dry run）' if self.dry_run else ''}: " + "  ".join(
            f"{label} {self.total(o)}" for o, label in zip(OUTCOMES, LABELS)
        )
        lines = [head]
        for kind, c in self.counts.items():
            lines.append(f"  {kind:<22}" + "  ".join(f"{label} {c[o]}" for o, label in zip(OUTCOMES, LABELS)))
        for d in self.differences[:limit]:
            lines.append(f"  保留管理员修改 kept edit: {d.kind} {d.key} {d.field}: "
                         f"{d.current!r}（数据为 data has {d.incoming!r}）")
        if len(self.differences) > limit:
            lines.append(f"  … 另有 {len(self.differences) - limit} 处 and {len(self.differences) - limit} more")
        if not self.changed_anything:
            lines.append("  无变更 no changes")
        return "\n".join(lines)


LABELS = ("新增 added", "变更 changed", "未变 unchanged", "保留修改 kept", "已移除 removed")


# --------------------------------------------------------------------------
# Data files
# --------------------------------------------------------------------------


@functools.cache
def _data_loader() -> type:
    """The YAML loader of data files (PyYAML is imported here, at the first data file read: a
    catalog import reads none)."""
    import yaml

    class DataLoader(yaml.SafeLoader):
        """``safe_load`` that refuses an impossible date (``2018-06-31``) as a YAML error with its
        place, instead of the bare ``ValueError`` PyYAML raises while building the date."""

        def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
            try:
                return super().construct_yaml_timestamp(node)
            except ValueError as exc:
                raise yaml.constructor.ConstructorError(
                    None, None, f"不存在的日期 impossible date {node.value!r} ({exc})", node.start_mark) from exc

    DataLoader.add_constructor("tag:yaml.org,2002:timestamp", DataLoader.construct_yaml_timestamp)
    return DataLoader


_KEY_AT = re.compile(r"^[\s-]*([^\s:#][^:#]*?)\s*:")


def _yaml_problem(path: Path, text: str, exc: Any) -> Problem:  # exc: a yaml.YAMLError
    """File, line and field of a YAML error (the field: the key written on that line)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return Problem(str(path), "", None, f"YAML 有误 invalid YAML: {exc}")
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    key = _KEY_AT.match(line)
    what = getattr(exc, "problem", None) or str(exc)
    return Problem(f"{path}, 第{mark.line + 1}行 line {mark.line + 1}", "", key.group(1) if key else None,
                   f"YAML 有误 invalid YAML: {what}（第{mark.column + 1}列 column {mark.column + 1}）")


def read_data_file(path: str | Path) -> list[dict[str, Any]]:
    """Read a YAML data file: a list of records, or ``{source_file: …, records: […]}``.

    ``source_file`` at the top is the default ``source.file`` of every record.
    Each record remembers where it was read from (file, record number and line),
    for error messages; a YAML error names the file, the line and the field.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError([Problem(str(path), "", None, f"无法读取 cannot read: {exc}")]) from exc
    import yaml

    loader = _data_loader()(text)
    try:
        node = loader.get_single_node()
        doc = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise DataError([_yaml_problem(path, text, exc)]) from exc
    finally:
        loader.dispose()
    default_file = None
    seq = node
    if isinstance(doc, dict):
        default_file = doc.get("source_file")
        doc = doc.get("records")
        seq = next((v for k, v in node.value if k.value == "records"), None)
    if not isinstance(doc, list):
        raise DataError([Problem(str(path), "", None, "应为记录列表 expected a list of records")])
    lines = [item.start_mark.line + 1 for item in seq.value] if isinstance(seq, yaml.SequenceNode) else []
    out = []
    for i, rec in enumerate(doc, 1):
        at = f"{path}, 第{i}条 record {i}" + (f"（第{lines[i - 1]}行 line {lines[i - 1]}）" if i <= len(lines) else "")
        if not isinstance(rec, dict):
            raise DataError([Problem(at, "", None, "应为映射 expected a mapping")])
        rec = _default_source_file(rec, default_file) if default_file else dict(rec)
        rec[AT] = at
        out.append(rec)
    return out


def _default_source_file(value: Any, default_file: str) -> Any:
    """Fill ``source.file`` in a record and in the records nested in it."""
    if isinstance(value, list):
        return [_default_source_file(v, default_file) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: _default_source_file(v, default_file) for k, v in value.items()}
    if isinstance(out.get("source"), dict):
        out["source"] = {"file": default_file, **out["source"]}
    return out


def _inherit_source(children: Any, source: Any) -> None:
    for child in children or ():
        if isinstance(child, dict) and "source" not in child and source is not None:
            child["source"] = source


# --------------------------------------------------------------------------
# Kinds of record
# --------------------------------------------------------------------------


def _k(value: Any) -> str:
    """The natural key of a reference, whether still text or already resolved."""
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, m.Domain):
        return value.name
    if isinstance(value, m.CatalogElement):
        return value.code
    return value.key


def _scope(rec: dict[str, Any]) -> str:
    return _k(rec.get("scope")) or "national"


def _short(key: str) -> str:
    if len(key) <= 400:
        return key
    return key[:350] + "#" + hashlib.sha1(key.encode()).hexdigest()


Resolver = Callable[[Session, str, dict[str, Any]], Any]


def _model(ref: Any) -> Any:
    """A model, or its name in ``zwgk.models`` (one of ``zwgk.models_rest``'s, imported at first use),
    or ``"module:name"``: ``name`` of ``zwgk.module`` (policy documents: ``zwgk.documents`` is
    imported when its kind is first used, not by every program that imports the loader)."""
    if not isinstance(ref, str):
        return ref
    if ":" in ref:
        import importlib

        module, name = ref.split(":", 1)
        return getattr(importlib.import_module(f"zwgk.{module}"), name)
    return getattr(m, ref)


def _deferred(ref: str) -> Callable[..., Any]:
    """The function ``ref`` names (``"module:name"``, see :func:`_model`), imported at its first call."""
    def call(*args: Any, **kwargs: Any) -> Any:
        return _model(ref)(*args, **kwargs)

    return call


def _by_key(ref: type | str) -> Resolver:
    def resolve(session: Session, value: str, rec: dict[str, Any]) -> Any:
        model = _model(ref)
        return session.scalar(select(model).where(model.key == value))

    return resolve


def _by_code(model: type, attr: str = "code") -> Resolver:
    col = getattr(model, attr)
    return lambda session, value, rec: session.scalar(select(model).where(col == value))


def _scoped_code(ref: type | str) -> Resolver:
    def resolve(session: Session, value: str, rec: dict[str, Any]) -> Any:
        model = _model(ref)
        return session.scalar(select(model).where(model.key == f"{_scope(rec)}|{value}"))

    return resolve


def _domain(session: Session, value: str, rec: dict[str, Any]) -> Any:
    # a record that says which domain list it speaks of (edition) follows renamed domains
    return resolve_domain(session, value, edition=rec.get("edition"))


@dataclass(frozen=True)
class Kind:
    name: str
    #: the model, or its name in ``zwgk.models`` when it is one of ``zwgk.models_rest``'s (imported
    #: when :attr:`model` is first asked for, not when this table is built: docs/benchmarks.md, session 7)
    model_ref: type | str
    #: validates what the hook returns: the schema, or a name as :attr:`model_ref` names a model
    schema_ref: type[Schema] | str
    key: Callable[[dict[str, Any]], str]
    hook: str | None
    refs: dict[str, Resolver] = field(default_factory=dict)
    many: frozenset[str] = frozenset()  # ref fields that hold lists
    parent: str | None = None  # self-reference to order by
    record_schema: type[Schema] | None = None  # the flat form, if it differs

    @property
    def schema(self) -> type[Schema]:
        return _model(self.schema_ref)

    @property
    def flat(self) -> type[Schema]:
        return self.record_schema or self.schema

    @property
    def model(self) -> type:
        return _model(self.model_ref)


def _unit_key(rec: dict[str, Any]) -> str:
    parent = _k(rec.get("parent"))
    return f"{parent}/{rec['name']}" if parent else rec["name"]


KINDS: tuple[Kind, ...] = (
    Kind("documents", "documents:PolicyDocument", "documents:PolicyDocumentSchema", _deferred("documents:document_key"),
         "zwgk_register_documents"),
    Kind("stages", m.DisclosureStage, s.StageSchema, lambda r: r["code"], "zwgk_register_stages"),
    Kind("elements", m.CatalogElement, s.ElementSchema, lambda r: r["code"], "zwgk_register_elements"),
    Kind("domains", m.Domain, s.DomainSchema, lambda r: r["name"], "zwgk_register_domains"),
    Kind("domain_aliases", m.DomainAlias, s.DomainAliasSchema, lambda r: r["alias"],
         "zwgk_register_domain_aliases", refs={"domain": _domain}),
    Kind("domain_successions", m.DomainSuccession, s.DomainSuccessionSchema,
         lambda r: f"{_k(r['predecessor'])}>{_k(r['successor'])}", "zwgk_register_domain_successions",
         refs={"predecessor": _domain, "successor": _domain}),
    Kind("element_requirements", m.ElementRequirement, s.ElementRequirementSchema,
         lambda r: f"{r['scope']}|{_k(r['element'])}", "zwgk_register_element_requirements",
         refs={"element": _by_code(m.CatalogElement)}),
    Kind("units", m.AdminUnit, s.UnitSchema, _unit_key, "zwgk_register_units",
         refs={"parent": _by_key(m.AdminUnit), "pilot_domains": _domain},
         many=frozenset({"pilot_domains"}), parent="parent"),
    Kind("pilot_programs", "PilotProgram", s.PilotProgramSchema, lambda r: f"{_scope(r)}|{r['title']}",
         "zwgk_register_pilot_programs", refs={"scope": _by_key(m.AdminUnit), "domains": _domain},
         many=frozenset({"domains"})),
    Kind("standards", "Standard", s.StandardSchema, lambda r: f"{_scope(r)}|{r['code']}",
         "zwgk_register_standards",
         refs={"scope": _by_key(m.AdminUnit), "parent": _scoped_code("Standard"), "domain": _domain},
         parent="parent"),
    Kind("responsibilities", "Responsibility", s.ResponsibilitySchema,
         lambda r: _short(f"{_scope(r)}|{r['task']}"), "zwgk_register_responsibilities",
         refs={"scope": _by_key(m.AdminUnit), "standard": _scoped_code("Standard"), "domain": _domain}),
    Kind("schedules", "Schedule", s.ScheduleSchema, lambda r: f"{_scope(r)}|{r['title']}",
         "zwgk_register_schedules", refs={"scope": _by_key(m.AdminUnit)},
         record_schema=s.ScheduleRecordSchema),
    Kind("schedule_phases", "SchedulePhase", s.PhaseRecordSchema, lambda r: f"{_k(r['schedule'])}|{r['name']}",
         None, refs={"schedule": _by_key("Schedule")}),
    Kind("milestones", "Milestone", s.MilestoneRecordSchema, lambda r: _short(f"{_k(r['phase'])}|{r['title']}"),
         None, refs={"phase": _by_key("SchedulePhase")}),
    Kind("obligations", "Obligation", s.ObligationSchema, lambda r: _short(f"{_scope(r)}|{r['title']}"),
         "zwgk_register_obligations", refs={"scope": _by_key(m.AdminUnit), "domain": _domain}),
    Kind("indicators", "Indicator", s.IndicatorSchema, lambda r: f"{_scope(r)}|{r['code']}",
         "zwgk_register_indicators",
         refs={"scope": _by_key(m.AdminUnit), "parent": _scoped_code("Indicator")}, parent="parent"),
)
KIND_BY_NAME = {k.name: k for k in KINDS}


def _label(rec: dict[str, Any]) -> str:
    for f in ("name", "number", "title", "code", "alias", "task", "level1"):
        if rec.get(f):
            return str(rec[f])
    return ""


# --------------------------------------------------------------------------
# Collecting and validating
# --------------------------------------------------------------------------

Batch = dict[str, list[dict[str, Any]]]  # kind name → validated records


def validate_records(kind: Kind, raw: Iterable[Any], where: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Validate raw records with the kind's schema; nested schedules come out flat."""
    good: list[dict[str, Any]] = []
    problems: list[Problem] = []
    schema = kind.schema()
    for i, rec in enumerate(raw, 1):
        if not isinstance(rec, dict):
            problems.append(Problem(f"{where}, 第{i}条 record {i}", "", None, "应为映射 expected a mapping"))
            continue
        rec = dict(rec)
        at = rec.pop(AT, f"{where}, 第{i}条 record {i}")
        if kind.name == "schedules":
            _inherit_source(rec.get("phases"), rec.get("source"))
            for ph in rec.get("phases") or ():
                if isinstance(ph, dict):
                    _inherit_source(ph.get("milestones"), ph.get("source"))
        try:
            data = schema.load(rec)
        except ValidationError as exc:
            problems.extend(_flatten_errors(at, _label(rec), exc.messages, raw=rec))
            continue
        data[AT] = at
        good.append(data)
    seen: dict[str, str] = {}
    for data in good:
        key = kind.key(data)
        if key in seen:
            problems.append(Problem(data[AT], _label(data), None,
                                    f"重复记录 duplicate of {seen[key]} (key {key})"))
        seen[key] = data[AT]
    return good, problems


#: what a nested list's items are called in an error path
NESTED_NAMES = {"phases": "阶段", "milestones": "里程碑"}

#: marshmallow's default messages, in Chinese first (the English kept after the slash)
_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), z) for p, z in (
    (r"^Missing data for required field\.$", "缺少必填项"),
    (r"^Field may not be null\.$", "不能为空"),
    (r"^Unknown field\.$", "未知字段"),
    (r"^Not a valid date\.$", "不是有效日期（应为 YYYY-MM-DD）"),
    (r"^Not a valid datetime\.$", "不是有效时间"),
    (r"^Not a valid integer\.$", "不是有效整数"),
    (r"^Not a valid number\.$", "不是有效数字"),
    (r"^Not a valid decimal\.$", "不是有效数字"),
    (r"^Not a valid string\.$", "应为文本"),
    (r"^Not a valid boolean\.$", "应为是或否（true/false）"),
    (r"^Not a valid list\.$", "应为列表"),
    (r"^Invalid input type\.$", "类型不对"),
    (r"^Invalid JSON body\.$", "请求体不是有效的 JSON"),  # webargs (the API's write endpoints)
    (r"^Not a valid mapping type\.$", "应为映射"),
    (r"^Shorter than minimum length (\d+)\.$", "不能为空文本（至少 \\1 个字）"),
    (r"^Longer than maximum length (\d+)\.$", "过长（至多 \\1 个字）"),
    (r"^Must be one of: (.*)\.$", "应为以下之一：\\1"),
    (r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$", "应在 \\1 到 \\2 之间"),
    (r"^Must be greater than or equal to (\S+)\.$", "应不小于 \\1"),
    (r"^Must be less than or equal to (\S+)\.$", "应不大于 \\1"),
))


def translate(message: str) -> str:
    """A marshmallow default message in Chinese, followed by the original (our own are bilingual)."""
    for pattern, zh in _MESSAGES:
        if pattern.match(message):
            return f"{pattern.sub(zh, message)} / {message}"
    return message


def untranslate(message: str) -> str:
    """marshmallow's own message again, from what ``translate`` made of it (others unchanged), so that
    an importer can word the problem its own way."""
    zh, sep, en = message.partition(" / ")
    if sep and translate(en) == message:
        return en
    return message


def _flatten_errors(at: str, label: str, messages: Any, prefix: str = "", raw: Any = None) -> list[Problem]:
    """One Problem per field; nested records are counted from 1 and named (阶段「试点实施」第1个)."""
    out = []
    if isinstance(messages, dict):
        for k, v in messages.items():
            sub = raw.get(k) if isinstance(raw, dict) else None
            if isinstance(k, int):  # an item of a nested list: counted from 1, named
                sub = raw[k] if isinstance(raw, list) and k < len(raw) else None
                head, _, last = prefix.rpartition(".")
                noun = NESTED_NAMES.get(last)
                if noun is None:
                    head, noun = prefix, ""
                name = (sub.get("name") or sub.get("title")) if isinstance(sub, dict) else None
                part = f"{noun}第{k + 1}项" + (f"「{name}」" if name else "")
                name_ = f"{head} › {part}" if head else part
            else:
                name_ = f"{prefix}.{k}" if prefix else str(k)
            if isinstance(v, dict):
                out.extend(_flatten_errors(at, label, v, name_, sub))
            else:
                out.append(Problem(at, label, name_,
                                   "; ".join(translate(str(x)) for x in (v if isinstance(v, list) else [v]))))
    else:
        out.append(Problem(at, label, prefix or None, translate(str(messages))))
    return out


def explode(batch: Batch) -> Batch:
    """Split nested schedules into flat schedule, phase and milestone records."""
    out: Batch = {k: list(v) for k, v in batch.items() if k != "schedules"}
    for sched in batch.get("schedules", []):
        sched = dict(sched)
        phases = sched.pop("phases", [])
        skey = KIND_BY_NAME["schedules"].key(sched)
        out.setdefault("schedules", []).append(sched)
        for ph in phases:
            ph = dict(ph, schedule=skey)
            ph[AT] = sched[AT]
            milestones = ph.pop("milestones", [])
            pkey = KIND_BY_NAME["schedule_phases"].key(ph)
            out.setdefault("schedule_phases", []).append(ph)
            for ms in milestones:
                out.setdefault("milestones", []).append(dict(ms, phase=pkey, **{AT: sched[AT]}))
    return out


def check_collisions(batches: dict[str, Batch]) -> None:
    """Refuse two origins that provide a record with the same key."""
    owner: dict[tuple[str, str], str] = {}
    problems = []
    for origin, batch in batches.items():
        for kind_name, records in batch.items():
            kind = KIND_BY_NAME[kind_name]
            for rec in records:
                k = (kind_name, kind.key(rec))
                if k in owner and owner[k] != origin:
                    problems.append(Problem(rec[AT], _label(rec), None,
                                            f"与 {owner[k]} 的记录冲突 collides with {owner[k]}'s record {k[1]}"))
                owner.setdefault(k, origin)
    if problems:
        raise DataError(problems)


# --------------------------------------------------------------------------
# Applying
# --------------------------------------------------------------------------


def _topo(kind: Kind, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parents before children, otherwise in the order given."""
    if not kind.parent:
        return records
    if kind.name == "units":
        return sorted(records, key=lambda r: _unit_key(r).count("/"))
    by_code = {r.get("code"): r for r in records}
    done: set[int] = set()
    out: list[dict[str, Any]] = []

    def visit(r: dict[str, Any], depth: int = 0) -> None:
        if id(r) in done or depth > len(records):
            return
        parent = by_code.get(r.get(kind.parent))
        if parent is not None:
            visit(parent, depth + 1)
        done.add(id(r))
        out.append(r)

    for r in records:
        visit(r)
    return out


def _canon(kind: Kind, dumped: dict[str, Any]) -> dict[str, Any]:
    # the order of a many-reference list carries no meaning
    return {k: (sorted(v) if k in kind.many and isinstance(v, list) else v) for k, v in dumped.items()}


def apply_batch(session: Session, origin: str, batch: Batch, report: ApplyReport) -> None:
    """Merge validated records into the session; raises DataError, leaving the rollback to the caller."""
    problems: list[Problem] = []
    batch = explode(batch)
    provided: dict[str, set[str]] = {}
    for kind in KINDS:
        records = batch.get(kind.name)
        if not records:
            continue
        flat = kind.flat()
        keys = provided.setdefault(kind.name, set())
        for rec in _topo(kind, records):
            keys.add(_apply_one(session, origin, kind, flat, rec, report, problems))
        if problems:  # later kinds refer to these: stop at the first kind that failed
            break
    if problems:
        raise DataError(problems)
    retire(session, origin, report, keep=provided)


def retire(session: Session, origin: str, report: ApplyReport,
           keep: dict[str, set[str]] | None = None) -> None:
    """已移除: retire the origin's current records that its data no longer provides (all of them
    when ``keep`` is None).  They stay in the database — in history, and for the catalog items
    and records that refer to them — but leave current lists; providing one again restores it."""
    now = dt.datetime.now(dt.timezone.utc)
    for kind in KINDS:
        keys = (keep or {}).get(kind.name, set())
        for obj in session.scalars(select(kind.model).where(kind.model.origin == origin,
                                                            kind.model.retired_at.is_(None))):
            if obj.key not in keys:
                obj.retired_at = now
                report.count(kind.name, "removed")


def _apply_one(session: Session, origin: str, kind: Kind, flat: Schema, rec: dict[str, Any],
               report: ApplyReport, problems: list[Problem]) -> str:
    at = rec.get(AT, origin)
    resolved = {k: v for k, v in rec.items() if k != AT}
    for fname, resolver in kind.refs.items():
        value = resolved.get(fname)
        if value in (None, []):
            continue
        values = value if fname in kind.many else [value]
        found = []
        for v in values:
            obj = resolver(session, v, resolved)
            if obj is None:
                problems.append(Problem(at, _label(rec), fname, f"找不到所引用的记录 unknown reference {v!r}"))
            found.append(obj)
        resolved[fname] = found if fname in kind.many else found[0]
    if problems:
        return ""
    key = kind.key(resolved)
    incoming = _canon(kind, flat.dump(resolved))
    obj = session.scalar(select(kind.model).where(kind.model.key == key))
    if obj is None:
        obj = kind.model(key=key, origin=origin)
        for fname in incoming:
            setattr(obj, fname, resolved.get(fname))
        obj.loaded = incoming
        session.add(obj)
        report.count(kind.name, "added")
        return key
    if obj.origin != origin:
        problems.append(Problem(at, _label(rec), None,
                                f"该记录已由 {obj.origin} 提供 already provided by {obj.origin} (key {key})"))
        return key
    current = _canon(kind, flat.dump(obj))
    last = obj.loaded or {}
    outcome = "unchanged"
    if obj.retired_at is not None:  # provided again: back in the current lists
        obj.retired_at = None
        outcome = "changed"
    for fname, new in incoming.items():
        cur = current.get(fname)
        if cur == new:
            continue
        if cur != last.get(fname):  # edited since the last apply (absent there: was None)
            report.differences.append(Difference(kind.name, key, fname, cur, new))
            outcome = "kept" if outcome == "unchanged" else outcome
        else:
            setattr(obj, fname, resolved.get(fname))
            outcome = "changed"
    if last != incoming:
        obj.loaded = incoming
    report.count(kind.name, outcome)
    return key


def record_applied(session: Session, origin: str, version: str | None, report: ApplyReport) -> None:
    row = session.scalar(select(m.AppliedData).where(m.AppliedData.origin == origin))
    if row is not None and not report.changed_anything:
        return
    if row is None:
        row = m.AppliedData(origin=origin)
        session.add(row)
    row.version = version
    row.applied_at = dt.datetime.now(dt.timezone.utc)
    row.summary = report.summary()
