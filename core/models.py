"""The core standards model (SQLAlchemy 2, typed ``Mapped``).

Every record that comes from a document carries its source (``source_file`` +
``source_section``; ``source_text`` keeps the wording as written when the stored
value differs, e.g. Traditional Chinese).  Records that data loaders apply also
keep ``origin`` (``national`` or a plugin's name), their ``key`` (natural key,
stable across databases) and ``loaded`` (the values as last applied), so that a
re-apply can tell a plugin's update from an administrator's edit.

Records that people edit carry ``version``, SQLAlchemy's optimistic-lock column:
a save based on a stale copy raises ``StaleDataError`` instead of overwriting.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

# Enumerations.  Stored as plain strings (no native enums, so migrations stay
# portable); the marshmallow schemas are the one place that validates them.
STANDARD_CATEGORIES = ("general", "platform", "evaluation", "domain")
STANDARD_STATUSES = ("draft", "trial", "in_force", "withdrawn")
UNIT_LEVELS = ("province", "city", "county", "township")
ITEM_STATUSES = ("draft", "submitted", "reviewed", "signed", "published", "withdrawn")
EDITIONS = (2017, 2019)


def national_name() -> str:
    """全国 (National in the English interface): the scope of the national data."""
    from flask import has_request_context

    if not has_request_context():
        return "全国"
    from flask_babel import gettext

    return gettext("National")


class Base(DeclarativeBase):
    # Named constraints, so that later migrations can drop or alter them (SQLite batch mode too).
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Sourced:
    """Where a record comes from: seed file and section (出处)."""

    source_file: Mapped[str | None] = mapped_column(String(120))
    source_section: Mapped[str | None] = mapped_column(String(200))
    source_text: Mapped[str | None] = mapped_column(Text)

    @property
    def source(self) -> dict[str, str | None] | None:
        if not self.source_file:
            return None
        out = {"file": self.source_file, "section": self.source_section}
        if self.source_text is not None:
            out["text"] = self.source_text
        return out

    @source.setter
    def source(self, value: dict[str, str | None] | None) -> None:
        value = value or {}
        self.source_file = value.get("file")
        self.source_section = value.get("section")
        self.source_text = value.get("text")


class Loaded(Sourced):
    """A record that a data loader (core or plugin) may create and re-apply."""

    key: Mapped[str] = mapped_column(String(400), unique=True)
    origin: Mapped[str] = mapped_column(String(60), index=True)
    loaded: Mapped[dict[str, Any] | None]
    #: 已移除: the data no longer provides it (a plugin's new version, ``plugins remove``); kept in
    #: history and for what depends on it, hidden from current lists
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Tracked:
    """A model whose every change lands in :class:`Change` (the session's flush listener,
    ``zwgk.db``): ``isinstance(obj, Tracked)``."""


class Versioned:
    """Optimistic locking: ``version`` goes up on every save."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


# --------------------------------------------------------------------------
# Reference data
# --------------------------------------------------------------------------


class DisclosureStage(Loaded, Tracked, Base):
    """五公开: one of 决策/执行/管理/服务/结果公开."""

    __tablename__ = "disclosure_stage"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)

    def __str__(self) -> str:
        return self.name


class CatalogElement(Loaded, Tracked, Base):
    """A column of a 标准目录 (公开事项的要素: 名称、依据、内容 …)."""

    __tablename__ = "catalog_element"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)

    def __str__(self) -> str:
        return self.name


class ElementRequirement(Loaded, Tracked, Base):
    """A region's rule that an element is required in its catalogs."""

    __tablename__ = "element_requirement"
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(200))  # "national" or a unit path
    element_id: Mapped[int] = mapped_column(ForeignKey("catalog_element.id"))
    wording: Mapped[str | None] = mapped_column(String(40))  # the name as the document writes it
    element: Mapped[CatalogElement] = relationship()

    def __str__(self) -> str:
        return f"{self.element.name if self.element else ''} · {national_name() if self.scope == 'national' else self.scope}"


# --------------------------------------------------------------------------
# Domains (领域)
# --------------------------------------------------------------------------


class Domain(Loaded, Versioned, Tracked, Base):
    """试点领域: a disclosure domain of the 2017 or 2019 list, or a local one."""

    __tablename__ = "domain"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    editions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str | None] = mapped_column(Text)
    #: the unit path of the region that introduced a local domain; None: a national one
    region: Mapped[str | None] = mapped_column(String(200))
    aliases: Mapped[list[DomainAlias]] = relationship(
        back_populates="domain", cascade="all, delete-orphan", order_by="DomainAlias.alias"
    )

    def __str__(self) -> str:
        return self.name


