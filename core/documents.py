"""Policy documents (政策文件) as records, and the check that every ``source`` cites one.

The national data and every plugin declare the documents they rely on
(``zwgk_register_documents``, ``data/documents.yaml``): 文号, title, issuing body,
date, level, status, and the text shipped beside the data (``text_file``) or where
to find it (``url``).  A record's ``source.file`` names one of them — by the file
name of its shipped text or by its 文号 — and ``source.section`` must occur in a
shipped text.  A fact that comes from no document (that 道县 belongs to 永州市)
says so: ``source: {file: 文件之外, section: …}`` (``OUTSIDE``), and is shown as such.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy import Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, Loaded
from .schemas import StrictSchema
from .unitpath import under

#: ``source.file`` of a fact that no document states (common knowledge of the administrative map …)
OUTSIDE = "文件之外"
DOCUMENT_LEVELS = ("national", "province", "city", "county")
DOCUMENT_STATUSES = ("in_force", "repealed")
STATUS_NAMES = {"in_force": "现行有效", "repealed": "已废止"}
LEVEL_NAMES = {"national": "国家", "province": "省级", "city": "市级", "county": "县级"}


class PolicyDocument(Loaded, Base):
    """政策文件: a document the data is derived from; ``key`` is its 文号 (or its title if it has none)."""

    __tablename__ = "policy_document"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(80))  # 文号
    title: Mapped[str] = mapped_column(String(300))
    issuer: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    level: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="in_force")
    region: Mapped[str | None] = mapped_column(String(200))  # the unit path it speaks for; None: national
    text_file: Mapped[str | None] = mapped_column(String(120))  # the text shipped with the data
    url: Mapped[str | None] = mapped_column(Text)  # where to find it otherwise
    note: Mapped[str | None] = mapped_column(Text)  # what of this record is not in the text, and whence

    def __str__(self) -> str:
        return self.number or self.title


class PolicyDocumentSchema(StrictSchema):
    """A policy document as a plugin declares it."""

    number = fields.String(allow_none=True, load_default=None)
    title = fields.String(required=True, validate=validate.Length(min=1))
    issuer = fields.String(required=True, validate=validate.Length(min=1))
    issued_on = fields.Date(required=True)
    level = fields.String(required=True, validate=validate.OneOf(DOCUMENT_LEVELS))
    status = fields.String(load_default="in_force", validate=validate.OneOf(DOCUMENT_STATUSES))
    region = fields.String(allow_none=True, load_default=None)
    text_file = fields.String(allow_none=True, load_default=None)
    url = fields.String(allow_none=True, load_default=None)
    note = fields.String(allow_none=True, load_default=None)

    @validates_schema
    def _text_or_where(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("text_file") and not data.get("url"):
            raise ValidationError("须给出文件正文 text_file 或获取地址 url / give the text or where to find it",
                                  "text_file")


def document_key(rec: dict[str, Any]) -> str:
    return rec.get("number") or rec["title"]


# --------------------------------------------------------------------------
# Citations
# --------------------------------------------------------------------------

_CN = "一二三四五六七八九十"
_TOP = re.compile(rf"^\s*([{_CN}]+)[、，.]")
_SUB = re.compile(rf"^[(（]([{_CN}]+|\d+)[)）]")
_W = r"[^（(；;，,:：。.\s]*"
_SECTION = re.compile(rf"^\s*([{_CN}]+)(?:[、，.]\s*({_W}))?\s*(?:[(（]([{_CN}]+)[)）]\s*({_W}))?")


@lru_cache(maxsize=64)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _norm(text: str) -> str:
    return _t2s().convert(unicodedata.normalize("NFKC", text or "")).replace(" ", "").replace("\u3000", "")


@lru_cache(maxsize=32)
def outline(path: str) -> dict[str, Any]:
    """The headings of a shipped text: ``{"一": ("总体要求", {"一": "指导思想…"}), …}`` and its lines."""
    lines = [_norm(line).strip() for line in Path(path).read_text(encoding="utf-8").splitlines()]
    tops: dict[str, tuple[str, dict[str, str]]] = {}
    current: dict[str, str] | None = None
    for line in lines:
        m = _TOP.match(line)
        if m and m.group(1) not in tops:
            current = {}
            tops[m.group(1)] = (line[m.end():], current)
            continue
        m = _SUB.match(line)
        if m and current is not None and m.group(1) not in current:
            current[m.group(1)] = line[m.end():]
    return {"tops": tops, "text": "\n".join(lines)}


def section_problem(path: str, section: str) -> str | None:
    """Why ``section`` does not occur in the text at ``path`` (None when it does).

    A section starting with a heading number (``三、重点任务（二）…``, ``四(二)``) must name a
    heading of the text, and the words after each number must begin that heading; a section
    naming an attachment (附件, 附：) needs one in the text.  Other sections (开篇 …) are
    not checked."""
    doc = outline(path)
    sec = _norm(section)
    if sec.startswith("附"):
        return None if "附" in doc["text"] else "正文中没有附件 the text has no attachment"
    m = _SECTION.match(sec)
    if not m:
        return None
    top, top_words, sub, sub_words = m.groups()
    if top not in doc["tops"]:
        return f"正文中没有第「{top}、」部分 the text has no part {top}、"
    heading, subs = doc["tops"][top]
    if top_words and not heading.startswith(top_words):
        return f"第「{top}、」部分的标题是「{heading}」，不是「{top_words}」 heading differs"
    if sub:
        if sub not in subs:
            return f"第「{top}、」部分中没有「（{sub}）」 part {top}、 has no ({sub})"
        if sub_words and not subs[sub].startswith(sub_words):
            return f"「{top}、（{sub}）」的标题是「{subs[sub][:20]}」，不是「{sub_words}」 heading differs"
    return None


def iter_sources(rec: Any) -> Any:
    """Every ``source`` dict in a record and the records nested in it."""
    if isinstance(rec, list):
        for v in rec:
            yield from iter_sources(v)
    elif isinstance(rec, dict):
        if isinstance(rec.get("source"), dict):
            yield rec["source"]
        for k, v in rec.items():
            if k != "source":
                yield from iter_sources(v)


def text_path(plugin: Any, doc: dict[str, Any]) -> Path | None:
    """Where a declared document's shipped text is (``documents/`` beside the plugin's data)."""
    if not doc.get("text_file"):
        return None
    base = getattr(plugin, "documents_dir", None)
    if base is None:
        return None
    path = Path(base) / doc["text_file"]
    return path if path.exists() else None


def find_document(session: Any, name: str | None) -> PolicyDocument | None:
    """A declared document by 文号, by the file name of its text, or by title (what ``source.file`` holds)."""
    from sqlalchemy import or_, select

    if not name or name == OUTSIDE:
        return None
    return session.scalars(select(PolicyDocument).where(or_(
        PolicyDocument.number == name, PolicyDocument.text_file == name, PolicyDocument.title == name))
        .order_by(PolicyDocument.retired_at.is_not(None))).first()


def issued_on(session: Any, record: Any) -> dt.date | None:
    """The date of the document a record cites: the context in which its deadlines are read."""
    doc = find_document(session, getattr(record, "source_file", None))
    return doc.issued_on if doc else None


def documents_of(session: Any, region: str | None = None) -> list[PolicyDocument]:
    """Current documents, national first; ``region``: those of the region and the units inside it."""
    from sqlalchemy import select

    query = select(PolicyDocument).where(PolicyDocument.retired_at.is_(None))
    if region:
        query = query.where(under(PolicyDocument.region, region))
    return list(session.scalars(query.order_by(PolicyDocument.region.is_not(None), PolicyDocument.issued_on)))
