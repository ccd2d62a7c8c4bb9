"""Stored runs: what was computed, from which system and inputs; re-running; comparing two runs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .. import models as m
from ..participation.models import Feedback
from . import models as em
from .compute import Period, evaluate, parse_period, q2, serialise, units_in_scope
from .systems import leaves, walk


class RunError(ValueError):
    pass


def region_unit(session: Session, region: str) -> m.AdminUnit:
    unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == region))
    if unit is None:
        raise RunError(f"找不到单位 unknown unit: {region}")
    return unit


def fingerprint(session: Session, region: str) -> dict[str, Any]:
    """How big and how recent the inputs were: a re-run on the same fingerprint must give the same numbers."""
    ids = [u.id for u in units_in_scope(session, region)]
    item = m.CatalogItem
    return {
        "units": len(ids),
        "items": session.scalar(select(func.count()).select_from(item).where(item.unit_id.in_(ids))) or 0,
        "last_item_version": session.scalar(select(func.max(m.CatalogItemVersion.id))) or 0,
        "last_change": session.scalar(select(func.max(m.Change.id))) or 0,
        "last_assessment_score": session.scalar(select(func.max(em.AssessmentScore.id))) or 0,
        "survey_responses": session.scalar(select(func.count()).select_from(em.SurveyResponse)) or 0,
        "feedback_marks": session.scalar(select(func.count()).select_from(Feedback)) or 0,  # 公众评价
    }


def compute(session: Session, region: str, period: Period, system: dict[str, Any]) -> list[dict[str, Any]]:
    return [serialise(r) | {"unit_id": r["unit_id"]} for r in evaluate(session, region, period, system)]


def store_run(session: Session, region: str, period: Period, system: dict[str, Any], rows: list[dict[str, Any]],
              actor: str) -> em.EvaluationRun:
    unit = region_unit(session, region)
    run = em.EvaluationRun(region=unit, period=period.label, system_code=system["code"],
                           system_version=str(system["version"]), system=system, inputs_until=period.end_at,
                           fingerprint=fingerprint(session, region), created_at=dt.datetime.now(dt.timezone.utc),
                           created_by=actor, unit_count=len(rows))
    session.add(run)
    session.flush()
    session.execute(em.EvaluationResult.__table__.insert(), [
        dict(run_id=run.id, unit_id=r["unit_id"], total=Decimal(r["total"]), rank=r["rank"],
             detail={k: v for k, v in r.items() if k not in ("unit_id",)}) for r in rows])
    session.expire(run, ["results"])
    return run


def get_run(session: Session, run_id: int) -> em.EvaluationRun:
    run = session.get(em.EvaluationRun, run_id, options=[selectinload(em.EvaluationRun.results)])
    if run is None:
        raise RunError(f"找不到评估结果 no run #{run_id}")
    return run


def run_rows(run: em.EvaluationRun) -> list[dict[str, Any]]:
    return [dict(r.detail) for r in sorted(run.results, key=lambda r: (r.rank, r.detail["unit"]))]


def report_data(session: Session, run: em.EvaluationRun) -> dict[str, Any]:
    """Everything a report shows: the run, its system, rows, averages, and the region's history."""
    rows = run_rows(run)
    system = run.system
    nodes = [(n, d) for n, d in walk(system["indicators"])]
    averages = {}
    for n, _ in nodes:
        scores = [Decimal(r["indicators"][n["code"]]["score"]) for r in rows
                  if r["indicators"].get(n["code"], {}).get("score") is not None]
        averages[n["code"]] = q2(sum(scores) / len(scores)) if scores else None
    history = region_history(session, run.region.key, run.system_code, until=run)
    per_unit: dict[str, list[tuple[str, str]]] = {}
    for point in history:  # each unit's total in the latest run of every period so far
        q = (select(m.AdminUnit.key, em.EvaluationResult.total).join(m.AdminUnit, em.EvaluationResult.unit)
             .where(em.EvaluationResult.run_id == point["run"]))
        for key, total in session.execute(q):
            per_unit.setdefault(key, []).append((point["period"], q2(Decimal(total))))
    return {"run": describe(run), "system": system, "nodes": [{"node": n, "depth": d} for n, d in nodes],
            "leaves": leaves(system["indicators"]), "rows": rows, "averages": averages,
            "history": history, "unit_history": per_unit, "weight_in_assessment": weight_in_assessment(
                session, run.region.key)}


def weight_in_assessment(session: Session, region: str) -> list[dict[str, Any]]:
    """The weight disclosure carries in the region's comprehensive assessment, as its documents set it
    (山东: 不低于4%, 鲁政办发〔2018〕21号 八、（二）): the ``Indicator`` records of the region or above."""
    from ..catalog import scopes_of

    q = (select(m.Indicator).join(m.AdminUnit, m.Indicator.scope)
         .where(m.AdminUnit.key.in_(scopes_of(region)), m.Indicator.parent_id.is_(None),
                (m.Indicator.weight.isnot(None)) | (m.Indicator.min_weight.isnot(None))).order_by(m.Indicator.code))
    return [{"name": i.name, "weight": q2(i.weight) if i.weight is not None else None,
             "min_weight": q2(i.min_weight) if i.min_weight is not None else None, "source": i.source}
            for i in session.scalars(q)]


