"""The models a catalog import does not touch: pilot programmes, standards, review records,
responsibilities, schedules and their phases and milestones, obligations, indicators and scores,
the working-day calendar, progress reports, publication records and accounts.

They are ``zwgk.models``'s as much as the others (the same ``Base``, the same metadata): use them
as ``m.Standard`` — ``zwgk.models`` imports this module the first time one of them is asked for,
and :func:`zwgk.models.load_all` always does.  Kept apart so that ``zwgk import catalog`` does
not pay for their classes and mappers at start-up (docs/benchmarks.md, session 7).  None of the
models of ``zwgk.models`` refers to one of these.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (JSON, Boolean, Column, Date, DateTime, ForeignKey, Integer, Numeric, String, Table, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import (AdminUnit, Base, CatalogItem, Domain, Loaded, Tracked, Versioned,  # noqa: F401  (annotations)
                     national_name)


program_domain = Table(
    "program_domain",
    Base.metadata,
    Column("program_id", ForeignKey("pilot_program.id", ondelete="CASCADE"), primary_key=True),
    Column("domain_id", ForeignKey("domain.id", ondelete="CASCADE"), primary_key=True),
)


class PilotProgram(Loaded, Versioned, Tracked, Base):
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


class Standard(Loaded, Versioned, Tracked, Base):
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


class Responsibility(Loaded, Versioned, Tracked, Base):
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


class Schedule(Loaded, Versioned, Tracked, Base):
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


class SchedulePhase(Loaded, Versioned, Tracked, Base):
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


class Milestone(Loaded, Versioned, Tracked, Base):
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


class Obligation(Loaded, Versioned, Tracked, Base):
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


class Indicator(Loaded, Versioned, Tracked, Base):
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


class Score(Versioned, Tracked, Base):
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


class ReportSubmission(Versioned, Tracked, Base):
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


class PublicationRecord(Versioned, Tracked, Base):
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


class User(Versioned, Tracked, Base):
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
