"""Catalog history: every saved version of every item, diffs between dates, revert.

A version is written on every flush that creates, changes or deletes an item
(whatever path made it: admin, importer, CLI, workflow), so the catalog as it
stood at any moment can be rebuilt and compared.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session

from . import models as m
from .db import ZwgkSession, jsonable
from .schemas import CatalogItemSchema
from .unitpath import under as _under

_SCHEMA = CatalogItemSchema(exclude=("source",))
ELEMENTS = tuple(f for f in _SCHEMA.fields if f not in ("unit", "status", "is_example"))
#: the keys of a snapshot, in order
SNAPSHOT_FIELDS = tuple(_SCHEMA.dump_fields)


def snapshot(item: m.CatalogItem) -> dict[str, Any]:
    return jsonable(_SCHEMA.dump(item))


#: the columns whose change is an edit of the item's content (status and bookkeeping are not)
CONTENT_COLUMNS = tuple("domain_id" if f == "domain" else f for f in ELEMENTS) + ("unit_id",)


def restart_review_on_edit(session: Session, _ctx: Any, _instances: Any) -> None:
    """before_flush: an item whose content changes while it is submitted, reviewed, signed or
    published goes back to draft, whatever path changed it (admin, CLI, a script, a plugin), so
    no change reaches the public without passing the region's steps again.  The published
    version stays what the public sees until the new one is published."""
    from sqlalchemy import inspect as sa_inspect

    for obj in session.dirty:
        if not isinstance(obj, m.CatalogItem) or obj.status == "draft":
            continue
        state = sa_inspect(obj)
        if state.attrs.status.history.has_changes():
            continue  # a workflow step (or revert) sets the status itself
        if any(state.attrs[c].history.has_changes() for c in CONTENT_COLUMNS):
            obj.status = "draft"


def record_versions(session: Session, _ctx: Any) -> None:
    """after_flush: one ``catalog_item_version`` row per created, changed or deleted item."""
    now = dt.datetime.now(dt.timezone.utc)
    rows, ids = [], []
    for objs, deleted in ((session.new, False), (session.dirty, False), (session.deleted, True)):
        for obj in objs:
            if not isinstance(obj, m.CatalogItem):
                continue
            if not deleted and obj in session.dirty and not session.is_modified(obj):
                continue
            version = obj.version + (1 if deleted else 0)
            rows.append(dict(item_id=obj.id, version=version, unit_key=obj.unit.key, status=obj.status,
                             deleted=deleted, snapshot=snapshot(obj), at=now,
                             actor=session.info.get("actor", "system"), reason=session.info.get("reason")))
            ids.append((obj.unit_id, obj.domain_id))
    if rows:
        session.connection().execute(insert(m.CatalogItemVersion), rows)
        from .published import apply_versions  # what the public sees follows the versions

        apply_versions(session.connection(), [dict(r, unit_id=u, domain_id=d) for r, (u, d) in zip(rows, ids)])


#: 北京时间: dates and times without a zone are read in it (China has kept UTC+8, without summer
#: time, since 1992), so "to 2026-11-20" means the end of that day in China, not in London
BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")


def in_beijing(moment: dt.datetime | str) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in Beijing time; a stored time without a zone is UTC (SQLite)."""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def parse_moment(text: str | None, end: bool = False) -> dt.datetime | None:
    """``YYYY-MM-DD`` or ``YYYY-MM-DD[T ]HH:MM[:SS][±zone]`` as an aware moment; a bare date is the
    start of that day, or its last moment when ``end`` (a range "to 11-20" includes the 20th).
    Raises ValueError with the text for anything else."""
    if not text or not text.strip():
        return None
    text = text.strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            moment = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
        else:
            moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"不是日期或时间 not a date or time: {text!r} (YYYY-MM-DD or YYYY-MM-DDTHH:MM)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


def as_of(session: Session, unit: str, when: dt.datetime | None = None,
          published_only: bool = False, item_ids: list[int] | None = None) -> dict[int, m.CatalogItemVersion]:
    """The latest version of each item of ``unit`` (and units below) at ``when`` (default: now).

    ``published_only``: what the public saw then (drafts of a published item do not count).
    """
    latest = select(m.CatalogItemVersion.item_id, func.max(m.CatalogItemVersion.version).label("v")).where(
        _under(m.CatalogItemVersion.unit_key, unit))
    if published_only:
        latest = latest.where(m.CatalogItemVersion.status.in_(("published", "withdrawn"))
                              | m.CatalogItemVersion.deleted)
    if when is not None:
        latest = latest.where(m.CatalogItemVersion.at <= when)
    if item_ids is not None:
        latest = latest.where(m.CatalogItemVersion.item_id.in_(item_ids or [-1]))
    latest = latest.group_by(m.CatalogItemVersion.item_id).subquery()
    rows = session.scalars(select(m.CatalogItemVersion).join(
        latest, (m.CatalogItemVersion.item_id == latest.c.item_id) & (m.CatalogItemVersion.version == latest.c.v)))
    return {r.item_id: r for r in rows if not r.deleted and not (published_only and r.status == "withdrawn")}


