"""Public, read-only pages: regions → units → domains → the catalog, items and their history,
standard systems, search.  Server-rendered, no script needed, stable URLs; the JSON API is in
:mod:`zwgk.api`."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import func, select

from . import catalog_history, export
from . import models as m
from .db import get_db
from .plugin_manager import describe_plugins, get_pm

bp = Blueprint("public", __name__)

# Kinds the public may read; history and scores stay inside the admin.
PUBLIC_KINDS = tuple(k for k in export.KINDS if k not in ("changes", "scores"))


@bp.get("/")
def index():
    session = get_db().scoped()
    domains = session.scalars(select(m.Domain).where(m.Domain.retired_at.is_(None)).order_by(m.Domain.position)).all()
    pilots = session.scalar(select(func.count()).select_from(m.AdminUnit).where(m.AdminUnit.is_pilot))
    provinces = session.scalars(
        select(m.AdminUnit).where(m.AdminUnit.level == "province").order_by(m.AdminUnit.position)
    ).all()
    editions = {e: sum(e in (d.editions or []) for d in domains) for e in m.EDITIONS}
    return render_template("index.html", domains=domains, pilots=pilots, provinces=provinces, editions=editions,
                           plugins=describe_plugins(get_pm()), kinds=PUBLIC_KINDS)


def _published_units(session) -> list[str]:
    """Units whose catalogs have something published (the public pages offer these)."""
    from .published import PublishedCount

    # from the kept counts (a row per unit and domain), not the published rows
    has_items = m.AdminUnit.id.in_(select(PublishedCount.unit_id).where(PublishedCount.n > 0))
    return list(session.scalars(select(m.AdminUnit.key).where(has_items).order_by(m.AdminUnit.key)))


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@bp.app_context_processor
def _language() -> dict[str, Any]:
    """Every public page (and the pages that extend its base) knows the interface's language:
    the admin's switch (``/lang/<code>``, kept in the session) chooses it for both."""
    from flask_babel import get_locale

    return {"ui_english": str(get_locale() or "").startswith("en")}


def _english() -> bool:
    from flask_babel import get_locale

    return str(get_locale() or "").startswith("en")


#: 五公开 and tiers in English (the catalog's values are codes; Chinese pages show the 标准目录's words)
_STAGES_EN = {"decision": "Decision", "execution": "Execution", "management": "Management", "service": "Service",
              "result": "Result"}
_TIERS_EN = {"province": "Province", "city": "City", "county": "County", "township": "Township",
             "village": "Village"}


def _shown_in_language(shown: Any) -> Any:
    """The catalog's ``shown`` (√ for yes, 五公开 and tiers by name), naming codes in English on English pages."""
    if not _english():
        return shown

    def english(value: Any) -> str:
        if isinstance(value, list) and value and all(v in _STAGES_EN or v in _TIERS_EN for v in value):
            return ", ".join(_STAGES_EN.get(v) or _TIERS_EN[v] for v in value)
        return shown(value)

    return english


@bp.before_request
def _refuse_control_characters():
    """A NUL or other control character in a query is a bad request, not a database error."""
    if any(_CONTROL.search(v) for v in request.args.values()) or any(_CONTROL.search(k) for k in request.args):
        abort(400)


@bp.after_request
def _cacheable(response):
    """ETag on every public page, so a county site or a cache can ask "has it changed?"."""
    if request.method == "GET" and response.status_code == 200 and not response.is_streamed:
        response.add_etag()
        response.make_conditional(request)
    return response


def _resolve(session, region: str) -> str:
    try:
        return export.resolve_region(session, get_pm(), region)[0] or ""
    except export.ExportError:
        abort(404)


def _unit_counts(session) -> dict[str, int]:
    """Published items per unit path, each counted in its unit and every unit above it; read from
    the kept counts (``published_count``: a row per unit and domain), not a scan of the items."""
    from .published import PublishedCount

    counts: dict[str, int] = {}
    rows = session.execute(select(m.AdminUnit.key, func.sum(PublishedCount.n))
                           .join(m.AdminUnit, m.AdminUnit.id == PublishedCount.unit_id)
                           .group_by(m.AdminUnit.key))
    for key, n in rows:
        n = int(n or 0)
        parts = key.split("/")
        for i in range(1, len(parts) + 1):
            counts["/".join(parts[:i])] = counts.get("/".join(parts[:i]), 0) + n
    return counts


@bp.get("/regions")
def regions_page():
    """地区: the provinces (and other top units) with how many items each has published."""
    session = get_db().scoped()
    counts = _unit_counts(session)
    tops = session.scalars(select(m.AdminUnit).where(m.AdminUnit.parent_id.is_(None))
                           .order_by(m.AdminUnit.position, m.AdminUnit.key)).all()
    return render_template("public/regions.html", units=tops, counts=counts, unit=None, trail=[])


