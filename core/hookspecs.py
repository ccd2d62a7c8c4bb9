"""The zwgk plugin contract: every hook a plugin may implement.

This module and ``docs/plugins.md`` are all a plugin author needs to read.

Contract version ``CONTRACT_VERSION``: a plugin states the major version it was
written for in ``zwgk_plugin_info``; the core refuses a plugin of another major
version.  Minor versions only add hooks or optional fields.

Hooks are additive: each returns a list of records (plain dicts in the shape of
the matching marshmallow schema in ``zwgk.schemas``), or rules or views.  The
core collects the lists of every enabled plugin, checks them for duplicates and
collisions, validates every record with the same schema, and only then writes.
A plugin never touches the database itself.

References between records use natural keys: a domain by its name (or an
alias), a unit by its path (``浙江省/杭州市/拱墅区``), a standard or an
indicator by its code within the same scope.  Every record carries
``source: {file, section[, text]}``, where ``file`` names a policy document
that the national data or the plugin itself declares (``zwgk_register_documents``),
by its 文号 or by the file name of its shipped text, and ``section`` occurs in that
text; a fact from outside the documents says so (``file: 文件之外``).

A record that a plugin's new version no longer returns is retired (已移除), never
deleted: it stays in the history and for what depends on it.
"""

from __future__ import annotations

from typing import Any

import pluggy

#: 1.1 added zwgk_register_pilot_programs, 1.2 zwgk_example_catalogs; 2.0: the ``zwgk`` import name,
#: zwgk_register_documents (every ``source`` cites a declared document), records no longer provided
#: are retired (已移除), a local domain carries its ``region``; 2.1 added zwgk_request_steps (the
#: 依申请公开 steps on the flowchart) and zwgk_register_indicator_systems (evaluation)
CONTRACT_VERSION = "2.1"
PROJECT = "zwgk"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

Record = dict[str, Any]


# --------------------------------------------------------------------------
# Identity
# --------------------------------------------------------------------------


@hookspec
def zwgk_plugin_info() -> dict[str, Any]:
    """Describe the plugin.

    Return ``{"title": "浙江省", "region": "浙江省", "contract": "2.0"}``:
    a human title, the path of the unit the plugin speaks for (its records'
    ``scope``), and the contract version it was written for.
    """


# --------------------------------------------------------------------------
# Data: the documents everything else cites
# --------------------------------------------------------------------------


@hookspec
def zwgk_register_documents() -> list[Record]:
    """Return the policy documents (政策文件) your records cite (``zwgk.PolicyDocumentSchema``).

    ``number`` (文号, the key; omit only for a document that has none, then the title is the
    key), ``title``, ``issuer``, ``issued_on``, ``level`` (national | province | city | county),
    ``status`` (in_force 现行有效 | repealed 已废止), ``region``, and the document's text
    (``text_file``, shipped in ``documents/`` beside ``data/``) or where to find it (``url``);
    ``note`` says which of these facts the text itself does not state, and whence they come.
    Every ``source.file`` of your records must name a document you or the national data
    declare.  (Added in 2.0.)
    """


# --------------------------------------------------------------------------
# Data: reference lists
# --------------------------------------------------------------------------


@hookspec
def zwgk_register_stages() -> list[Record]:
    """Return 五公开 stages (``zwgk.schemas.StageSchema``). The core provides all five."""


@hookspec
def zwgk_register_elements() -> list[Record]:
    """Return catalog elements (``ElementSchema``), e.g. a local column such as 公开时长."""


@hookspec
def zwgk_register_element_requirements() -> list[Record]:
    """Return the elements the region requires in a catalog (``ElementRequirementSchema``).

    ``scope`` is the region's unit path; ``wording`` is the element's name as the
    document writes it (规定时限 for time_limit).  Requirements add up along the
    unit tree: a county's catalog must carry the national ones and its
    province's and its own.
    """


@hookspec
def zwgk_register_domains() -> list[Record]:
    """Return domains (``DomainSchema``); a local domain has ``editions: []`` and carries
    the plugin's region in ``region`` (filled in by the core when omitted)."""


@hookspec
def zwgk_register_domain_aliases() -> list[Record]:
    """Return other names of domains as the region's documents write them (``DomainAliasSchema``)."""


@hookspec
def zwgk_register_domain_successions() -> list[Record]:
    """Return predecessor → successor pairs between domains (``DomainSuccessionSchema``)."""


# --------------------------------------------------------------------------
# Data: the region
# --------------------------------------------------------------------------


