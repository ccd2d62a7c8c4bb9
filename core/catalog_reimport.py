"""Re-importing a catalog (动态调整): rows are matched to the unit's items, not appended again.

Counties re-issue their catalogs every year, so importing into a unit and domain that already
has items is the normal case.  A row is the same item as an existing one when its 事项 path
(domain, 一级/二级/三级事项) is the same; where several items share a path, the one with the
same 公开内容 is taken first.  Each row is then

- 新增 (new): no item has its path — it is added;
- 修改 (changed): an item has its path and some element differs — the item gets the row's
  values, which makes a new version and puts it back to draft (the region's steps again);
- 未变 (unchanged): nothing differs — nothing is written;

and an existing item of those domains that no row names is 不再列出 (no longer listed): it is
left as it is unless the import is asked to withdraw such items.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import models as m

#: what makes an item what it is (the path) and what an edit may change (compared one by one)
PATH = ("domain_id", "level1", "level2", "level3")
COMPARED = ("domain_id", "category", "level1", "level2", "level3", "content", "basis", "time_limit", "subject",
            "department", "channels", "duration", "audience_public", "audience_specific", "method_active",
            "method_on_request", "levels", "stages")
KINDS = {"new": "新增", "changed": "修改", "unchanged": "未变", "missing": "不再列出"}
#: each field by the column heading of the published layout (what the clerk's file calls it)
HEADINGS = {"unit": "单位", "domain": "领域", "domain_id": "领域", "seq": "序号", "category": "类别",
            "level1": "一级事项", "level2": "二级事项", "level3": "三级事项", "content": "公开内容（要素）",
            "basis": "公开依据", "time_limit": "公开时限", "subject": "公开主体", "department": "责任科室",
            "channels": "公开渠道和载体", "duration": "公开时长", "audience_public": "公开对象·全社会",
            "audience_specific": "公开对象·特定群体", "method_active": "公开方式·主动",
            "method_on_request": "公开方式·依申请", "levels": "公开层级", "stages": "五公开", "status": "状态", "is_example": "示例"}


def _same(a: Any, b: Any) -> bool:
    empty = (None, "", [])
    if a in empty and b in empty:
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == bool(b)
    return a == b


def _path(values: Any) -> tuple[Any, ...]:
    get = values.get if isinstance(values, dict) else lambda k: getattr(values, k)
    return tuple(get(k) or "" if k != "domain_id" else get(k) for k in PATH)


@dataclass
class Plan:
    """What a re-import would do, row by row (``rows[i]`` is the i-th valid row's fate)."""

    new: list[dict[str, Any]] = field(default_factory=list)  # from :func:`plan`; an import counts them in ``added``
    added: int = 0
    changed: list[tuple[m.CatalogItem, dict[str, Any], list[str]]] = field(default_factory=list)
    unchanged: list[m.CatalogItem] = field(default_factory=list)
    missing: list[m.CatalogItem] = field(default_factory=list)
    withdrawn: int = 0

    def counts(self) -> dict[str, int]:
        return {"new": len(self.new) + self.added, "changed": len(self.changed), "unchanged": len(self.unchanged),
                "missing": len(self.missing)}

    def summary(self) -> str:
        """新增 1，修改 2，未变 3，不再列出 0 — in the order a clerk reads them."""
        text = "，".join(f"{KINDS[k]} {n}" for k, n in self.counts().items())
        if self.withdrawn:
            text += f"（已撤回 {self.withdrawn}）"
        return text

    def lines(self, limit: int = 200) -> list[str]:
        """One line per changed item (which elements) and per item no longer listed."""
        out = []
        for item, _row, fields in self.changed[:limit]:
            names = "、".join(HEADINGS.get(f, f) for f in fields)
            out.append(f"修改 #{item.id} {item}: {names}")
        for item in self.missing[:limit]:
            out.append(f"不再列出 #{item.id} {item}")
        return out


def existing_items(session: Session, unit_id: int, domain_ids: set[int]) -> list[m.CatalogItem]:
    """The unit's own items (not those of units below it) in these domains, withdrawn ones aside."""
    if not domain_ids:
        return []
    return list(session.scalars(select(m.CatalogItem).where(
        m.CatalogItem.unit_id == unit_id, m.CatalogItem.domain_id.in_(domain_ids),
        m.CatalogItem.status != "withdrawn").order_by(m.CatalogItem.id)))


def plan(session: Session, unit_id: int, rows: list[dict[str, Any]]) -> Plan:
    """Match item rows (as the importer builds them: columns, ``unit_id``, ``domain_id``) to items."""
    result = Plan()
    items = existing_items(session, unit_id, {r["domain_id"] for r in rows})
    if not items:  # a first import: every row is new (no path to match)
        result.new = list(rows)
        return result
    by_path: dict[tuple[Any, ...], list[m.CatalogItem]] = defaultdict(list)
    for item in items:
        by_path[_path(item)].append(item)
    taken: set[int] = set()
    for row in rows:
        candidates = [i for i in by_path.get(_path(row), ()) if i.id not in taken]
        if not candidates:
            result.new.append(row)
            continue
        # content breaks a tie between items of the same path; else the oldest untaken one
        item = next((i for i in candidates if _same(i.content, row.get("content"))), candidates[0])
        taken.add(item.id)
        fields = [f for f in COMPARED if not _same(getattr(item, f), row.get(f))]
        if fields:
            result.changed.append((item, row, fields))
        else:
            result.unchanged.append(item)
    result.missing = [i for i in items if i.id not in taken]
    return result


class Planner:
    """:func:`plan` chunk by chunk, for an import that reads and writes its rows a chunk at a time.

    The unit's items of a domain are loaded the first time a row of that domain comes (before
    any row of it is written), then matched as :func:`plan` matches them; only the existing
    items and the rows matched to them are kept (bounded by the catalog, not by the file): new
    rows are handed back to be written, and counted."""

    def __init__(self, session: Session, unit_id: int):
        self.session, self.unit_id = session, unit_id
        self.result = Plan()
        self.domains: set[int] = set()
        self.items: list[m.CatalogItem] = []
        self.by_path: dict[tuple[Any, ...], list[m.CatalogItem]] = defaultdict(list)
        self.taken: set[int] = set()

    def add(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Match a chunk of item rows; returns the new ones (to be written)."""
        domains = {r["domain_id"] for r in rows} - self.domains
        if domains:
            self.domains |= domains
            for item in existing_items(self.session, self.unit_id, domains):
                self.items.append(item)
                self.by_path[_path(item)].append(item)
        result = self.result
        if not self.by_path:  # a first import: every row is new (no path to match)
            result.added += len(rows)
            return list(rows)
        new = []
        for row in rows:
            candidates = [i for i in self.by_path.get(_path(row), ()) if i.id not in self.taken]
            if not candidates:
                new.append(row)
                continue
            # content breaks a tie between items of the same path; else the oldest untaken one
            item = next((i for i in candidates if _same(i.content, row.get("content"))), candidates[0])
            self.taken.add(item.id)
            fields = [f for f in COMPARED if not _same(getattr(item, f), row.get(f))]
            if fields:
                result.changed.append((item, row, fields))
            else:
                result.unchanged.append(item)
        result.added += len(new)
        return new

    def finish(self) -> Plan:
        """The plan: the items no row named are no longer listed (in the order of their ids)."""
        self.result.missing = sorted((i for i in self.items if i.id not in self.taken), key=lambda i: i.id)
        return self.result


def apply(session: Session, the_plan: Plan, withdraw_missing: bool = False, source: str | None = None) -> None:
    """Write the changed items (each gets a new version and goes back to draft: the flush
    listeners of :mod:`zwgk.catalog_history`) and, when asked, withdraw the unlisted ones.
    New rows are left to the importer's bulk insert."""
    from . import workflow

    for item, row, fields in the_plan.changed:
        for f in fields:
            setattr(item, f, row.get(f))
        if row.get("seq") is not None:
            item.seq = row["seq"]
        if source:
            item.source_file = source
    session.flush()
    if not withdraw_missing:
        return
    actor = session.info.get("actor", "system")
    reason = f"重新导入的目录不再列出此事项 no longer listed in {source or 'the imported catalog'}"
    for item in the_plan.missing:
        if item.status == "published":
            workflow.withdraw(session, item, actor, reason)
        else:  # never published: nothing to take back from the public, only out of the catalog
            item.status = "withdrawn"
        the_plan.withdrawn += 1
    session.flush()


def other_unit(where: str, data: dict[str, Any], unit: str) -> list[Any]:
    """A row that names another unit (an all-units export, a neighbour's file) is refused:
    an import writes into the one unit it was asked for."""
    named = data.get("unit")
    if named and named != unit:
        from .loader import Problem

        return [Problem(where, data.get("level1") or "", "unit",
                        f"此行属于另一单位“{named}”，不能导入到“{unit}” the row names another unit")]
    return []
