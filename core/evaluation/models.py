"""Evaluation records (考核评估): stored runs and their results, third-party assessments with
their evidence, satisfaction questionnaires and responses.

Indicator systems themselves are data files (``zwgk.evaluation.systems``); a run keeps a copy
of the system it used, so its numbers can be explained and re-computed later.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (JSON, Column, Date, DateTime, ForeignKey, Integer, LargeBinary, Numeric, String, Table,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models import AdminUnit, Base, User, Versioned

ASSESSMENT_STATUSES = ("draft", "submitted", "accepted", "returned")


class EvaluationRun(Base):
    """One evaluation of a region for a period (考核评估结果), stored with what it was computed from."""

    __tablename__ = "evaluation_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    period: Mapped[str] = mapped_column(String(10), index=True)  # 2018Q3, 2018-07, 2018
    system_code: Mapped[str] = mapped_column(String(60))
    system_version: Mapped[str] = mapped_column(String(20))
    system: Mapped[dict[str, Any]] = mapped_column(JSON)  # the indicator system as used
    inputs_until: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))  # records up to the period's end
    fingerprint: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the size and last change of inputs
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(120))
    unit_count: Mapped[int] = mapped_column(Integer, default=0)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # 通报
    published_by: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[AdminUnit] = relationship()
    results: Mapped[list[EvaluationResult]] = relationship(back_populates="run", cascade="all, delete-orphan",
                                                           order_by="EvaluationResult.rank")

    def __str__(self) -> str:
        return f"#{self.id} {self.region.name if self.region else ''} {self.period}"


class EvaluationResult(Base):
    """A unit's score in a run: the total, its rank, and every indicator's figures and reasons."""

    __tablename__ = "evaluation_result"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_run.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    total: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    rank: Mapped[int] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)  # {indicators: {code: {...}}, reasons: [...]}
    run: Mapped[EvaluationRun] = relationship(back_populates="results")
    unit: Mapped[AdminUnit] = relationship()
    __table_args__ = (UniqueConstraint("run_id", "unit_id"),)

    def __str__(self) -> str:
        return f"{self.run} · {self.unit}"


engagement_unit = Table(
    "engagement_unit",
    Base.metadata,
    Column("engagement_id", ForeignKey("engagement.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("admin_unit.id", ondelete="CASCADE"), primary_key=True),
)


class Engagement(Versioned, Base):
    """评估委托: a region engages an assessment body (评估机构) to assess some of its units for a period."""

    __tablename__ = "engagement"
    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    institution: Mapped[str] = mapped_column(String(200))  # the body's name as contracted
    period: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    region: Mapped[AdminUnit] = relationship()
    assessor: Mapped[User] = relationship()
    units: Mapped[list[AdminUnit]] = relationship(secondary=engagement_unit, order_by="AdminUnit.key")

    def __str__(self) -> str:
        return f"{self.institution} {self.period}"


class Assessment(Versioned, Base):
    """A third-party assessment of one unit for one period: scores, then the region's decision."""

    __tablename__ = "assessment"
    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decision_note: Mapped[str | None] = mapped_column(Text)
    engagement: Mapped[Engagement] = relationship()
    unit: Mapped[AdminUnit] = relationship()
    scores: Mapped[list[AssessmentScore]] = relationship(back_populates="assessment", cascade="all, delete-orphan",
                                                         order_by="AssessmentScore.indicator")
    __table_args__ = (UniqueConstraint("engagement_id", "unit_id"),)

    def __str__(self) -> str:
        return f"{self.engagement} · {self.unit}"


class AssessmentScore(Base):
    """An assessor's score (0–100) on one indicator, with a comment, the assessor's name and evidence."""

    __tablename__ = "assessment_score"
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    indicator: Mapped[str] = mapped_column(String(60))  # the indicator's code in the system
    value: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    comment: Mapped[str | None] = mapped_column(Text)
    assessor_name: Mapped[str] = mapped_column(String(120))
    scored_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    assessment: Mapped[Assessment] = relationship(back_populates="scores")
    evidence: Mapped[list[Evidence]] = relationship(back_populates="score", cascade="all, delete-orphan")
    __table_args__ = (UniqueConstraint("assessment_id", "indicator"),)

    def __str__(self) -> str:
        return f"{self.assessment} · {self.indicator}"


class Evidence(Base):
    """A file an assessor uploaded with a score, kept in the database beside it (the app stays stateless)."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("assessment_score.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    score: Mapped[AssessmentScore] = relationship(back_populates="evidence")

    def __str__(self) -> str:
        return self.filename


class Questionnaire(Versioned, Base):
    """满意度测评问卷: questions answered on a scale (1 … scale, the highest the most satisfied)."""

    __tablename__ = "questionnaire"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    scope_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    questions: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{code, text, scale}]
    scope: Mapped[AdminUnit | None] = relationship()

    def __str__(self) -> str:
        return self.title


class SurveyResponse(Base):
    """One respondent's answers about one unit in one period; ``score`` (0–100) is kept for aggregation."""

    __tablename__ = "survey_response"
    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    answered_on: Mapped[dt.date] = mapped_column(Date, index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    score: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    channel: Mapped[str] = mapped_column(String(20), default="entered")  # entered | csv
    questionnaire: Mapped[Questionnaire] = relationship()
    unit: Mapped[AdminUnit] = relationship()

    def __str__(self) -> str:
        return f"{self.questionnaire} · {self.unit} {self.answered_on}"