class DomainAlias(Loaded, Tracked, Base):
    """Another name of a domain as a document writes it (别称)."""

    __tablename__ = "domain_alias"
    id: Mapped[int] = mapped_column(primary_key=True)
    alias: Mapped[str] = mapped_column(String(80), unique=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domain.id", ondelete="CASCADE"))
    domain: Mapped[Domain] = relationship(back_populates="aliases")

    def __str__(self) -> str:
        return self.alias


class DomainSuccession(Loaded, Tracked, Base):
    """2017 → 2019: a domain replaced by (or split into) another."""

    __tablename__ = "domain_succession"
    id: Mapped[int] = mapped_column(primary_key=True)
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("domain.id", ondelete="CASCADE"))
    successor_id: Mapped[int] = mapped_column(ForeignKey("domain.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # renamed | split
    predecessor: Mapped[Domain] = relationship(foreign_keys=[predecessor_id])
    successor: Mapped[Domain] = relationship(foreign_keys=[successor_id])

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


# --------------------------------------------------------------------------
# Administrative units (行政区划 / 试点单位)
# --------------------------------------------------------------------------

unit_pilot_domain = Table(
    "unit_pilot_domain",
    Base.metadata,
    Column("unit_id", ForeignKey("admin_unit.id", ondelete="CASCADE"), primary_key=True),
    Column("domain_id", ForeignKey("domain.id", ondelete="CASCADE"), primary_key=True),
)


class AdminUnit(Loaded, Versioned, Tracked, Base):
    """行政区划: province → city → county → township; ``key`` is the path."""

    __tablename__ = "admin_unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    written_as: Mapped[str | None] = mapped_column(String(120))  # as the document writes it
    level: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    is_pilot: Mapped[bool] = mapped_column(Boolean, default=False)
    pilot_edition: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    parent: Mapped[AdminUnit | None] = relationship(remote_side="AdminUnit.id", back_populates="children")
    children: Mapped[list[AdminUnit]] = relationship(back_populates="parent")
    pilot_domains: Mapped[list[Domain]] = relationship(secondary=unit_pilot_domain, order_by="Domain.position")

    __table_args__ = (UniqueConstraint("parent_id", "name"),)

    def __str__(self) -> str:
        return self.key


# --------------------------------------------------------------------------
# Catalog items (政务公开事项标准目录)
# --------------------------------------------------------------------------


class CatalogItem(Versioned, Sourced, Tracked, Base):
    """公开事项: one row of a unit's 政务公开事项标准目录."""

    __tablename__ = "catalog_item"
    # never reuse the id of a deleted item: its history is keyed by the id
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domain.id"), index=True)
    seq: Mapped[int | None] = mapped_column(Integer)  # 序号
    category: Mapped[str | None] = mapped_column(String(200))  # 类别 (Shandong)
    level1: Mapped[str] = mapped_column(String(200))  # 一级事项
    level2: Mapped[str | None] = mapped_column(String(200))  # 二级事项
    level3: Mapped[str | None] = mapped_column(String(200))  # 三级事项 (local variants)
    content: Mapped[str | None] = mapped_column(Text)  # 公开内容（要素）
    basis: Mapped[str | None] = mapped_column(Text)  # 公开依据
    time_limit: Mapped[str | None] = mapped_column(Text)  # 公开时限, as written
    subject: Mapped[str | None] = mapped_column(Text)  # 公开主体
    department: Mapped[str | None] = mapped_column(String(200))  # 责任科室
    channels: Mapped[list[Any]] = mapped_column(JSON, default=list)  # 公开渠道和载体, the channels selected
    duration: Mapped[str | None] = mapped_column(String(200))  # 公开时长 (local variants)
    audience_public: Mapped[bool] = mapped_column(Boolean, default=False)  # 全社会
    audience_specific: Mapped[bool] = mapped_column(Boolean, default=False)  # 特定群体
    method_active: Mapped[bool] = mapped_column(Boolean, default=False)  # 主动
    method_on_request: Mapped[bool] = mapped_column(Boolean, default=False)  # 依申请
    # 公开层级: the tiers that publish the item (province, city, county, township, village)
    levels: Mapped[list[Any]] = mapped_column(JSON, default=list)
    stages: Mapped[list[Any]] = mapped_column(JSON, default=list)  # 五公开 codes
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    unit: Mapped[AdminUnit] = relationship()
    domain: Mapped[Domain] = relationship()

    def __str__(self) -> str:
        return " / ".join(x for x in (self.level1, self.level2, self.level3) if x)


class CatalogItemVersion(Base):
    """Every version of every catalog item, as it was saved (动态调整, open to supervision)."""

    __tablename__ = "catalog_item_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    # no FK: history outlives a deleted item; no index of its own (0026): the unique
    # (item_id, version) serves a look-up by item, as (unit_key, item_id) serves one by unit
    item_id: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    unit_key: Mapped[str] = mapped_column(String(400))
    status: Mapped[str] = mapped_column(String(20))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    __table_args__ = (UniqueConstraint("item_id", "version"),
                      # a unit's items in id order: the public change list's keyset pages (0022)
                      Index("ix_catalog_item_version_unit_item", "unit_key", "item_id"))

    def __str__(self) -> str:
        return f"#{self.item_id} v{self.version}"


# --------------------------------------------------------------------------
# History
# --------------------------------------------------------------------------


class Change(Base):
    """History: who changed what, when and why (变更记录). Append-only."""

    __tablename__ = "change"
    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(60), index=True)
    entity_id: Mapped[int] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(20))  # create | update | delete
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)

    def __str__(self) -> str:
        return f"{self.entity} #{self.entity_id} {self.action}"


