"""marshmallow schemas: the one place that says what valid data is.

Data files, plugin hooks, the importer and the API all pass through these.  A
reference to another record is written by its natural key (a domain's name or
alias, a unit's path such as ``浙江省/杭州市/拱墅区``, a standard's code) and
resolved against the database by the loader.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, missing, validate, validates_schema

from .models import EDITIONS, ITEM_STATUSES, STANDARD_CATEGORIES, STANDARD_STATUSES, UNIT_LEVELS

_PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
STAGE_CODES = ("decision", "execution", "management", "service", "result")
CADENCES = ("monthly", "quarterly", "yearly")
#: 公开层级: the tiers of government that publish a catalog item, from the top down
TIERS = ("province", "city", "county", "township", "village")


class Ref(fields.Field):
    """A reference to another record by natural key; dumps a related object as that key."""

    def __init__(self, attr: str = "key", **kwargs: Any):
        super().__init__(**kwargs)
        self.attr = attr

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        return getattr(value, self.attr)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValidationError("应为非空文本（被引用记录的名称或代码）/ must be a non-empty name or code")
        return value.strip()


class PartialDate(fields.String):
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: documents often give only a month."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(str(value) if isinstance(value, int) else value, attr, data, **kwargs)
        if not _PARTIAL_DATE.match(text):
            raise ValidationError("日期格式应为 YYYY、YYYY-MM 或 YYYY-MM-DD / not a (partial) ISO date")
        return text


def _text(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Length(min=1), **kwargs)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


class SourceSchema(StrictSchema):
    """出处: seed file and section, plus the wording as written where it differs."""

    file = _text(required=True)
    section = _text(required=True)
    text = fields.String(allow_none=True)


class SourcedSchema(StrictSchema):
    source = fields.Nested(SourceSchema, required=True)


class StageSchema(SourcedSchema):
    code = fields.String(required=True, validate=validate.OneOf(STAGE_CODES))
    name = _text(required=True)
    position = fields.Integer(load_default=0)


class ElementSchema(SourcedSchema):
    code = _text(required=True)
    name = _text(required=True)
    description = fields.String(allow_none=True)


class ElementRequirementSchema(SourcedSchema):
    scope = _text(required=True)  # "national" or a unit path
    element = Ref("code", required=True)
    wording = fields.String(allow_none=True)


class DomainSchema(SourcedSchema):
    name = _text(required=True)
    editions = fields.List(fields.Integer(validate=validate.OneOf(EDITIONS)), load_default=list)
    position = fields.Integer(load_default=0)
    description = fields.String(allow_none=True)
    #: the region that introduced a local domain (a unit path); the core fills it in from the
    #: plugin's region for a domain of no edition.  None: a national domain
    region = fields.String(allow_none=True)


class DomainAliasSchema(SourcedSchema):
    alias = _text(required=True)
    domain = Ref("name", required=True)


class DomainSuccessionSchema(SourcedSchema):
    predecessor = Ref("name", required=True)
    successor = Ref("name", required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("renamed", "split")))


class UnitSchema(SourcedSchema):
    name = _text(required=True)
    level = fields.String(required=True, validate=validate.OneOf(UNIT_LEVELS))
    parent = Ref(allow_none=True, load_default=None)
    written_as = fields.String(allow_none=True)
    is_pilot = fields.Boolean(load_default=False)
    pilot_edition = fields.Integer(allow_none=True, validate=validate.OneOf(EDITIONS))
    pilot_domains = fields.List(Ref("name"), load_default=list)
    position = fields.Integer(load_default=0)

    @validates_schema
    def _parent_by_level(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["level"] == "province" and data.get("parent"):
            raise ValidationError("省级单位不能有上级 / a province has no parent", "parent")
        if data["level"] != "province" and not data.get("parent"):
            raise ValidationError("非省级单位必须有上级 / a unit below a province needs a parent", "parent")
        if data.get("pilot_domains") and not data.get("is_pilot"):
            raise ValidationError("只有试点单位有试点领域 / only a pilot unit has pilot domains", "pilot_domains")


class PilotProgramSchema(SourcedSchema):
    scope = Ref(allow_none=True, load_default=None)
    title = _text(required=True)
    edition = fields.Integer(allow_none=True, validate=validate.OneOf(EDITIONS))
    unit_count = fields.Integer(allow_none=True, validate=validate.Range(min=0))
    city_count = fields.Integer(allow_none=True, validate=validate.Range(min=0))
    description = fields.String(allow_none=True)
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    domains = fields.List(Ref("name"), load_default=list)


class StandardSchema(SourcedSchema):
    code = _text(required=True)
    title = _text(required=True)
    category = fields.String(required=True, validate=validate.OneOf(STANDARD_CATEGORIES))
    parent = Ref("code", allow_none=True, load_default=None)
    domain = Ref("name", allow_none=True, load_default=None)
    scope = Ref(allow_none=True, load_default=None)
    edition = fields.String(allow_none=True)
    status = fields.String(load_default="draft", validate=validate.OneOf(STANDARD_STATUSES))
    planned = PartialDate(allow_none=True)
    effective_on = fields.Date(allow_none=True)
    withdrawn_on = fields.Date(allow_none=True)
    responsible = fields.String(allow_none=True)
    position = fields.Integer(load_default=0)

    @validates_schema
    def _domain_standard(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["category"] == "domain" and not data.get("domain"):
            raise ValidationError("领域标准必须指明领域 / a domain standard names its domain", "domain")
        if data.get("status") == "withdrawn" and not data.get("withdrawn_on"):
            raise ValidationError("废止的标准需要废止日期 / a withdrawn standard needs withdrawn_on", "withdrawn_on")


class ResponsibilitySchema(SourcedSchema):
    scope = Ref(allow_none=True, load_default=None)
    task = _text(required=True)
    standard = Ref("code", allow_none=True, load_default=None)
    domain = Ref("name", allow_none=True, load_default=None)
    responsible = _text(required=True)
    responsible_units = fields.List(_text(), load_default=list)
    due = PartialDate(allow_none=True)
    edition = fields.Integer(allow_none=True, validate=validate.OneOf(EDITIONS))


class MilestoneSchema(SourcedSchema):
    title = _text(required=True)
    due_on = fields.Date(required=True)
    deliverable = fields.String(allow_none=True)
    responsible = fields.String(allow_none=True)
    completed_on = fields.Date(allow_none=True)


class PhaseSchema(SourcedSchema):
    name = _text(required=True)
    position = fields.Integer(load_default=0)
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    description = fields.String(allow_none=True)
    milestones = fields.List(fields.Nested(MilestoneSchema), load_default=list)

    @validates_schema
    def _dates_in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError("结束日期早于开始日期 / ends before it starts", "ends_on")


class ScheduleSchema(SourcedSchema):
    scope = Ref(allow_none=True, load_default=None)
    title = _text(required=True)
    report_cadence = fields.String(allow_none=True, validate=validate.OneOf(CADENCES))
    report_by = fields.String(allow_none=True)
    report_to = fields.String(allow_none=True)
    phases = fields.List(fields.Nested(PhaseSchema), load_default=list)


class PhaseRecordSchema(PhaseSchema):
    """A phase as a flat record (export, merge): its schedule by key, no milestones."""

    schedule = Ref(required=True)

    class Meta:
        exclude = ("milestones",)


class MilestoneRecordSchema(MilestoneSchema):
    phase = Ref(required=True)


class ScheduleRecordSchema(ScheduleSchema):
    class Meta:
        exclude = ("phases",)


class ObligationSchema(SourcedSchema):
    scope = Ref(allow_none=True, load_default=None)
    title = _text(required=True)
    rule_text = _text(required=True)
    domain = Ref("name", allow_none=True, load_default=None)
    responsible = fields.String(allow_none=True)


class IndicatorSchema(SourcedSchema):
    scope = Ref(allow_none=True, load_default=None)
    code = _text(required=True)
    name = _text(required=True)
    parent = Ref("code", allow_none=True, load_default=None)
    weight = fields.Decimal(allow_none=True, as_string=True, places=2, validate=validate.Range(0, 100))
    min_weight = fields.Decimal(allow_none=True, as_string=True, places=2, validate=validate.Range(0, 100))
    description = fields.String(allow_none=True)


class CatalogItemSchema(StrictSchema):
    """公开事项: one row of a 标准目录."""

    unit = Ref(required=True)
    domain = Ref("name", required=True)
    # 序号: the database's integer (a larger number was a database error: a 500 through the API)
    seq = fields.Integer(allow_none=True, validate=validate.Range(
        min=0, max=2**31 - 1, error="序号应为 0 到 2147483647 之间的整数 / seq must be between 0 and 2147483647"))
    category = fields.String(allow_none=True)
    level1 = _text(required=True)
    level2 = fields.String(allow_none=True)
    level3 = fields.String(allow_none=True)
    content = fields.String(allow_none=True)
    basis = fields.String(allow_none=True)
    time_limit = fields.String(allow_none=True)
    subject = fields.String(allow_none=True)
    department = fields.String(allow_none=True)
    channels = fields.List(fields.String(validate=validate.Length(min=1)), load_default=list)
    duration = fields.String(allow_none=True)
    audience_public = fields.Boolean(load_default=False)
    audience_specific = fields.Boolean(load_default=False)
    method_active = fields.Boolean(load_default=False)
    method_on_request = fields.Boolean(load_default=False)
    levels = fields.List(fields.String(validate=validate.OneOf(TIERS)), load_default=list)
    stages = fields.List(fields.String(validate=validate.OneOf(STAGE_CODES)), load_default=list)
    status = fields.String(load_default="draft", validate=validate.OneOf(ITEM_STATUSES))
    is_example = fields.Boolean(load_default=False)
    source = fields.Nested(SourceSchema, allow_none=True, load_default=None)


class ScoreSchema(StrictSchema):
    indicator = Ref(required=True)
    unit = Ref(required=True)
    period = _text(required=True)
    value = fields.Decimal(required=True, as_string=True, places=2)
    note = fields.String(allow_none=True)


# --------------------------------------------------------------------------
# A fast path for input that is already in loaded form
# --------------------------------------------------------------------------

_ACCEPT = {fields.String: str, fields.Boolean: bool, fields.Integer: int}


#: marshmallow's validators whose answer depends on the value alone (no state, no clock)
_PURE_VALIDATORS = {validate.Length, validate.OneOf, validate.Range, validate.Regexp, validate.Equal,
                    validate.NoneOf, validate.ContainsOnly, validate.ContainsNoneOf}


def _memoised(passes: Any, limit: int = 10_000) -> Any:
    """``type(value) is str and passes(value)``, remembered per text: a catalog's 渠道, 层级 and
    五公开 codes repeat row after row (the first ``limit`` texts seen are kept)."""
    seen: dict[str, bool] = {}

    def check(value: Any) -> bool:
        if type(value) is not str:
            return False
        known = seen.get(value)
        if known is None:
            known = passes(value)
            if len(seen) < limit:
                seen[value] = known
        return known

    check.seen = seen  # type: ignore[attr-defined]  # the texts known to pass (True) or fail (False)
    return check


def _value_check(field: fields.Field) -> Any:
    """A test that ``field`` would load ``value`` unchanged (never None), or that it may not."""
    validators = tuple(field.validators)

    def passes(value: Any) -> bool:
        for validator in validators:  # marshmallow's own validator objects: they raise, as in load
            try:
                validator(value)
            except ValidationError:
                return False
        return True

    kind = type(field)
    if kind in _ACCEPT:  # exact classes only: a subclass (PartialDate …) may transform or check more
        accepted = _ACCEPT[kind]
        if not validators:
            return lambda value: type(value) is accepted
        if accepted is str and all(type(v) in _PURE_VALIDATORS for v in validators):
            return _memoised(passes)
        return lambda value: type(value) is accepted and passes(value)
    if kind is Ref and not validators:
        return lambda value: type(value) is str and value != "" and value.strip() == value
    if kind is fields.List and not field.inner.allow_none and not validators:
        inner = _value_check(field.inner)
        return lambda value: type(value) is list and all(map(inner, value))
    return lambda value: False  # anything else (Nested …) is left to load, unless it is None and allowed


def fast_loader(schema: Schema, shapes: int = 64) -> Any:
    """``load`` for records whose values are already what ``schema.load`` would return.

    Returns a function giving the loaded dict — equal to ``schema.load(raw)`` — or None when it
    cannot vouch for the record (a value of another type, a failing validator, an unknown or
    missing key, a nested record …); the caller then calls ``schema.load`` for the real answer
    and its messages.  The importer types every cell before validating it, so nearly every
    row takes this path.  Returns None for a schema with hooks or schema-level validators.

    The function is generated from the schema's fields, one block per field, with a plain type
    test written in place (a field without validators) and the field's check called otherwise:
    the same decisions as a loop over the fields, without a call per field.  The rows of one
    import have the same keys in the same order, so a loader is also generated per such key
    order (the first ``shapes`` seen): it takes the values in one unpacking and writes the result
    as one dict display, with no lookup per field; other records take the loader by field.
    """
    if any(schema._hooks.values()) or schema.many or schema.partial or schema.unknown != RAISE:
        return None
    plan = []
    for name, field in schema.load_fields.items():
        if field.data_key not in (None, name) or field.attribute not in (None, name):
            return None
        plan.append((name, field.required, field.allow_none, field.load_default, _value_check(field),
                     _ACCEPT.get(type(field)) if not field.validators else None, field))
    env: dict[str, Any] = {"known": frozenset(name for name, *_ in plan), "absent": object()}
    lines = ["def load(raw):",
             "    if type(raw) is not dict or not known.issuperset(raw):",
             "        return None",
             "    out = {}"]
    for n, (name, required, allow_none, default, check, accepted, _) in enumerate(plan):
        env[f"c{n}"], env[f"t{n}"], env[f"d{n}"] = check, accepted, default
        key = repr(name)
        lines += [f"    v = raw.get({key}, absent)",  # one lookup: raw is a dict, absent no value of it
                  "    if v is not absent:",
                  "        if v is None:",
                  f"            out[{key}] = None" if allow_none else "            return None",
                  f"        elif {f'type(v) is t{n}' if accepted is not None else f'c{n}(v)'}:",
                  # an exact str, bool or int is kept as it is; a list is copied, as load copies it
                  f"            out[{key}] = v" if accepted is not None else
                  f"            out[{key}] = list(v) if type(v) is list else v",
                  "        else:",
                  "            return None"]
        if required:
            lines += ["    else:", "        return None"]
        elif default is not missing:
            lines += ["    else:", f"        out[{key}] = d{n}() if callable(d{n}) else d{n}"]
    lines.append("    return out")
    exec(compile("\n".join(lines), f"<fast_loader {type(schema).__name__}>", "exec"), env)  # noqa: S102 — our own text
    by_field = env["load"]
    by_shape: dict[tuple[Any, ...], Any] = {}

    def load(raw: Any) -> Any:
        if type(raw) is not dict:
            return None
        keys = tuple(raw)
        shaped = by_shape.get(keys)
        if shaped is None:
            if len(by_shape) >= shapes:
                return by_field(raw)
            shaped = by_shape[keys] = _shaped_loader(plan, keys, env, type(schema).__name__)
        return shaped(raw)

    return load


def _shaped_loader(plan: list[tuple[Any, ...]], keys: tuple[Any, ...], env: dict[str, Any], schema: str) -> Any:
    """The fast loader for records with exactly ``keys``, in that order: the values unpacked at
    once, each tested as the loader by field tests it, the result one dict display with the
    keys in the schema's order (as the loader by field and ``load`` give them).  A record with a
    key the schema does not know, or without a required one, is never vouched for."""
    fields_at = {name: n for n, (name, *_) in enumerate(plan)}
    if not all(type(k) is str and k in fields_at for k in keys) or any(
            required and name not in keys for name, required, *_ in plan):
        return lambda raw: None
    slot = {name: f"v{i}" for i, name in enumerate(keys)}
    lines = ["def load(raw):", f"    {', '.join(slot.values())}, = raw.values()"]
    shown = []
    scope = dict(env)
    for n, (name, required, allow_none, default, check, accepted, field) in enumerate(plan):
        key = repr(name)
        if name not in slot:
            if default is not missing:  # the default, made afresh (a list) or as it is
                shown.append(f"{key}: d{n}()" if callable(default) else f"{key}: d{n}")
            continue
        v = slot[name]
        test = f"type({v}) is not t{n}" if accepted is not None else f"not {_check_in_place(field, check, v, n, scope)}"
        # None: kept where the field allows it, else not vouched for; any other value must pass
        lines += [f"    if {v} is not None and {test}:" if allow_none else f"    if {v} is None or {test}:",
                  "        return None"]
        # an exact str, bool or int is kept as it is; a list is copied, as load copies it (only a
        # List field's check passes a list: see _value_check)
        shown.append(f"{key}: list({v}) if type({v}) is list else {v}" if type(field) is fields.List else f"{key}: {v}")
    lines.append(f"    return {{{', '.join(shown)}}}")
    source = "\n".join(lines)  # our own text, from the schema's fields
    exec(compile(source, f"<fast_loader {schema} {len(keys)} keys>", "exec"), scope)  # noqa: S102
    return scope["load"]


def _check_in_place(field: fields.Field, check: Any, v: str, n: int, scope: dict[str, Any]) -> str:
    """``check(v)`` (:func:`_value_check`) as an expression written in place where that is the
    same test without a call: a reference's text, a text already known to pass its validators,
    an integer within its ranges.  Anything else calls the check."""
    kind, validators = type(field), field.validators
    if kind is Ref and not validators:  # the check's own lambda, written out
        return f"(type({v}) is str and {v} != '' and {v}.strip() == {v})"
    if kind is fields.List and not field.inner.allow_none and not validators:  # the check's lambda, written out
        scope[f"i{n}"] = _value_check(field.inner)
        return f"(type({v}) is list and all(map(i{n}, {v})))"
    seen = getattr(check, "seen", None)
    if seen is not None:  # a text the check has said passes is not asked again
        scope[f"m{n}"] = seen
        return f"(type({v}) is str and (m{n}.get({v}) is True or c{n}({v})))"
    if kind is fields.Integer and validators and all(type(r) is validate.Range for r in validators):
        tests = [f"type({v}) is int"]
        for i, r in enumerate(validators):  # Range.__call__'s comparisons, with its own bounds
            scope[f"lo{n}_{i}"], scope[f"hi{n}_{i}"] = r.min, r.max
            if r.min is not None:
                tests.append(f"not ({v} < lo{n}_{i})" if r.min_inclusive else f"not ({v} <= lo{n}_{i})")
            if r.max is not None:
                tests.append(f"not ({v} > hi{n}_{i})" if r.max_inclusive else f"not ({v} >= hi{n}_{i})")
        return f"({' and '.join(tests)})"
    return f"c{n}({v})"
