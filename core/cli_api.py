"""CLI of the public side: API tokens (``zwgk token …``) and the public catalog's table and
search index (``zwgk public reindex``)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("token")
def token_group() -> None:
    """接口令牌 API tokens (shown once, stored hashed, revocable)."""


@token_group.command("create")
@click.argument("username")
@click.option("--name", default="api", show_default=True, help="用途 what the token is for")
@with_appcontext
def token_create(username: str, name: str) -> None:
    """为用户新建令牌（只显示这一次）create a token for USERNAME (shown only now)."""
    from .apitokens import TokenError, create_token
    from .db import get_db

    try:
        with get_db().session(actor="cli") as session:
            record, token = create_token(session, username, name)
            token_id = record.id
    except TokenError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"令牌 token #{token_id} ({username}, {name}):\n{token}\n请妥善保存，之后不再显示 keep it: it is not shown again.")


@token_group.command("list")
@click.option("--user", "username", default=None)
@with_appcontext
def token_list(username: str | None) -> None:
    """列出令牌（不含令牌本身）list tokens (never the tokens themselves)."""
    from .apitokens import tokens_of
    from .db import get_db

    with get_db().session() as session:
        for t in tokens_of(session, username):
            state = f"已撤销 revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "有效 live"
            click.echo(f"#{t.id}  {t.user.username:<16} {t.name:<16} {t.prefix}…  {state}")


@token_group.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def token_revoke(token_id: int) -> None:
    """撤销令牌 revoke a token by its number."""
    from .apitokens import TokenError, revoke
    from .db import get_db

    try:
        with get_db().session(actor="cli") as session:
            revoke(session, token_id)
    except TokenError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"已撤销 revoked #{token_id}")


@click.group("public")
def public_group() -> None:
    """公开目录 the public catalog's table and search index."""


@public_group.command("reindex")
@with_appcontext
def public_reindex() -> None:
    """由版本记录重建公开目录及其检索索引 rebuild the public catalog and its index from the history."""
    from .db import get_db
    from .published import refresh

    with get_db().session() as session:
        count = refresh(session.connection())
    click.echo(f"已公开事项 published items: {count}")


def register(main: click.Group) -> None:
    main.add_command(token_group)
    main.add_command(public_group)