@bp.get("/regions/<path:key>")
def unit_page(key: str):
    """A unit: the units below it, the domains of its published catalog, its standards and documents."""
    from .published import PublishedCount, units_under

    session = get_db().scoped()
    unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == key))
    if unit is None:
        abort(404)
    counts = _unit_counts(session)
    children = sorted(unit.children, key=lambda u: (u.position, u.key))
    by_domain = {d: int(n) for d, n in session.execute(
        select(PublishedCount.domain_id, func.sum(PublishedCount.n))
        .where(PublishedCount.unit_id.in_(units_under(unit.key))).group_by(PublishedCount.domain_id)) if n}
    domains = session.scalars(select(m.Domain).where(m.Domain.id.in_(list(by_domain) or [-1]))
                              .order_by(m.Domain.position)).all()
    has_standards = session.scalar(select(func.count()).select_from(m.Standard).where(
        m.Standard.scope_id.in_(units_under(unit.key)))) or 0
    trail = _trail(session, unit.key)
    return render_template("public/regions.html", unit=unit, units=children, counts=counts, domains=domains,
                           by_domain=by_domain, has_standards=has_standards, trail=trail,
                           documents=_documents_link(unit.key))


def _trail(session, key: str) -> list[tuple[str, str]]:
    parts = key.split("/")
    paths = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    names = dict(session.execute(select(m.AdminUnit.key, m.AdminUnit.name).where(m.AdminUnit.key.in_(paths))).all())
    return [(p, names.get(p, p.rsplit("/", 1)[-1])) for p in paths]


def _documents_link(unit_key: str) -> str | None:
    """Extension point: the policy documents (政策文件) of a region.  The document model is another
    issue's (#11); when it registers a public endpoint named ``public_documents.index`` (taking
    ``region``), the unit pages link to it.  Until then there is nothing to link."""
    from flask import current_app, url_for

    if "public_documents.index" in current_app.view_functions:
        return url_for("public_documents.index", region=unit_key)
    return None


#: the 标准目录 layout: (top header, sub header, field); a top header spanning several columns
#: repeats on each, the template merges them
LAYOUT = [
    (_l("No."), "", "seq"), (_l("Disclosure item"), _l("First-level item"), "level1"),
    (_l("Disclosure item"), _l("Second-level item"), "level2"),
    (_l("Disclosure content (elements)"), "", "content"), (_l("Disclosure basis"), "", "basis"),
    (_l("Disclosure time limit"), "", "time_limit"),
    (_l("Disclosing body"), "", "subject"), (_l("Disclosure channels and carriers"), "", "channels"),
    (_l("Disclosed to"), _l("The whole society"), "audience_public"),
    (_l("Disclosed to"), _l("Specific groups"), "audience_specific"),
    (_l("Disclosure method"), _l("Proactively"), "method_active"),
    (_l("Disclosure method"), _l("Upon request"), "method_on_request"),
]
#: 公开层级's tiers (县级 …) as column headings
TIER_HEADINGS = {"province": _l("Province level"), "city": _l("City level"), "county": _l("County level"),
                 "township": _l("Township level"), "village": _l("Village level")}


def _layout(items: list[dict]) -> list[tuple[str, str, str]]:
    """LAYOUT with a 公开层级 column for each tier the items publish at (县级 and 乡级 always), each item marked ``level_<tier>`` for the √ (公开层级 is a set of tiers)."""
    from .catalog_readers import TIERS

    present = [t for t in TIERS if t in ("county", "township") or any(t in (i.get("levels") or ()) for i in items)]
    for i in items:
        for t in TIERS:
            i[f"level_{t}"] = t in (i.get("levels") or ())
    return LAYOUT + [(_l("Disclosure level"), TIER_HEADINGS[t], f"level_{t}") for t in present]
#: local columns, shown when the region requires them or an item on the page has them
EXTRA = [(_l("Category"), "category"), (_l("Third-level item"), "level3"), (_l("Responsible office"), "department"),
         (_l("Disclosure duration"), "duration"), (_l("Five disclosures"), "stages")]


def _columns(items: list[dict], required_fields: set[str], show_domain: bool,
             layout: list[tuple[str, str, str]]) -> tuple[list, list]:
    extra = [(label, f) for label, f in EXTRA if f in required_fields or any(i.get(f) for i in items)]
    if show_domain:
        extra.insert(0, (_l("Domain"), "domain"))
    top: list[list] = []  # [label, colspan, rowspan]
    for label, sub, _f in layout:
        if top and top[-1][0] == label and sub:
            top[-1][1] += 1
        else:
            top.append([label, 1, 1 if sub else 2])
    top += [[label, 1, 2] for label, _f in extra]
    return top, [sub for _l, sub, _f in layout if sub], extra


