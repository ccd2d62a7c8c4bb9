"""Records of disclosure on application (依申请公开).

Personal data of the applicant sits in the ``applicant_*`` columns only: they are shown to the
handling unit alone, never exported, never written to the change history (these models are not
in ``models.TRACKED``), and emptied by the purge after the retention period.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models import AdminUnit, Base, CatalogItem, Domain, Versioned

#: 条例第三十一条: how the day of receipt is fixed depends on the channel
CHANNELS = {
    "in_person": "当面提交",  # 以提交之日为收到申请之日
    "post": "邮寄（签收）",  # 以行政机关签收之日为收到申请之日
    "letter": "平常信函",  # 收到当日与申请人确认，确认之日为收到申请之日
    "online": "互联网",  # 以双方确认之日为收到申请之日
    "fax": "传真",  # 以双方确认之日为收到申请之日
}
#: 年度报告格式: the columns of table 三 (申请人情况)
APPLICANT_KINDS = {
    "person": "自然人",
    "business": "商业企业",
    "research": "科研机构",
    "nonprofit": "社会公益组织",
    "legal": "法律服务机构",
    "other_org": "其他",
}
#: 条例第三十六条 reply types, keyed by the row of the annual report they are counted in
#: (政府信息公开工作年度报告格式, 表三 “本年度办理结果”)
REPLY_TYPES = {
    "open": ("（一）予以公开", "第三十六条第（一）（二）项"),
    "partly_open": ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "第三十七条"),
    "refused_secret": ("（三）不予公开 1.属于国家秘密", "第十四条、第三十六条第（三）项"),
    "refused_law": ("（三）不予公开 2.其他法律行政法规禁止公开", "第十四条、第三十六条第（三）项"),
    "refused_safety": ("（三）不予公开 3.危及“三安全一稳定”", "第十四条、第三十六条第（三）项"),
    "refused_third_party": ("（三）不予公开 4.保护第三方合法权益", "第十五条、第三十六条第（三）项"),
    "refused_internal": ("（三）不予公开 5.属于三类内部事务信息", "第十六条第一款、第三十六条第（三）项"),
    "refused_process": ("（三）不予公开 6.属于四类过程性信息", "第十六条第二款、第三十六条第（三）项"),
    "refused_enforcement": ("（三）不予公开 7.属于行政执法案卷", "第十六条第二款、第三十六条第（三）项"),
    "refused_query": ("（三）不予公开 8.属于行政查询事项", "第三十六条第（三）项"),
    "unavailable_not_held": ("（四）无法提供 1.本机关不掌握相关政府信息", "第三十六条第（四）项"),
    "unavailable_not_existing": ("（四）无法提供 2.没有现成信息需要另行制作", "第三十八条"),
    "unavailable_unclear": ("（四）无法提供 3.补正后申请内容仍不明确", "第三十条"),
    "not_handled_petition": ("（五）不予处理 1.信访举报投诉类申请", "第三十九条第一款"),
    "not_handled_repeat": ("（五）不予处理 2.重复申请", "第三十六条第（六）项"),
    "not_handled_publication": ("（五）不予处理 3.要求提供公开出版物", "第三十六条第（七）项"),
    "not_handled_bulk": ("（五）不予处理 4.无正当理由大量反复申请", "第三十五条"),
    "not_handled_confirm": ("（五）不予处理 5.要求行政机关确认或重新出具已获取信息", "第三十九条第二款"),
    "other_no_correction": ("（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                            "第三十条"),
    "other_no_fee": ("（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                     "第四十二条"),
    "other": ("（六）其他处理 3.其他", "—"),
}
#: reply types an officer chooses; ``other_no_correction`` is set by the lifecycle (第三十条)
REPLY_CHOICES = tuple(k for k in REPLY_TYPES if k != "other_no_correction")
#: 第三十六条第（三）项: a refusal states its reason
NEEDS_REASON = tuple(k for k in REPLY_TYPES if k.startswith(("refused_", "unavailable_", "not_handled_")))

STEP_KINDS = {
    "registered": "登记",
    "received": "确认收到（条例第三十一条）",
    "correction_requested": "告知补正（条例第三十条）",
    "correction_received": "收到补正（条例第三十条）",
    "consultation_sent": "征求意见（条例第三十二条）",
    "consultation_returned": "收到意见（条例第三十二条）",
    "extension": "延长答复期限（条例第三十三条）",
    "replied": "答复（条例第三十六条）",
    "withdrawn": "撤回",
    "lapsed": "逾期未补正，视为放弃（条例第三十条）",
}
CONSULT_PARTIES = {"third_party": "第三方（15个工作日内提出意见）", "agency": "其他机关"}
#: 年度报告格式 表四: 行政复议、行政诉讼
APPEAL_KINDS = {"reconsideration": "行政复议", "litigation_direct": "行政诉讼 未经复议直接起诉",
                "litigation_after": "行政诉讼 复议后起诉"}
APPEAL_OUTCOMES = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结"}


class InfoRequest(Versioned, Base):
    """政府信息公开申请: one application, from registration to reply."""

    __tablename__ = "info_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_no: Mapped[str] = mapped_column(String(40), unique=True)  # 申请编号, printed on the acknowledgement
    secret_hash: Mapped[str] = mapped_column(String(300))  # 查询码 (hashed): the number alone opens nothing
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)  # 办理单位
    domain_id: Mapped[int | None] = mapped_column(ForeignKey("domain.id"))
    channel: Mapped[str] = mapped_column(String(20))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    received_on: Mapped[dt.date | None] = mapped_column(Date, index=True)  # 条例第三十一条; None: not confirmed yet
    applicant_kind: Mapped[str] = mapped_column(String(20), default="person")
    # personal data (个人信息): handling unit only; emptied by the purge
    applicant_name: Mapped[str | None] = mapped_column(String(200))
    applicant_id_number: Mapped[str | None] = mapped_column(String(60))
    applicant_contact: Mapped[str | None] = mapped_column(String(200))
    applicant_address: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)  # 所需政府信息的名称、文号或者便于查询的其他特征性描述
    purpose: Mapped[str | None] = mapped_column(Text)
    delivery: Mapped[str | None] = mapped_column(String(100))  # 获取信息的方式、途径
    topic: Mapped[str | None] = mapped_column(String(300), index=True)  # the information asked for, as staff name it
    status: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    reply_type: Mapped[str | None] = mapped_column(String(40))
    reply_reason: Mapped[str | None] = mapped_column(Text)
    reply_text: Mapped[str | None] = mapped_column(Text)
    remedies: Mapped[str | None] = mapped_column(Text)  # 救济途径: every reply states it
    reply_document_name: Mapped[str | None] = mapped_column(String(200))
    reply_document: Mapped[bytes | None] = mapped_column(LargeBinary)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    proactive_item_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_item.id", ondelete="SET NULL"))
    purged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    unit: Mapped[AdminUnit] = relationship()
    domain: Mapped[Domain | None] = relationship()
    proactive_item: Mapped[CatalogItem | None] = relationship()
    steps: Mapped[list[RequestStep]] = relationship(back_populates="request", order_by="RequestStep.id",
                                                    cascade="all, delete-orphan")

    def __str__(self) -> str:
        return self.tracking_no


class RequestStep(Base):
    """办理步骤: a dated step of handling (补正, 延期, 征求意见, 答复 …), with who recorded it."""

    __tablename__ = "info_request_step"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("info_request.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    on: Mapped[dt.date] = mapped_column(Date)
    days: Mapped[int | None] = mapped_column(Integer)  # working days given (补正期限) or added (延期)
    party: Mapped[str | None] = mapped_column(String(20))  # consultation: third_party | agency
    approved_by: Mapped[str | None] = mapped_column(String(120))  # extension: 政府信息公开工作机构负责人
    notified_on: Mapped[dt.date | None] = mapped_column(Date)  # extension: applicant told
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    request: Mapped[InfoRequest] = relationship(back_populates="steps")

    def __str__(self) -> str:
        return f"{self.request} {self.on} {STEP_KINDS.get(self.kind, self.kind)}"


class AppealCase(Base):
    """政府信息公开行政复议、行政诉讼: entered by staff, counted in the annual report (表四)."""

    __tablename__ = "info_appeal_case"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("info_request.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(30))
    filed_on: Mapped[dt.date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(20), default="pending")
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[AdminUnit] = relationship()
    request: Mapped[InfoRequest | None] = relationship()

    @property
    def scope(self) -> AdminUnit:
        """The unit the record belongs to, where ``zwgk.scope.record_path`` looks for it."""
        return self.unit

    def __str__(self) -> str:
        return f"{self.unit} {self.filed_on} {APPEAL_KINDS.get(self.kind, self.kind)}"


class AnnualReportText(Base):
    """The narrative sections of a unit's 政府信息公开工作年度报告, filled in by staff."""

    __tablename__ = "info_annual_report_text"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(20))  # overview | problems | other
    text: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[AdminUnit] = relationship()
    __table_args__ = (UniqueConstraint("unit_id", "year", "section"),)

    def __str__(self) -> str:
        return f"{self.unit} {self.year} {self.section}"