class AppliedData(Base):
    """The last application of core data or a plugin (for ``plugins list``)."""

    __tablename__ = "applied_data"
    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(String(60), unique=True)
    version: Mapped[str | None] = mapped_column(String(40))
    applied_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    def __str__(self) -> str:
        return self.origin



#: the modules whose tables share ``Base.metadata`` but which no model above refers to: imported
#: by :func:`load_all` (the app, the migrations, dumps), not by ``import zwgk.models``.  A catalog
#: import run by the console script needs none of them: that leaves out about 0.1 s of start-up
#: and two thirds of the mappers SQLAlchemy configures before the first query (docs/benchmarks.md).
#: The models of ``zwgk.models_rest`` are still names of this module (``m.Standard``): the first use
#: of one imports it (:func:`__getattr__`).
EXTRA_MODULES = (
    "zwgk.models_rest",  # pilots, standards, responsibilities, schedules, evaluation, calendar, accounts
    "zwgk.participation.models",  # issue 16
    "zwgk.foi.models",  # issue 17: 依申请公开
    "zwgk.evaluation.models",  # issue 15: evaluation tables
    "zwgk.published",  # issue 14: the public catalog table
    "zwgk.apitokens",  # issue 14: per-user API tokens
)


def load_all() -> type[Base]:
    """Import every module with tables in ``Base.metadata``: after it, the metadata (and the
    registry's mappers) hold every table of the schema.  Returns ``Base``."""
    import importlib

    for name in (*EXTRA_MODULES, "zwgk.documents"):  # documents: the loader imports it in any case
        importlib.import_module(name)
    return Base


#: the names of ``zwgk.models_rest`` this module hands out (its models and their tables)
REST = frozenset({"PilotProgram", "Standard", "ReviewRecord", "Responsibility", "Schedule", "SchedulePhase",
                  "Milestone", "Obligation", "Indicator", "Score", "CalendarYear", "CalendarDay", "ReportSubmission",
                  "PublicationRecord", "User", "program_domain", "TRACKED"})


def __getattr__(name: str) -> Any:
    """``m.Standard`` and the other models of ``zwgk.models_rest``, imported at their first use
    (PEP 562): a catalog import never touches them, and their classes and mappers cost it about
    0.06 s of start-up.  ``TRACKED``: every model whose changes land in :class:`Change`."""
    if name not in REST:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import models_rest

    if name == "TRACKED":
        return tuple(globals().get(n) or getattr(models_rest, n) for n in _TRACKED)
    return getattr(models_rest, name)


_TRACKED = ("DisclosureStage", "CatalogElement", "ElementRequirement", "Domain", "DomainAlias", "DomainSuccession",
            "AdminUnit", "PilotProgram", "Standard", "CatalogItem", "Responsibility", "Schedule", "SchedulePhase",
            "Milestone", "Obligation", "Indicator", "Score", "ReportSubmission", "PublicationRecord", "User")