def _region_and_domain(session, region: str, domain_name: str) -> tuple[str | None, Any, str | None]:
    """The unit path and domain a public page was asked for, or the reason it cannot be read."""
    from .domains import resolve_domain

    path, error = None, None
    if region:
        try:
            path = export.resolve_region(session, get_pm(), region)[0]
        except export.ExportError:
            error = gettext("Unknown region or unit: %(name)s", name=region)
    domain = resolve_domain(session, domain_name) if domain_name else None
    if domain_name and domain is None:
        error = gettext("Unknown domain: %(name)s", name=domain_name)
    return path, domain, error


@bp.get("/catalog")
def catalog_page():
    """公开目录: a unit's published catalog (and the units below it) in the 标准目录 layout, one
    keyset page at a time (at most 200 rows), optionally one domain."""
    from .catalog import ELEMENT_FIELDS, ELEMENT_WORDS_EN, required_elements
    from .catalog_io import shown
    from .published import MAX_PAGE, page

    session = get_db().scoped()
    units = _published_units(session)
    region = request.args.get("region") or (units[0] if units else "")
    domain_name = request.args.get("domain") or ""
    try:
        limit = min(max(int(request.args.get("limit", 100)), 1), MAX_PAGE)
        after = min(int(request.args["after"]), 2**31 - 1) if request.args.get("after") else None  # ids are 32-bit
    except ValueError:
        abort(400)
    error, items, next_after, required = None, [], None, []
    path, domain, error = _region_and_domain(session, region, domain_name)
    if path and not error:
        items, next_after = page(session, path, domain.id if domain else None, after=after, limit=limit)
        required = required_elements(session, path)
    required_fields = {f for r in required for f in (ELEMENT_FIELDS.get(r.element.code) or ())}
    layout = _layout(items)
    top, sub, extra = _columns(items, required_fields, domain is None, layout)
    for i in items:  # the day it was published, in Beijing time
        i["published_on"] = catalog_history.in_beijing(i["published_at"])[:10]
    return render_template("public/catalog.html", units=units, region=region, path=path, items=items, error=error,
                           domain=domain, top=top, sub=sub, layout=layout, extra=extra, shown=_shown_in_language(shown),
                           required=required, element_words_en=ELEMENT_WORDS_EN, next_after=next_after, after=after,
                           limit=limit,
                           trail=_trail(session, path) if path else [])


@bp.get("/catalog/items/<int:item_id>")
def item_page(item_id: int):
    """A published item with every element and its public history (公开的变更记录)."""
    from .admin.labels import LABELS
    from .catalog_io import shown
    from .published import PublishedItem, public_history

    session = get_db().scoped()
    row = session.get(PublishedItem, item_id) if item_id < 2**31 else None
    if row is None:
        abort(404)
    history = public_history(session, item_id)
    for h in history:
        h["at_bj"] = catalog_history.in_beijing(h["at"])
    fields = [((sub or top), f) for top, sub, f in _layout([row.record])] + [(label, f) for label, f in EXTRA]
    return render_template("public/item.html", item=row.record, history=history, fields=fields, shown=_shown_in_language(shown),
                           labels=LABELS, trail=_trail(session, row.unit_key),
                           published_on=catalog_history.in_beijing(row.record["published_at"]))


@bp.get("/standards")
def standards_page():
    """标准体系: a region's standard system as a tree picture and a list (national when no region)."""
    from .admin import charts
    from .published import units_under

    session = get_db().scoped()
    region = request.args.get("region") or ""
    unit = None
    q = select(m.Standard).order_by(m.Standard.position, m.Standard.code)
    if region:
        unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == _resolve(session, region)))
        if unit is None:
            abort(404)
        q = q.where(m.Standard.scope_id.in_(units_under(unit.key)))
    else:
        q = q.where(m.Standard.scope_id.is_(None))
    standards = list(session.scalars(q))
    title = gettext("%(unit)s standard system of grassroots disclosure", unit=unit.name if unit else gettext("National"))
    categories = {"general": gettext("General and basic"), "platform": gettext("Platform"),
                  "evaluation": gettext("Evaluation (standard category)"), "domain": gettext("Domain")}
    statuses = {"draft": gettext("Being drafted"), "trial": gettext("Trial"), "in_force": gettext("In effect"),
                "withdrawn": gettext("Abolished")}
    return render_template("public/standards.html", title=title, unit=unit, standards=standards,
                           categories=categories, statuses=statuses,
                           chart=charts.standard_tree(title, standards) if standards else None,
                           trail=_trail(session, unit.key) if unit else [])


