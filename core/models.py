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


class Versioned:
    """Optimistic locking: ``version`` goes up on every save."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


# --------------------------------------------------------------------------
# Reference data
# --------------------------------------------------------------------------


class DisclosureStage(Loaded, Base):
    """五公开: one of 决策/执行/管理/服务/结果公开."""

    __tablename__ = "disclosure_stage"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)

    def __str__(self) -> str:
        return self.name


class CatalogElement(Loaded, Base):
    """A column of a 标准目录 (公开事项的要素: 名称、依据、内容 …)."""

    __tablename__ = "catalog_element"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)

    def __str__(self) -> str:
        return self.name


class ElementRequirement(Loaded, Base):
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


class Domain(Loaded, Versioned, Base):
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


class DomainAlias(Loaded, Base):
    """Another name of a domain as a document writes it (别称)."""

    __tablename__ = "domain_alias"
    id: Mapped[int] = mapped_column(primary_key=True)
    alias: Mapped[str] = mapped_column(String(80), unique=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domain.id", ondelete="CASCADE"))
    domain: Mapped[Domain] = relationship(back_populates="aliases")

    def __str__(self) -> str:
        return self.alias


class DomainSuccession(Loaded, Base):
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


class AdminUnit(Loaded, Versioned, Base):
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


program_domain = Table(
    "program_domain",
    Base.metadata,
    Column("program_id", ForeignKey("pilot_program.id", ondelete="CASCADE"), primary_key=True),
    Column("domain_id", ForeignKey("domain.id", ondelete="CASCADE"), primary_key=True),
)


class PilotProgram(Loaded, Versioned, Base):
    """试点工作: a pilot (or roll-out) programme of a scope, its size and its domains.

    Holds what a document says of a pilot even when it does not name the units
    (山东: "全省17市的30个县(市、区)", the list being in an attachment the text lacks).
    """

    __tablename__ = "pilot_program"
    id: Mapped[int] = mapped_column(primary_key=True)
    scope_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    edition: Mapped[int | None] = mapped_column(Integer)
    unit_count: Mapped[int | None] = mapped_column(Integer)
    city_count: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    # 结项: the programme is finished; its scope's milestones and reports leave the dashboard (kept in the record)
    finished_on: Mapped[dt.date | None] = mapped_column(Date)
    scope: Mapped[AdminUnit | None] = relationship()
    domains: Mapped[list[Domain]] = relationship(secondary=program_domain, order_by="Domain.position")

    def __str__(self) -> str:
        return self.title


# --------------------------------------------------------------------------
# Standards (标准体系)
# --------------------------------------------------------------------------


class Standard(Loaded, Versioned, Base):
    """标准: a node of a standard system tree."""

    __tablename__ = "standard"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("standard.id"), index=True)
    domain_id: Mapped[int | None] = mapped_column(ForeignKey("domain.id"))
    scope_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    edition: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    planned: Mapped[str | None] = mapped_column(String(10))  # YYYY, YYYY-MM or YYYY-MM-DD
    effective_on: Mapped[dt.date | None] = mapped_column(Date)
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)
    responsible: Mapped[str | None] = mapped_column(Text)  # responsible units as written
    position: Mapped[int] = mapped_column(Integer, default=0)
    parent: Mapped[Standard | None] = relationship(remote_side="Standard.id", back_populates="children")
    children: Mapped[list[Standard]] = relationship(back_populates="parent", order_by="Standard.position")
    domain: Mapped[Domain | None] = relationship()
    scope: Mapped[AdminUnit | None] = relationship()

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


# --------------------------------------------------------------------------
# Catalog items (政务公开事项标准目录)
# --------------------------------------------------------------------------


class CatalogItem(Versioned, Sourced, Base):
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
    item_id: Mapped[int] = mapped_column(Integer, index=True)  # no FK: history outlives a deleted item
    version: Mapped[int] = mapped_column(Integer)
    unit_key: Mapped[str] = mapped_column(String(400), index=True)
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


class ReviewRecord(Base):
    """A step of the review workflow: 提交, 保密审查 (with its conclusion), 主要领导签字, 公开, 撤回."""

    __tablename__ = "review_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    step: Mapped[str] = mapped_column(String(20))  # submit | review | signoff | publish | withdraw
    passed: Mapped[bool] = mapped_column(Boolean, default=True)
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    def __str__(self) -> str:
        return f"#{self.item_id} v{self.version} {self.step}"


# --------------------------------------------------------------------------
# Responsibilities, schedules, obligations, evaluation
# --------------------------------------------------------------------------


class Responsibility(Loaded, Versioned, Base):
    """责任清单: who is responsible for what, by when."""

    __tablename__ = "responsibility"
    id: Mapped[int] = mapped_column(primary_key=True)
    scope_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    task: Mapped[str] = mapped_column(Text)
    standard_id: Mapped[int | None] = mapped_column(ForeignKey("standard.id"))
    domain_id: Mapped[int | None] = mapped_column(ForeignKey("domain.id"))
    responsible: Mapped[str] = mapped_column(Text)  # as written
    responsible_units: Mapped[list[Any]] = mapped_column(JSON, default=list)
    due: Mapped[str | None] = mapped_column(String(10))  # YYYY, YYYY-MM or YYYY-MM-DD
    edition: Mapped[int | None] = mapped_column(Integer)  # the domain list the row speaks of
    scope: Mapped[AdminUnit | None] = relationship()
    standard: Mapped[Standard | None] = relationship()
    domain: Mapped[Domain | None] = relationship()

    def __str__(self) -> str:
        return self.task if len(self.task or "") <= 40 else self.task[:39] + "…"


class Schedule(Loaded, Versioned, Base):
    """进度安排 of a scope (national, a province, a county) with its report cadence."""

    __tablename__ = "schedule"
    id: Mapped[int] = mapped_column(primary_key=True)
    scope_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    report_cadence: Mapped[str | None] = mapped_column(String(20))  # monthly | quarterly
    report_by: Mapped[str | None] = mapped_column(Text)
    report_to: Mapped[str | None] = mapped_column(Text)
    scope: Mapped[AdminUnit | None] = relationship()
    phases: Mapped[list[SchedulePhase]] = relationship(
        back_populates="schedule", order_by="SchedulePhase.position"
    )

    def __str__(self) -> str:
        return self.title


class SchedulePhase(Loaded, Versioned, Base):
    """A phase (阶段) of a schedule."""

    __tablename__ = "schedule_phase"
    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedule.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)
    schedule: Mapped[Schedule] = relationship(back_populates="phases")
    milestones: Mapped[list[Milestone]] = relationship(back_populates="phase", order_by="Milestone.due_on")

    def __str__(self) -> str:
        return f"{self.schedule.title} · {self.name}" if self.schedule else self.name


class Milestone(Loaded, Versioned, Base):
    """A dated milestone: a deliverable due by a date (节点)."""

    __tablename__ = "milestone"
    id: Mapped[int] = mapped_column(primary_key=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("schedule_phase.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(Text)
    due_on: Mapped[dt.date] = mapped_column(Date)
    deliverable: Mapped[str | None] = mapped_column(Text)
    responsible: Mapped[str | None] = mapped_column(Text)
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    phase: Mapped[SchedulePhase] = relationship(back_populates="milestones")

    def __str__(self) -> str:
        title = self.title if len(self.title or "") <= 40 else self.title[:39] + "…"
        return f"{self.due_on} {title}"


class Obligation(Loaded, Versioned, Base):
    """公开要求: a disclosure rule with a time limit or cadence."""

    __tablename__ = "obligation"
    id: Mapped[int] = mapped_column(primary_key=True)
    scope_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    rule_text: Mapped[str] = mapped_column(Text)  # the time rule as written
    domain_id: Mapped[int | None] = mapped_column(ForeignKey("domain.id"))
    responsible: Mapped[str | None] = mapped_column(Text)
    scope: Mapped[AdminUnit | None] = relationship()
    domain: Mapped[Domain | None] = relationship()

    def __str__(self) -> str:
        return self.title


class Indicator(Loaded, Versioned, Base):
    """考核评估 indicator with a weight (percent)."""

    __tablename__ = "indicator"
    id: Mapped[int] = mapped_column(primary_key=True)
    scope_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("indicator.id"))
    weight: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    min_weight: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    description: Mapped[str | None] = mapped_column(Text)
    scope: Mapped[AdminUnit | None] = relationship()
    parent: Mapped[Indicator | None] = relationship(remote_side="Indicator.id")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Score(Versioned, Base):
    """A unit's score on an indicator for a period (考核得分 / 满意度)."""

    __tablename__ = "score"
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    period: Mapped[str] = mapped_column(String(20))
    value: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    note: Mapped[str | None] = mapped_column(Text)
    indicator: Mapped[Indicator] = relationship()
    unit: Mapped[AdminUnit] = relationship()
    __table_args__ = (UniqueConstraint("indicator_id", "unit_id", "period"),)

    def __str__(self) -> str:
        return f"{self.unit} {self.period}: {self.value}"


