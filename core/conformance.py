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
from .documents import OUTSIDE, iter_sources, section_problem, text_path
from .loader import AT, KINDS, DataError, Problem, _label
from .plugin_manager import NATIONAL, PluginError, apply, call_for, collect, get_plugin_manager, plugin_info


def declared_documents(pm, names) -> dict[str, tuple[dict, Path | None]]:
    """The documents the given origins declare, by 文号, by the file name of their text and by title."""
    out: dict[str, tuple[dict, Path | None]] = {}
    for name in names:
        plugin = pm.get_plugin(name)
        for result in call_for(pm, name, "zwgk_register_documents"):
            for doc in result or ():
                entry = (doc, text_path(plugin, doc))
                for k in (doc.get("number"), doc.get("text_file"), doc.get("title")):
                    if k:
                        out.setdefault(k, entry)
    return out


def citation_problems(pm, name: str, batch: dict) -> list[Problem]:
    """Every ``source`` of an origin's records must cite a document that it or the national data
    declares, and a section that occurs in the document's text when the text is shipped."""
    docs = declared_documents(pm, dict.fromkeys([NATIONAL, name]))
    out = []
    plugin = pm.get_plugin(name)
    if getattr(plugin, "documents_dir", None) is not None:  # a DataPlugin ships its texts in documents/
        for doc in batch.get("documents", []):
            if doc.get("text_file") and text_path(plugin, doc) is None:
                out.append(Problem(doc.get(AT, "documents"), _label(doc), "text_file",
                                   f"找不到正文 no such text: {plugin.documents_dir / doc['text_file']}"))
    for kind in KINDS:
        for rec in batch.get(kind.name, []):
            for src in iter_sources(rec):
                file, section = src.get("file"), src.get("section") or ""
                if file == OUTSIDE:
                    continue
                if file not in docs:
                    out.append(Problem(rec.get(AT, kind.name), _label(rec), "source.file",
                                       f"引用了未声明的文件 cites an undeclared document {file!r}: declare it with "
                                       "zwgk_register_documents (data/documents.yaml), or write file: 文件之外"))
                    continue
                path = docs[file][1]
                why = section_problem(str(path), section) if path else None
                if why:
                    out.append(Problem(rec.get(AT, kind.name), _label(rec), "source.section",
                                       f"{file} 中找不到章节 no such section {section!r}: {why}"))
    return out


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


def national_contradictions(pm, name: str, batch: dict) -> list[Problem]:
    """Warnings where a plugin contradicts the national data: more pilot units than its programme's
    ``unit_count``, or units it calls national (2017) pilots that the national pilot table lacks."""
    national = collect(pm, NATIONAL)
    unit_kind = next(k for k in KINDS if k.name == "units")
    national_pilots = {unit_kind.key(u) for u in national.get("units", []) if u.get("is_pilot")}
    pilots = {unit_kind.key(u): u for u in national.get("units", []) + batch.get("units", []) if u.get("is_pilot")}
    out = []
    for prog in batch.get("pilot_programs", []):
        scope, count = prog.get("scope"), prog.get("unit_count")
        if not scope or count is None:
            continue
        inside = [k for k, u in pilots.items() if _within(k, scope)
                  and (prog.get("edition") is None or u.get("pilot_edition") in (None, prog.get("edition")))]
        if len(inside) > count:
            out.append(Problem(prog.get(AT, "pilot_programs"), prog["title"], "unit_count",
                               f"试点单位 {len(inside)} 个，多于试点工作的 {count} 个 more pilot units than the "
                               f"programme's unit_count", warning=True))
    for unit in batch.get("units", []):
        key = unit_kind.key(unit)
        if unit.get("is_pilot") and unit.get("pilot_edition") == 2017 and key not in national_pilots:
            out.append(Problem(unit.get(AT, "units"), unit["name"], "pilot_edition",
                               "国家试点单位表（国办发〔2017〕42号附件）中没有该单位 not in the national pilot "
                               "table, yet claimed as a 2017 national pilot", warning=True))
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
    problems.extend(citation_problems(pm, name, batch))
    problems.extend(national_contradictions(pm, name, batch))
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