@dataclass
class CatalogDiff:
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)  # {item, changes: {field: [old, new]}}

    def render(self) -> str:
        lines = [f"新增 added {len(self.added)}  删除 removed {len(self.removed)}  变更 changed {len(self.changed)}"]
        lines += [f"+ {a['level1']} / {a.get('level2') or ''}" for a in self.added]
        lines += [f"- {r['level1']} / {r.get('level2') or ''}" for r in self.removed]
        for c in self.changed:
            lines.append(f"~ {c['item']}")
            lines += [f"    {f}: {old!r} → {new!r}" for f, (old, new) in c["changes"].items()]
        return "\n".join(lines)


def diff(session: Session, unit: str, start: dt.datetime | None, end: dt.datetime | None,
         published_only: bool = False) -> CatalogDiff:
    """What changed in a unit's catalog between two moments (``start`` None: from the beginning)."""
    before = as_of(session, unit, start, published_only) if start is not None else {}
    after = as_of(session, unit, end, published_only)
    out = CatalogDiff()
    for item_id, v in after.items():
        if item_id not in before:
            out.added.append(v.snapshot)
            continue
        old = before[item_id].snapshot
        changes = {f: [old.get(f), v.snapshot.get(f)] for f in ELEMENTS if old.get(f) != v.snapshot.get(f)}
        if changes:
            out.changed.append({"item": v.snapshot["level1"], "item_id": item_id, "changes": changes})
    out.removed = [v.snapshot for item_id, v in before.items() if item_id not in after]
    return out


def diff_page(session: Session, unit: str, start: dt.datetime | None, end: dt.datetime | None,
              after: int | None = None, limit: int = 100, published_only: bool = True,
              window: int = 500) -> tuple[CatalogDiff, int | None]:
    """One keyset page of :func:`diff`: the changes of at most ``limit`` items, in item id order,
    after the item ``after``; returns the page and the id to continue after (None: the last page).

    The unit's item ids are read ``window`` at a time in id order and each window is compared as
    :func:`diff` does, so a page costs a few windows however large the unit's catalog is."""
    ver = m.CatalogItemVersion
    out, entries, last = CatalogDiff(), 0, None
    cursor = after if after is not None else 0
    # the keys of the unit and the units below it, matched with "=" (an index probe each; a LIKE
    # on the path scans every version on SQLite, and on PostgreSQL outside the C collation)
    keys = list(session.scalars(select(m.AdminUnit.key).where(_under(m.AdminUnit.key, unit)))) or [unit]
    while True:
        ids = list(session.scalars(select(ver.item_id).where(ver.unit_key.in_(keys), ver.item_id > cursor)
                                   .group_by(ver.item_id).order_by(ver.item_id).limit(window)))
        if not ids:
            return out, None
        before = as_of(session, unit, start, published_only, ids) if start is not None else {}
        now = as_of(session, unit, end, published_only, ids)
        for item_id in ids:
            if entries == limit:
                if _differs(before.get(item_id), now.get(item_id)):
                    return out, last
                continue
            old, new = before.get(item_id), now.get(item_id)
            if not _differs(old, new):
                continue
            if old is None:
                out.added.append(new.snapshot)
            elif new is None:
                out.removed.append(old.snapshot)
            else:
                changes = {f: [old.snapshot.get(f), new.snapshot.get(f)] for f in ELEMENTS
                           if old.snapshot.get(f) != new.snapshot.get(f)}
                out.changed.append({"item": new.snapshot["level1"], "item_id": item_id, "changes": changes})
            entries += 1
            last = item_id
        if entries == limit and len(ids) < window:
            return out, None
        cursor = ids[-1]


def _differs(old: Any, new: Any) -> bool:
    if old is None or new is None:
        return old is not new
    return any(old.snapshot.get(f) != new.snapshot.get(f) for f in ELEMENTS)


def revert(session: Session, item: m.CatalogItem, to_version: int) -> None:
    """Bring an item back to an earlier version's values; the result is a new version (a draft)."""
    old = session.scalar(select(m.CatalogItemVersion).where(m.CatalogItemVersion.item_id == item.id,
                                                             m.CatalogItemVersion.version == to_version))
    if old is None or old.deleted:
        raise ValueError(f"第{item.id}项没有第{to_version}版 item {item.id} has no version {to_version}")
    data = _SCHEMA.load({k: v for k, v in old.snapshot.items() if k not in ("unit", "domain")}, partial=True)
    for name, value in data.items():
        if name in ELEMENTS:
            setattr(item, name, value)
    item.status = "draft"


def published(session: Session, unit: str | None) -> list[dict[str, Any]]:
    """What the public sees: the last published version of each item that is still published."""
    q = select(m.CatalogItemVersion).order_by(m.CatalogItemVersion.item_id, m.CatalogItemVersion.version)
    if unit:
        q = q.where(_under(m.CatalogItemVersion.unit_key, unit))
    rows = session.scalars(q)
    shown: dict[int, dict[str, Any]] = {}
    for r in rows:
        if r.deleted or r.status == "withdrawn":
            shown.pop(r.item_id, None)
        elif r.status == "published":
            shown[r.item_id] = {**r.snapshot, "version": r.version, "published_at": r.at.isoformat()}
    return list(shown.values())


# Every zwgk session keeps the catalog's history, whatever path flushes (imported by ``zwgk``
# itself, so the listeners are in place before any Database exists).
event.listen(ZwgkSession, "before_flush", restart_review_on_edit)
event.listen(ZwgkSession, "after_flush", record_versions)