SEARCH_PAGE = 20
SEARCH_MAX_OFFSET = 1000  # deeper than 50 pages of ranked results nobody reads; the API pages everything


@bp.get("/search")
def search_page():
    """检索: published items, standards (and documents, when there are) by words written in
    Simplified or Traditional, ranked, highlighted, filtered by region and domain."""
    from .catalog_io import shown
    from .published import RANK_CAP, search_capped
    from .textsearch import fold, highlight, query_terms

    session = get_db().scoped()
    q = (request.args.get("q") or "").strip()[:100]
    region, domain_name = request.args.get("region") or "", request.args.get("domain") or ""
    try:
        offset = min(max(int(request.args.get("start", 0)), 0), SEARCH_MAX_OFFSET)
    except ValueError:
        abort(400)
    error, items, standards, terms = None, [], [], query_terms(q) if q else []
    capped = False
    path, domain, error = _region_and_domain(session, region, domain_name)
    if terms and not error:
        items, capped = search_capped(session, terms, path, domain.id if domain else None, SEARCH_PAGE + 1, offset,
                                      RANK_CAP)
        standards = _search_standards(session, terms, path, domain) if offset == 0 else []
    more = len(items) > SEARCH_PAGE
    items = items[:SEARCH_PAGE]
    fields = ("level1", "level2", "content", "basis", "subject")
    for i in items:
        i["_hl"] = {f: highlight(shown(i.get(f)), terms) for f in fields}
    domains = session.scalars(select(m.Domain).order_by(m.Domain.position)).all()
    return render_template("public/search.html", q=q, region=region, domain=domain, domains=domains, items=items,
                           standards=[(st, highlight(st.title, terms)) for st in standards], error=error,
                           terms=terms, offset=offset, more=more and offset + SEARCH_PAGE <= SEARCH_MAX_OFFSET,
                           page_size=SEARCH_PAGE, folded=fold(q), documents=_documents_link(path or ""),
                           capped=capped, rank_cap=RANK_CAP, several=len(terms) > 1)


def _search_standards(session, terms: list[str], path: str | None, domain) -> list:
    """Standards whose code or title holds a query word (folded); a few hundred rows at most,
    read and ranked here by how many of the words each has."""
    from .published import units_under
    from .textsearch import fold

    q = select(m.Standard)
    if path:
        q = q.where(m.Standard.scope_id.in_(units_under(path)) | m.Standard.scope_id.is_(None))
    if domain is not None:
        q = q.where(m.Standard.domain_id == domain.id)
    scored = []
    for st in session.scalars(q):
        text = fold(f"{st.code} {st.title}")
        hits = sum(t in text for t in terms)
        if hits:
            scored.append((-hits, st.position, st.code, st))
    return [st for *_k, st in sorted(scored, key=lambda r: r[:3])][:20]


@bp.get("/catalog/changes")
def changes_page():
    """目录调整记录: what the public saw change in a unit's catalog between two dates."""
    from .published import MAX_PAGE

    session = get_db().scoped()
    units = _published_units(session)
    region = request.args.get("region") or (units[0] if units else "")
    try:
        limit = min(max(int(request.args.get("limit", CHANGES_PAGE)), 1), MAX_PAGE)
        after = min(int(request.args["after"]), 2**31 - 1) if request.args.get("after") else None  # ids are 32-bit
    except ValueError:
        abort(400)
    error, result, next_after = None, None, None
    try:
        start = catalog_history.parse_moment(request.args.get("from"))
        end = catalog_history.parse_moment(request.args.get("to"), end=True)
        if region:
            path = export.resolve_region(session, get_pm(), region)[0]
            result, next_after = catalog_history.diff_page(session, path, start, end, after, limit)
    except export.ExportError:
        error = gettext("Unknown region or unit: %(name)s", name=region)
    except ValueError:
        error = gettext("Not a date or time: write it like 2025-01-31 or 2025-01-31T09:30.")
    from .admin.labels import LABELS
    from .catalog_io import shown

    return render_template("public/changes.html", units=units, region=region, args=request.args, result=result,
                           error=error, labels=LABELS, shown=_shown_in_language(shown), after=after,
                           next_after=next_after, limit=limit)


#: items per page of the public change list (``limit`` may ask up to MAX_PAGE)
CHANGES_PAGE = 100


def init_app(app) -> None:
    app.register_blueprint(bp)
    from . import api, jobs, public_export

    jobs.init_app(app)

    app.register_blueprint(public_export.bp)

    api.init_app(app)
