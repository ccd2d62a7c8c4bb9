"""The review workflow of a catalog item (先审查后公开, 一事一审, 主要领导签字审核).

draft → submitted → reviewed (保密审查, with a record) → signed (the unit's principal leader)
→ published; withdrawn with a reason.  Which of review and sign-off are required is a
region rule (``zwgk_review_steps``): an item that skipped a required step cannot be
published.  Each step is recorded for the item's current version (一事一审): editing
the item starts a new version, which must pass the steps again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import models as m
from .catalog import review_steps

STEP_NAMES = {"submit": "提交", "review": "保密审查", "signoff": "主要领导签字审核", "publish": "公开", "withdraw": "撤回"}


class WorkflowError(ValueError):
    """A step refused: the message (Chinese, the English after it) for the command line and the API;
    ``kind`` and ``facts`` let a page say it in its own language (``zwgk.admin.views``)."""

    def __init__(self, message: str, kind: str | None = None, **facts: Any):
        super().__init__(message)
        self.kind, self.facts = kind, facts


def _record(session: Session, item: m.CatalogItem, step: str, actor: str, passed: bool = True,
            reason: str | None = None) -> None:
    session.add(m.ReviewRecord(item_id=item.id, version=item.version, step=step, passed=passed, reason=reason,
                               actor=actor, at=dt.datetime.now(dt.timezone.utc)))



def _expect(item: m.CatalogItem, *statuses: str) -> None:
    if item.status not in statuses:
        raise WorkflowError(f"事项“{item.level1}”当前为 {item.status}，不能执行此操作 "
                            f"(needs {' or '.join(statuses)})", "status", item=item.level1, status=item.status,
                            needs=statuses)


def submit(session: Session, item: m.CatalogItem, actor: str) -> None:
    _expect(item, "draft")
    item.status = "submitted"
    session.flush()
    _record(session, item, "submit", actor)


def review(session: Session, item: m.CatalogItem, actor: str, passed: bool, reason: str | None) -> None:
    """保密审查: the conclusion and its reason are recorded; a failed review sends the item back."""
    _expect(item, "submitted")
    if not passed and not reason:
        raise WorkflowError("未通过保密审查须写明理由 a failed review needs a reason", "review_reason")
    version = item.version
    item.status = "reviewed" if passed else "draft"
    session.flush()
    session.add(m.ReviewRecord(item_id=item.id, version=version, step="review", passed=passed, reason=reason,
                               actor=actor, at=dt.datetime.now(dt.timezone.utc)))


def sign_off(session: Session, item: m.CatalogItem, actor: str, pm: Any) -> None:
    steps = review_steps(pm, item.unit.key)
    _expect(item, "reviewed" if "review" in steps else "submitted", "reviewed")
    item.status = "signed"
    session.flush()
    _record(session, item, "signoff", actor)


def publish(session: Session, item: m.CatalogItem, actor: str, pm: Any) -> None:
    """Publish, if every step the region requires was passed by the content being published."""
    steps = review_steps(pm, item.unit.key)
    _expect(item, "submitted", "reviewed", "signed")
    # the steps were taken on earlier versions of this same content: each status change is a version
    records = session.scalars(select(m.ReviewRecord).where(m.ReviewRecord.item_id == item.id)
                              .order_by(m.ReviewRecord.id)).all()
    since_submit = []
    for r in records:
        since_submit = [] if r.step == "submit" else since_submit + [r]
    done = {r.step for r in since_submit if r.passed}
    missing = [s for s in steps if s not in done]
    if missing:
        raise WorkflowError("缺少必经步骤，不能公开 cannot publish without: "
                            + "、".join(STEP_NAMES[s] for s in missing), "missing", missing=missing)
    item.status = "published"
    session.flush()
    _record(session, item, "publish", actor)


def withdraw(session: Session, item: m.CatalogItem, actor: str, reason: str) -> None:
    if not reason:
        raise WorkflowError("撤回须写明理由 withdrawing needs a reason", "withdraw_reason")
    _expect(item, "published")
    item.status = "withdrawn"
    session.flush()
    _record(session, item, "withdraw", actor, reason=reason)


def edited(item: m.CatalogItem) -> None:
    """An edit of a submitted, reviewed, signed or published item starts over as a draft
    (the published version stays visible until the new one is published)."""
    if item.status != "draft":
        item.status = "draft"