@hookspec
def zwgk_register_units() -> list[Record]:
    """Return administrative units and pilot units (``UnitSchema``), parents before children."""


@hookspec
def zwgk_register_pilot_programs() -> list[Record]:
    """Return pilot programmes (``PilotProgramSchema``): scope, size and domains of a pilot.

    Use it for what a document says of a pilot even where it does not name the
    units (a count of units and cities); name the units with ``zwgk_register_units``.
    (Added in contract 1.1.)
    """


@hookspec
def zwgk_register_standards() -> list[Record]:
    """Return the nodes of the region's standard system (``StandardSchema``)."""


@hookspec
def zwgk_register_responsibilities() -> list[Record]:
    """Return the responsibility list (责任清单) rows (``ResponsibilitySchema``)."""


@hookspec
def zwgk_register_schedules() -> list[Record]:
    """Return schedules with their phases and milestones nested (``ScheduleSchema``).

    ``report_cadence`` is how often progress is reported (monthly | quarterly | yearly),
    ``report_by`` **who** sends the reports and ``report_to`` **to whom** (bodies, not dates: a
    report falls due on the last day of its period).  Phases and milestones inherit the
    schedule's ``source`` unless they give their own.
    """


@hookspec
def zwgk_register_obligations() -> list[Record]:
    """Return disclosure obligations with their time rule as written (``ObligationSchema``).

    ``rule_text`` is read with the date of the document ``source`` cites: 9月底前 in a 2018
    notice is 2018-09-30 (a one-off), unless it says 每年/每季度/每月.  Quote the sentence in
    ``source.text``.
    """


@hookspec
def zwgk_register_indicators() -> list[Record]:
    """Return evaluation indicators with weights (``IndicatorSchema``)."""


@hookspec
def zwgk_register_indicator_systems() -> list[Record]:
    """Return evaluation indicator systems (考核评价指标体系) as trees (``zwgk.evaluation.systems.SystemSchema``).

    A system: ``{"code", "title", "version", "scope": region path, "base": code of the system it
    extends (optional), "remove": [codes], "indicators": [{"code", "name", "weight", "method":
    group | computed | assessor | survey, "compute": completeness | coverage | publications |
    milestones | reports | adjustment, "children": [...]}], "source"}``.  Weights sum to 100 at
    every level.  With ``base`` an indicator of the same code replaces the base's and a new code
    is added, so a region re-weights or extends the core's ``zwgk-default`` without restating
    it.  ``zwgk evaluate`` uses the system whose scope is closest above the region.
    (Added in a minor version of the contract, with issue 15.)
    """


# --------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------


@hookspec
def zwgk_validate_catalog_item(item: Record, unit_path: str) -> list[str]:
    """Check one catalog item of a unit beyond the schema and required elements.

    ``item`` is a validated ``CatalogItemSchema`` record.  Return a list of
    problems in Chinese (empty when fine); only speak for units of your region
    (``unit_path`` starts with it).
    """


@hookspec
def zwgk_review_steps(unit_path: str) -> list[str]:
    """Return the review steps a catalog item of this unit must pass before publication.

    Steps: ``"review"`` (保密审查 with a record) and ``"signoff"`` (主要领导签字).
    Return ``[]`` for units outside your region.
    """


@hookspec
def zwgk_request_steps(unit_path: str) -> list[str]:
    """Return the steps of 依申请公开 (disclosure on request) in this unit, as the region's document
    names them, in order (e.g. ``["接收", "登记", "办理", "调查", "答复"]``); the 试点工作专题's
    flowchart draws them.  Return ``[]`` outside your region or when your documents name none.
    (Added in 1.3.)
    """


@hookspec
def zwgk_example_catalogs() -> list[Record]:
    """Return example catalogs for ``zwgk demo``: ``{"unit": path, "domain": name, "title": …,
    "rows": [[序号, 一级事项, 二级事项, 公开内容, 公开依据, 公开时限, 公开主体, 公开渠道和载体,
    全社会, 特定群体, 主动, 依申请, 县级, 乡级], …]}`` in the published column order, marks as √.

    They are written as .xlsx in the real layout and imported through the importer, marked as
    example data everywhere.  Examples are not facts: say so in their text. (Added in 1.2.)
    """


# --------------------------------------------------------------------------
# Interface
# --------------------------------------------------------------------------


@hookspec
def zwgk_admin_views(admin: Any, session: Any) -> list[Any]:
    """Return extra Flask-Admin views for the region (``flask_admin`` ``BaseView`` instances)."""
