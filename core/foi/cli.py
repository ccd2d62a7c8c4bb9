"""``zwgk requests …``: the annual report, 依申请转主动 and the purge of personal data."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext


def _unit_path(session, text: str, hint: str) -> str:
    """A unit named by its path, a unique name (道县) or its plugin → its path; unknown: a usage error
    (never an empty answer that looks like "nothing found")."""
    from .. import export
    from ..app import get_pm

    try:
        path = export.resolve_region(session, get_pm(), text)[0]
    except export.ExportError as exc:
        raise click.BadParameter(str(exc), param_hint=hint) from None
    if not path:
        raise click.BadParameter(f"插件 {text} 没有地区 the plugin names no region", param_hint=hint)
    return path


def _today(text: str | None) -> dt.date:
    try:
        if text:
            return dt.date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"应为 YYYY-MM-DD not a date: {text!r}", param_hint="--today") from None
    from .service import _now, beijing_day

    return beijing_day(_now())  # today in Beijing: after 16:00 UTC it is already tomorrow there


@click.group("requests")
def requests_group() -> None:
    """依申请公开 disclosure on application."""


@requests_group.command("purge")
@click.option("--retention-days", type=int, help="保存期（天），默认 ZWGK_FOI_RETENTION_DAYS")
@click.option("--today", "today_text", help="以此日为今天 take this date as today (YYYY-MM-DD)")
@click.option("--dry-run", is_flag=True, help="只报告，不删除 report only.")
@with_appcontext
def purge_command(retention_days: int | None, today_text: str | None, dry_run: bool) -> None:
    """删除保存期满的申请人个人信息 delete applicants' personal data after the retention period."""
    from ..db import get_db
    from .privacy import due_for_purge, purge

    days = retention_days if retention_days is not None else current_app.config.get("ZWGK_FOI_RETENTION_DAYS")
    if days is None:
        click.echo("未设置保存期 no retention period: --retention-days or ZWGK_FOI_RETENTION_DAYS", err=True)
        sys.exit(2)
    today = _today(today_text)
    db = get_db()
    with db.session(actor="purge", reason="个人信息保存期满 retention period over") as session:
        if dry_run:
            numbers = [r.tracking_no for r in due_for_purge(session, today, int(days))]
            session.rollback()
        else:
            numbers = purge(session, today, int(days))
    verb = "将删除 would purge" if dry_run else "已删除 purged"
    click.echo(f"{verb} {len(numbers)} 件申请的个人信息（办结满 {days} 天）: " + ", ".join(numbers))


@requests_group.command("report")
@click.argument("unit")
@click.argument("year", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help=".xlsx 或 .html")
@click.option("--base-url", default="http://localhost:5000", show_default=True, help="数字链接的网站地址 site address")
@with_appcontext
def report_command(unit: str, year: int, output: Path, base_url: str) -> None:
    """政府信息公开工作年度报告 the annual report of a unit (name or path) for a year."""
    from urllib.parse import urlencode

    from flask import render_template

    from ..db import get_db
    from . import report as rp, words

    session = get_db().scoped()
    unit = _unit_path(session, unit, "UNIT")
    try:
        rep = rp.build(session, unit, year)
    except ValueError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)

    def link(key: str) -> str:
        return f"{base_url.rstrip('/')}/admin/foi_report/records?" + urlencode({"unit": unit, "year": year, "cell": key})

    if output.suffix.lower() == ".xlsx":
        rp.write_xlsx(rep, output, link)
    elif output.suffix.lower() in (".html", ".htm"):
        with current_app.test_request_context(base_url=base_url):
            output.write_text(render_template("foi/report.html", rep=rep, rp=rp, w=words, link=link, printable=True,
                                              can_edit=False), encoding="utf-8")
    else:
        raise click.BadParameter("应为 .xlsx 或 .html must end in .xlsx or .html", param_hint="--output")
    click.echo(f"已写入 written: {output}")


@requests_group.command("frequent")
@click.option("--region", help="单位名称或路径 unit name or path")
@click.option("--from", "start", required=True, help="YYYY-MM-DD")
@click.option("--to", "end", required=True, help="YYYY-MM-DD")
@click.option("-n", "n", default=3, show_default=True, type=int, help="至少申请次数 at least this many requests")
@with_appcontext
def frequent_command(region: str | None, start: str, end: str, n: int) -> None:
    """依申请转主动：所选期间被申请 n 次以上的信息 information asked for n times or more."""
    from ..db import get_db
    from .proactive import frequent

    session = get_db().scoped()
    region = _unit_path(session, region, "--region") if region else None
    try:
        rows = frequent(session, region, dt.date.fromisoformat(start), dt.date.fromisoformat(end), n)
    except ValueError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    for t in rows:
        click.echo(f"{t.count:>4}  {t.unit}  {t.topic}" + (f"  （已起草 drafted #{t.item_id}）" if t.item_id else ""))
    click.echo(f"共 {len(rows)} 项 topics")
