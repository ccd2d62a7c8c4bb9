"""Writes of catalog items through the API: the admin's rules, by token.

A request carries ``Authorization: Bearer <token>`` (a personal token, see
:mod:`zwgk.apitokens`) and acts as that user: the role's permissions, the unit's subtree,
and for a department editor the department's domains.  The item goes through the one
validation path (:func:`zwgk.catalog.validate_item`); whatever is written is a draft (the
review steps of the region decide when it is published, as in the admin), and an edit must
name the version it was based on (a stale one is refused, nothing is overwritten).
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import request
from flask_babel import gettext
from flask_smorest import abort
from marshmallow import RAISE, Schema, ValidationError, fields, validates_schema
from sqlalchemy.orm.exc import StaleDataError

from . import models as m
from . import schemas as s
from .app import get_pm
from .db import get_db

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab and line breaks are text


class JsonBoolean(fields.Boolean):
    """A JSON ``true`` or ``false`` and nothing else: marshmallow's Boolean also takes "yes", "on", "1",
    1 and "√" as true, so ``"audience_public": "no"`` could not be told from a typing slip.  The √ and
    是/否 of a spreadsheet are the importer's business (it types cells itself, docs/catalog-intake.md)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if type(value) is not bool:
            raise ValidationError(gettext("Must be a JSON boolean, true or false, not %(value)s.",
                                          value=json.dumps(value, ensure_ascii=False)))
        return value


class ItemInputSchema(s.CatalogItemSchema):
    """A catalog item as a client sends it: no status (every write is a draft), no source."""

    class Meta:
        unknown = RAISE
        exclude = ("status", "is_example", "source")

    audience_public = JsonBoolean(load_default=False)
    audience_specific = JsonBoolean(load_default=False)
    method_active = JsonBoolean(load_default=False)
    method_on_request = JsonBoolean(load_default=False)

    @validates_schema
    def _fits_the_columns(self, data: dict[str, Any], **_kw: Any) -> None:
        """Text longer than its column, or with a control character (a NUL no database stores), is a 400
        naming the field — not a database error."""
        errors: dict[str, list[str]] = {}
        for name, value in data.items():
            column = m.CatalogItem.__table__.columns.get(name)
            limit = getattr(getattr(column, "type", None), "length", None)
            for text in (value if isinstance(value, list) else [value]):
                if not isinstance(text, str):
                    continue
                if limit and len(text) > limit:
                    errors.setdefault(name, []).append(gettext("At most %(limit)s characters.", limit=limit))
                if _CONTROL.search(text):
                    errors.setdefault(name, []).append(gettext("Contains a control character."))
        if errors:
            raise ValidationError(errors)


class ItemPatchSchema(ItemInputSchema):
    """Changed fields only, with the version the client read (``version``, required)."""

    version = fields.Integer(required=True, metadata={"description": "读取时的版本 the version the edit is based on"})


class WriteResultSchema(Schema):
    id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    status = fields.String(required=True)
    unit = fields.String(required=True)
    domain = fields.String(required=True)


