"""What the public sees, kept apart from the drafts: one row per item that is published.

``published_item`` holds the last published version of every item that is still public
(a draft made from a published item leaves the published version here until the new one is
published; withdrawing or deleting removes it).  Public pages, the API and search read only
this table, with the indexes their filters use, so their cost does not grow with the number
of drafts (#18), and keyset pages stay cheap at any depth.

It is kept by the same flush listener that writes ``catalog_item_version`` (every ORM path)
and by the importer's bulk path; :func:`refresh` rebuilds any part of it from the history.
On SQLite the words are indexed in an FTS5 table (``unicode61`` over jieba-segmented,
OpenCC-folded text); on PostgreSQL in ``published_search``, a narrow table (item, unit, domain and
a ``tsvector``, ``to_tsvector('simple', …)``: no extension needed) with a GIN index, written in
the same transaction as ``published_item`` by the same functions, so finding the newest matches
reads small rows, not the wide records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (JSON, DateTime, Index, Integer, String, Text, bindparam, delete, func, insert, literal_column,
                        select, table, text, update)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from . import models as m
from .models import Base
from .textsearch import index_text
from .unitpath import under

FTS_TABLE = "published_item_fts"
#: the fields whose words are indexed for search
SEARCH_FIELDS = ("domain", "category", "level1", "level2", "level3", "content", "basis", "subject")


class PublishedItem(Base):
    """The published version of a catalog item (公开的事项), as the public reads it."""

    __tablename__ = "published_item"
    item_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(Integer)
    unit_key: Mapped[str] = mapped_column(String(400))
    domain_id: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int | None] = mapped_column(Integer)
    stages: Mapped[str] = mapped_column(String(100), default=",")  # ",decision,result," for LIKE
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    __table_args__ = (
        Index("ix_published_item_unit_domain", "unit_id", "domain_id", "item_id"),
        Index("ix_published_item_domain", "domain_id", "item_id"),
    )

    def __str__(self) -> str:
        return f"{self.record.get('level1') or ''}（{self.unit_key}，第{self.version}版）"


class PublishedSearch(Base):
    """PostgreSQL's search words of a published item (one row per ``published_item`` row, kept by
    the same writes): narrow, so the search reads a few small rows per match.  Empty on SQLite,
    whose words are in the FTS5 table ``published_item_fts``."""

    __tablename__ = "published_search"
    item_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    unit_id: Mapped[int] = mapped_column(Integer)
    domain_id: Mapped[int] = mapped_column(Integer)
    search_vector: Mapped[Any] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))
    __table_args__ = (Index("ix_published_search_vector", "search_vector", postgresql_using="gin"),)

    def __str__(self) -> str:
        return f"公开事项检索词 {self.item_id}"


class PublishedState(Base):
    """One row: a number that goes up whenever ``published_item`` changes, so any process can
    tell in one cheap read whether an answer it keeps is still what the public should see."""

    __tablename__ = "published_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(Integer, default=0)

    def __str__(self) -> str:
        return f"公开目录状态 {self.generation}"


class PublishedCount(Base):
    """How many items are published per unit and domain, kept with ``published_item`` (every write
    goes through this module), so the region pages count from a few thousand rows, not a scan of
    every published item."""

    __tablename__ = "published_count"
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    domain_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer, default=0)

    def __str__(self) -> str:
        return f"公开事项数 {self.unit_id}/{self.domain_id}: {self.n}"


def _count(conn: Connection, deltas: dict[tuple[int, int], int]) -> None:
    """Add ``deltas`` ((unit_id, domain_id) → change) to ``published_count`` (an upsert both
    SQLite and PostgreSQL read); rows that reach 0 are removed."""
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas:
        return
    conn.execute(text("INSERT INTO published_count (unit_id, domain_id, n) VALUES (:u, :d, :n) "
                      "ON CONFLICT (unit_id, domain_id) DO UPDATE SET n = published_count.n + excluded.n"),
                 [{"u": u, "d": d, "n": n} for (u, d), n in sorted(deltas.items())])
    conn.execute(text("DELETE FROM published_count WHERE n <= 0"))


def recount(conn: Connection) -> None:
    """Rebuild ``published_count`` from ``published_item`` (the migration, a bulk load)."""
    conn.execute(text("DELETE FROM published_count"))
    conn.execute(text("INSERT INTO published_count (unit_id, domain_id, n) "
                      "SELECT unit_id, domain_id, count(*) FROM published_item GROUP BY unit_id, domain_id"))


def _bump(conn: Connection) -> None:
    state = PublishedState.__table__
    if conn.execute(update(state).where(state.c.id == 1).values(generation=state.c.generation + 1)).rowcount == 0:
        conn.execute(insert(state).values(id=1, generation=1))


def generation(conn: Any) -> int:
    return conn.execute(text("SELECT generation FROM published_state WHERE id = 1")).scalar() or 0


def _search_body(record: dict[str, Any]) -> str:
    return index_text(record.get(f) for f in SEARCH_FIELDS)


def _write(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Replace the public rows of these items by ``rows`` (each with its search body)."""
    if rows:
        _drop(conn, [r["item_id"] for r in rows])
        _insert_fresh(conn, rows)


