"""Models of public participation: feedback, interpretations (解读), responses to public
concerns (回应关切), the topic page's short pages, and each region's retention setting.

Contact details (``Feedback.contact_name`` / ``contact``) are personal data: only the unit's
own admin users see them, no public page or API ever carries them, and ``purge_contacts``
clears them once the region's retention period has passed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models import AdminUnit, Base, CatalogItem, Versioned

FEEDBACK_STATUSES = ("pending", "approved", "hidden")  # 待审核 / 已公开 / 不公开
INTERPRETATION_KINDS = ("text", "graphic", "video")  # 文字解读 / 图解 / 视频解读
PAGE_KINDS = ("news", "practice")  # 工作动态 / 经验做法


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Feedback(Versioned, Base):
    """公众评价意见: a citizen's "useful / not useful" on a published item or a unit's catalog,
    with an optional comment and contact details, the unit's moderation and answer."""

    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)  # whose catalog
    item_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_item.id", ondelete="SET NULL"), index=True)
    useful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(Text)
    contact_name: Mapped[str | None] = mapped_column(String(100))  # personal data: the unit only
    contact: Mapped[str | None] = mapped_column(String(200))  # personal data: the unit only
    contact_purged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    answer_public: Mapped[bool] = mapped_column(Boolean, default=True)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    answered_by: Mapped[str | None] = mapped_column(String(120))
    # the catalog change this comment led to (linked both ways: the version's reason names the feedback)
    change_item_id: Mapped[int | None] = mapped_column(Integer)
    change_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    unit: Mapped[AdminUnit] = relationship()
    item: Mapped[CatalogItem | None] = relationship()

    def __str__(self) -> str:
        return f"#{self.id}"


class Interpretation(Versioned, Base):
    """政策解读 of a published policy document (an item whose 二级事项 or 公开内容 names a
    规范性文件 / 政策文件): text, a graphic (图解) or a video link."""

    __tablename__ = "interpretation"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id", ondelete="CASCADE"), index=True)
    document_title: Mapped[str] = mapped_column(String(300))  # the document interpreted
    document_published_on: Mapped[dt.date] = mapped_column(Date)  # 文件公布日期
    kind: Mapped[str] = mapped_column(String(20), default="text")
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    image: Mapped[bytes | None] = mapped_column(LargeBinary)
    image_type: Mapped[str | None] = mapped_column(String(40))
    video_url: Mapped[str | None] = mapped_column(String(500))
    published_on: Mapped[dt.date | None] = mapped_column(Date)  # None: not yet published
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    item: Mapped[CatalogItem] = relationship()

    def __str__(self) -> str:
        return self.title


class ConcernResponse(Versioned, Base):
    """回应关切: a public concern, the unit's answer and the date it was answered."""

    __tablename__ = "concern_response"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_item.id", ondelete="SET NULL"))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    answered_on: Mapped[dt.date] = mapped_column(Date)
    channel: Mapped[str | None] = mapped_column(String(200))  # where it was answered (网站, 新闻发布会 …)
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    unit: Mapped[AdminUnit] = relationship()
    item: Mapped[CatalogItem | None] = relationship()

    def __str__(self) -> str:
        question = self.question if len(self.question or "") <= 40 else self.question[:39] + "…"
        return f"{self.answered_on} {question}"


class TopicPage(Versioned, Base):
    """A short page of a 试点工作专题: 工作动态 or 经验做法, written by the region's administrator."""

    __tablename__ = "topic_page"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="news")
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    author: Mapped[str | None] = mapped_column(String(120))
    unit: Mapped[AdminUnit] = relationship()

    def __str__(self) -> str:
        return self.title


class ParticipationSetting(Versioned, Base):
    """A region's settings: how many days contact details of feedback are kept (个人信息保存期限)."""

    __tablename__ = "participation_setting"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), unique=True)
    contact_retention_days: Mapped[int] = mapped_column(Integer)
    unit: Mapped[AdminUnit] = relationship()

    def __str__(self) -> str:
        return str(self.unit) if self.unit else f"#{self.unit_id}"
