"""Catalogs in and out: the published 标准目录 layout as .xlsx, CSV and JSON.

The layout: a two-row header — 序号 | 公开事项 (一级事项, 二级事项) | 公开内容（要素） | 公开依据 |
公开时限 | 公开主体 | 公开渠道和载体 | 公开对象 (全社会, 特定群体) | 公开方式 (主动, 依申请) |
公开层级 (县级, 乡级) — with merged cells, √-style marks and 同上.  Columns are recognised
by their header text (Simplified or Traditional, any order), never by position.

An import is all or nothing: every row is validated (schema, the region's required
elements, the plugins' checks) and nothing is kept unless all rows pass.  The file is read
lazily and valid rows are written a chunk at a time inside a savepoint of the caller's
transaction, which is rolled back at the end if any row had a problem: memory holds a chunk,
not the file, and nobody sees a row before the caller commits.
"""

from __future__ import annotations

import csv
import functools
import gc
import io
import json
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import catalog_reimport as reimport
from . import models as m
from .import_words import in_words
from .catalog import ItemValidator
from .catalog_readers import (  # noqa: F401 — the readers' names, as callers have imported them from here
    MARKS, MAX_FILE_BYTES, MAX_ROWS, MAX_UNZIPPED_BYTES, STAGE_WORDS, TIER_NAMES, TIERS, CatalogFileError, Layout,
    ParsedRow, Sheet, domain_from_text, find_layout, formula_cells, norm, parse_rows, read_records, read_sheets)
from .catalog_readers import ACCEPTED, FIELD_HEADERS, TEXT_ALTERNATIVES
from .domains import resolve_domain
from .export import NOT_UNIQUE, neutralise
from .loader import Problem
from .schemas import CatalogItemSchema


def resolve_unit(session: Session, unit: str) -> str:
    """A unit given by its path (湖南省/永州市/道县) or by a unique name (道县, 拱墅区) → its path.
    An ambiguous name is refused with its candidates."""
    text = (unit or "").strip()
    if session.scalar(select(m.AdminUnit.id).where(m.AdminUnit.key == text)) is not None:
        return text
    candidates = session.scalars(select(m.AdminUnit.key).where(m.AdminUnit.name == text)
                                 .order_by(m.AdminUnit.key)).all()
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        raise CatalogFileError(f"单位名称“{text}”不唯一，请写完整路径 ambiguous unit name {text!r}; candidates: "
                               + "、".join(candidates), words=(NOT_UNIQUE, {"name": text, "candidates": candidates}))
    raise CatalogFileError(f"找不到单位 unknown unit {text!r} (写单位名称或路径 a unit name or path, "
                           "e.g. 拱墅区 or 浙江省/杭州市/拱墅区)")


# --------------------------------------------------------------------------
# Importing
# --------------------------------------------------------------------------


#: ``progress(phase, done, total)``: phase is ``read``, ``check`` or ``write``
Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 500


@dataclass
class ImportResult:
    rows: int = 0
    written: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # what was read but not imported
    reimport: Any = None  # a catalog_reimport.Plan: new / changed / unchanged / no longer listed
    unit: str = ""  # the unit's path, however it was named
    #: per sheet, the column mapping chosen (header → field), shown by the dry run
    mappings: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    preview: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # the first rows as read

    @property
    def ok(self) -> bool:
        return not self.problems


_gc_lock = threading.Lock()
_gc_paused = [0, False]  # imports running, whether the collector was on before the first