def token_account() -> Any:
    """The account of the request's bearer token, or a 401."""
    from .apitokens import user_for
    from .auth import Account

    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    session = get_db().scoped()
    user = user_for(session, token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        abort(401, message=gettext("A valid API token is required (Authorization: Bearer …)."),
              headers={"WWW-Authenticate": "Bearer"})
    account = Account(user)
    session.commit()  # last_used_at
    return account


def _allowed(account: Any, action: str, unit_key: str | None, domain_id: int | None) -> bool:
    if not account.can(action) or not account.covers(unit_key):
        return False
    if account.role == "editor":
        from .admin.views import editor_domains

        return domain_id in set(get_db().scoped().scalars(editor_domains(account)))
    return True


def _problems(problems: list[Any]) -> None:
    errors: dict[str, list[str]] = {}
    for p in problems:  # every problem of a field (two impossible dates in one time limit), in order
        errors.setdefault(p.field or "item", []).append(in_language(p))
    abort(400, message=gettext("The item is not valid."), errors=errors)


def in_language(problem: Any) -> str:
    """A catalog check's message in the request's language: its catalogue words when it has them
    (``Problem.words``), else each part of a message made in both (不能为空 / Field may not be null.)
    in one; any other text (a region's own check) as it is."""
    if problem.words is not None:
        return say(problem.words)
    return one_language(problem.message)


def say(words: tuple[str, dict[str, Any]]) -> str:
    """Catalogue words (msgid and values) in the request's language; a list among the values is
    joined as the language joins one (、 in Chinese)."""
    msgid, values = words
    return gettext(msgid, **{k: gettext(", ").join(map(str, v)) if isinstance(v, (list, tuple)) else v
                             for k, v in values.items()})


def said(exc: Exception) -> str:
    """A refusal another module made in both languages (``export.ExportError``), in the request's:
    its ``words`` when it has them, else its text as it is."""
    words = getattr(exc, "words", None)
    return say(words) if words is not None else str(exc)


def one_language(message: str) -> str:
    """``中文 / English`` (the loader's and the schemas' messages), part by part (``; ``), in the
    request's language; a part not made that way is returned as it is."""
    from flask_babel import get_locale

    english = str(get_locale() or "").startswith("en")
    parts = []
    for part in message.split("; "):
        zh, sep, en = part.partition(" / ")
        if sep and _CJK.search(zh) and not _CJK.search(en):
            part = en if english else zh
        parts.append(part)
    return "; ".join(parts)


_CJK = re.compile(r"[\u3400-\u9fff]")


def _result(item: m.CatalogItem) -> dict[str, Any]:
    return {"id": item.id, "version": item.version, "status": item.status, "unit": item.unit.key,
            "domain": item.domain.name}


def _apply(item: m.CatalogItem, data: dict[str, Any], validator: Any) -> None:
    for name in ItemInputSchema().fields:
        if name == "unit":
            item.unit = validator.unit(data["unit"])
        elif name == "domain":
            item.domain = validator.domain(data["domain"])
        elif name in data:
            setattr(item, name, data[name])


def _unit_path(session: Any, raw: dict[str, Any]) -> dict[str, Any]:
    """A body's unit given by a unique name (道县) → its path, as everywhere a unit is named;
    an ambiguous name is a 400 listing the candidates (in the request's language); an unknown one
    is left to the validator."""
    from .catalog_io import resolve_unit
    from .catalog_readers import CatalogFileError
    from .export import NOT_UNIQUE

    unit = raw.get("unit")
    if isinstance(unit, str) and unit:
        try:
            raw = {**raw, "unit": resolve_unit(session, unit)}
        except CatalogFileError as exc:
            if exc.words is not None and exc.words[0] == NOT_UNIQUE:
                abort(400, message=gettext("The item is not valid."), errors={"unit": [said(exc)]})
    return raw


def create_item(raw: dict[str, Any]) -> dict[str, Any]:
    from .catalog import ItemValidator

    account = token_account()
    session = get_db().scoped()
    validator = ItemValidator(session, get_pm())
    data, problems = validator(_unit_path(session, dict(raw)), where="body")
    if problems or data is None:
        _problems(problems)
    unit, domain = validator.unit(data["unit"]), validator.domain(data["domain"])
    if not _allowed(account, "create", unit.key, domain.id):
        abort(403, message=gettext("Outside your scope: %(unit)s / %(domain)s.", unit=unit.key, domain=domain.name))
    session.info.update(actor=account.username, reason="API")
    item = m.CatalogItem(status="draft")
    _apply(item, data, validator)
    item.status = "draft"
    session.add(item)
    session.commit()
    return _result(item)


def update_item(item_id: int, raw: dict[str, Any]) -> dict[str, Any]:
    from .catalog import ItemValidator
    from .catalog_history import snapshot

    account = token_account()
    session = get_db().scoped()
    item = session.get(m.CatalogItem, item_id) if item_id < 2**31 else None
    if item is None or not _allowed(account, "edit", item.unit.key, item.domain_id):
        abort(404, message=gettext("No such item in your scope."))
    raw = dict(raw)
    based_on = raw.pop("version")
    if based_on != item.version:
        abort(409, message=gettext("The item changed since version %(read)s; it is now version %(now)s.",
                                   read=based_on, now=item.version))
    current = {k: v for k, v in snapshot(item).items() if k in ItemInputSchema().fields}
    validator = ItemValidator(session, get_pm())
    data, problems = validator({**current, **_unit_path(session, raw)}, where="body")
    if problems or data is None:
        _problems(problems)
    unit, domain = validator.unit(data["unit"]), validator.domain(data["domain"])
    if not _allowed(account, "edit", unit.key, domain.id):
        abort(403, message=gettext("Outside your scope: %(unit)s / %(domain)s.", unit=unit.key, domain=domain.name))
    session.info.update(actor=account.username, reason="API")
    _apply(item, data, validator)
    try:
        session.commit()  # a content change puts the item back to draft (the flush listener)
    except StaleDataError:
        session.rollback()
        abort(409, message=gettext("The item was changed meanwhile; read it again."))
    return _result(item)


def submit_item(item_id: int) -> dict[str, Any]:
    from . import workflow

    account = token_account()
    session = get_db().scoped()
    item = session.get(m.CatalogItem, item_id) if item_id < 2**31 else None
    if item is None or not _allowed(account, "edit", item.unit.key, item.domain_id):
        abort(404, message=gettext("No such item in your scope."))
    session.info.update(actor=account.username, reason="API")
    try:
        workflow.submit(session, item, account.username)
        session.commit()
    except workflow.WorkflowError as exc:
        from .admin.views import workflow_words

        session.rollback()
        abort(409, message=workflow_words(exc))
    return _result(item)


def draft_of(item_id: int) -> dict[str, Any]:
    """The item as it stands now (draft or not), for a user whose scope covers it."""
    from .catalog_history import snapshot

    account = token_account()
    session = get_db().scoped()
    item = session.get(m.CatalogItem, item_id) if item_id < 2**31 else None
    if item is None or not _allowed(account, "view", item.unit.key, item.domain_id):
        abort(404, message=gettext("No such item in your scope."))
    return {**snapshot(item), "id": item.id, "version": item.version}


__all__ = ["ItemInputSchema", "ItemPatchSchema", "WriteResultSchema", "create_item", "update_item", "submit_item",
           "draft_of"]