def _drop(conn: Connection, ids: Sequence[int], counts: bool = True) -> None:
    if not ids:
        return
    _bump(conn)
    t = PublishedItem.__table__
    for start in range(0, len(ids), 500):
        part = list(ids[start:start + 500])
        if counts:
            gone = conn.execute(select(t.c.unit_id, t.c.domain_id, func.count()).where(t.c.item_id.in_(part))
                                .group_by(t.c.unit_id, t.c.domain_id)).all()
            _count(conn, {(u, d): -n for u, d, n in gone})
        conn.execute(delete(t).where(t.c.item_id.in_(part)))
        if conn.dialect.name == "postgresql":
            if counts:  # (not at revision 0014: its words are in published_item)
                conn.execute(delete(PublishedSearch.__table__).where(PublishedSearch.__table__.c.item_id.in_(part)))
        else:
            conn.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({','.join(str(int(i)) for i in part)})"))


def public_row(item_id: int, version: int, unit_id: int, domain_id: int, at: dt.datetime,
               snapshot: dict[str, Any]) -> dict[str, Any]:
    record = {**snapshot, "id": item_id, "version": version, "published_at": at.isoformat()}
    return dict(item_id=item_id, version=version, unit_id=unit_id, unit_key=snapshot["unit"], domain_id=domain_id,
                seq=snapshot.get("seq"), stages="," + "".join(s + "," for s in snapshot.get("stages") or []),
                published_at=at, record=record, body=_search_body(snapshot))


def apply_versions(conn: Connection, versions: Iterable[dict[str, Any]]) -> None:
    """Follow the versions just written (``catalog_item_version`` rows plus ``unit_id`` and
    ``domain_id``): a published one becomes what the public sees, a withdrawn or deleted one
    takes the item away; any other status leaves the public version as it was."""
    shown, gone = {}, []
    for v in versions:
        if v["deleted"] or v["status"] == "withdrawn":
            shown.pop(v["item_id"], None)
            gone.append(v["item_id"])
        elif v["status"] == "published":
            shown[v["item_id"]] = public_row(v["item_id"], v["version"], v["unit_id"], v["domain_id"], v["at"],
                                             v["snapshot"])
    _drop(conn, [i for i in gone if i not in shown])
    _write(conn, list(shown.values()))


def refresh(conn: Connection, item_ids: Sequence[int] | None = None, chunk: int = 2000, counts: bool = True) -> int:
    """Rebuild the public rows of ``item_ids`` (all items when None) from the history; returns
    how many are public.  Used by the importer's bulk path, the migration and ``zwgk search reindex``
    (``counts=False``: only by migration 0014, older than ``published_count`` and
    ``published_search``: PostgreSQL's words then go to the ``search_vector`` column it had)."""
    ver = m.CatalogItemVersion.__table__
    units = dict(conn.execute(select(m.AdminUnit.key, m.AdminUnit.id)).all())
    domains = dict(conn.execute(select(m.Domain.name, m.Domain.id)).all())
    if item_ids is None:
        _bump(conn)
        conn.execute(delete(PublishedItem.__table__))
        if counts:
            conn.execute(delete(PublishedCount.__table__))
        if conn.dialect.name == "postgresql":
            if counts:
                conn.execute(delete(PublishedSearch.__table__))
        else:
            conn.execute(text(f"DELETE FROM {FTS_TABLE}"))
        batches: Iterable[Sequence[int] | None] = [None]
    else:
        batches = [item_ids[i:i + chunk] for i in range(0, len(item_ids), chunk)]
    count = 0
    for ids in batches:
        latest = select(ver.c.item_id, func.max(ver.c.version).label("v")).where(
            ver.c.status.in_(("published", "withdrawn")) | ver.c.deleted)
        if ids is not None:
            latest = latest.where(ver.c.item_id.in_(list(ids)))
        latest = latest.group_by(ver.c.item_id).subquery()
        q = (select(ver.c.item_id, ver.c.version, ver.c.status, ver.c.deleted, ver.c.at, ver.c.snapshot)
             .join(latest, (ver.c.item_id == latest.c.item_id) & (ver.c.version == latest.c.v))
             .order_by(ver.c.item_id))
        if ids is not None:
            _drop(conn, ids, counts)
        pending: list[dict[str, Any]] = []
        for row in conn.execute(q).yield_per(chunk):
            if row.deleted or row.status != "published":
                continue
            snap = row.snapshot
            at = row.at if row.at.tzinfo else row.at.replace(tzinfo=dt.timezone.utc)
            pending.append(public_row(row.item_id, row.version, units.get(snap["unit"], 0),
                                      domains.get(snap["domain"], 0), at, snap))
            if len(pending) >= chunk:
                _insert_fresh(conn, pending, counts)
                count += len(pending)
                pending = []
        _insert_fresh(conn, pending, counts)
        count += len(pending)
    return count