def _without_cyclic_gc(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``func`` with Python's cyclic garbage collector paused, and restore it after.

    An import builds a few hundred thousand dicts and lists that live until it ends; each full
    collection walks all of them again (about 2 s of CPU at 100,000 rows, 15 % of the import),
    and none of them is cyclic garbage: reference counting frees them.  Nested or concurrent
    imports share one pause; the collector runs again when the last one ends, however it ends."""
    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        with _gc_lock:
            if _gc_paused[0] == 0:
                _gc_paused[1] = gc.isenabled()
                gc.disable()
            _gc_paused[0] += 1
        try:
            return func(*args, **kwargs)
        finally:
            with _gc_lock:
                _gc_paused[0] -= 1
                if _gc_paused[0] == 0 and _gc_paused[1]:
                    gc.enable()

    return run


@_without_cyclic_gc
def import_catalog(session: Session, pm: Any, path: Path, unit: str, domain: str | None = None,
                   dry_run: bool = False, progress: Progress | None = None,
                   example: bool = False, allowed_domains: set[int] | None = None,
                   append: bool = False, withdraw_missing: bool = False,
                   scope: str | None = None) -> ImportResult:
    """Validate every row, then write them all — or nothing, and say why for each row.

    ``progress(phase, done, total)`` is told how far it is: ``read`` (0 of 1, then 1 of 1),
    ``check`` (rows checked of all rows, every :data:`PROGRESS_EVERY` rows and at the end) and
    ``write`` (items written of all, by chunk).
    ``allowed_domains``: ids of the only domains the importing user may write (a department editor).
    Rows are matched to the unit's items of their domains (:mod:`zwgk.catalog_reimport`): changed
    ones get a new version, new ones are added, unchanged ones are left; ``append`` adds every row
    as a new item instead; ``withdraw_missing`` withdraws the items no row names.
    ``scope``: the importing user's unit path (``None``: everywhere, a system administrator or the
    CLI's operator); ``unit`` must lie inside it.  Every item belongs to ``unit`` and starts as a
    draft, whatever a row says (see :func:`_own_unit`).
    """
    report = progress or (lambda phase, done, total: None)
    if append and withdraw_missing:  # appended rows match no item: what is "missing" is unknown
        raise CatalogFileError("“追加”与“撤回不再列出的事项”不能同时使用 --append and --withdraw-missing "
                               "cannot be used together")
    unit = resolve_unit(session, unit)
    if scope is not None and unit != scope and not unit.startswith(scope + "/"):
        raise CatalogFileError(f"单位不在您的管辖范围内 the unit {unit!r} is outside your scope ({scope})")
    if domain and resolve_domain(session, domain) is None:
        raise CatalogFileError(f"找不到领域 unknown domain {domain!r}")
    report("read", 0, 1)
    scans: dict[str, Any] = {}
    sheets = read_sheets(path, scans)
    known: dict[str, str | None] = {}

    def domain_of(text: str) -> str | None:  # a sheet's or title's …领域…目录
        if text not in known:
            known[text] = domain_from_text(text, lambda name: resolve_domain(session, name) is not None)
        return known[text]

    reading = read_records(sheets, unit, domain, domain_of)
    del sheets
    # problems in the order they were always reported: reading the file, formulas, missing columns, rows
    cells = scans["formulas"] if "formulas" in scans else formula_cells(path) if path.suffix.lower() == ".xlsx" else []
    formulas = [Problem(f"[{sheet}] {cell}", "", cell, "公式单元格不被接受（目录只收文本）a formula cell is refused")
                for sheet, cell in cells]
    headers: list[Problem] = []
    checks: list[Problem] = []
    result = ImportResult(warnings=reading.warnings, unit=unit, mappings=reading.mappings)
    report("read", 1, 1)
    total = reading.total
    report("check", 0, total)
    validate = ItemValidator(session, pm)
    statuses: dict[str, int] = {}  # statuses the rows asked for that an import does not give
    missing: set[tuple[str, str]] = set()
    sheets_seen = 0
    named_units: dict[str, bool] = {}
    item_ids: dict[tuple[str, str], tuple[int, int]] = {}
    # Checked rows are written chunk by chunk while every row so far is valid, inside a savepoint
    # of the caller's transaction (nothing is visible to others before it commits).  At the first
    # problem writing stops, every row is still checked, and the savepoint is rolled back: the
    # database is as it was.  Memory holds one chunk, not the file.
    pending: list[dict[str, Any]] = []
    planner = None if append else reimport.Planner(session, validate.unit(unit).id)
    source = source_name(path)
    writer = None if dry_run else _Writer(session, source, unit)

    def names_unit(text: str) -> bool:  # a record's unit by its path or its unique name (道县)
        if text not in named_units:
            try:
                named_units[text] = resolve_unit(session, text) == unit
            except CatalogFileError:
                named_units[text] = False
        return named_units[text]

    def flush(last: bool = False) -> None:
        new = planner.add(pending) if planner is not None else pending
        if writer is not None and (new or last and writer.count):
            writer.write(new, report if last else None)
        pending.clear()

    n = 0
    plain_unit = unit == unit.strip()  # _own_unit compares the stripped name
    try:
        for row in reading.rows:
            if len(reading.columns) > sheets_seen:  # a new sheet: its missing columns, said once
                missing |= _missing_columns(validate, unit, reading.columns[sheets_seen:], headers)
                sheets_seen = len(reading.columns)
            if n < 5:
                result.preview.append((row.where, dict(row.record)))
            n += 1
            rec = row.record
            if rec.get("unit") is unit and plain_unit and "status" not in rec:  # a table's row (the reader wrote the unit)
                rec["status"], foreign = "draft", None  # what _own_unit does with it, without the call
            else:
                foreign = _own_unit(row, unit, statuses, names_unit)
            data, row_problems = validate(rec, row.where)
            if row_problems or foreign is not None or data is None or allowed_domains is not None:
                if (missing or reading.bad_cells) and row_problems:  # said once, for the sheet or the cell
                    sheet = row.where.split("]", 1)[0] + "]"
                    row_problems = [p for p in row_problems if (sheet, p.field) not in missing
                                    and (row.where, p.field) not in reading.bad_cells]
                if foreign is not None:
                    row_problems = [foreign, *row_problems]
                if data is not None and allowed_domains is not None and not row_problems:
                    dom = validate.domain(data["domain"])
                    if dom is not None and dom.id not in allowed_domains:
                        row_problems = [Problem(row.where, data.get("level1") or "", "domain",
                                                f"不是本部门负责的领域 not a domain of your department: {dom.name}")]
                if data is not None and not row_problems:
                    row_problems = reimport.other_unit(row.where, data, unit)
            elif data["unit"] != unit:  # a valid row of the unit imported into (nearly all): nothing to say
                row_problems = reimport.other_unit(row.where, data, unit)
            if row_problems:
                checks.extend(map(in_words, row_problems))
            if checks or reading.problems or formulas or headers:
                pending.clear()  # nothing will be written: keep checking, stop collecting
            else:
                pair = item_ids.get((data["unit"], data["domain"]))  # known after the first row: no call
                pending.append(_ITEM_ROW(data.get, source, example, pair) if pair is not None
                               else _item_row(validate, data, source, example, item_ids))
                if len(pending) >= WRITE_CHUNK:
                    flush()
            if n % PROGRESS_EVERY == 0:
                report("check", n, max(total, n))
        if len(reading.columns) > sheets_seen:  # sheets without rows
            missing |= _missing_columns(validate, unit, reading.columns[sheets_seen:], headers)
        result.rows = n
        result.problems = [*reading.problems, *formulas, *headers, *checks]
        report("check", n, n)
        if not result.problems and not n:
            result.problems.append(Problem(path.name, "", None, "文件中没有任何事项行 the file holds no item rows"))
        if statuses:
            result.warnings.append("导入的事项一律为草稿，须按本地区的审核步骤公开；以下状态未导入 imported items start as "
                                   "drafts and pass the region's steps; not imported: "
                                   + "、".join(f"{k} ×{n}" for k, n in sorted(statuses.items())))
        if result.problems:
            if writer is not None:
                writer.rollback()
            return result
        flush(last=True)
        if planner is not None:
            result.reimport = planner.finish()
        if dry_run:
            return result
        if result.reimport is not None:
            writer.begin()
            reimport.apply(session, result.reimport, withdraw_missing, source)
        writer.finish()
    except BaseException:
        if writer is not None:
            writer.rollback()
        raise
    result.written = writer.count + (len(result.reimport.changed) if result.reimport else 0)
    return result


#: rows written at a time while an import is valid so far (one chunk of :func:`_bulk_insert`)
WRITE_CHUNK = 5000


def _own_unit(row: ParsedRow, unit: str, statuses: dict[str, int],
              names_unit: Callable[[str], bool] = lambda text: False) -> Problem | None:
    """Every imported item belongs to the unit chosen for the import and starts as a draft.

    A record (JSON) may name its unit and status: a unit other than the chosen one is an error
    of that row (the import's scope was checked for the chosen unit only); a status is not
    imported (counted, to be reported): only the workflow's steps publish."""
    rec = row.record
    named = rec.get("unit")
    problem = None
    if named not in (None, "") and (not isinstance(named, str) or named.strip() != unit
                                    and not names_unit(named.strip())):
        # a table's row names its unit in the 所属单位 column (an export of several units)
        problem = Problem(row.where, str(rec.get("level1") or ""), UNIT_HEADER if row.where.startswith("[") else "unit",
                          f"记录所属单位“{named}”是另一单位，不是本次导入的单位“{unit}” the record names another unit "
                          f"than the one imported into")
    rec["unit"] = unit
    status = rec.get("status")
    if status not in (None, "", "draft"):
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    rec["status"] = "draft"
    return problem


def _missing_columns(validate: ItemValidator, unit: str, columns: list[tuple[str, set[str], list[str]]],
                     problems: list[Problem]) -> set[tuple[str, str]]:
    """A required element with no column at all in a sheet: one problem naming the headers seen
    and the headers accepted, rather than the same complaint on every row."""
    missing: set[tuple[str, str]] = set()
    for sheet, fields, seen in columns:
        for code, element_fields, wording, source, name in validate.required(unit):
            if element_fields is None:
                continue
            options = set(element_fields) | {TEXT_ALTERNATIVES[f] for f in element_fields if f in TEXT_ALTERNATIVES}
            if options & fields:
                continue
            header = FIELD_HEADERS.get(element_fields[0], wording)
            problems.append(Problem(f"[{sheet}] 表头 header", "", element_fields[0],
                                    f"缺少必填要素“{wording}”的列（应有“{header}”列，依据 {source}）；表头有："
                                    f"{'、'.join(seen)}；可接受的表头：{'；'.join(ACCEPTED)} "
                                    f"no column for the required element {name!r}"))
            missing.add((f"[{sheet}]", element_fields[0]))
    return missing


_COLUMNS = tuple(c for c in CatalogItemSchema().fields if c not in ("unit", "domain", "source"))


def source_name(path: Path) -> str:
    """The file's name as stored: a name Linux keeps as bytes that are not UTF-8 (a Windows
    archive's GBK names) is read as GB18030, as the file's text would be (``decode_text``), or
    else with U+FFFD for what neither reads — the database takes UTF-8 only."""
    name = path.name
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        import os

        raw = os.fsencode(name)
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            return raw.decode("utf-8", "replace")
    return name


def _item_row(validate: ItemValidator, data: dict[str, Any], source: str, example: bool,
              ids: dict[tuple[str, str], tuple[int, int]] | None = None) -> dict[str, Any]:
    """The item's columns from a validated record.  ``ids`` remembers (unit, domain) → their ids
    for the rows of one import (every row names the same few)."""
    key = (data["unit"], data["domain"])
    pair = ids.get(key) if ids is not None else None
    if pair is None:
        pair = (validate.unit(key[0]).id, validate.domain(key[1]).id)
        if ids is not None:
            ids[key] = pair
    return _ITEM_ROW(data.get, source, example, pair)


def _item_row_maker() -> Callable[..., dict[str, Any]]:
    """One dict display for the item row: every column of the schema (``data.get``), stages
    defaulting to [], a draft, ``is_example`` also when the import says so, then the unit and
    domain ids, the source file and version 1 — the keys in that order, as the statement's
    columns follow them.  ``tests/test_catalog_bulk_convert.py`` compares it with the plain
    ``dict(zip(...))`` and ``update``."""
    special = {"stages": "g('stages') or []", "status": "'draft'", "is_example": "bool(g('is_example')) or example"}
    # our schema's field names, written into the code below
    assert all(c.isidentifier() for c in _COLUMNS) and set(special) <= set(_COLUMNS)
    parts = [f"{c!r}: {special.get(c, f'g({c!r})')}" for c in _COLUMNS]
    parts += ["'unit_id': pair[0]", "'domain_id': pair[1]", "'source_file': source", "'version': 1"]
    return eval(compile(f"lambda g, source, example, pair: {{{', '.join(parts)}}}", "<zwgk item row>", "eval"),
                {})


_ITEM_ROW = _item_row_maker()


def _snapshot_sql(dialect: str, unit_key: str | None = None, domain_name: str | None = None) -> Any:
    """The first version's snapshot, built by the database from the inserted row.

    The same JSON object as :func:`zwgk.catalog_history.snapshot` (the schema's dump: the unit by
    its path, the domain by its name), without a Python object or a JSON encoding per row.
    ``unit_key`` / ``domain_name``: every row's unit path / domain name when the rows share one,
    given as text instead of looked up row by row."""
    from sqlalchemy import Boolean, case, func, literal
    from sqlalchemy.types import JSON

    from .catalog_history import SNAPSHOT_FIELDS

    items = m.CatalogItem.__table__
    pairs: list[Any] = []
    for name in SNAPSHOT_FIELDS:
        if name == "unit" and unit_key is not None:
            expr = literal(unit_key)
        elif name == "domain" and domain_name is not None:
            expr = literal(domain_name)
        elif name == "unit":
            expr = select(m.AdminUnit.key).where(m.AdminUnit.id == items.c.unit_id).scalar_subquery()
        elif name == "domain":
            expr = select(m.Domain.name).where(m.Domain.id == items.c.domain_id).scalar_subquery()
        else:
            expr = items.c[name]
            if dialect == "sqlite" and isinstance(expr.type, Boolean):  # stored as 0/1
                # json('true') has constant arguments: SQLite evaluates it once, not once per row
                expr = case((expr.is_(None), None), (expr, func.json("true")), else_=func.json("false"))
            elif dialect == "sqlite" and isinstance(expr.type, JSON):  # stored as JSON text
                expr = func.json(expr)
        pairs += [literal(name), expr]
    return func.json_object(*pairs) if dialect == "sqlite" else func.json_build_object(*pairs)


def _bulk_insert(session: Session, pending: list[dict[str, Any]], source: str, unit: str,
                 report: Progress, chunk: int = 5000) -> None:
    """Multi-row INSERTs of the items, their first versions (built by the database from the rows
    just inserted, by INSERT … SELECT), in chunks, and one history row (see :class:`_Writer`)."""
    writer = _Writer(session, source, unit, chunk)
    writer.write(pending, report)
    writer.finish()


class _Writer:
    """Writes an import's items chunk by chunk, inside a savepoint, and its one history row.

    Each chunk: a multi-row INSERT of the items, their first versions (built by the database from
    the rows just inserted, by INSERT … SELECT).  The ORM path (one object per row, flush
    listeners) costs several times more on a province's catalog; the versions written here are
    the ones the listener would write, and the history gets one row for the import (file, unit,
    count, ids) rather than one per item, written by :meth:`finish`.

    Everything is written inside a savepoint of the session's transaction: :meth:`rollback`
    undoes every chunk (an import found a problem after writing some), :meth:`finish` keeps them
    for the caller to commit.  On SQLite the transaction is begun ``IMMEDIATE`` first (Python's
    sqlite3 would otherwise let the savepoint be the transaction, and releasing it would commit):
    the import holds the database's write lock from its first chunk to its end, and other writers
    wait for it (their busy timeout, 30 s by default) — see docs/benchmarks.md.
    """

    def __init__(self, session: Session, source: str, unit: str, chunk: int = 5000):
        import datetime as dt

        self.session, self.source, self.unit, self.chunk = session, source, unit, chunk
        self.now = dt.datetime.now(dt.timezone.utc)
        self.actor, self.reason = session.info.get("actor", "system"), session.info.get("reason")
        self.savepoint: Any = None
        self.count = 0
        self.first: int | None = None
        self.last: int | None = None

    def begin(self) -> None:
        """The savepoint every write of the import goes into (once)."""
        if self.savepoint is not None:
            return
        conn = self.session.connection()
        if conn.dialect.name == "sqlite":
            dbapi = conn.connection.dbapi_connection
            if dbapi is not None and not dbapi.in_transaction:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
        self.savepoint = self.session.begin_nested()

    def rollback(self) -> None:
        """Undo everything written so far (the session's transaction stays open)."""
        if self.savepoint is not None and self.savepoint.is_active:
            self.savepoint.rollback()
        self.savepoint = None

    def write(self, pending: list[dict[str, Any]], report: Progress | None = None) -> None:
        """Write ``pending`` (item rows), in chunks; ``report``: tell ``write`` progress (the last rows)."""
        from sqlalchemy import insert, literal

        if report is not None:
            report("write", self.count, self.count + len(pending))
        if not pending:
            return
        self.begin()
        session, now, actor, reason, chunk = self.session, self.now, self.actor, self.reason, self.chunk
        total = self.count + len(pending)
        conn = session.connection()  # Core statements: the ORM's bulk path adds nothing here but time
        items, versions = m.CatalogItem.__table__, m.CatalogItemVersion.__table__
        shared = _shared_names(session, pending)
        snapshot = _snapshot_sql(conn.dialect.name, *shared)
        unit_key = (literal(shared[0]) if shared[0] is not None else
                    select(m.AdminUnit.key).where(m.AdminUnit.id == items.c.unit_id).scalar_subquery())
        for start in range(0, len(pending), chunk):
            part = pending[start:start + chunk]
            if conn.dialect.name == "sqlite":
                ids = _insert_sqlite(conn, part)
            else:  # PostgreSQL: COPY with ids taken from the sequence, else INSERT … RETURNING in parameter order
                ids = _insert_copy(conn, part)
                if ids is None:
                    ids = conn.execute(insert(items).returning(items.c.id, sort_by_parameter_order=True),
                                       part).scalars().all()
            conn.execute(insert(versions).from_select(
                ["item_id", "version", "unit_key", "status", "deleted", "snapshot", "actor", "reason", "at"],
                select(items.c.id, items.c.version, unit_key, items.c.status, literal(False), snapshot,
                       literal(actor), literal(reason, type_=versions.c.reason.type),
                       literal(now, type_=versions.c.at.type)).where(
                    # contiguous ids (always on SQLite): a range, not one bound parameter per id
                    items.c.id.between(ids[0], ids[-1]) if ids[-1] - ids[0] + 1 == len(ids) else items.c.id.in_(ids))))
            # what the public sees (#18); the rows' statuses compared without a Python loop
            if "published" in map(dict.get, part, repeat("status")):
                from .published import refresh

                refresh(conn, ids)
            self.first = ids[0] if self.first is None else self.first
            self.last = ids[-1]
            self.count += len(part)
            if report is not None:
                report("write", self.count, total)

    def finish(self) -> None:
        """The import's history row (when it wrote items); the savepoint is kept (released)."""
        from sqlalchemy import insert

        if self.count:
            self.session.connection().execute(insert(m.Change.__table__), [dict(
                entity="catalog_item", entity_id=self.first, action="import", actor=self.actor, reason=self.reason,
                at=self.now, changes={"file": [None, self.source], "unit": [None, self.unit],
                                      "items": [None, self.count], "ids": [None, f"{self.first}–{self.last}"]})])
        if self.savepoint is not None and self.savepoint.is_active:
            self.savepoint.commit()


def _shared_names(session: Session, pending: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """(unit path, domain name) when every row has the same unit / the same domain, else None."""
    units = {row["unit_id"] for row in pending}
    domains = {row["domain_id"] for row in pending}
    unit = session.scalar(select(m.AdminUnit.key).where(m.AdminUnit.id == units.pop())) if len(units) == 1 else None
    domain = session.scalar(select(m.Domain.name).where(m.Domain.id == domains.pop())) if len(domains) == 1 else None
    return unit, domain


def _insert_copy(conn: Any, part: list[dict[str, Any]]) -> list[int] | None:
    """PostgreSQL with psycopg: the rows by one ``COPY … FROM STDIN``, their ids drawn from the
    table's own sequence first (``nextval``, so no other writer can get them).  A multi-row
    ``INSERT`` makes psycopg parse a statement of thousands of placeholders per chunk, most of
    the write's time.  The values are what the INSERT would bind: JSON columns as the engine's
    JSON text, the rest as they are (psycopg adapts them as it does its parameters); columns
    left out get their server defaults, as with the INSERT.  None (nothing done) when this
    cannot be vouched for: another driver, a column unknown or with a Python-side default left
    out, rows with different columns."""
    from sqlalchemy.types import JSON

    items = m.CatalogItem.__table__
    keys = list(part[0])
    dbapi = getattr(conn.connection, "dbapi_connection", None)
    if conn.dialect.driver != "psycopg" or not callable(getattr(dbapi, "cursor", None)):
        return None
    if "id" in keys or not all(k in items.c for k in keys) or any(
            c.default is not None and c.key not in keys for c in items.c if c.key != "id"):
        return None
    if any(len(row) != len(keys) or row.keys() != part[0].keys() for row in part):
        return None
    serialize = conn.dialect._json_serializer or json.dumps
    encode = [isinstance(items.c[k].type, JSON) for k in keys]
    seq = conn.exec_driver_sql("SELECT pg_get_serial_sequence('catalog_item', 'id')").scalar()
    if seq is None:
        return None
    ids = sorted(conn.exec_driver_sql("SELECT nextval(%(seq)s) FROM generate_series(1, %(n)s)",
                                      {"seq": seq, "n": len(part)}).scalars())
    columns = ", ".join(["id", *keys])
    with dbapi.cursor() as cursor, cursor.copy(f"COPY catalog_item ({columns}) FROM STDIN") as copy:
        for i, row in zip(ids, part):
            copy.write_row([i, *(serialize(row[k]) if enc and row[k] is not None else row[k]
                                  for enc, k in zip(encode, keys))])
    return ids


def _insert_sqlite(conn: Any, part: list[dict[str, Any]]) -> list[int]:
    """SQLite cannot return ids of a multi-row INSERT in parameter order (SQLAlchemy then inserts
    row by row).  The first row's INSERT takes the database's write lock, which this transaction
    keeps until it ends, so no other writer can take the ids that follow: the rest get them
    explicitly, in one multi-row INSERT.  AUTOINCREMENT's counter follows the largest id written."""
    from sqlalchemy import func, insert

    items = m.CatalogItem.__table__
    first = conn.execute(insert(items).returning(items.c.id), part[:1]).scalar_one()
    top = conn.scalar(select(func.max(items.c.id)))
    if top != first:  # cannot happen under the lock; refuse rather than guess
        raise RuntimeError(f"catalog_item ids moved during an import ({first} ≠ {top})")
    ids = list(range(first, first + len(part)))
    if len(part) > 1 and not _executemany_compiled(conn, insert(items), part[1:], ids[1:]):
        conn.execute(insert(items), [dict(row, id=i) for i, row in zip(ids[1:], part[1:])])
    return ids


def _executemany_compiled(conn: Any, stmt: Any, rows: list[dict[str, Any]], ids: list[int] | None = None) -> bool:
    """The INSERT compiled once and handed to the driver's executemany, each value through the
    column type's own bind processor (JSON, booleans, dates) — what ``conn.execute`` does, less
    its per-row parameter assembly.  False (nothing done) if the rows do not carry every
    parameter the statement wants (a Python-side default), so the caller takes the usual path.
    ``ids``: each row's ``id``, given beside the rows (the same as rows with an ``id`` key, without
    a copy of every row).

    The parameters are built column by column (:func:`_column_values`).  A column holding the
    same value on every row of the chunk (the unit, the domain, the file's name, a column the file
    does not have: about a third of them) is written into the statement as that value's SQL
    literal (:func:`_sql_literal`) instead of being bound on every row: SQLite stores the same
    value (the column's affinity applies to a literal as to a bound value), and each bound value
    costs the driver a call per row (a varied catalog of 100,000 rows: 11 of 25 columns constant,
    the items' parameters, executemany and commit 0.91 → 0.76 s of CPU)."""
    given = {"id": ids} if ids is not None else {}
    if given and "id" in rows[0]:
        return False
    compiled = stmt.compile(dialect=conn.dialect, column_keys=[*given, *rows[0]])
    keys = compiled.positiontup
    if keys is None or not set(keys) <= {*given, *rows[0]}:
        return False
    binds = {bind.key: bind for bind in compiled.binds.values()}
    columns = _column_values(keys, binds, compiled._bind_processors, rows, given)
    fixed = {key: text for key, values in columns.items() if key not in given
             and (text := _constant_literal(values)) is not None}
    if fixed and len(fixed) < len(columns):  # at least one column bound: one parameter tuple per row
        from sqlalchemy import literal_column

        literal = stmt.values({key: literal_column(text) for key, text in fixed.items()}).compile(
            dialect=conn.dialect, column_keys=[key for key in columns if key not in fixed])
        if literal.positiontup is not None and set(literal.positiontup) == set(columns) - set(fixed):
            compiled, keys = literal, literal.positiontup
        # else: not the statement asked for (cannot happen with our tables): every column bound
    conn.exec_driver_sql(compiled.string, list(zip(*(columns[key] for key in keys))))
    return True


def _sql_literal(value: Any) -> str | None:
    """``value`` as an SQLite literal that stores exactly what binding it stores, or None: NULL,
    an ``int`` SQLite holds (not a bool, not a float), a ``str`` (quotes doubled) that UTF-8
    can encode and that holds no NUL (which the driver refuses in a statement's text)."""
    if value is None:
        return "NULL"
    if type(value) is int and -2**63 <= value < 2**63:  # SQLite's integers (a larger one is not bound)
        return str(value)
    if type(value) is str and "\x00" not in value:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return None
        return "'" + value.replace("'", "''") + "'"
    return None


def _constant_literal(values: list[Any]) -> str | None:
    """The literal of the value every element of ``values`` is (equal and of the same exact
    type: ``1``, ``True`` and ``1.0`` are equal but stored differently), or None."""
    if len(values) < 2:
        return None
    first = values[0]
    if values[-1] != first or (text := _sql_literal(first)) is None:
        return None
    if values.count(first) != len(values) or len(set(map(type, values))) != 1:
        return None
    return text


def _column_values(keys: Sequence[str], binds: dict[str, Any], processors: dict[str, Any],
                   rows: list[dict[str, Any]], given: dict[str, list[Any]] | None = None) -> dict[str, list[Any]]:
    """``{key: [processor(row[key]) for row in rows]}`` for every key, column by column; ``given``:
    keys whose values come beside the rows, one list per key.

    Equal to calling each processor (``tests/test_catalog_bulk_convert.py`` compares them): a
    JSON column's list of text is encoded once per distinct list (the encoding depends on the
    list alone); a Boolean column's True and False are given as what its processor returns for
    them, asked once (anything else still goes through the processor).  Should a column hold a
    value the shortcut cannot take (a list that cannot be a key), that column goes the plain way."""
    from operator import itemgetter

    from sqlalchemy.types import JSON, Boolean

    given = given or {}
    out: dict[str, list[Any]] = {}
    for key in keys:
        values = list(given[key]) if key in given else list(map(itemgetter(key), rows))
        process = processors.get(key)
        if process is not None:
            kind = binds[key].type if key in binds else None
            if isinstance(kind, JSON):
                memo = _EncodedLists(process)
                try:
                    values = [memo[tuple(v)] if v.__class__ is list else process(v) for v in values]
                except TypeError:  # unhashable: a list holding a list or a dict
                    values = list(map(process, values))
            elif isinstance(kind, Boolean):
                yes, no = process(True), process(False)
                values = [yes if v is True else no if v is False else process(v) for v in values]
            else:
                values = list(map(process, values))
        out[key] = values
    return out


class _EncodedLists(dict):
    """tuple(list) → what the JSON column's bind processor gives for the list (lists of text only)."""

    def __init__(self, process: Callable[[Any], Any]):
        super().__init__()
        self.process = process

    def __missing__(self, key: tuple[Any, ...]) -> Any:
        value = self.process(list(key))
        if len(self) < 10_000 and all(type(v) is str for v in key):
            self[key] = value
        return value


def mapping_lines(result: ImportResult, rows: int = 3) -> list[str]:
    """The column mapping chosen for each sheet (header → field) and the first rows as read: what
    the dry run shows, so that a person sees a misreading before anything is written."""
    lines = []
    for sheet, pairs in result.mappings:
        lines.append(f"[{sheet}] 列的对应 columns read as:")
        lines += [f"  {header} → {fname}" for header, fname in pairs]
    for where, record in result.preview[:rows]:
        shown_fields = {k: v for k, v in record.items() if v not in (None, "", [], False) and k != "unit"}
        lines.append(f"{where}: " + json.dumps(shown_fields, ensure_ascii=False))
    return lines


def problems_csv(problems: Iterable[Problem]) -> str:
    """The downloadable error report: where, item, column, reason."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["位置 where", "事项 item", "列 column", "原因 reason"])
    for p in problems:
        writer.writerow([neutralise(p.where), neutralise(p.record), neutralise(p.field or ""), neutralise(p.message)])
    return buf.getvalue()


# --------------------------------------------------------------------------
# Exporting in the same layout
# --------------------------------------------------------------------------

TIER_COLUMNS = [TIER_NAMES[t] for t in TIERS]  # 省级 市级 县级 乡级 村级: 公开层级 as a set of tiers
TOP = (["序号", "公开事项", "", "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体",
        "公开对象", "", "公开方式", "", "公开层级"] + [""] * (len(TIERS) - 1)
       + ["领域", "类别", "三级事项", "责任科室", "五公开", "公开时长"])
SUB = (["", "一级事项", "二级事项", "", "", "", "", "", "全社会", "特定群体", "主动", "依申请"] + TIER_COLUMNS
       + [""] * 6)


def _col(n: int) -> str:
    """Column letters of a 1-based column number (1 → A, 27 → AA)."""
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def _merges(top: list[str], sub: list[str], title_row: bool = True) -> list[str]:
    """The merged ranges of the two-row header (rows 2 and 3 below a title row): a parent over
    its children, and each column without children two rows tall."""
    col = _col

    out = [f"A1:{col(len(top))}1"] if title_row else []
    c = 0
    while c < len(top):
        end = c
        while end + 1 < len(top) and top[end + 1] == "" and sub[end + 1]:
            end += 1
        out.append(f"{col(c + 1)}2:{col(end + 1)}2" if sub[c] else f"{col(c + 1)}2:{col(c + 1)}3")
        c = end + 1
    return out


# below a title row (row 1, merged across): the header is rows 2 and 3
MERGES = tuple(_merges(TOP, SUB))
#: the column an export of several units adds last, one header cell tall: each row's unit (its
#: path); the importer refuses a row whose 所属单位 is not the unit imported into
UNIT_HEADER = "所属单位"
UNIT_MERGES = tuple(_merges(TOP + [UNIT_HEADER], SUB + [""]))


def several_units(items: Any) -> bool:
    """Whether a selection (a list of items) spans more than one unit; an iterator: no."""
    if not isinstance(items, Sequence):
        return False
    units = set()
    for item in items:
        units.add(item.unit_id)
        if len(units) > 1:
            return True
    return False
STAGE_NAMES = {v: k for k, v in STAGE_WORDS.items()}


def shown(value: Any) -> str:
    """A snapshot value as a reader expects it: √ for yes, 五公开 and tiers by name, empty for nothing."""
    if value is True:
        return "√"
    if value is False or value is None or value == "" or value == []:
        return ""
    if isinstance(value, list):
        return "、".join(STAGE_NAMES[v] + "公开" if v in STAGE_NAMES else TIER_NAMES.get(v, str(v)) for v in value)
    return str(value)


def item_row(n: int, item: m.CatalogItem) -> list[str]:
    tick = lambda b: "√" if b else ""  # noqa: E731
    levels = set(item.levels or ())
    return ([str(n if item.seq is None else item.seq), item.level1, item.level2 or "", item.content or "",
             item.basis or "",
             item.time_limit or "", item.subject or "", "、".join(item.channels or ()), tick(item.audience_public),
             tick(item.audience_specific), tick(item.method_active), tick(item.method_on_request)]
            + [tick(t in levels) for t in TIERS]
            + [item.domain.name, item.category or "", item.level3 or "", item.department or "",
               "、".join(STAGE_NAMES[s] + "公开" for s in item.stages or []), item.duration or ""])


#: the layout the plugins' example catalogs are written in: 公开层级 over 县级 and 乡级
PUBLISHED_TOP = TOP[:13] + [""]
PUBLISHED_SUB = SUB[:12] + ["县级", "乡级"]


def write_published_layout(path: Path, title: str, rows: Iterable[list[Any]],
                           extra_columns: Sequence[str] = ()) -> None:
    """A workbook as county offices publish theirs: a title row, the two-row merged header, rows.

    ``extra_columns`` are local additions (类别, 责任科室 …) after 公开层级, one header cell tall.
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([title])
    ws.append(PUBLISHED_TOP + list(extra_columns))
    ws.append(PUBLISHED_SUB + [""] * len(extra_columns))
    for rng in _merges(PUBLISHED_TOP, PUBLISHED_SUB)[1:]:
        ws.merge_cells(rng)
    for i in range(len(extra_columns)):
        letter = get_column_letter(15 + i)
        ws.merge_cells(f"{letter}2:{letter}3")
    ws.merge_cells(f"A1:{get_column_letter(14 + len(extra_columns))}1")
    for row in rows:
        ws.append([neutralise(str(v)) if v is not None else None for v in row])
    wb.save(path)


#: the one header row of a CSV export: each column's own (leaf) name, as the importer reads it
FLAT_HEADER = [sub or top for top, sub in zip(TOP, SUB)]
FORMATS = ("xlsx", "csv", "json")


def write_csv(items: Iterable[m.CatalogItem], out: Any, unit_column: bool = False) -> int:
    """The same columns as the workbook under one header row, every cell neutralised (the caller
    opens ``out`` as UTF-8 with a BOM, which Excel opens as UTF-8).  ``unit_column``: add 所属单位
    (the unit's path) last."""
    from . import catalog_export

    return catalog_export.write_csv(catalog_export.as_rows(items), out, unit_column)


def write_json(items: Iterable[m.CatalogItem], out: Any) -> int:
    """Records as the public API and ``zwgk export catalog_items`` give them; they import back.
    Written record by record (``out`` may be a text or a binary file)."""
    import io as _io

    from . import catalog_export

    binary = isinstance(out, (_io.RawIOBase, _io.BufferedIOBase)) or getattr(out, "mode", "").endswith("b")
    sink = out if binary else _TextSink(out)
    return catalog_export.write_json(catalog_export.as_rows(items), sink)


class _TextSink:
    def __init__(self, out: Any):
        self.out = out

    def write(self, data: bytes) -> None:
        self.out.write(data.decode())


def write_catalog(items: Iterable[m.CatalogItem], path: Path, fmt: str | None = None,
                  title: str = "政务公开事项标准目录", unit_column: bool | None = None) -> int:
    """Write ``items`` (ORM items, or rows of ``catalog_export.rows_query``) as ``fmt`` (default: by
    the file's suffix): .xlsx in the published two-row layout, .csv with the same columns, .json as
    records.  All three import back.  Streamed: see ``zwgk.catalog_export``.  ``unit_column``: the
    所属单位 column (default: when the items, a list, span several units; JSON records always name
    their unit)."""
    from . import catalog_export

    if unit_column is None:
        unit_column = several_units(items)
    return catalog_export.write(items, path, fmt, title, unit_column)


def write_xlsx(items: Iterable[m.CatalogItem], path: Any, title: str = "政务公开事项标准目录",
               unit_column: bool = False) -> int:
    """The two-row layout, streamed; every cell is written as text, neutralised (no formulas).
    ``unit_column``: add 所属单位 (the unit's path) last."""
    from . import catalog_export

    return catalog_export.write_xlsx(catalog_export.as_rows(items), path, title, unit_column)
