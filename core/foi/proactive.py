"""依申请转主动: information asked for often becomes proactive disclosure.

条例第四十四条: information that several applicants ask the same office for, and that may be
disclosed, can be brought into proactive disclosure; 鲁政办发〔2018〕21号 六(三) asks for a
mechanism (建立依申请转主动公开工作机制, ``001_38f7583137ba7a7e.txt``).  Requests are grouped by
the topic staff give them (the information asked for, named once), per handling unit.  The
action drafts a catalog item that goes through the same validation as any other item and starts
as a draft in the normal review workflow.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import models as m
from ..catalog import validate_item
from ..loader import Problem
from ..timelimits import DEFAULT_PROACTIVE
from ..unitpath import under
from .models import InfoRequest

BASIS = "《中华人民共和国政府信息公开条例》第四十四条（依申请转主动公开）"


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def same_topic(text: str) -> str:
    """Topics that differ only in Traditional/Simplified script, width or spacing are one topic."""
    return re.sub(r"\s+", "", _t2s().convert(unicodedata.normalize("NFKC", text or "")))


@dataclass
class FrequentTopic:
    unit: str
    topic: str
    count: int
    request_ids: list[int]
    domain: str | None
    item_id: int | None  # the catalog item already drafted from it


def frequent(session: Session, region: str | None, start: dt.date, end: dt.date, n: int) -> list[FrequentTopic]:
    """Topics asked for at least ``n`` times, received between ``start`` and ``end`` (both included)."""
    if n < 1:
        raise ValueError("n: 至少为1 at least 1")
    if end < start:
        raise ValueError(f"to: {end} 早于 from {start} is before the start")
    q = (select(InfoRequest).join(m.AdminUnit, InfoRequest.unit)
         .where(InfoRequest.topic.isnot(None), InfoRequest.received_on >= start, InfoRequest.received_on <= end)
         .order_by(InfoRequest.id))
    if region is not None:
        q = q.where(under(m.AdminUnit.key, region))
    groups: dict[tuple[str, str], list[InfoRequest]] = {}
    for req in session.scalars(q):
        groups.setdefault((req.unit.key, same_topic(req.topic)), []).append(req)
    out = []
    for (unit, _key), reqs in groups.items():
        topic = reqs[0].topic.strip()
        if len(reqs) < n:
            continue
        domains = [r.domain.name for r in reqs if r.domain is not None]
        drafted = next((r.proactive_item_id for r in reqs if r.proactive_item_id), None)
        out.append(FrequentTopic(unit, topic, len(reqs), [r.id for r in reqs],
                                 max(set(domains), key=domains.count) if domains else None, drafted))
    return sorted(out, key=lambda t: (-t.count, t.unit, t.topic))


def proposal(topic: FrequentTopic, unit: m.AdminUnit) -> dict[str, Any]:
    """The draft item's fields, to be reviewed by the officer before it is saved."""
    return {"unit": topic.unit, "domain": topic.domain or "", "level1": topic.topic,
            "content": topic.topic, "basis": BASIS, "time_limit": DEFAULT_PROACTIVE, "subject": unit.name,
            "channels": "", "method_active": True, "audience_public": True}


def draft_item(session: Session, pm: Any, region: str | None, start: dt.date, end: dt.date, n: int, unit: str,
               topic: str, fields: dict[str, Any], actor: str) -> tuple[m.CatalogItem | None, list[Problem]]:
    """Draft the catalog item for one frequent topic; nothing is written when a check fails."""
    found = [t for t in frequent(session, region, start, end, n)
             if t.unit == unit and same_topic(t.topic) == same_topic(topic)]
    if not found:
        return None, [Problem("", topic, "topic", f"在所选期间申请不足{n}次 not asked for {n} times in the period")]
    t = found[0]
    if t.item_id:
        return None, [Problem("", topic, "topic", f"已起草公开事项 already drafted as item #{t.item_id}")]
    raw = {**fields, "unit": unit, "status": "draft"}
    for flag in ("method_active", "audience_public", "audience_specific", "method_on_request"):
        raw[flag] = bool(raw.get(flag))
    raw = {k: (v if v != "" else None) for k, v in raw.items()}
    if isinstance(raw.get("channels"), str):  # typed as one text: the channels it names, a list (issue 12)
        from ..catalog_readers import channels

        raw["channels"] = channels(raw["channels"])
    data, problems = validate_item(session, pm, raw, "依申请转主动")
    if problems or data is None:
        return None, problems
    unit_obj = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == unit))
    from ..domains import resolve_domain

    domain = resolve_domain(session, data["domain"])
    columns = {k: v for k, v in data.items() if k not in ("unit", "domain", "source") and hasattr(m.CatalogItem, k)}
    numbers = session.scalars(select(InfoRequest.tracking_no).where(InfoRequest.id.in_(t.request_ids))).all()
    item = m.CatalogItem(**columns, unit=unit_obj, domain=domain, source_file="依申请公开记录",
                         source_section=f"依申请转主动：{t.count}件申请 " + "、".join(numbers)[:180])
    session.add(item)
    session.flush()
    for req in session.scalars(select(InfoRequest).where(InfoRequest.id.in_(t.request_ids))):
        req.proactive_item_id = item.id
    session.info["actor"] = actor
    return item, []


