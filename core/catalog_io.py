"""Catalogs in and out: the published 标准目录 layout as .xlsx, CSV and JSON.

The layout: a two-row header — 序号 | 公开事项 (一级事项, 二级事项) | 公开内容（要素） | 公开依据 |
公开时限 | 公开主体 | 公开渠道和载体 | 公开对象 (全社会, 特定群体) | 公开方式 (主动, 依申请) |
公开层级 (县级, 乡级) — with merged cells, √-style marks and 同上.  Columns are recognised
by their header text (Simplified or Traditional, any order), never by position.

An import is all or nothing: every row is validated (schema, the region's required
elements, the plugins' checks) and nothing is written unless all rows pass.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import models as m
from .catalog import ItemValidator
from .domains import resolve_domain
from .export import _FORMULA_START, neutralise
from .loader import Problem
from .schemas import CatalogItemSchema
from .timelimits import _t2s

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 200_000
MARKS = {"√", "✓", "✔", "■", "●", "○", "☑", "是", "Y", "y", "1", "V", "v", "x", "X", "×"}
SAME_AS_ABOVE = {"同上", "同上。"}

# header text (normalised) → item field; the first pattern that matches a column wins
HEADERS: tuple[tuple[str, str], ...] = (
    (r"^序号$", "seq"),
    (r"领域", "domain"),
    (r"^类别$|事项类别", "category"),
    (r"一级事项", "level1"),
    (r"二级事项", "level2"),
    (r"三级事项", "level3"),
    (r"公开内容|内容", "content"),
    (r"公开依据|依据", "basis"),
    (r"公开时长|时长", "duration"),
    (r"公开时限|时限", "time_limit"),
    (r"公开主体|责任主体|主体", "subject"),
    (r"责任科室|责任股室|科室", "department"),
    (r"渠道|载体", "channels"),
    (r"全社会", "audience_public"),
    (r"特定群体|特定群众|特定对象", "audience_specific"),
    (r"^主动", "method_active"),
    (r"依申请", "method_on_request"),
    (r"县级", "level_county"),
    (r"乡级|乡、村级|乡镇级", "level_township"),
    (r"五公开", "stages"),
    (r"^事项名称$|公开事项名称", "level1"),
)
SUB_HEADER_WORDS = {"一级事项", "二级事项", "三级事项", "全社会", "特定群体", "特定群众", "特定对象", "主动", "主动公开",
                    "依申请", "依申请公开", "县级", "乡级", "乡、村级", "乡镇级"}
BOOL_FIELDS = {"audience_public", "audience_specific", "method_active", "method_on_request", "level_county",
               "level_township"}
STAGE_WORDS = {"决策": "decision", "执行": "execution", "管理": "management", "服务": "service", "结果": "result"}


class CatalogFileError(ValueError):
    """The file cannot be read as a catalog at all (type, size, layout)."""


@lru_cache(maxsize=200_000, typed=True)  # catalogs repeat the same cells row after row
def norm(value: Any) -> str:
    """Cell text: NFKC (full-width → half-width), Traditional → Simplified, no stray spaces."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # python-calamine gives whole numbers as floats
    return _norm_text(str(value))


@lru_cache(maxsize=200_000)  # catalogs repeat the same bases, bodies and channels row after row
def _norm_text(value: str) -> str:
    # ASCII is already NFKC and has nothing to convert; NFKC turns U+3000 into a plain space
    text = value.strip() if value.isascii() else _t2s().convert(unicodedata.normalize("NFKC", value).strip())
    if "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text)
    text = text.strip()
    if text[:1] == "'" and text[1:2] and text[1] in _FORMULA_START:
        text = text[1:]  # the quote our export puts before a cell a spreadsheet would run
    return text


_SPACES = re.compile(r"[ \t]+")


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]]


