"""Per-user API tokens: shown once, stored as a SHA-256 hash, revocable.

A token is 32 random bytes (``secrets.token_urlsafe``); a fast hash is enough for a secret of
that strength (no dictionary to try), and lets a request find its token by the hash alone.
The token acts as its user: the same role, unit and department scope as in the admin.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import DateTime, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .models import Base, User

PREFIX = "zwgk_"


class ApiToken(Base):
    """An API token of a user (接口令牌); only its hash is kept."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(12))  # the first characters, to tell tokens apart in a list
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    user: Mapped[User] = relationship()

    def __str__(self) -> str:
        return f"接口令牌 {self.name}（{self.user.username if self.user else self.user_id}）"


class TokenError(ValueError):
    pass


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, username: str, name: str = "api") -> tuple[ApiToken, str]:
    """A new token for ``username``; returns the record and the token itself (shown only now)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise TokenError(f"找不到用户 unknown user: {username}")
    token = PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(user=user, name=name, prefix=token[:12], token_hash=_hash(token),
                      created_at=dt.datetime.now(dt.timezone.utc))
    session.add(record)
    session.flush()
    return record, token


def user_for(session: Session, token: str) -> User | None:
    """The active user a live token belongs to, or None (unknown, revoked, or user inactive)."""
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None
    record = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(token)))
    if record is None or record.revoked_at is not None or not record.user.active:
        return None
    record.last_used_at = dt.datetime.now(dt.timezone.utc)
    return record.user


def revoke(session: Session, token_id: int) -> ApiToken:
    record = session.get(ApiToken, token_id)
    if record is None:
        raise TokenError(f"找不到令牌 unknown token id {token_id}")
    if record.revoked_at is None:
        record.revoked_at = dt.datetime.now(dt.timezone.utc)
    return record


def tokens_of(session: Session, username: str | None = None) -> list[ApiToken]:
    q = select(ApiToken).order_by(ApiToken.id)
    if username:
        q = q.join(User).where(User.username == username)
    return list(session.scalars(q))
