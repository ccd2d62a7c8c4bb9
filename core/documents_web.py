"""The documents of a region, with what was derived from each: a public page and an admin view.

"this data comes from 鲁政办发〔2018〕21号 六(三)": every current record whose ``source`` cites a
document is listed under it, by kind; facts from outside the documents are listed as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, render_template, request

from .documents import LEVEL_NAMES, OUTSIDE, STATUS_NAMES, PolicyDocument, documents_of

bp = Blueprint("public_documents", __name__)

#: how each kind is called on the page
KIND_NAMES = {"stages": "五公开", "elements": "目录要素", "element_requirements": "必备要素", "domains": "领域",
              "domain_aliases": "领域别称", "domain_successions": "领域沿革", "units": "单位",
              "pilot_programs": "试点工作", "standards": "标准", "responsibilities": "责任清单",
              "schedules": "进度安排", "schedule_phases": "阶段", "milestones": "节点", "obligations": "公开要求",
              "indicators": "考核指标"}


@dataclass(frozen=True)
class Derived:
    """One record derived from a document: "this data comes from 鲁政办发〔2018〕21号 六(三)"."""

    kind: str
    label: str
    section: str | None
    text: str | None
    region: str | None


def derived_from(session: Any, doc: PolicyDocument) -> list[Derived]:
    """Every current record citing ``doc`` (by 文号, by its text's file name or by title), by kind."""
    from sqlalchemy import select

    from .loader import KINDS, _label
    from .scope import record_path

    names = [n for n in (doc.number, doc.text_file, doc.title) if n]
    out = []
    for kind in KINDS:
        if kind.model is PolicyDocument:
            continue
        model = kind.model
        query = select(model).where(model.source_file.in_(names), model.retired_at.is_(None)).order_by(model.id)
        for obj in session.scalars(query):
            label = _label({f: getattr(obj, f, None) for f in ("name", "title", "code", "alias", "task")})
            if hasattr(obj, "wording"):  # an element requirement: the element as the document names it
                label = obj.wording or obj.element.name
            label = label or obj.key
            out.append(Derived(kind.name, label, obj.source_section, obj.source_text, record_path(obj)))
    return out


def page_context(session: Any, region: str | None) -> dict[str, Any]:
    """What both pages show: the documents (national first) with their derived records by kind."""
    from sqlalchemy import select

    from .loader import KINDS, _label
    from .scope import record_path

    docs = documents_of(session, region or None)
    listed = []
    for doc in docs:
        by_kind: dict[str, list[Derived]] = {}
        for d in derived_from(session, doc):
            if region and d.region and not (d.region == region or d.region.startswith(region + "/")):
                continue
            by_kind.setdefault(d.kind, []).append(d)
        listed.append((doc, by_kind))
    outside: list[Any] = []  # facts that no document states, shown as such
    for kind in KINDS:
        if kind.model is PolicyDocument:
            continue
        for obj in session.scalars(select(kind.model).where(kind.model.source_file == OUTSIDE,
                                                            kind.model.retired_at.is_(None))):
            path = record_path(obj)
            if region and path and not (path == region or path.startswith(region + "/")):
                continue
            outside.append((kind.name, _label({f: getattr(obj, f, None) for f in ("name", "title", "code")}) or obj.key,
                            obj.source_section))
    return {"documents": listed, "outside": outside, "region": region or "", "kind_names": KIND_NAMES,
            "level_names": LEVEL_NAMES, "status_names": STATUS_NAMES}


def document_text(doc: PolicyDocument) -> str | None:
    """The shipped text of a document (from the plugin that declared it), or None."""
    from .plugin_manager import get_pm

    plugin = get_pm().get_plugin(doc.origin)
    base = getattr(plugin, "documents_dir", None)
    if not doc.text_file or base is None:
        return None
    path = Path(base) / doc.text_file
    return path.read_text(encoding="utf-8") if path.is_file() else None


@bp.get("/documents")
def documents_page():
    from .db import get_db

    region = request.args.get("region", "").strip()
    if any(ord(c) < 32 or ord(c) == 127 for c in region):  # a NUL no database compares: a bad request
        abort(400)
    session = get_db().scoped()
    context = page_context(session, region)
    from .public import _english

    if _english():  # the admin's words for kinds, levels and statuses (English msgids)
        from .admin.documentsview import KIND_NAMES as kinds, LEVEL_NAMES as levels, STATUS_NAMES as statuses

        context.update(kind_names=kinds, level_names=levels, status_names=statuses)
    return render_template("public/documents.html", **context)


@bp.get("/documents/<int:doc_id>/text")
def document_text_page(doc_id: int):
    from .db import get_db

    doc = get_db().scoped().get(PolicyDocument, doc_id)
    if doc is None or doc.retired_at is not None:
        abort(404)
    text = document_text(doc)
    if text is None:
        abort(404)
    return render_template("public/document_text.html", doc=doc, text=text)


def init_app(app) -> None:
    app.register_blueprint(bp)