# --------------------------------------------------------------------------
# Calendar, reports and publication records
# --------------------------------------------------------------------------


class CalendarYear(Base):
    """A year whose official holiday arrangement (国务院办公厅通知) is in the calendar."""

    __tablename__ = "calendar_year"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(200))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(Base):
    """A day that breaks the weekday rule: a holiday on a weekday or a make-up working day (调休)."""

    __tablename__ = "calendar_day"
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str | None] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(200))

    def __str__(self) -> str:
        return f"{self.day} {self.name or ''}".strip()


class ReportSubmission(Versioned, Base):
    """A progress report sent for one period of a schedule's reporting cadence."""

    __tablename__ = "report_submission"
    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedule.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(10))  # 2018-03 or 2018-Q1
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    schedule: Mapped[Schedule] = relationship()
    __table_args__ = (UniqueConstraint("schedule_id", "period"),)

    def __str__(self) -> str:
        return f"{self.schedule} {self.period}"


class PublicationRecord(Versioned, Base):
    """When the triggering event happened and when the information was published (公开记录)."""

    __tablename__ = "publication_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    obligation_id: Mapped[int | None] = mapped_column(ForeignKey("obligation.id", ondelete="CASCADE"), index=True)
    catalog_item_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_item.id", ondelete="CASCADE"),
                                                        index=True)
    subject: Mapped[str] = mapped_column(Text)  # what was published
    event_at: Mapped[dt.datetime] = mapped_column(DateTime)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)
    obligation: Mapped[Obligation | None] = relationship()
    catalog_item: Mapped[CatalogItem | None] = relationship()

    def __str__(self) -> str:
        return self.subject


# --------------------------------------------------------------------------
# People and history
# --------------------------------------------------------------------------


class User(Versioned, Base):
    """An account of the admin interface; ``unit`` scopes what it may see."""

    __tablename__ = "account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"))
    department: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: moved on by logout, a new password or role: sessions carry it, older ones stop working
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    unit: Mapped[AdminUnit | None] = relationship()

    def __str__(self) -> str:
        return self.username


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


#: models whose every change lands in ``Change``
TRACKED = (DisclosureStage, CatalogElement, ElementRequirement, Domain, DomainAlias, DomainSuccession,
           AdminUnit, PilotProgram, Standard, CatalogItem, Responsibility, Schedule, SchedulePhase, Milestone,
           Obligation, Indicator, Score, ReportSubmission, PublicationRecord, User)

#: the modules whose tables share ``Base.metadata`` but which no model above refers to: imported
#: by :func:`load_all` (the app, the migrations, dumps), not by ``import zwgk.models``.  A catalog
#: import run by the console script needs none of them: that leaves out about 0.05 s of start-up
#: and a third of the mappers SQLAlchemy configures before the first query (docs/benchmarks.md).
EXTRA_MODULES = (
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