def _insert_fresh(conn: Connection, rows: list[dict[str, Any]], counts: bool = True) -> None:
    """Insert rows known to be absent (after a delete): no per-row delete first."""
    if not rows:
        return
    _bump(conn)
    table = PublishedItem.__table__
    pg = conn.dialect.name == "postgresql"
    conn.execute(insert(table), [{k: v for k, v in r.items() if k != "body"} for r in rows])
    if pg and not counts:  # migration 0014: the words were a column of published_item until 0025
        conn.execute(text("UPDATE published_item SET search_vector = to_tsvector('simple'::regconfig, :body) "
                          "WHERE item_id = :item_id"), [{"item_id": r["item_id"], "body": r["body"]} for r in rows])
    elif pg:
        words = PublishedSearch.__table__
        conn.execute(insert(words).values(search_vector=func.to_tsvector(literal_column("'simple'::regconfig"),
                                                                         bindparam("body", type_=Text))),
                     [{"item_id": r["item_id"], "unit_id": r["unit_id"], "domain_id": r["domain_id"],
                       "body": r["body"]} for r in rows])
    if counts:
        deltas: dict[tuple[int, int], int] = {}
        for r in rows:
            deltas[r["unit_id"], r["domain_id"]] = deltas.get((r["unit_id"], r["domain_id"]), 0) + 1
        _count(conn, deltas)
    if not pg:
        conn.execute(text(f"INSERT INTO {FTS_TABLE}(rowid, body) VALUES (:item_id, :body)"),
                     [{"item_id": r["item_id"], "body": r["body"]} for r in rows])


