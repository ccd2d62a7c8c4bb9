"""``zwgk participation …``: purge contact details past their retention period; feedback statistics."""

from __future__ import annotations

import datetime as dt
import json

import click
from flask.cli import with_appcontext


@click.group("participation")
def participation() -> None:
    """公众参与：意见反馈的联系方式清除、统计。"""


@participation.command("purge")
@click.option("--now", "now_text", help="清除时点 (ISO date or datetime, UTC; default: now) — for tests and catch-up runs")
@click.option("--default-days", type=click.IntRange(1, 3650), default=None,
              help="未设置保存期限的地区使用的天数 (default: ZWGK_CONTACT_RETENTION_DAYS or 180)")
@with_appcontext
def purge(now_text: str | None, default_days: int | None) -> None:
    """删除超过地区保存期限的意见联系方式（每天由 cron 运行）。"""
    from flask import current_app

    from ..db import get_db
    from .service import DEFAULT_RETENTION_DAYS, purge_contacts

    now = None
    if now_text:
        try:
            now = dt.datetime.fromisoformat(now_text)
        except ValueError:
            raise click.BadParameter(f"不是日期或时间 not a date or time: {now_text!r}", param_hint="--now")
        if now.tzinfo is None:
            now = now.replace(tzinfo=dt.timezone.utc)
    days = default_days or int(current_app.config.get("ZWGK_CONTACT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))
    with get_db().session(actor="purge") as session:
        count = purge_contacts(session, now, days)
    click.echo(f"已清除 {count} 条意见的联系方式 contact details deleted from {count} feedback records")


@participation.command("stats")
@click.option("--region", default=None, help="单位名称或路径 unit name or path, e.g. 道县 (default: all)")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), default=None)
@with_appcontext
def stats(region: str | None, start, end) -> None:
    """意见数量、满意率与答复用时（工作日），JSON。"""
    from ..db import get_db
    from .service import feedback_stats

    with get_db().session() as session:
        if region:
            from ..foi.cli import _unit_path

            region = _unit_path(session, region, "--region")
        result = feedback_stats(session, region, start.date() if start else None, end.date() if end else None)
    click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
