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
@click.option("--background", is_flag=True, help="作为后台任务 as a background job (prints its id)")
@with_appcontext
def public_reindex(background: bool) -> None:
    """由版本记录重建公开目录及其检索索引 rebuild the public catalog and its index from the history."""
    from .jobs import get_jobs, reindex_public

    if background:
        click.echo(get_jobs().enqueue("zwgk.jobs.reindex_public"))
        return
    click.echo(f"已公开事项 published items: {reindex_public()}")


@click.command("worker")
@click.option("--burst", is_flag=True, help="队列空了就退出 stop when the queue is empty")
@click.option("--simple", is_flag=True, help="在本进程中运行任务（不 fork）run jobs in this process (no fork)")
@with_appcontext
def worker_command(burst: bool, simple: bool) -> None:
    """运行后台任务（RQ，需要 ZWGK_REDIS_URL）run background jobs from the Redis queue."""
    from rq import SimpleWorker, Worker

    from .jobs import RQJobs, get_jobs

    jobs = get_jobs()
    if not isinstance(jobs, RQJobs):
        raise click.ClickException("未设置 ZWGK_REDIS_URL：任务在网站进程内运行，无需 worker "
                                   "ZWGK_REDIS_URL is not set: jobs run inside the server, no worker needed")
    cls = SimpleWorker if simple else Worker
    cls([jobs.queue], connection=jobs.connection).work(burst=burst, with_scheduler=False)


@click.command("job")
@click.argument("job_id")
@with_appcontext
def job_status(job_id: str) -> None:
    """后台任务的进度 a background job's state and progress."""
    from .jobs import get_jobs

    state = get_jobs().status(job_id)
    if state is None:
        raise click.ClickException(f"找不到任务 unknown job {job_id}")
    click.echo(f"{state['state']} {state['done']}/{state['total']} {state['result'] if state['result'] is not None else ''}"
               f"{' ' + state['error'] if state['error'] else ''}")


def register(main: click.Group) -> None:
    main.add_command(token_group)
    main.add_command(public_group)
    main.add_command(worker_command)
    main.add_command(job_status)
