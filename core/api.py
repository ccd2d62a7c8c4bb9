"""The JSON API under ``/api/v1`` (flask-smorest): read endpoints for every public kind, keyset
pages with a hard maximum size, token-authenticated writes of catalog items, and the OpenAPI
document at ``/api/v1/openapi.json`` with a docs page whose assets are served from here.

The public reads what is published: catalog items from ``published_item`` (never a draft),
other kinds as the data files and the admin keep them.  Writes go through the same
validation, scope and workflow as the admin (see :mod:`zwgk.api_write`).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

import orjson
from flask import current_app, request, send_from_directory
from flask.views import MethodView
from flask_babel import gettext
from flask_smorest import Api, Blueprint, abort
from marshmallow import EXCLUDE, INCLUDE, Schema, fields, validate
from sqlalchemy import select

from . import api_write, export
from . import models as m
from . import schemas as s
from .app import get_pm
from .db import get_db
from .loader import translate
from .published import MAX_PAGE, last_change, page

PREFIX = "/api/v1"
DEFAULT_PAGE = 50
#: kinds the public may read besides the catalog; history and scores stay inside the admin
PUBLIC_KINDS = tuple(k for k in export.KINDS if k not in ("changes", "scores", "catalog_items"))

#: no control characters (a NUL reaches PostgreSQL as an error, not as a search)
_PRINTABLE = validate.Regexp(r"^[^\x00-\x1f\x7f]*$", error="不能含控制字符 control characters are not allowed")


class ZwgkApi(Api):
    """flask-smorest's Api, whose JSON error pages answer for ``/api/`` only: the admin and the
    public pages keep their HTML errors."""

    def handle_http_exception(self, error):
        if not request.path.startswith(PREFIX):
            return error
        data = getattr(error, "data", None)
        if isinstance(data, dict) and isinstance(data.get("messages"), dict):
            data["messages"] = _in_language(data["messages"])  # webargs' validation errors (400)
        payload, code, headers = super().handle_http_exception(error)
        # the message is in the request's language: a shared cache keeps one answer per language
        return payload, code, {**(headers or {}), "Vary": "Accept-Language"}


def _too_large(error: Any) -> Any:
    """A body over ``MAX_CONTENT_LENGTH`` under ``/api/``: the API's JSON (code, status, message)
    in the request's language, with ``Vary: Accept-Language``, as its other refusals (the app's own
    handler, ``app._too_large``, says it in both languages to the pages and the import page)."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    error.data = {"message": gettext("Request too large (limit %(limit)s bytes).", limit=limit)}
    return current_app.extensions["zwgk.api"].handle_http_exception(error)


def _in_language(messages: Any) -> Any:
    """A request's validation errors in its language, the fields' names kept: marshmallow's own
    messages in Chinese for a Chinese request (the loader's words for them), the schemas' own
    (中文 / English) in the request's language."""
    if isinstance(messages, dict):
        return {k: _in_language(v) for k, v in messages.items()}
    if isinstance(messages, list):
        return [_in_language(v) for v in messages]
    return api_write.one_language(translate(str(messages)))


# --------------------------------------------------------------------------
# Shared arguments and pages
# --------------------------------------------------------------------------


class PageArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    cursor = fields.String(validate=[validate.Length(max=100), _PRINTABLE],
                           metadata={"description": "上一页返回的 next_cursor the previous page's next_cursor"})
    limit = fields.Integer(load_default=DEFAULT_PAGE, validate=validate.Range(min=1, max=MAX_PAGE),
                           metadata={"description": f"每页条数，最多 {MAX_PAGE} items per page, at most {MAX_PAGE}"})


class RegionArgs(PageArgs):
    region = fields.String(validate=[validate.Length(max=400), _PRINTABLE],
                           metadata={"description": "插件名、单位名称或路径 plugin, unit name or unit path"})


class CatalogArgs(RegionArgs):
    unit = fields.String(validate=[validate.Length(max=400), _PRINTABLE],
                         metadata={"description": "单位路径（含下级）a unit path, with the units below it"})
    domain = fields.String(validate=[validate.Length(max=80), _PRINTABLE],
                           metadata={"description": "领域名称或别称 domain name or alias"})
    stage = fields.String(validate=validate.OneOf(s.STAGE_CODES), metadata={"description": "五公开"})
    status = fields.String(validate=validate.OneOf(("published",)),
                           metadata={"description": "公众只看到已公开的事项 the public sees published items only"})
    updated_since = fields.AwareDateTime(default_timezone=dt.timezone(dt.timedelta(hours=8)),
                                         metadata={"description": "公开时间不早于 published at or after"})


