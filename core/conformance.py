"""``zwgk plugins check NAME``: does an installed plugin keep the contract?

Loads the plugin beside the national data (and nothing else), validates every
record against the schemas, applies everything to a scratch SQLite database so
that every reference (domain, unit, standard, indicator, schedule) is resolved,
and checks that the plugin's records stay inside its region and its rules answer
with known steps.  The deployment's own database is never touched.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import select

from . import models as m
from .catalog import REVIEW_STEPS
from .db import Database
from .loader import KINDS, DataError, Problem
from .plugin_manager import PluginError, apply, call_for, collect, get_plugin_manager, plugin_info


def _within(path: str, region: str) -> bool:
    return path == region or path.startswith(region + "/")


def _outside_region(batch: dict, region: str) -> list[Problem]:
    """Records of a regional plugin belong to its region (units may also be its ancestors)."""
    out = []
    for kind in KINDS:
        for rec in batch.get(kind.name, []):
            if kind.name == "units":
                key = kind.key(rec)
                ok = _within(key, region) or region.startswith(key + "/")
                field = "name"
            elif "scope" in rec:
                ok, field = rec["scope"] is not None and _within(rec["scope"], region), "scope"
            else:
                continue
            if not ok:
                label = rec.get("name") or rec.get("title") or rec.get("task") or rec.get("code") or ""
                out.append(Problem(rec.get("_at", kind.name), str(label), field,
                                   f"不在本插件地区 {region} 内 outside the plugin's region"))
    return out


def check_plugin(name: str) -> list[Problem]:
    """Every problem found in plugin ``name``; an empty list means it conforms."""
    where = f"插件 plugin {name}"
    try:
        pm = get_plugin_manager([name])
    except PluginError as exc:
        return [Problem(where, "", None, str(exc))]
    info = plugin_info(pm, name)
    problems: list[Problem] = []
    if not info.get("title"):
        problems.append(Problem(where, "", "zwgk_plugin_info.title", "缺少标题 missing title"))
    try:
        batch = collect(pm, name)
    except DataError as exc:
        return problems + exc.problems

    region = info.get("region")
    if region:
        problems.extend(_outside_region(batch, region))
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'check.sqlite'}")
        try:
            db.upgrade()
            apply(db, pm)
            if region:
                with db.sessionmaker() as session:
                    if session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == region)) is None:
                        problems.append(Problem(where, "", "zwgk_plugin_info.region",
                                                f"地区 {region} 不是已知单位 is not a known unit: add it with "
                                                "zwgk_register_units or use an existing path"))
        except DataError as exc:
            problems.extend(exc.problems)
        finally:
            db.dispose()

    for path in filter(None, [region]):
        for steps in call_for(pm, name, "zwgk_review_steps", unit_path=path):
            unknown = set(steps or ()) - set(REVIEW_STEPS)
            if unknown:
                problems.append(Problem(where, "", "zwgk_review_steps",
                                        f"未知的审核步骤 unknown steps {sorted(unknown)}; known: {list(REVIEW_STEPS)}"))
    return problems
