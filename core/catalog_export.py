"""Catalog export at a province's scale: rows streamed from the database, written as they come.

``zwgk export-catalog`` of 100,000 items used to load every item as an ORM object (with its unit
and domain), keep them all in a list, and dump each through marshmallow; the JSON export built one
list of every record before writing it (1 GB at 100,000 items).  Here:

- the items are read as plain rows (their columns, the unit's path and the domain's name, one
  joined ``SELECT``) in chunks of :data:`CHUNK` — a server-side cursor on PostgreSQL;
- each row becomes its cells (:func:`cells`, the same text as ``catalog_io.item_row``) or its
  record (:func:`record`, the same dict as ``catalog_history.snapshot``) — tests compare both with
  the ORM path on varied items;
- the .xlsx is written by openpyxl's write-only worksheet (inline strings, streamed to disk), the
  .csv by ``csv.writer`` and the .json one record per line with orjson: memory stays flat however
  many items there are.

The file appears only once it is complete: it is written beside the target and renamed.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from typing import TYPE_CHECKING

import orjson

if TYPE_CHECKING:  # SQLAlchemy, the models and the readers are imported where used: the light
    from sqlalchemy import Select  # export (``zwgk.console``) writes rows without any of them
    from sqlalchemy.orm import Session

    from . import models as m

#: rows fetched from the database at a time
CHUNK = 2000
FORMATS = ("xlsx", "csv", "json")
#: ``catalog_readers.TIERS`` and 五公开's names by code (``catalog_readers.STAGE_WORDS``), and the
#: layout of ``catalog_io`` (``TOP``, ``SUB``, ``FLAT_HEADER``, ``MERGES``…): kept here as plain
#: values so that writing needs neither module; tests/test_catalog_export.py checks they are equal
TIERS = ("province", "city", "county", "township", "village")
STAGE_NAMES = {"decision": "决策公开", "execution": "执行公开", "management": "管理公开", "service": "服务公开",
               "result": "结果公开"}
TOP = ["序号", "公开事项", "", "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "公开对象", "",
       "公开方式", "", "公开层级", "", "", "", "", "领域", "类别", "三级事项", "责任科室", "五公开", "公开时长"]
SUB = ["", "一级事项", "二级事项", "", "", "", "", "", "全社会", "特定群体", "主动", "依申请", "省级", "市级", "县级",
       "乡级", "村级", "", "", "", "", "", ""]
FLAT_HEADER = [sub or top for top, sub in zip(TOP, SUB)]
UNIT_HEADER = "所属单位"
MERGES = ("A1:W1", "A2:A3", "B2:C2", "D2:D3", "E2:E3", "F2:F3", "G2:G3", "H2:H3", "I2:J2", "K2:L2", "M2:Q2", "R2:R3",
          "S2:S3", "T2:T3", "U2:U3", "V2:V3", "W2:W3")
UNIT_MERGES = ("A1:X1",) + MERGES[1:] + ("X2:X3",)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: a cell of a row joined by NULs that starts like a formula (a NUL inside a cell can only add a
#: false alarm, and then every cell is checked on its own)
_FORMULA_AT_START = re.compile("\x00[=+\\-@\t\r]")

#: the item's own columns a record carries, in the snapshot's order (unit and domain come first)
RECORD_COLUMNS = ("seq", "category", "level1", "level2", "level3", "content", "basis", "time_limit", "subject",
                  "department", "channels", "duration", "audience_public", "audience_specific", "method_active",
                  "method_on_request", "levels", "stages", "status", "is_example")
#: an export row: a plain tuple of these, in this order (the keys of a JSON record)
KEYS = ("unit", "domain") + RECORD_COLUMNS
_BOOLS = tuple(KEYS.index(c) for c in ("audience_public", "audience_specific", "method_active", "method_on_request",
                                        "is_example"))
_LISTS = tuple(KEYS.index(c) for c in ("channels", "levels", "stages"))


#: the export's order: by unit, then each domain's items together (each domain numbers its 序号
#: from 1), by 序号, then by id — ``export.EXPORTS["catalog_items"]`` and the public export too
ORDER_COLUMNS = ("unit_id", "domain_id", "seq", "id")


def order_of(col: Any) -> list[Any]:
    """:data:`ORDER_COLUMNS` as ORDER BY terms of ``col(name)``, an item without 序号 (NULL) before
    its domain's numbered ones on every database: SQLite puts NULL first, PostgreSQL last, so the
    same catalog came out in two orders (``seq IS NOT NULL`` first: false before true on both)."""
    out = []
    for name in ORDER_COLUMNS:
        if name == "seq":
            out.append(col(name).is_not(None))
        out.append(col(name))
    return out


def rows_query(session: Session, pm: Any = None, region: str | None = None, domain_id: int | None = None,
               status: str | None = None, ids: Iterable[int] | None = None, under: str | None = None) -> Select:
    """The items ``zwgk export catalog_items`` would give (the same region filter, the export's
    order) as rows of :data:`KEYS`: the unit's path, the domain's name, the item's columns.
    Optionally one domain, one status, or only the given ids; ``under``: only the items of that
    unit path and the units below it (a user's scope, as ``scope.scope_filter``)."""
    from sqlalchemy import select

    from . import models as m
    from .export import resolve_region

    _I = m.CatalogItem
    item = _I.__table__.c  # the table's columns: plain Core, no ORM loading
    unit = m.AdminUnit.__table__.alias("u")
    dom = m.Domain.__table__.alias("d")
    q = (select(unit.c.key, dom.c.name, *(item[c] for c in RECORD_COLUMNS))
         .select_from(_I.__table__.join(unit, unit.c.id == item.unit_id).join(dom, dom.c.id == item.domain_id)))
    if "retired_at" in item:  # as ``export.select_query``: retired records are not in current lists
        q = q.where(item.retired_at.is_(None))
    if region:
        path, _owner = resolve_region(session, pm, region)
        if path:
            q = q.where(_under(unit.c.key, path))
    if domain_id is not None:
        q = q.where(item.domain_id == domain_id)
    if status is not None:
        q = q.where(item.status == status)
    if ids is not None:
        q = q.where(item.id.in_(list(ids)))
    if under is not None:
        q = q.where(_under(unit.c.key, under))
    return q.order_by(*order_of(item.__getitem__))


def _under(col: Any, path: str) -> Any:
    """``col`` is ``path`` or a path below it, compared as text: not ``LIKE 'path/%'``, where a
    ``_`` or ``%`` in the path is a wildcard (道_县 would take in 道x县's items) and SQLite's LIKE
    ignores the case of ASCII letters (Dao would take in dao's)."""
    from .unitpath import under

    return under(col, path)


def under_params(path: str) -> dict[str, Any]:
    """The ``:path``, ``:under`` and ``:n`` parameters of :func:`plain_sql` for a unit path."""
    return {"path": path, "under": path + "/", "n": len(path) + 1}


def plain_sql(domain: bool = False, status: bool = False) -> str:
    """``rows_query`` for a region given by its unit path (and optionally one domain, one status)
    written out as SQL, with the named parameters ``:path``, ``:under`` and ``:n`` (:func:`under_params`),
    ``:domain_id`` and ``:status``: what the light export (``zwgk.console``) runs through the
    driver alone.  tests/test_catalog_export.py checks it gives the rows of ``rows_query``."""
    sql = ("SELECT u.key, d.name, " + ", ".join(f"i.{c}" for c in RECORD_COLUMNS)
           + " FROM catalog_item i JOIN admin_unit u ON u.id = i.unit_id JOIN domain d ON d.id = i.domain_id"
           " WHERE (u.key = :path OR substr(u.key, 1, :n) = :under)")
    if domain:
        sql += " AND i.domain_id = :domain_id"
    if status:
        sql += " AND i.status = :status"
    # order_of written out: 序号 NULL first on every database
    return sql + " ORDER BY " + ", ".join(f"i.{c} IS NOT NULL, i.{c}" if c == "seq" else f"i.{c}"
                                          for c in ORDER_COLUMNS)


def stream_rows(session: Session, q: Select, chunk: int = CHUNK) -> Iterator[tuple[Any, ...]]:
    """The rows of ``q`` as the driver gives them (JSON columns may still be JSON text, booleans
    0/1 on SQLite), fetched ``chunk`` at a time in the session's transaction — through a
    server-side cursor on PostgreSQL, so neither side holds the whole result."""
    conn = session.connection()
    compiled = q.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params: Any = compiled.params
    if compiled.positiontup:
        params = tuple(params[name] for name in compiled.positiontup)
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        cursor = raw.cursor(name=f"zwgk_export_{id(q):x}")
        cursor.itersize = chunk
    else:
        cursor = raw.cursor()
    try:
        cursor.execute(str(compiled), params)
        while True:
            rows = cursor.fetchmany(chunk)
            if not rows:
                break
            yield from rows
    finally:  # also when the writer stops early: the cursor is released while the connection is open
        try:
            cursor.close()
        except Exception:  # noqa: BLE001 - the connection went first; its cursors went with it
            pass


def item_tuple(item: m.CatalogItem) -> tuple[Any, ...]:
    """An ORM item as an export row."""
    return (item.unit.key, item.domain.name, *(getattr(item, c) for c in RECORD_COLUMNS))


def as_rows(items: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    """ORM items (or export rows already) as export rows."""
    for item in items:
        yield item_tuple(item) if _is_item(item) else tuple(item)


def _is_item(value: Any) -> bool:
    """An ORM object (a ``CatalogItem``), told without importing the models."""
    return hasattr(value, "_sa_instance_state")


def _as_rows(items: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    """Like :func:`as_rows`, without a check per row when the first is already a row."""
    it = iter(items)
    for first in it:
        if _is_item(first):
            yield item_tuple(first)
            yield from as_rows(it)
        else:
            yield first
            yield from it
    return


def neutralise(value: str) -> str:
    """OWASP CSV injection: a cell a spreadsheet would execute is prefixed with a quote
    (the same rule as ``zwgk.export.neutralise``)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


class _Memo(dict):
    """A small memo of a JSON column's derived values, keyed by the column's text (catalogs repeat
    a few channel, tier and stage lists); it starts over rather than grow past ``size``."""

    def __init__(self, fn: Any, size: int = 4096):
        super().__init__()
        self.fn, self.size = fn, size

    def __missing__(self, key: str) -> Any:
        if len(self) >= self.size:
            self.clear()
        value = self[key] = self.fn(orjson.loads(key))
        return value


def _derived(memo: _Memo, value: Any) -> Any:
    return memo[value] if type(value) is str else memo.fn(value)


_CHANNEL_TEXT = _Memo(lambda v: "、".join(v) if v else "")
_TIER_TICKS = _Memo(lambda v: ["√" if t in (v or ()) else "" for t in TIERS])
_STAGE_TEXT = _Memo(lambda v: "、".join(STAGE_NAMES[s] for s in v) if v else "")
_AS_LIST = _Memo(lambda v: None if v is None else [x if type(x) is str or x is None else str(x) for x in v])


def cells(n: int, row: tuple[Any, ...]) -> list[str]:
    """The layout's cells of one export row, neutralised: the same as
    ``[neutralise(v) for v in catalog_io.item_row(n, item)]``."""
    (_unit, domain, seq, category, level1, level2, level3, content, basis, time_limit, subject, department,
     channels, duration, a_public, a_specific, m_active, m_request, levels, stages, _status, _example) = row
    str_ = str  # the JSON columns as text (SQLite): their derived cells come from the memo
    out = [str_(n if seq is None else seq), level1 or "", level2 or "", content or "", basis or "", time_limit or "",
           subject or "", _CHANNEL_TEXT[channels] if type(channels) is str_ else _CHANNEL_TEXT.fn(channels),
           "√" if a_public else "", "√" if a_specific else "", "√" if m_active else "", "√" if m_request else "",
           *(_TIER_TICKS[levels] if type(levels) is str_ else _TIER_TICKS.fn(levels)),
           domain, category or "", level3 or "", department or "",
           _STAGE_TEXT[stages] if type(stages) is str_ else _STAGE_TEXT.fn(stages), duration or ""]
    if _FORMULA_AT_START.search("\x00" + "\x00".join(out)) is None:  # one pass over the row: almost always
        return out
    return [v if not v or v[0] not in "=+-@\t\r" else "'" + v for v in out]


def record(row: tuple[Any, ...]) -> dict[str, Any]:
    """One export row as its JSON record: the same dict as ``catalog_history.snapshot(item)`` (what
    the public API and ``zwgk export catalog_items`` give, without the source)."""
    values = list(row)
    for i in _BOOLS:
        if values[i] is not None:
            values[i] = bool(values[i])
    for i in _LISTS:
        values[i] = _derived(_AS_LIST, values[i])
    return dict(zip(KEYS, values))


def write_csv(rows: Iterable[Any], out: Any, unit_column: bool = False) -> int:
    """``unit_column``: add 所属单位 (each row's unit path) last."""
    writer = csv.writer(out)
    writer.writerow(FLAT_HEADER + [UNIT_HEADER] * unit_column)
    count = 0
    if unit_column:
        for count, row in enumerate(rows, 1):
            writer.writerow(cells(count, row) + [neutralise(row[0])])
        return count
    for count, row in enumerate(rows, 1):
        writer.writerow(cells(count, row))
    return count


def write_json(rows: Iterable[Any], out: Any) -> int:
    """A JSON array, one record per line, written as each row comes (never one list in memory)."""
    out.write(b"[")
    count = 0
    for count, row in enumerate(rows, 1):
        out.write(b"\n" if count == 1 else b",\n")
        out.write(orjson.dumps(record(row)))
    out.write(b"\n]\n" if count else b"]\n")
    return count


def write_xlsx(rows: Iterable[Any], path: Any, title: str = "政务公开事项标准目录", unit_column: bool = False) -> int:
    """The two-row layout, streamed; every cell is text, neutralised (no formulas, no error values).
    ``unit_column``: add 所属单位 (each row's unit path) last."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES
    from openpyxl.utils.exceptions import IllegalCharacterError

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    for rng in UNIT_MERGES if unit_column else MERGES:
        ws.merged_cells.add(rng)
    ws.append([title])
    ws.append(TOP + [UNIT_HEADER] * unit_column)
    ws.append(SUB + [""] * unit_column)
    errors = frozenset(ERROR_CODES)

    def as_text(value: str) -> Any:  # "#N/A" would be written as an error value: force text
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell

    count = 0
    append = ws.append
    for count, row in enumerate(rows, 1):
        values = cells(count, row)  # after neutralise nothing starts with "=": openpyxl types them text
        if unit_column:
            values.append(neutralise(row[0]))
        if not errors.isdisjoint(values):
            values = [as_text(v) if v in errors else v for v in values]
        try:
            append(values)
        except IllegalCharacterError:
            raise _illegal(count, values) from None
    wb.save(path)
    return count


def _illegal(count: int, values: list[Any]) -> Exception:
    """Which cell of the ``count``-th item holds a control character XML (so .xlsx) cannot carry."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from .catalog_readers import CatalogFileError

    col = next((i for i, v in enumerate(values) if isinstance(v, str) and ILLEGAL_CHARACTERS_RE.search(v)), 0)
    name = FLAT_HEADER[col] if col < len(FLAT_HEADER) else str(col + 1)
    return CatalogFileError(f"第 {count} 个事项的“{name}”含有 .xlsx 不能保存的控制字符，请改正或导出为 .csv/.json "
                            f"item {count}, column {name}: a control character an .xlsx cannot hold")


def write(rows: Iterable[Any], path: Path, fmt: str | None = None, title: str = "政务公开事项标准目录",
          unit_column: bool = False) -> int:
    """Write export rows (or ORM items) to ``path`` as ``fmt`` (default: by its suffix).  The file is
    written beside ``path`` and renamed into place when complete: a failed export leaves nothing.
    ``unit_column``: .xlsx and .csv add 所属单位 (each row's unit path) last; JSON records always
    carry their unit."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        from .catalog_readers import CatalogFileError

        raise CatalogFileError(f"{path.name}: 只能导出为 only {', '.join(FORMATS)}")
    rows = _as_rows(rows)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent or None)
    try:
        if fmt == "xlsx":
            os.close(fd)
            count = write_xlsx(rows, tmp, title, unit_column)
        elif fmt == "csv":
            with open(fd, "w", encoding="utf-8", newline="", buffering=1 << 20) as out:
                out.write("\ufeff")  # UTF-8 with a BOM, as Excel wants (utf-8-sig's encoder is slower)
                count = write_csv(rows, out, unit_column)
        else:
            with open(fd, "wb", buffering=1 << 20) as out:
                count = write_json(rows, out)
        mask = _umask()
        if mask is not None:  # as an ordinary new file would be (mkstemp makes it 0600)
            os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
    except BaseException:
        rows.close()  # stop reading now (the database cursor is closed), not when collected
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return count


def spans_several_units(session: Session, q: Select) -> bool:
    """Whether the rows of ``rows_query`` come from more than one unit (two distinct paths suffice)."""
    from sqlalchemy import select

    sub = q.order_by(None).subquery()
    return len(session.execute(select(list(sub.c)[0]).distinct().limit(2)).all()) > 1


def _umask() -> int | None:
    """The process's umask, read without setting it (os.umask would change it for every thread)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return None
