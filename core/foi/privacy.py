"""Applicants' personal data: who may see it, and its deletion after the retention period.

Only the handling unit sees it (``may_see_personal``).  After the retention period, counted
from the day a request was closed, the purge empties every field that may hold it; what the
annual report and 依申请转主动 count (dates, channel, applicant type, reply type, topic) stays.
The retention period is a setting of the deployment (``ZWGK_FOI_RETENTION_DAYS``), following the
office's records rules: the 条例 does not fix one.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import InfoRequest

PERSONAL_FIELDS = ("applicant_name", "applicant_id_number", "applicant_contact", "applicant_address", "description",
                   "purpose", "delivery", "reply_text", "reply_document", "reply_document_name")


def may_see_personal(user, req: InfoRequest) -> bool:
    """The handling unit's own accounts, nobody above or beside it (not even a system administrator)."""
    return bool(getattr(user, "unit_path", None)) and user.unit_path == req.unit.key


def due_for_purge(session: Session, today: dt.date, retention_days: int) -> list[InfoRequest]:
    if retention_days < 0:
        raise ValueError("retention_days: 不能为负 must not be negative")
    cutoff = today - dt.timedelta(days=retention_days)
    return list(session.scalars(select(InfoRequest).where(InfoRequest.closed_on.isnot(None),
                                                          InfoRequest.closed_on <= cutoff,
                                                          InfoRequest.purged_at.is_(None))
                                .order_by(InfoRequest.id)))


def purge(session: Session, today: dt.date, retention_days: int) -> list[str]:
    """Empty the personal data of requests closed more than ``retention_days`` ago; their numbers."""
    done = []
    now = dt.datetime.now(dt.timezone.utc)
    for req in due_for_purge(session, today, retention_days):
        for f in PERSONAL_FIELDS:
            setattr(req, f, None)
        for step in req.steps:
            step.note = None
        req.purged_at = now
        done.append(req.tracking_no)
    session.flush()
    return done