def encode_cursor(after: int | None) -> str | None:
    return None if after is None else base64.urlsafe_b64encode(f"i{after}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if raw[:1] != "i" or not raw[1:].isdigit() or len(raw) > 20:
            raise ValueError(raw)
        return min(int(raw[1:]), 2**31 - 1)  # ids are 32-bit integers (PostgreSQL "integer")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        abort(400, message=gettext("Invalid cursor: use the next_cursor of the previous page."))


class AnswerCache:
    """The last answers of the public catalog endpoints, keyed by URL and valid for one
    generation of ``published_item`` (:func:`zwgk.published.generation`): a county site's page
    asks the same URL again and again, and between two publications the answer is the same.
    Bounded in entries and in size; each process keeps its own (nothing to invalidate across
    processes: the generation is read from the database on every request)."""

    def __init__(self, entries: int = 512, max_body: int = 256 * 1024):
        import threading
        from collections import OrderedDict

        self._items: OrderedDict[str, tuple[int, bytes, str, dt.datetime | None]] = OrderedDict()
        self._lock = threading.Lock()
        self.entries, self.max_body = entries, max_body

    def get(self, key: str, gen: int):
        with self._lock:
            hit = self._items.get(key)
            if hit is None or hit[0] != gen:
                return None
            self._items.move_to_end(key)
            return hit

    def put(self, key: str, gen: int, body: bytes, etag: str, last_modified: dt.datetime | None) -> None:
        if len(body) > self.max_body:
            return
        with self._lock:
            self._items[key] = (gen, body, etag, last_modified)
            self._items.move_to_end(key)
            while len(self._items) > self.entries:
                self._items.popitem(last=False)


def _cache_key() -> str | None:
    """Only the anonymous GETs of the published catalog are kept (a token's answer never is)."""
    if request.method != "GET" or "Authorization" in request.headers:
        return None
    if request.endpoint not in ("catalog_items.CatalogItems", "catalog_items.CatalogItemOne"):
        return None
    return request.full_path


def _answer(body: bytes, etag: str, last_modified: dt.datetime | None):
    response = current_app.response_class(body, mimetype="application/json")
    if last_modified is not None:
        response.last_modified = last_modified
    response.set_etag(etag)
    return response.make_conditional(request)


def _cached_answer():
    """before_request of the catalog endpoints: the kept answer, if still current."""
    from flask import g

    key = _cache_key()
    if key is None:
        return None
    # the driver's own cursor on a pooled connection: this one read is the whole cost of a kept answer
    raw = get_db().engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT generation FROM published_state WHERE id = 1")
        row = cursor.fetchone()
        cursor.close()
        raw.commit()  # end the read transaction (PostgreSQL would keep it open in the pool otherwise)
    finally:
        raw.close()  # back to the pool
    g.zwgk_generation = row[0] if row else 0
    hit = current_app.extensions["zwgk.answers"].get(key, g.zwgk_generation)
    return _answer(hit[1], hit[2], hit[3]) if hit else None


def _json(payload: dict[str, Any], last_modified: dt.datetime | None = None):
    """orjson straight to the answer (the records are already in the schema's form), with an
    ETag and Last-Modified so a county site's cache can ask "has it changed?"."""
    from flask import g

    body = orjson.dumps(payload)
    import hashlib

    etag = hashlib.sha1(body).hexdigest()
    key = _cache_key()
    if key is not None and getattr(g, "zwgk_generation", None) is not None:
        current_app.extensions["zwgk.answers"].put(key, g.zwgk_generation, body, etag, last_modified)
    return _answer(body, etag, last_modified)


def _region(session, region: str | None) -> tuple[str | None, str | None]:
    if not region:
        return None, None
    try:
        return export.resolve_region(session, get_pm(), region)
    except export.ExportError as exc:
        abort(400, message=api_write.said(exc))


def _unit_key(session, region: str | None) -> str | None:
    """A unit path as given (one indexed read), else whatever :func:`export.resolve_region` makes of it."""
    if not region:
        return None
    key = session.execute(select(m.AdminUnit.key).where(m.AdminUnit.key == region)).scalar()
    return key or _region(session, region)[0]


def _page_schema(name: str, item: Any) -> type[Schema]:
    return type(f"{name}Page", (Schema,), {
        "items": fields.List(fields.Nested(item), required=True),
        "next_cursor": fields.String(allow_none=True, required=True,
                                     metadata={"description": "下一页的 cursor；最后一页为 null"}),
        "limit": fields.Integer(required=True),
    })


# --------------------------------------------------------------------------
# Catalog items (published)
# --------------------------------------------------------------------------


class PublishedItemSchema(s.CatalogItemSchema):
    """A published catalog item as the public reads it."""

    class Meta:
        unknown = INCLUDE
        exclude = ("source",)

    id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    published_at = fields.String(required=True, metadata={"description": "ISO 8601, UTC"})
    unit = fields.String(required=True)
    domain = fields.String(required=True)


class CurrentItemSchema(s.CatalogItemSchema):
    """A catalog item as it stands now, drafts included (for the users whose scope covers it)."""

    class Meta:
        unknown = INCLUDE
        exclude = ("source",)

    id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    unit = fields.String(required=True)
    domain = fields.String(required=True)


class HistoryEntrySchema(Schema):
    version = fields.Integer(required=True)
    status = fields.String(required=True)
    at = fields.String(required=True)
    changes = fields.Dict(required=True)


class PublishedItemDetailSchema(PublishedItemSchema):
    history = fields.List(fields.Nested(HistoryEntrySchema), required=True)


catalog_blp = Blueprint("catalog_items", __name__, url_prefix=f"{PREFIX}/catalog_items",
                        description="公开事项（已公开的版本）published catalog items")
catalog_blp.before_request(_cached_answer)


@catalog_blp.route("")
class CatalogItems(MethodView):
    @catalog_blp.arguments(CatalogArgs, location="query", error_status_code=400)
    @catalog_blp.response(200, _page_schema("PublishedItem", PublishedItemSchema))
    def get(self, args):
        """已公开的事项，按 id 分页 published items, in id order, one keyset page at a time"""
        session = get_db().scoped()
        path = _unit_key(session, args.get("region"))
        if args.get("unit"):
            unit_path = _unit_key(session, args["unit"])
            if path and unit_path and not (unit_path == path or unit_path.startswith(path + "/")):
                return _json({"items": [], "next_cursor": None, "limit": args["limit"]})
            path = unit_path or path
        domain_id = None
        if args.get("domain"):
            from .domains import resolve_domain

            domain_id = session.execute(select(m.Domain.id).where(m.Domain.name == args["domain"])).scalar()
            if domain_id is None:  # an alias, or a name written another way
                dom = resolve_domain(session, args["domain"])
                if dom is None:
                    abort(400, message=gettext("Unknown domain: %(name)s", name=args["domain"]))
                domain_id = dom.id
        since = args.get("updated_since")
        items, after = page(session, path, domain_id, args.get("stage"), since,
                            decode_cursor(args.get("cursor")), args["limit"])
        return _json({"items": items, "next_cursor": encode_cursor(after), "limit": args["limit"]},
                     last_change(session))

    @catalog_blp.arguments(api_write.ItemInputSchema, location="json", error_status_code=400)
    @catalog_blp.response(201, api_write.WriteResultSchema)
    @catalog_blp.alt_response(401, description="需要接口令牌 a token is required")
    @catalog_blp.alt_response(403, description="不在权限范围内 outside the token's scope")
    @catalog_blp.doc(security=[{"token": []}])
    def post(self, _data):
        """新增事项（草稿）create an item, as a draft, in the token's scope"""
        return api_write.create_item(request.get_json())


@catalog_blp.route("/<int:item_id>")
class CatalogItemOne(MethodView):
    @catalog_blp.response(200, PublishedItemDetailSchema)
    @catalog_blp.alt_response(404, description="没有这个已公开的事项 no such published item")
    def get(self, item_id: int):
        """一个已公开的事项及其公开变更记录 one published item with its public history"""
        from .published import PublishedItem, public_history

        session = get_db().scoped()
        row = session.get(PublishedItem, item_id) if item_id < 2**31 else None
        if row is None:
            abort(404, message=gettext("No such published item."))
        return _json({**row.record, "history": public_history(session, item_id)}, row.published_at)

    @catalog_blp.arguments(api_write.ItemPatchSchema(partial=True), location="json", error_status_code=400)
    @catalog_blp.response(200, api_write.WriteResultSchema)
    @catalog_blp.alt_response(401, description="需要接口令牌 a token is required")
    @catalog_blp.alt_response(403, description="不在权限范围内 outside the token's scope")
    @catalog_blp.alt_response(404, description="没有这个事项 no such item in the token's scope")
    @catalog_blp.alt_response(409, description="版本已过期 the item changed since the version given")
    @catalog_blp.doc(security=[{"token": []}])
    def patch(self, data, item_id: int):
        """修改事项（成为草稿，须重新审核公开）edit an item; it becomes a draft until published again"""
        if "version" not in data:
            abort(400, message=gettext("The version read is required."),
                  errors={"version": [api_write.one_language(translate("Missing data for required field."))]})
        return api_write.update_item(item_id, request.get_json())


@catalog_blp.route("/<int:item_id>/current")
class CatalogItemCurrent(MethodView):
    @catalog_blp.response(200, CurrentItemSchema)
    @catalog_blp.alt_response(401, description="需要接口令牌 a token is required")
    @catalog_blp.alt_response(404, description="没有这个事项 no such item in the token's scope")
    @catalog_blp.doc(security=[{"token": []}])
    def get(self, item_id: int):
        """事项的当前版本（含草稿）the item as it stands now, drafts included, for its editors"""
        return _json(api_write.draft_of(item_id))


@catalog_blp.route("/<int:item_id>/submit")
class CatalogItemSubmit(MethodView):
    @catalog_blp.response(200, api_write.WriteResultSchema)
    @catalog_blp.alt_response(401, description="需要接口令牌 a token is required")
    @catalog_blp.alt_response(404, description="没有这个事项 no such item in the token's scope")
    @catalog_blp.alt_response(409, description="当前状态不能提交 the item cannot be submitted now")
    @catalog_blp.doc(security=[{"token": []}])
    def post(self, item_id: int):
        """提交审核 submit a draft for review (the region's steps decide when it is published)"""
        return api_write.submit_item(item_id)


class ChangesArgs(PageArgs):
    region = fields.String(required=True, validate=[validate.Length(min=1, max=400), _PRINTABLE],
                           metadata={"description": "插件名、单位名称或路径 plugin, unit name or unit path"})
    start = fields.String(data_key="from", validate=[validate.Length(max=40), _PRINTABLE],
                          metadata={"description": "起 from (YYYY-MM-DD, 北京时间)"})
    end = fields.String(data_key="to", validate=[validate.Length(max=40), _PRINTABLE],
                        metadata={"description": "止 to, included (YYYY-MM-DD, 北京时间)"})


class ChangeEntrySchema(Schema):
    item = fields.String(required=True)
    item_id = fields.Integer(required=True)
    changes = fields.Dict(required=True)


class CatalogChangesSchema(Schema):
    added = fields.List(fields.Dict(), required=True)
    removed = fields.List(fields.Dict(), required=True)
    changed = fields.List(fields.Nested(ChangeEntrySchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True,
                                metadata={"description": "下一页的 cursor（按事项编号分页）；最后一页为 null"})
    limit = fields.Integer(required=True, metadata={"description": "每页至多这么多个事项 items per page"})


changes_blp = Blueprint("catalog_changes", __name__, url_prefix=f"{PREFIX}/catalog_changes",
                        description="目录调整记录 what changed in a unit's published catalog")


@changes_blp.route("")
class CatalogChanges(MethodView):
    @changes_blp.arguments(ChangesArgs, location="query", error_status_code=400)
    @changes_blp.response(200, CatalogChangesSchema)
    def get(self, args):
        """两个日期之间已公开目录的新增、删除与变更 added, removed and changed between two dates,
        one keyset page of items (in item id order) at a time"""
        from . import catalog_history

        session = get_db().scoped()
        path = _region(session, args["region"])[0]
        try:
            start = catalog_history.parse_moment(args.get("start"))
            end = catalog_history.parse_moment(args.get("end"), end=True)
        except ValueError:
            abort(400, message=gettext("Not a date or time: write it like 2025-01-31 or 2025-01-31T09:30."))
        result, after = catalog_history.diff_page(session, path, start, end, decode_cursor(args.get("cursor")),
                                                  args["limit"])
        return _json({"added": result.added, "removed": result.removed, "changed": result.changed,
                      "next_cursor": encode_cursor(after), "limit": args["limit"]})


# --------------------------------------------------------------------------
# Every other public kind
# --------------------------------------------------------------------------


def _out_schema(kind: str) -> type[Schema]:
    base = export.EXPORTS[kind].schema
    attrs: dict[str, Any] = {"Meta": type("Meta", (), {"unknown": INCLUDE}), "id": fields.Integer(required=True)}
    for name, field in base._declared_fields.items():  # decimals travel as strings ("12.50"), as dumped
        if isinstance(field, fields.Decimal):
            attrs[name] = fields.String(allow_none=field.allow_none, required=field.required,
                                        metadata={"description": "decimal, as a string"})
    if issubclass(export.EXPORTS[kind].model, m.Loaded):
        attrs.update(key=fields.String(), origin=fields.String())
    name = "".join(p.title() for p in kind.split("_"))
    return type(f"{name}Record", (base,), attrs)


def _kind_blueprint(kind: str) -> Blueprint:
    blp = Blueprint(kind, __name__, url_prefix=f"{PREFIX}/{kind}", description=f"{kind}（公开数据 public data）")
    args_schema = type(f"{kind.title().replace('_', '')}Args", (RegionArgs,), {}) if kind != "standards" else type(
        "StandardsArgs", (RegionArgs,), {"status": fields.String(validate=validate.OneOf(m.STANDARD_STATUSES)),
                                         "domain": fields.String(validate=[validate.Length(max=80), _PRINTABLE])})
    exp = export.EXPORTS[kind]

    @blp.route("")
    class Listing(MethodView):
        @blp.arguments(args_schema, location="query", error_status_code=400)
        @blp.response(200, _page_schema(_out_schema(kind).__name__.removesuffix("Record"), _out_schema(kind)))
        def get(self, args):
            session = get_db().scoped()
            try:
                q = export.select_query(session, kind, get_pm(), args.get("region"))
            except export.ExportError as exc:
                abort(400, message=api_write.said(exc))
            if kind == "standards":
                if args.get("status"):
                    q = q.where(m.Standard.status == args["status"])
                if args.get("domain"):
                    from .domains import resolve_domain

                    dom = resolve_domain(session, args["domain"])
                    q = q.where(m.Standard.domain_id == (dom.id if dom else -1))
            after = decode_cursor(args.get("cursor"))
            if after is not None:
                q = q.where(exp.model.id > after)
            q = q.order_by(None).order_by(exp.model.id).limit(args["limit"] + 1)
            objs = list(session.scalars(q).unique())
            more = len(objs) > args["limit"]
            objs = objs[:args["limit"]]
            rows = [{"id": o.id, **r} for o, r in zip(objs, export.dump(kind, objs))]
            return _json({"items": rows, "next_cursor": encode_cursor(objs[-1].id if more and objs else None),
                          "limit": args["limit"]})

    Listing.get.__doc__ = f"{kind}: 按 id 分页 in id order, one keyset page at a time"
    return blp


KIND_BLUEPRINTS = {kind: _kind_blueprint(kind) for kind in PUBLIC_KINDS}

for _blp in (catalog_blp, changes_blp, *KIND_BLUEPRINTS.values()):
    # a blueprint's handler comes before the app's for the requests it answers (the 413 of core/app.py)
    _blp.register_error_handler(413, _too_large)


# --------------------------------------------------------------------------
# Wiring
# --------------------------------------------------------------------------

docs_assets = Blueprint("api_docs_assets", __name__)


@docs_assets.get(f"{PREFIX}/docs/assets/<path:filename>")
def swagger_assets(filename: str):
    """Swagger UI's files from the installed swagger-ui-bundle package: the docs page loads
    nothing from another site."""
    from swagger_ui_bundle import swagger_ui_path

    return send_from_directory(swagger_ui_path, filename, max_age=86400)


def init_app(app) -> Api:
    app.config.setdefault("API_TITLE", "zwgk 政务公开 API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("OPENAPI_SWAGGER_UI_PATH", "docs")
    app.config.setdefault("OPENAPI_SWAGGER_UI_URL", f"{PREFIX}/docs/assets/")
    api = ZwgkApi(app, spec_kwargs={"info": {"description": "基层政务公开标准化规范化：已公开的目录与标准数据。"
                                                             "列表按 id 分页（cursor），每页最多 %d 条。" % MAX_PAGE}})
    api.spec.components.security_scheme("token", {"type": "http", "scheme": "bearer",
                                                  "description": "个人接口令牌 a personal API token (zwgk token create)"})
    app.extensions["zwgk.answers"] = AnswerCache()
    api.register_blueprint(catalog_blp)
    api.register_blueprint(changes_blp)
    for blp in KIND_BLUEPRINTS.values():
        api.register_blueprint(blp)
    app.register_blueprint(docs_assets)
    app.extensions["zwgk.api"] = api
    return api