def _kind(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    looks = "xlsx" if head.startswith(b"PK\x03\x04") else (
        "json" if head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith((b"[", b"{")) else "csv")
    expected = {".xlsx": "xlsx", ".json": "json", ".csv": "csv"}.get(suffix)
    if expected is None:
        raise CatalogFileError(f"{path.name}: 只接受 .xlsx、.csv、.json only .xlsx, .csv and .json are accepted")
    if looks != expected and not (expected == "csv" and looks == "csv"):
        raise CatalogFileError(f"{path.name}: 文件内容不是 {suffix} the file is not what its name says "
                               f"(looks like {looks})")
    return expected


def read_sheets(path: Path) -> list[Sheet]:
    """The sheets of a catalog file, refusing what is too big or not what its name says."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise CatalogFileError(f"{path.name}: 文件过大 file too large ({size} bytes > {MAX_FILE_BYTES})")
    with path.open("rb") as f:
        head = f.read(8)
    kind = _kind(path, head)
    if kind == "xlsx":
        try:
            with zipfile.ZipFile(path) as z:
                unzipped = sum(i.file_size for i in z.infolist())
        except zipfile.BadZipFile as exc:
            raise CatalogFileError(f"{path.name}: 不是有效的 xlsx not a valid xlsx ({exc})") from exc
        if unzipped > MAX_UNZIPPED_BYTES:
            raise CatalogFileError(f"{path.name}: 解压后过大（疑似压缩炸弹）uncompressed size {unzipped} bytes "
                                   f"exceeds {MAX_UNZIPPED_BYTES}")
        part = _part_with_dtd(path)
        if part:
            raise CatalogFileError(f"{path.name}: 工作簿含有 DTD（{part}），不被接受（XML 实体扩展风险）"
                                   "a workbook part declares a DTD: refused (entity expansion)")
        from python_calamine import CalamineWorkbook

        try:
            wb = CalamineWorkbook.from_path(str(path))
            sheets = [Sheet(n, wb.get_sheet_by_name(n).to_python(skip_empty_area=False)) for n in wb.sheet_names]
        except Exception as exc:  # calamine raises its own error types
            raise CatalogFileError(f"{path.name}: 无法读取 cannot read the workbook ({exc})") from exc
    elif kind == "csv":
        text = path.read_bytes().decode("utf-8-sig", errors="strict")
        sheets = [Sheet(path.stem, [row for row in csv.reader(io.StringIO(text))])]
    else:
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise CatalogFileError(f"{path.name}: 不是有效的 JSON not valid JSON ({exc})") from exc
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise CatalogFileError(f"{path.name}: JSON 应为记录列表 expected a list of objects")
        return [Sheet("json", [[None]] + [[r] for r in data])]  # records, not a table
    for sheet in sheets:
        if len(sheet.rows) > MAX_ROWS:
            raise CatalogFileError(f"{path.name} [{sheet.name}]: 行数过多 too many rows ({len(sheet.rows)} > {MAX_ROWS})")
    return sheets


def _part_with_dtd(path: Path, block: int = 1 << 20) -> str | None:
    """The first XML part of an xlsx that declares a DTD, if any.  Spreadsheet programs never
    write one; a DTD is how entity expansion (billion laughs) and external entities (reading the
    server's files) get in, so such a workbook is refused before any parser sees it."""
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if not info.filename.endswith((".xml", ".rels", ".vml")):
                continue
            with z.open(info) as f:
                tail = b""
                while chunk := f.read(block):
                    if b"<!DOCTYPE" in tail + chunk:  # XML spells it in capitals only
                        return info.filename
                    tail = chunk[-9:]
    return None


@dataclass
class Layout:
    header_rows: int  # rows above the data (title rows and the header)
    columns: dict[int, str]  # column index → field
    labels: dict[int, str]  # column index → header text, for messages
    ignored: dict[int, str] = field(default_factory=dict)  # headed columns that are no item field


def find_layout(rows: list[list[Any]]) -> Layout | None:
    """Find the header by its text: the row naming 一级事项 / 公开事项 / 事项名称, plus a sub-header row."""
    for i, row in enumerate(rows[:15]):
        texts = [norm(c) for c in row]
        if not any(re.search(r"一级事项|公开事项|事项名称", t) for t in texts):
            continue
        sub = [norm(c) for c in rows[i + 1]] if i + 1 < len(rows) else []
        # a sub-header names a child column under a merged parent (whose other cells read empty);
        # a first data row that merely mentions 主动 or 全社会 is data, not a header
        has_sub = any(t in SUB_HEADER_WORDS and not (texts[c] if c < len(texts) else "") for c, t in enumerate(sub))
        columns, labels, ignored, parent = {}, {}, {}, ""
        width = max(len(row), len(sub))
        for col in range(width):
            top = texts[col] if col < len(texts) else ""
            below = sub[col] if has_sub and col < len(sub) else ""
            parent = top or parent  # a merged parent cell covers the columns to its right
            label = below or top
            for pattern, fname in HEADERS:
                if label and re.search(pattern, label) and fname not in columns.values():
                    columns[col] = fname
                    labels[col] = f"{parent}/{label}" if below and parent != label else label
                    break
            else:
                if label:
                    ignored[col] = label
        if "level1" in columns.values():
            return Layout(i + 1 + (1 if has_sub else 0), columns, labels, ignored)
    return None


def _mark(text: str) -> bool:
    return text in MARKS or text.lower() in ("true", "yes")


def _stages(text: str) -> list[str]:
    return [code for word, code in STAGE_WORDS.items() if word in text]


def _text_or_none(text: str) -> str | None:
    return text or None


def _seq(text: str) -> int | None:
    return int(text) if text.isdigit() else None


_CONVERT: dict[str, Callable[[str], Any]] = {**{f: _mark for f in BOOL_FIELDS}, "seq": _seq, "stages": _stages}


@dataclass
class ParsedRow:
    where: str
    record: dict[str, Any]


_FORMULA_TAG = re.compile(rb"<f[ >/]")
_CELL_REF = re.compile(rb'<c r="([A-Z]+[0-9]+)"')


def formula_cells(path: Path, block: int = 1 << 20) -> list[tuple[str, str]]:
    """(sheet file, cell) of every formula in an xlsx: a catalog holds text, not formulas.

    The sheet XML is streamed in blocks cut at a cell's start (``<c ``), so each block holds whole
    cells and memory stays flat however large the sheet is."""
    found = []
    with zipfile.ZipFile(path) as z:
        for name in sorted(n for n in z.namelist() if n.startswith("xl/worksheets/sheet") and n.endswith(".xml")):
            sheet = name.rsplit("/", 1)[-1]
            with z.open(name) as f:
                carry = b""
                while True:
                    more = f.read(block)
                    data = carry + more
                    cut = data.rfind(b"<c ") if more else len(data)
                    if cut <= 0 and more:
                        carry = data
                        continue
                    part, carry = data[:cut], data[cut:]
                    for tag in _FORMULA_TAG.finditer(part):
                        ref = _CELL_REF.match(part, part.rfind(b"<c ", 0, tag.start()))
                        found.append((sheet, ref.group(1).decode() if ref else "?"))
                    if not more:
                        break
    return found


def parse_rows(sheets: list[Sheet], unit: str, domain: str | None,
               warnings: list[str] | None = None) -> tuple[list[ParsedRow], list[Problem]]:
    """Rows of every sheet as item records; 同上 resolved, marks and text normalised.

    A headed column that is no item field (备注 …) is not imported; if it holds anything, a
    line in ``warnings`` says which column and how many cells, so nothing is dropped unseen."""
    out: list[ParsedRow] = []
    problems: list[Problem] = []
    warnings = warnings if warnings is not None else []
    for sheet in sheets:
        if sheet.name == "json":
            for n, (rec,) in enumerate(sheet.rows[1:], 1):
                rec = {k: v for k, v in rec.items() if k not in ("key", "origin", "source", "version")}
                rec.setdefault("unit", unit)
                if domain:
                    rec.setdefault("domain", domain)
                out.append(ParsedRow(f"JSON 第{n}条 record {n}", rec))
            continue
        layout = find_layout(sheet.rows)
        if layout is None:
            if any(any(norm(c) for c in r) for r in sheet.rows):
                problems.append(Problem(f"[{sheet.name}]", "", None,
                                        "找不到表头（需要“一级事项”或“公开事项”列）no header with 一级事项 / 公开事项"))
            continue
        for col, label in layout.ignored.items():
            filled = sum(1 for row in sheet.rows[layout.header_rows:] if col < len(row) and norm(row[col]))
            if filled:
                warnings.append(f"[{sheet.name}] 列“{label}”不是目录的字段，其 {filled} 个单元格未导入 "
                                f"column {label!r} is not a catalog field: {filled} cells not imported")
        plan = [(col, fname, _CONVERT.get(fname, _text_or_none), layout.labels[col])
                for col, fname in layout.columns.items()]
        width = max(layout.columns) + 1
        name_at = next((i for i, (_, fname, *_) in enumerate(plan) if fname == "level1"), None)
        above: dict[str, Any] = {"domain": domain} if domain else {}
        for r, row in enumerate(sheet.rows[layout.header_rows:], layout.header_rows + 1):
            if len(row) < width:
                row = list(row) + [None] * (width - len(row))
            texts = [norm(row[col]) for col, *_ in plan]
            if not any(texts):
                continue
            where = f"[{sheet.name}] 第{r}行 row {r}"
            rec: dict[str, Any] = {"unit": unit}
            for (col, fname, convert, label), text in zip(plan, texts):
                if text in SAME_AS_ABOVE:
                    if fname not in above:
                        problems.append(Problem(where, texts[name_at] if name_at is not None else "", label,
                                                "“同上”但上一行没有值 同上 with nothing above"))
                        continue
                    rec[fname] = above[fname]
                    continue
                value = rec[fname] = convert(text)
                if value is not None and value != "":
                    above[fname] = value
            if domain and not rec.get("domain"):
                rec["domain"] = domain
            out.append(ParsedRow(where, rec))
    return out, problems


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

    @property
    def ok(self) -> bool:
        return not self.problems


def import_catalog(session: Session, pm: Any, path: Path, unit: str, domain: str | None = None,
                   dry_run: bool = False, progress: Progress | None = None,
                   example: bool = False, allowed_domains: set[int] | None = None) -> ImportResult:
    """Validate every row, then write them all — or nothing, and say why for each row.

    ``progress(phase, done, total)`` is told how far it is: ``read`` (0 of 1, then 1 of 1),
    ``check`` (rows checked of all rows, every :data:`PROGRESS_EVERY` rows and at the end) and
    ``write`` (items written of all, by chunk).
    ``allowed_domains``: ids of the only domains the importing user may write (a department editor).
    """
    report = progress or (lambda phase, done, total: None)
    if session.scalar(select(m.AdminUnit.id).where(m.AdminUnit.key == unit)) is None:
        raise CatalogFileError(f"找不到单位 unknown unit {unit!r} (use its path, e.g. 浙江省/杭州市/拱墅区)")
    if domain and resolve_domain(session, domain) is None:
        raise CatalogFileError(f"找不到领域 unknown domain {domain!r}")
    report("read", 0, 1)
    sheets = read_sheets(path)
    warnings: list[str] = []
    rows, problems = parse_rows(sheets, unit, domain, warnings)
    del sheets
    if path.suffix.lower() == ".xlsx":
        problems += [Problem(f"[{sheet}] {cell}", "", cell, "公式单元格不被接受（目录只收文本）a formula cell is refused")
                     for sheet, cell in formula_cells(path)]
    result = ImportResult(rows=len(rows), problems=problems, warnings=warnings)
    report("read", 1, 1)
    report("check", 0, len(rows))
    validate = ItemValidator(session, pm)
    pending: list[dict[str, Any]] = []  # item rows, while every row so far is valid
    for i in range(len(rows)):
        row, rows[i] = rows[i], None  # let each parsed row go once it is checked
        data, row_problems = validate(row.record, where=row.where)
        if data is not None and allowed_domains is not None and not row_problems:
            dom = validate.domain(data["domain"])
            if dom is not None and dom.id not in allowed_domains:
                row_problems = [Problem(row.where, data.get("level1") or "", "domain",
                                        f"不是本部门负责的领域 not a domain of your department: {dom.name}")]
        result.problems.extend(row_problems)
        if result.problems:
            pending.clear()  # nothing will be written: keep checking, stop collecting
        elif not dry_run:
            pending.append(_item_row(validate, data, path.name, example))
        if (i + 1) % PROGRESS_EVERY == 0:
            report("check", i + 1, len(rows))
    report("check", len(rows), len(rows))
    if result.problems or dry_run:
        return result
    _bulk_insert(session, pending, path.name, unit, report)
    result.written = len(pending)
    return result


_COLUMNS = tuple(c for c in CatalogItemSchema().fields if c not in ("unit", "domain", "source"))


def _item_row(validate: ItemValidator, data: dict[str, Any], source: str, example: bool) -> dict[str, Any]:
    row = {c: data.get(c) for c in _COLUMNS}
    row.update(stages=data.get("stages") or [], status=data.get("status") or "draft",
               is_example=bool(data.get("is_example")) or example, unit_id=validate.unit(data["unit"]).id,
               domain_id=validate.domain(data["domain"]).id, source_file=source, version=1)
    return row


def _snapshot_sql(dialect: str) -> Any:
    """The first version's snapshot, built by the database from the inserted row.

    The same JSON object as :func:`zwgk.catalog_history.snapshot` (the schema's dump: the unit by
    its path, the domain by its name), without a Python object or a JSON encoding per row."""
    from sqlalchemy import Boolean, case, func, literal
    from sqlalchemy.types import JSON

    from .catalog_history import SNAPSHOT_FIELDS

    items = m.CatalogItem.__table__
    pairs: list[Any] = []
    for name in SNAPSHOT_FIELDS:
        if name == "unit":
            expr = select(m.AdminUnit.key).where(m.AdminUnit.id == items.c.unit_id).scalar_subquery()
        elif name == "domain":
            expr = select(m.Domain.name).where(m.Domain.id == items.c.domain_id).scalar_subquery()
        else:
            expr = items.c[name]
            if dialect == "sqlite" and isinstance(expr.type, Boolean):  # stored as 0/1
                expr = func.json(case((expr.is_(None), None), (expr, "true"), else_="false"))
            elif dialect == "sqlite" and isinstance(expr.type, JSON):  # stored as JSON text
                expr = func.json(expr)
        pairs += [literal(name), expr]
    return func.json_object(*pairs) if dialect == "sqlite" else func.json_build_object(*pairs)


def _bulk_insert(session: Session, pending: list[dict[str, Any]], source: str, unit: str,
                 report: Progress, chunk: int = 5000) -> None:
    """Multi-row INSERTs of the items, their first versions (built by the database from the rows
    just inserted, by INSERT … SELECT), in chunks, and one history row.

    The ORM path (one object per row, flush listeners) costs several times more on a province's
    catalog; the versions written here are the ones the listener would write, and the history
    gets one row for the import (file, unit, count, ids) rather than one per item.
    """
    import datetime as dt

    from sqlalchemy import insert, literal

    if not pending:
        return
    now = dt.datetime.now(dt.timezone.utc)
    actor, reason = session.info.get("actor", "system"), session.info.get("reason")
    first = last = None
    conn = session.connection()  # Core statements: the ORM's bulk path adds nothing here but time
    items, versions = m.CatalogItem.__table__, m.CatalogItemVersion.__table__
    snapshot = _snapshot_sql(conn.dialect.name)
    unit_key = select(m.AdminUnit.key).where(m.AdminUnit.id == items.c.unit_id).scalar_subquery()
    report("write", 0, len(pending))
    for start in range(0, len(pending), chunk):
        part = pending[start:start + chunk]
        if conn.dialect.name == "sqlite":
            ids = _insert_sqlite(conn, part)
        else:  # PostgreSQL: one multi-row INSERT … RETURNING in parameter order
            ids = conn.execute(insert(items).returning(items.c.id, sort_by_parameter_order=True), part).scalars().all()
        conn.execute(insert(versions).from_select(
            ["item_id", "version", "unit_key", "status", "deleted", "snapshot", "actor", "reason", "at"],
            select(items.c.id, items.c.version, unit_key, items.c.status, literal(False), snapshot,
                   literal(actor), literal(reason, type_=versions.c.reason.type),
                   literal(now, type_=versions.c.at.type)).where(items.c.id.in_(ids))))
        if any(row.get("status") == "published" for row in part):  # what the public sees (#18)
            from .published import refresh

            refresh(conn, ids)
        first = ids[0] if first is None else first
        last = ids[-1]
        report("write", start + len(part), len(pending))
    conn.execute(insert(m.Change.__table__), [dict(
        entity="catalog_item", entity_id=first, action="import", actor=actor, reason=reason, at=now,
        changes={"file": [None, source], "unit": [None, unit], "items": [None, len(pending)],
                 "ids": [None, f"{first}–{last}"]})])


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
    if len(part) > 1:
        conn.execute(insert(items), [dict(row, id=i) for i, row in zip(ids[1:], part[1:])])
    return ids


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

TOP = ["序号", "公开事项", "", "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体",
       "公开对象", "", "公开方式", "", "公开层级", "", "领域", "类别", "三级事项", "责任科室", "五公开", "公开时长"]
SUB = ["", "一级事项", "二级事项", "", "", "", "", "", "全社会", "特定群体", "主动", "依申请", "县级", "乡级",
       "", "", "", "", "", ""]
# below a title row (row 1, merged across): the header is rows 2 and 3
MERGES = ("A1:T1", "A2:A3", "B2:C2", "D2:D3", "E2:E3", "F2:F3", "G2:G3", "H2:H3", "I2:J2", "K2:L2", "M2:N2",
          "O2:O3", "P2:P3", "Q2:Q3", "R2:R3", "S2:S3", "T2:T3")
STAGE_NAMES = {v: k for k, v in STAGE_WORDS.items()}


def shown(value: Any) -> str:
    """A snapshot value as a reader expects it: √ for yes, 五公开 by name, empty for nothing."""
    if value is True:
        return "√"
    if value is False or value is None or value == "" or value == []:
        return ""
    if isinstance(value, list):
        return "、".join(STAGE_NAMES.get(v, v) + "公开" if v in STAGE_NAMES else str(v) for v in value)
    return str(value)


def item_row(n: int, item: m.CatalogItem) -> list[str]:
    tick = lambda b: "√" if b else ""  # noqa: E731
    return [str(item.seq or n), item.level1, item.level2 or "", item.content or "", item.basis or "",
            item.time_limit or "", item.subject or "", item.channels or "", tick(item.audience_public),
            tick(item.audience_specific), tick(item.method_active), tick(item.method_on_request),
            tick(item.level_county), tick(item.level_township), item.domain.name, item.category or "",
            item.level3 or "", item.department or "", "、".join(STAGE_NAMES[s] + "公开" for s in item.stages or []),
            item.duration or ""]


PUBLISHED_TOP = TOP[:14]
PUBLISHED_SUB = SUB[:14]


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
    for rng in MERGES[1:11]:
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


def write_csv(items: Iterable[m.CatalogItem], out: Any) -> int:
    """The same columns as the workbook under one header row, UTF-8 with a BOM (Excel opens it as
    UTF-8), every cell neutralised."""
    writer = csv.writer(out)
    writer.writerow(FLAT_HEADER)
    count = 0
    for count, item in enumerate(items, 1):
        writer.writerow([neutralise(v) for v in item_row(count, item)])
    return count


def write_json(items: Iterable[m.CatalogItem], out: Any) -> int:
    """Records as the public API and ``zwgk export catalog_items`` give them; they import back."""
    from .catalog_history import snapshot

    rows = [snapshot(item) for item in items]
    out.write(json.dumps(rows, ensure_ascii=False, indent=1))
    return len(rows)


def write_catalog(items: Iterable[m.CatalogItem], path: Path, fmt: str | None = None,
                  title: str = "政务公开事项标准目录") -> int:
    """Write ``items`` as ``fmt`` (default: by the file's suffix): .xlsx in the published two-row
    layout, .csv with the same columns, .json as records.  All three import back."""
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise CatalogFileError(f"{path.name}: 只能导出为 only {', '.join(FORMATS)}")
    if fmt == "xlsx":
        return write_xlsx(items, path, title)
    with path.open("w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as out:
        return write_csv(items, out) if fmt == "csv" else write_json(items, out)


def write_xlsx(items: Iterable[m.CatalogItem], path: Any, title: str = "政务公开事项标准目录") -> int:
    """The two-row layout, streamed; every cell is written as text, neutralised (no formulas)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    for rng in MERGES:
        ws.merged_cells.add(rng)
    ws.append([title])
    ws.append(TOP)
    ws.append(SUB)
    count = 0
    for count, item in enumerate(items, 1):
        row = []
        for value in item_row(count, item):
            cell = WriteOnlyCell(ws, value=neutralise(value))
            cell.data_type = "s"  # a string, even if it starts with "=": never a live formula
            row.append(cell)
        ws.append(row)
    wb.save(path)
    return count