def create_fts(conn: Connection) -> None:
    """The SQLite full-text table (the migration and ``refresh`` need it; PostgreSQL has none)."""
    if conn.dialect.name == "sqlite":
        conn.execute(text(f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(body, tokenize='unicode61')"))


# --------------------------------------------------------------------------
# Reading: keyset pages and search, with the filters the public uses
# --------------------------------------------------------------------------

#: the most items one page may hold, whatever is asked (pages, API, search)
MAX_PAGE = 200


def units_under(path: str) -> Any:
    """Ids of the unit at ``path`` and every unit below it (a subquery)."""
    return select(m.AdminUnit.id).where(under(m.AdminUnit.key, path))


def _filtered(q: Any, unit_path: str | None, domain_id: int | None, stage: str | None,
              since: dt.datetime | None, session: Any = None) -> Any:
    t = PublishedItem
    if unit_path:
        if session is None:
            q = q.where(t.unit_id.in_(units_under(unit_path)))
        else:  # the ids themselves: "unit_id = ?" lets the planner walk (unit, domain, item) in order
            ids = list(session.execute(units_under(unit_path)).scalars())
            q = q.where(t.unit_id == ids[0]) if len(ids) == 1 else q.where(t.unit_id.in_(ids or [-1]))
    if domain_id is not None:
        q = q.where(t.domain_id == domain_id)
    if stage:
        q = q.where(t.stages.like(f"%,{stage},%"))
    if since is not None:
        q = q.where(t.published_at >= since)
    return q


def page(session: Any, unit_path: str | None = None, domain_id: int | None = None, stage: str | None = None,
         since: dt.datetime | None = None, after: int | None = None,
         limit: int = 50) -> tuple[list[dict[str, Any]], int | None]:
    """One page of published items in id order, after the item ``after`` (keyset: as cheap on the
    thousandth page as on the first); returns the records and the id to continue after, or None."""
    limit = max(1, min(limit, MAX_PAGE))
    t = PublishedItem
    q = _filtered(select(t.item_id, t.record), unit_path, domain_id, stage, since, session)
    if after is not None:
        q = q.where(t.item_id > after)
    rows = session.execute(q.order_by(t.item_id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return [r.record for r in rows], (rows[-1].item_id if more and rows else None)


def last_change(session: Any) -> dt.datetime | None:
    """When the public catalog last gained a version (for Last-Modified)."""
    moment = session.scalar(select(func.max(PublishedItem.published_at)))
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment


#: at most this many matches of a query are ranked (the newest, by item id): a word that one
#: item in twelve uses matches 83,000 items at 1,000,000, and ranking every one of them (bm25 /
#: ts_rank) costs far more than a page.  Items holding every word of the query are ranked first,
#: each group within its own newest RANK_CAP matches; the search page says when a cap was reached.
RANK_CAP = 2000


def search(session: Any, terms: list[str], unit_path: str | None = None, domain_id: int | None = None,
           limit: int = 20, offset: int = 0) -> list[dict[str, Any]]:
    """Published items matching any of ``terms``, best first (see :func:`search_capped`)."""
    return search_capped(session, terms, unit_path, domain_id, limit, offset)[0]


def search_capped(session: Any, terms: list[str], unit_path: str | None = None, domain_id: int | None = None,
                  limit: int = 20, offset: int = 0, cap: int | None = None) -> tuple[list[dict[str, Any]], bool]:
    """Published items matching any of ``terms`` (already folded and segmented), best first, and
    whether a cap on ranked matches was reached.

    Items with every word come first, then items with some of them; within each group, rarer and
    more often used words rank higher (bm25 on SQLite, ts_rank on PostgreSQL).  Each group ranks
    at most its ``cap`` newest matches (highest item ids), found in id order from the full-text
    index without ranking, so the cost is bounded however common a word is."""
    if not terms:
        return [], False
    cap = RANK_CAP if cap is None else max(1, cap)
    limit = max(1, min(limit, MAX_PAGE))
    need = offset + limit
    pg = session.get_bind().dialect.name == "postgresql"
    units = None
    if unit_path:
        units = list(session.execute(units_under(unit_path)).scalars()) or [-1]
    groups = [("all", terms)] if len(terms) == 1 else [("all", terms), ("some", terms)]
    ids: list[int] = []
    capped = False
    for kind, words in groups:
        if len(ids) >= need:
            break
        ranked, full = (_ranked_pg if pg else _ranked_sqlite)(session, kind, words, units, domain_id, cap,
                                                              need - len(ids))
        ids += ranked
        capped = capped or full
    ids = ids[offset:need]
    if not ids:
        return [], capped
    t = PublishedItem
    records = dict(session.execute(select(t.item_id, t.record).where(t.item_id.in_(ids))).all())
    return [records[i] for i in ids if i in records], capped


def _ranked_sqlite(session: Any, kind: str, terms: list[str], units: list[int] | None, domain_id: int | None,
                   cap: int, k: int) -> tuple[list[int], bool]:
    """The best ``k`` ids of the ``cap`` newest FTS5 matches, and whether there were ``cap`` of them.
    The inner query walks the index in descending rowid order (no sort, no bm25); bm25 (``rank``)
    is computed only for the rows it returns."""
    from .textsearch import fts5_all, fts5_not_all, fts5_query

    if kind == "all":
        match = fts5_all(terms)
    else:  # some of the words but not all of them (those were ranked first)
        match = fts5_not_all(terms)
    where, params = [f"{FTS_TABLE} MATCH :match"], {"match": match, "cap": cap, "k": k}
    join = ""
    if units is not None or domain_id is not None:
        join = " CROSS JOIN published_item p ON p.item_id = f.rowid"  # CROSS: the index drives, in rowid order
        if units is not None:
            where.append(f"p.unit_id IN ({','.join(str(int(u)) for u in units)})")
        if domain_id is not None:
            where.append("p.domain_id = :domain")
            params["domain"] = domain_id
    sql = (f"SELECT item_id, rank, count(*) OVER () AS n FROM ("
           f"SELECT f.rowid AS item_id, f.rank AS rank FROM {FTS_TABLE} f{join} WHERE {' AND '.join(where)} "
           f"ORDER BY f.rowid DESC LIMIT :cap) ORDER BY rank, item_id LIMIT :k")
    rows = session.execute(text(sql), params).all()
    return [r.item_id for r in rows], bool(rows) and rows[0].n >= cap


#: PostgreSQL, a query without a unit or domain: the newest ``cap * NEWEST_SCAN`` search rows are
#: first read in id order and tested one by one (a word one item in twenty uses finds its ``cap``
#: matches there without building the GIN index's bitmap of all its postings: 6 ms for 20,000
#: rows against 20–30 ms for one bitmap of a common word at 1,000,000); what is still missing is
#: found below them through the GIN index, in windows sized by the matches seen so far.
NEWEST_SCAN = 20


def _ranked_pg(session: Any, kind: str, terms: list[str], units: list[int] | None, domain_id: int | None,
               cap: int, k: int) -> tuple[list[int], bool]:
    """PostgreSQL: the ``cap`` newest matches by id (below) in ``published_search``, each with its
    ts_rank, then the best ``k`` of them."""
    s = PublishedSearch
    cfg = literal_column("'simple'::regconfig")
    any_q = None
    for term in terms:
        one = func.plainto_tsquery(cfg, term)
        any_q = one if any_q is None else any_q.op("||")(one)
    all_q = None
    for term in terms:
        one = func.plainto_tsquery(cfg, term)
        all_q = one if all_q is None else all_q.op("&&")(one)

    def matches(query: Any) -> Any:
        return s.search_vector.op("@@", is_comparison=True)(query)

    cond = matches(all_q) if kind == "all" else (matches(any_q) & ~matches(all_q))
    rank = func.ts_rank(s.search_vector, any_q).label("rank")

    def newest(lo: int, hi: int) -> list[Any]:
        q = select(s.item_id, rank).where(cond, s.item_id > lo, s.item_id <= hi)
        if units is not None:
            q = q.where(s.unit_id == units[0]) if len(units) == 1 else q.where(s.unit_id.in_(units))
        if domain_id is not None:
            q = q.where(s.domain_id == domain_id)
        return session.execute(q.order_by(s.item_id.desc()).limit(cap - len(found))).all()

    top = session.scalar(select(func.max(s.item_id)))
    if top is None:
        return [], False
    found: list[Any] = []
    hi, width = top, cap * 16
    # The planner's estimate for a tsquery is often far off, so each step is told its plan:
    # the newest rows by the primary key backwards (bitmaps off), then windows, each the GIN
    # index's bitmap ANDed with a primary-key range (index scans off), so rows are read only for
    # the matches in the window and a rare pair never walks the whole table.
    session.execute(text("SET LOCAL enable_seqscan = off"))
    try:
        if units is None and domain_id is None:
            session.execute(text("SET LOCAL enable_bitmapscan = off"))
            lo = max(0, hi - cap * NEWEST_SCAN)
            found += newest(lo, hi)
            hi = lo
            session.execute(text("RESET enable_bitmapscan"))
        session.execute(text("SET LOCAL enable_indexscan = off"))
        while len(found) < cap and hi > 0:
            if hi < top:  # a window the matches seen so far say holds the rest (each costs a bitmap)
                width = hi if not found else max(cap, (cap - len(found)) * (top - hi) * 3 // (2 * len(found)))
            lo = max(0, hi - width)  # ids are positive; and a bound must stay a 32-bit integer
            found += newest(lo, hi)
            hi = lo
    finally:
        session.execute(text("RESET enable_indexscan"))
        session.execute(text("RESET enable_seqscan"))
    best = sorted(found, key=lambda r: (-r.rank, r.item_id))[:k]
    return [r.item_id for r in best], len(found) >= cap


def public_history(session: Any, item_id: int) -> list[dict[str, Any]]:
    """An item's public history: each version the public saw (published, withdrawn, deleted),
    with what changed from the one before; drafts and review steps are not public."""
    from .catalog_history import ELEMENTS

    ver = m.CatalogItemVersion
    rows = session.scalars(select(ver).where(ver.item_id == item_id, ver.status.in_(("published", "withdrawn"))
                                             | ver.deleted).order_by(ver.version))
    out, before = [], None
    for v in rows:
        status = "deleted" if v.deleted else v.status
        changes = {} if before is None or status != "published" else {
            f: [before.get(f), v.snapshot.get(f)] for f in ELEMENTS if before.get(f) != v.snapshot.get(f)}
        at = v.at if v.at.tzinfo else v.at.replace(tzinfo=dt.timezone.utc)
        out.append({"version": v.version, "status": status, "at": at.isoformat(), "changes": changes})
        if status == "published":
            before = v.snapshot
    return out
