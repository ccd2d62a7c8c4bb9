"""``zwgk dump FILE`` / ``zwgk restore FILE``: the whole database as one JSON file, to move it
between SQLite and PostgreSQL (records, history, versions, accounts — password hashes, never
plain passwords, for the database holds none).

The dump names the schema revision it was taken at; a restore goes into an empty database
migrated to the same revision, in one transaction (all or nothing).  Rows keep their ids, so the
history (keyed by ids) stays true; PostgreSQL's sequences are moved past the largest id."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.engine import Connection

from .models import Base, load_all

FORMAT = "zwgk-dump/1"


class DumpError(ValueError):
    pass


def _tables():
    load_all()  # every table, those of zwgk.models.EXTRA_MODULES too
    return list(Base.metadata.sorted_tables)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"$dec": str(value)}
    return value


def _typed(value: Any, column: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        (tag, raw), = value.items()
        if tag == "$dt":
            return dt.datetime.fromisoformat(raw)
        if tag == "$date":
            return dt.date.fromisoformat(raw)
        if tag == "$dec":
            return decimal.Decimal(raw)
    return value


def dump(conn: Connection, revision: str | None) -> dict[str, Any]:
    """Every table of the model, rows ordered by primary key."""
    out: dict[str, Any] = {"format": FORMAT, "revision": revision, "dialect": conn.dialect.name, "tables": {}}
    for table in _tables():
        cols = [c.name for c in table.columns]
        rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
        out["tables"][table.name] = {"columns": cols, "rows": [[_plain(v) for v in row] for row in rows]}
    return out


def write_dump(conn: Connection, revision: str | None, path: Path) -> dict[str, int]:
    data = dump(conn, revision)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return {name: len(t["rows"]) for name, t in data["tables"].items()}


#: bookkeeping rows a fresh database already holds (published_state's change counter)
COUNTERS = {"published_state"}


def restore(conn: Connection, data: dict[str, Any], revision: str | None) -> dict[str, int]:
    """Insert a dump into an empty database at the same revision (the caller's transaction)."""
    if data.get("format") != FORMAT:
        raise DumpError(f"不是 zwgk 导出文件 not a zwgk dump (format {data.get('format')!r})")
    if data.get("revision") != revision:
        raise DumpError(f"导出文件的数据库版本 {data.get('revision')} 与本库 {revision} 不同 the dump was taken at "
                        f"revision {data.get('revision')}, this database is at {revision}: migrate first")
    tables = _tables()
    for table in tables:
        if table.name in COUNTERS:  # a counter the migrations or the app start set up: the dump's wins
            conn.execute(table.delete())
            continue
        if conn.scalar(select(func.count()).select_from(table)):
            raise DumpError(f"目标数据库不是空的（{table.name} 有数据）the target database is not empty ({table.name})")
    counts: dict[str, int] = {}
    known = {t.name for t in tables}
    unknown = set(data["tables"]) - known
    if unknown:
        raise DumpError(f"导出文件中有未知的表 unknown tables: {', '.join(sorted(unknown))}")
    for table in tables:
        part = data["tables"].get(table.name, {"columns": [], "rows": []})
        cols = part["columns"]
        missing = set(cols) - set(table.columns.keys())
        if missing:
            raise DumpError(f"{table.name}: 未知的列 unknown columns {', '.join(sorted(missing))}")
        # a table that refers to itself (a unit's parent): parents first is not guaranteed, so the
        # links are written after all its rows
        self_refs = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
        rows = [{c: _typed(v, table.c[c]) for c, v in zip(cols, row)} for row in part["rows"]]
        later = [{**{c: r[c] for c in self_refs}, "_pk": r[table.primary_key.columns[0].name]}
                 for r in rows if any(r.get(c) is not None for c in self_refs)]
        for r in rows:
            for c in self_refs:
                r[c] = None
        for start in range(0, len(rows), 1000):
            conn.execute(insert(table), rows[start:start + 1000])
        if later:
            pk = table.primary_key.columns[0]
            for r in later:
                conn.execute(update(table).where(pk == r.pop("_pk")).values(**r))
        counts[table.name] = len(rows)
    if conn.dialect.name == "postgresql":
        for table in tables:
            pks = list(table.primary_key.columns)
            if len(pks) == 1 and isinstance(pks[0].type.python_type, type) and pks[0].type.python_type is int \
                    and pks[0].autoincrement in (True, "auto"):
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pks[0].name}'), "
                    f"COALESCE((SELECT MAX({pks[0].name}) FROM {table.name}), 0) + 1, false)"))
    return counts


def read_dump(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise DumpError(f"{path.name}: 不是有效的 JSON not valid JSON ({exc})") from exc
