"""Accounts of the admin interface (roles scoped to a unit)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .models import AdminUnit, User

#: system administrator, region administrator, department editor, reviewer, viewer
ROLES = ("system_admin", "region_admin", "editor", "reviewer", "viewer", "assessor")
ROLE_NAMES = {"system_admin": "系统管理员", "region_admin": "地区管理员", "editor": "部门编辑",
              "reviewer": "审核人", "viewer": "只读用户",
              "assessor": "评估机构"}  # assessor: scores only the units of its engagements (issue 15)
MIN_PASSWORD = 10


class AccountError(ValueError):
    pass


def _unit(session: Session, path: str | None) -> AdminUnit | None:
    if not path:
        return None
    unit = session.scalar(select(AdminUnit).where(AdminUnit.key == path))
    if unit is None:  # a unique name (道县, 拱墅区) names its unit too, as everywhere else
        named = session.scalars(select(AdminUnit).where(AdminUnit.name == path).order_by(AdminUnit.key)).all()
        if len(named) > 1:
            raise AccountError(f"单位名称不唯一，请写完整路径 ambiguous unit name {path!r}: "
                               + "、".join(u.key for u in named))
        unit = named[0] if named else None
    if unit is None:
        raise AccountError(f"找不到单位 unknown unit: {path} (写单位名称或路径 a unit name or path)")
    return unit


def _check(role: str, unit: AdminUnit | None, password: str | None) -> None:
    if role not in ROLES:
        raise AccountError(f"未知角色 unknown role {role!r}; 可选 choose from {', '.join(ROLES)}")
    if role != "system_admin" and unit is None:
        raise AccountError(f"角色 {role} 需要指定单位 needs a unit (--unit)")
    if password is not None and len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 位 password needs at least {MIN_PASSWORD} characters")


def create_user(session: Session, username: str, password: str, role: str,
                unit: str | None = None, department: str | None = None) -> User:
    if session.scalar(select(User).where(User.username == username)):
        raise AccountError(f"用户已存在 user exists: {username}")
    unit_obj = _unit(session, unit)
    _check(role, unit_obj, password)
    user = User(username=username, password_hash=generate_password_hash(password), role=role,
                unit=unit_obj, department=department)
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise AccountError(f"找不到用户 unknown user: {username}")
    return user


def set_password(session: Session, username: str, password: str) -> None:
    user = get_user(session, username)
    _check(user.role, user.unit, password)
    user.password_hash = generate_password_hash(password)
    revoke_sessions(user)


def set_role(session: Session, username: str, role: str, unit: str | None = None) -> None:
    user = get_user(session, username)
    unit_obj = _unit(session, unit) if unit else user.unit
    _check(role, unit_obj, None)
    user.role, user.unit = role, unit_obj
    revoke_sessions(user)


def verify(user: User, password: str) -> bool:
    # the hash is checked first, always: an inactive account answers as slowly as an active one
    return check_password_hash(user.password_hash, password) and user.active


_NOBODY: list[str] = []


def verify_nobody(password: str) -> bool:
    """Check ``password`` against a hash of no account, as slowly as :func:`verify` checks a real
    one: a login for an unknown name takes as long as one with a wrong password (no list of the
    accounts by timing).  Always False."""
    if not _NOBODY:
        import secrets

        _NOBODY.append(generate_password_hash(secrets.token_urlsafe(16)))
    check_password_hash(_NOBODY[0], password)
    return False


def revoke_sessions(user: User) -> None:
    """Every session cookie issued to ``user`` so far stops working (logout, new password, role)."""
    user.session_generation = (user.session_generation or 0) + 1
