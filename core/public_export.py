"""Exports of any public listing, with the listing's filters: the published catalog as CSV,
xlsx (the 标准目录 layout) or JSON, in the order of ``zwgk export-catalog``, streamed from one
query a chunk at a time (memory stays flat at a province's size); the other public kinds as CSV
or JSON.  ETag and Last-Modified let a cache revalidate."""

from __future__ import annotations

import csv
import hashlib
import io
import tempfile
from collections.abc import Iterator
from typing import Any

import orjson
from flask import Blueprint, Response, abort, request, stream_with_context
from sqlalchemy import func, select

from . import export
from .app import get_pm
from .catalog_io import FLAT_HEADER, MERGES, STAGE_NAMES, SUB, TOP, UNIT_HEADER, UNIT_MERGES
from .db import get_db
from .published import PublishedItem, _filtered, last_change

bp = Blueprint("public_export", __name__)


@bp.before_request
def _refuse_control_characters():
    from .public import _refuse_control_characters as refuse

    return refuse()
CHUNK = 1000
MIMETYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def record_row(n: int, r: dict[str, Any]) -> list[str]:
    """A published record as a row of the 标准目录 layout (the columns of ``catalog_io.TOP``: 公开层级
    one √ column per tier)."""
    from .catalog_readers import TIERS

    tick = lambda b: "√" if b else ""  # noqa: E731
    channels = r.get("channels") or ()
    levels = set(r.get("levels") or ())
    return ([str(n if r.get("seq") is None else r["seq"]), r.get("level1") or "", r.get("level2") or "",
             r.get("content") or "", r.get("basis") or "", r.get("time_limit") or "", r.get("subject") or "",
             channels if isinstance(channels, str) else "、".join(channels),
             tick(r.get("audience_public")), tick(r.get("audience_specific")), tick(r.get("method_active")),
             tick(r.get("method_on_request"))]
            + [tick(t in levels) for t in TIERS]
            + [r.get("domain") or "", r.get("category") or "", r.get("level3") or "", r.get("department") or "",
               "、".join(STAGE_NAMES.get(s, s) + "公开" for s in r.get("stages") or []), r.get("duration") or ""])


def _filters() -> dict[str, Any]:
    from .domains import resolve_domain

    session = get_db().scoped()
    out: dict[str, Any] = {"unit_path": None, "domain_id": None, "stage": request.args.get("stage") or None}
    if request.args.get("region"):
        try:
            out["unit_path"] = export.resolve_region(session, get_pm(), request.args["region"])[0]
        except export.ExportError as exc:
            abort(Response(str(exc), 400, mimetype="text/plain"))
    if request.args.get("domain"):
        dom = resolve_domain(session, request.args["domain"])
        if dom is None:
            abort(Response(f"找不到领域 unknown domain {request.args['domain']!r}", 400, mimetype="text/plain"))
        out["domain_id"] = dom.id
    return out


def _records(filters: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The published items of the filters in the order of ``zwgk export-catalog`` (by unit, each
    domain's items together, by 序号, by id: ``catalog_export.ORDER_COLUMNS``), in one query whose
    rows are fetched ``CHUNK`` at a time (a server-side cursor on PostgreSQL)."""
    from .catalog_export import order_of

    session, t = get_db().scoped(), PublishedItem.__table__.c
    order = order_of(lambda c: t[{"id": "item_id"}.get(c, c)])
    q = _filtered(select(t.record), filters["unit_path"], filters["domain_id"], filters["stage"], None, session)
    # Core rows (no ORM work per row), streamed
    yield from session.connection().execute(q.order_by(*order).execution_options(yield_per=CHUNK)).scalars()


def _several_units(filters: dict[str, Any]) -> bool:
    """Whether the selection spans more than one unit: then each row names its unit (所属单位)."""
    q = _filtered(select(PublishedItem.unit_id), filters["unit_path"], filters["domain_id"], filters["stage"], None)
    return len(get_db().scoped().execute(q.distinct().limit(2)).all()) > 1


def _unit_cell(r: dict[str, Any]) -> list[str]:
    return [r.get("unit") or ""]


def _csv(filters: dict[str, Any]) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf)
    buf.write("\ufeff")  # Excel opens it as UTF-8
    units = _several_units(filters)
    writer.writerow(FLAT_HEADER + [UNIT_HEADER] * units)
    for n, r in enumerate(_records(filters), 1):
        writer.writerow([export.neutralise(v) for v in record_row(n, r) + _unit_cell(r) * units])
        if buf.tell() > 1 << 16:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def _json(filters: dict[str, Any]) -> Iterator[bytes]:
    yield b"["
    for n, r in enumerate(_records(filters)):
        yield (b",\n" if n else b"\n") + orjson.dumps(r)
    yield b"\n]\n"


def _xlsx(filters: dict[str, Any]) -> Iterator[bytes]:
    """openpyxl's write-only workbook (rows are not kept), spooled to disk, then sent in blocks."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("政务公开事项标准目录")
    units = _several_units(filters)
    for rng in UNIT_MERGES if units else MERGES:
        ws.merged_cells.add(rng)
    ws.append(["政务公开事项标准目录（已公开）"])
    ws.append(TOP + [UNIT_HEADER] * units)
    ws.append(SUB + [""] * units)
    for n, r in enumerate(_records(filters), 1):
        row = []
        for value in record_row(n, r) + _unit_cell(r) * units:
            cell = WriteOnlyCell(ws, value=export.neutralise(value))
            cell.data_type = "s"  # text, never a formula
            row.append(cell)
        ws.append(row)
    with tempfile.TemporaryFile() as tmp:
        wb.save(tmp)
        tmp.seek(0)
        while block := tmp.read(1 << 16):
            yield block


@bp.get("/export/catalog.<fmt>")
def catalog_export(fmt: str):
    if fmt not in MIMETYPES:
        abort(404)
    filters = _filters()
    session = get_db().scoped()
    moment = last_change(session)
    count = session.scalar(_filtered(select(func.count()).select_from(PublishedItem), filters["unit_path"],
                                     filters["domain_id"], filters["stage"], None))
    writer = {"csv": _csv, "json": _json, "xlsx": _xlsx}[fmt]
    response = Response(stream_with_context(writer(filters)), mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f"attachment; filename=catalog.{fmt}"
    # "by domain": the rows' order (unit, domain, 序号) since session 8, so a file kept before is not "unchanged"
    tag = hashlib.sha256(f"{fmt}|by domain|{sorted(filters.items())}|{moment}|{count}".encode()).hexdigest()[:32]
    response.set_etag(tag, weak=True)
    if moment is not None:
        response.last_modified = moment
    return response.make_conditional(request)


@bp.get("/export/<kind>.<fmt>")
def kind_export(kind: str, fmt: str):
    from .api import PUBLIC_KINDS

    if kind not in PUBLIC_KINDS or fmt not in ("csv", "json"):
        abort(404)
    session = get_db().scoped()
    try:
        rows = export.dump(kind, export.query(session, kind, get_pm(), request.args.get("region") or None))
    except export.ExportError as exc:
        return Response(str(exc), 400, mimetype="text/plain")
    body = ("\ufeff" + export.to_csv(rows)) if fmt == "csv" else export.to_json(rows)
    response = Response(body, mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f"attachment; filename={kind}.{fmt}"
    response.add_etag()
    return response.make_conditional(request)