def describe(run: em.EvaluationRun) -> dict[str, Any]:
    from ..catalog_history import in_beijing

    return {"id": run.id, "region": run.region.key, "region_name": run.region.name, "period": run.period,
            "system_code": run.system_code, "system_version": run.system_version, "system_title": run.system["title"],
            "inputs_until": in_beijing(run.inputs_until), "created_at": in_beijing(run.created_at),
            # the period's last day: inputs_until is the instant after it (2019-01-01 00:00 for 2018)
            "last_day": ((run.inputs_until if run.inputs_until.tzinfo else run.inputs_until.replace(tzinfo=dt.timezone.utc))
                         .astimezone(dt.timezone(dt.timedelta(hours=8))) - dt.timedelta(microseconds=1)).date().isoformat(),
            "created_by": run.created_by, "units": run.unit_count, "fingerprint": run.fingerprint,
            "published_at": in_beijing(run.published_at) if run.published_at else None}


def _period_key(label: str) -> tuple[dt.date, dt.date]:
    p = parse_period(label)
    return p.end, p.start


def latest_runs(session: Session, region: str, system_code: str | None = None,
                published_only: bool = False) -> list[em.EvaluationRun]:
    """The latest run of each period for a region, oldest period first."""
    q = select(em.EvaluationRun).join(m.AdminUnit, em.EvaluationRun.region).where(m.AdminUnit.key == region)
    if system_code:
        q = q.where(em.EvaluationRun.system_code == system_code)
    if published_only:
        q = q.where(em.EvaluationRun.published_at.isnot(None))
    latest: dict[str, em.EvaluationRun] = {}
    for run in session.scalars(q.order_by(em.EvaluationRun.id)):
        latest[run.period] = run
    return [latest[p] for p in sorted(latest, key=_period_key)]


def region_history(session: Session, region: str, system_code: str | None = None,
                   until: em.EvaluationRun | None = None) -> list[dict[str, Any]]:
    """The region's average total per period (latest run of each), up to ``until``'s period."""
    out = []
    for run in latest_runs(session, region, system_code):
        if until is not None and _period_key(run.period) > _period_key(until.period):
            continue
        if until is not None and run.period == until.period:
            run = until
        totals = session.execute(select(func.avg(em.EvaluationResult.total), func.count())
                                 .where(em.EvaluationResult.run_id == run.id)).one()
        out.append({"period": run.period, "run": run.id,
                    "average": q2(Decimal(str(totals[0]))) if totals[0] is not None else None})
    return out


def unit_history(session: Session, unit_key: str, published_only: bool = False) -> list[dict[str, Any]]:
    """A unit's total, rank and indicator scores in the latest run of each period that scored it."""
    q = (select(em.EvaluationResult, em.EvaluationRun).join(em.EvaluationRun, em.EvaluationResult.run)
         .join(m.AdminUnit, em.EvaluationResult.unit).where(m.AdminUnit.key == unit_key)
         .order_by(em.EvaluationRun.id))
    if published_only:
        q = q.where(em.EvaluationRun.published_at.isnot(None))
    latest: dict[str, tuple[em.EvaluationResult, em.EvaluationRun]] = {}
    for result, run in session.execute(q):
        latest[run.period] = (result, run)
    return [{"period": p, "run": latest[p][1].id, "total": q2(latest[p][0].total), "rank": latest[p][0].rank,
             "of": latest[p][1].unit_count,
             "indicators": {c: d.get("score") for c, d in latest[p][0].detail["indicators"].items()}}
            for p in sorted(latest, key=_period_key)]


def rerun(session: Session, run: em.EvaluationRun) -> dict[str, Any]:
    """Compute the run again with its own system and period; what differs (nothing, on the same data)."""
    rows = compute(session, run.region.key, parse_period(run.period), run.system)
    now = {"fingerprint": fingerprint(session, run.region.key)}
    # a run stored before a figure joined the fingerprint is compared on the figures it has
    return {"same_inputs": {k: now["fingerprint"].get(k) for k in run.fingerprint} == run.fingerprint, "fingerprint": now["fingerprint"],
            **_diff(run_rows(run), rows, run.system, run.system)}


def compare(session: Session, a: em.EvaluationRun, b: em.EvaluationRun) -> dict[str, Any]:
    """What changed from run ``a`` to run ``b``: totals, ranks and every indicator, per unit."""
    out = _diff(run_rows(a), run_rows(b), a.system, b.system)
    out["system_changed"] = (a.system_code, a.system_version) != (b.system_code, b.system_version)
    out["a"], out["b"] = describe(a), describe(b)
    return out


def _diff(old: list[dict[str, Any]], new: list[dict[str, Any]], sys_a: dict[str, Any],
          sys_b: dict[str, Any]) -> dict[str, Any]:
    names = {n["code"]: n["name"] for s in (sys_a, sys_b) for n, _ in walk(s["indicators"])}
    a = {r["unit"]: r for r in old}
    b = {r["unit"]: r for r in new}
    changed = []
    for unit in sorted(set(a) | set(b)):
        ra, rb = a.get(unit), b.get(unit)
        if ra is None or rb is None:
            changed.append({"unit": unit, "added": ra is None, "removed": rb is None,
                            "total": [ra and ra["total"], rb and rb["total"]]})
            continue
        inds = {}
        for code in sorted(set(ra["indicators"]) | set(rb["indicators"])):
            sa = ra["indicators"].get(code, {}).get("score")
            sb = rb["indicators"].get(code, {}).get("score")
            if sa != sb:
                inds[code] = {"name": names.get(code, code), "from": sa, "to": sb}
        if ra["total"] != rb["total"] or ra["rank"] != rb["rank"] or inds:
            delta = q2(Decimal(rb["total"]) - Decimal(ra["total"]))
            changed.append({"unit": unit, "total": [ra["total"], rb["total"]], "delta": delta,
                            "rank": [ra["rank"], rb["rank"]], "indicators": inds})
    return {"same": not changed, "changed": changed}


def publish(session: Session, run: em.EvaluationRun, actor: str) -> None:
    """通报: the run's results go on the public site."""
    run.published_at = dt.datetime.now(dt.timezone.utc)
    run.published_by = actor
