"""The ``zwgk`` command line (click, through Flask's ``FlaskGroup``).

Start-up is kept to what ``import flask`` costs: the application, the models, marshmallow and
the loaders are imported when a command needs them (the names below stand in for them until
then), so ``zwgk --help`` and a mistyped command answer at once.  Flask's own commands (run,
shell, routes) and those of Flask extensions are not offered: ``zwgk serve`` serves.
"""

from __future__ import annotations

import importlib
import secrets
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext

from .cli_import import catalog_options, run_import


class _Later:
    """A module of zwgk, imported the first time one of its names is used."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name, __package__), attr)


class _ChoiceLater(click.Choice):
    """click.Choice whose choices come from a module imported only when a command is parsed."""

    def __init__(self, module: str, attr: str):
        self._source, self.case_sensitive = (module, attr), True

    @property
    def choices(self):  # type: ignore[override]
        return tuple(getattr(importlib.import_module(self._source[0], __package__), self._source[1]))


accounts, export = _Later(".accounts"), _Later(".export")


def create_app(*args: Any, **kwargs: Any):
    from .app import create_app as create

    return create(*args, **kwargs)


def get_pm():
    from .app import get_pm as pm

    return pm()


def get_db():
    from .db import get_db as db

    return db()


def apply(*args: Any, **kwargs: Any):
    from .plugin_manager import apply as run

    return run(*args, **kwargs)


def _data_errors() -> tuple[type, ...]:
    from .loader import DataError

    return (DataError,)


def _plugin_errors() -> tuple[type, ...]:
    from .plugin_manager import PluginError

    return (PluginError,)


def _version(ctx: click.Context, _param: Any, value: bool) -> None:
    """zwgk's own version and the plugin contract it offers (not Flask's)."""
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import PackageNotFoundError, version

    from .hookspecs import CONTRACT_VERSION

    try:
        mine = version("zwgk")
    except PackageNotFoundError:  # pragma: no cover - running from a checkout without installing
        mine = "unknown"
    click.echo(f"zwgk {mine}\n插件契约版本 plugin contract {CONTRACT_VERSION}")
    ctx.exit()


#: commands kept in modules of their own, imported only when run: name → ("module:attr", short help).
#: A module adds one line, e.g. ``LAZY_COMMANDS["eval"] = ("zwgk.cli_eval:eval_group", "考核评估 evaluation")``;
#: ``main.add_command(...)`` works too, but imports the module at every start.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {}


class ZwgkGroup(FlaskGroup):
    """FlaskGroup for its app loading (``with_appcontext``), without Flask's commands: only ours."""

    def __init__(self, **kwargs: Any):
        super().__init__(add_default_commands=False, add_version_option=False, load_dotenv=False,
                         set_debug_flag=False, **kwargs)
        # the app is zwgk's own (ZWGK_* settings): Flask's --app, --env-file and --debug do not apply
        self.params = [p for p in self.params if p.name not in ("app", "env_file", "debug")]
        self.params.append(click.Option(["--version"], is_flag=True, expose_value=False, is_eager=True,
                                        callback=_version, help="显示版本 show zwgk's version and contract."))

    def get_command(self, ctx: click.Context, name: str):
        ctx.ensure_object(ScriptInfo)
        if name not in self.commands and name in LAZY_COMMANDS:
            module, _, attr = LAZY_COMMANDS[name][0].partition(":")
            self.add_command(getattr(importlib.import_module(module), attr), name)
        return click.Group.get_command(self, ctx, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(click.Group.list_commands(self, ctx)) | set(LAZY_COMMANDS))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The list in --help: a lazy command by its registered help, without importing it."""
        limit = formatter.width - 6 - max(map(len, self.list_commands(ctx)), default=0)
        rows = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
            elif command is None:
                rows.append((name, LAZY_COMMANDS[name][1]))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _clock():
    """Now, in UTC (the tests move it)."""
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc)


def _beijing_today():
    """Today in China: after 16:00 UTC it is already tomorrow there."""
    from .catalog_history import BEIJING

    return _clock().astimezone(BEIJING).date()


def _fail(message: str, code: int = 1) -> None:
    click.echo(message, err=True)
    sys.exit(code)


def _print_reports(reports) -> None:
    for report in reports:
        click.echo(report.render())


def _apply_or_fail(names=None, dry_run=False):
    try:
        return apply(get_db(), get_pm(), names, dry_run=dry_run)
    except _data_errors() as exc:
        _fail("数据有误，未写入任何内容 invalid data, nothing was written:\n" + str(exc))
    except _plugin_errors() as exc:
        _fail(str(exc))


class PluginLoadError(click.ClickException):
    """A plugin the deployment enables cannot be loaded: one line naming it, no traceback."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


#: commands that need the database and the plugins only: their app has no pages (about 1 s less
#: to start, which matters to a script exporting one catalog after another)
LIGHT_COMMANDS = frozenset({"export-catalog"})


def _create_app():
    ctx = click.get_current_context(silent=True)
    web = ctx is None or ctx.info_name not in LIGHT_COMMANDS
    try:
        return create_app(web=web)
    except _plugin_errors() as exc:
        raise PluginLoadError(exc) from exc


@click.group(cls=ZwgkGroup, create_app=_create_app)
def main() -> None:
    """zwgk — 基层政务公开标准化规范化 (grassroots government-affairs disclosure)."""


# --------------------------------------------------------------------------
# Database
# --------------------------------------------------------------------------


@main.command("init")
@with_appcontext
def init_command() -> None:
    """初始化：迁移数据库到最新，载入国家数据和已启用的插件。"""
    db = get_db()
    db.upgrade()
    click.echo(f"数据库 database: {db.engine.url.render_as_string(hide_password=True)} @ {db.current_revision()}")
    _print_reports(_apply_or_fail())
    _seed_calendar(db)


def _load_examples(db) -> None:
    """Each enabled plugin's example catalogs, written in the published layout and imported."""
    import tempfile

    from .catalog_io import import_catalog, write_published_layout
    from .plugin_manager import call_for

    pm = get_pm()
    for name in pm.list_name_plugin():
        for catalog in call_for(pm, name[0], "zwgk_example_catalogs"):
            for example in catalog:
                with tempfile.TemporaryDirectory() as tmp:
                    path = Path(tmp) / f"{name[0]}-示例目录.xlsx"
                    write_published_layout(path, example["title"], example["rows"], example.get("extra_columns", ()))
                    with db.session(actor="demo", reason="示例数据 example data") as session:
                        result = import_catalog(session, pm, path, example["unit"], example["domain"], example=True)
                    if not result.ok:
                        _fail(f"{name[0]} 示例目录有误 example catalog is invalid:\n"
                              + "\n".join(map(str, result.problems)))
                click.echo(f"示例目录 example catalog: {example['unit']} {example['domain']} {result.written} 条")


def _seed_calendar(db) -> None:
    from .workcalendar import seed_from_library

    with db.session(actor="init") as session:
        added = seed_from_library(session)
    click.echo(f"工作日历 calendar: 新增 added {added} 天 days" if added else "工作日历 calendar: 无变更 no changes")


@main.group("db")
def db_group() -> None:
    """数据库迁移 schema migrations."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """迁移到最新版本 upgrade to head."""
    db = get_db()
    db.upgrade()
    click.echo(f"当前版本 at revision {db.current_revision()}")


@db_group.command("check")
@with_appcontext
def db_check() -> None:
    """检查模型与迁移是否一致 fail when the models and the migrated schema differ."""
    drift = get_db().drift()
    if drift:
        _fail("模型与迁移不一致 models and migrations differ:\n" + "\n".join(map(str, drift)))
    click.echo("模型与迁移一致 no drift")


# --------------------------------------------------------------------------
# Plugins
# --------------------------------------------------------------------------


@main.group("plugins")
def plugins_group() -> None:
    """地区插件 regional plugins."""


@plugins_group.command("list", with_appcontext=False)  # lists a broken plugin too
@click.pass_context
def plugins_list(ctx: click.Context) -> None:
    """列出已安装的插件：名称、版本、是否启用（或无法加载及原因）、所提供的数据、实际实现的钩子。"""
    import os

    from flask.cli import ScriptInfo

    from .plugin_manager import (PluginError, collect, describe_plugins, get_plugin_manager, get_pm,
                                 installed_entry_points, parse_enabled)

    broken: dict[str, str] = {}
    try:  # the deployment's app; when a plugin cannot be loaded, list the others and the broken one
        pm = get_pm(ctx.ensure_object(ScriptInfo).load_app())
    except PluginLoadError:
        try:
            enabled = parse_enabled(os.environ.get("ZWGK_PLUGINS"), installed_entry_points())
        except PluginError as exc:
            _fail(str(exc))
        pm = get_plugin_manager(enabled, broken=broken)
    for info in describe_plugins(pm, broken):
        state = "无法加载 broken" if info.broken else "启用 enabled" if info.enabled else "未启用 disabled"
        click.echo(f"{info.name:<12} {info.version:<10} {state:<14} {info.title}  [{info.package}]")
        if info.broken:
            click.echo(f"    原因 reason: {info.broken}")
        if not info.enabled:
            continue
        try:
            counts = Counter({k: len(v) for k, v in collect(pm, info.name).items()})
        except _data_errors() as exc:
            click.echo(f"    数据有误 invalid data: {len(exc.problems)} 处 problems; 第一处 first: {exc.problems[0]}")
            continue
        provided = "、".join(f"{k} {n}" for k, n in counts.items() if n) or "-"
        click.echo(f"    提供 contributes: {provided}")
        click.echo(f"    钩子 hooks: {', '.join(info.hooks) or '-'}")


@plugins_group.command("apply")
@click.argument("name")
@click.option("--dry-run", is_flag=True, help="只报告，不写入 report only, write nothing.")
@with_appcontext
def plugins_apply(name: str, dry_run: bool) -> None:
    """应用一个插件（或 national）的数据：新增、变更、未变、保留管理员修改。"""
    _print_reports(_apply_or_fail([name], dry_run=dry_run))


@plugins_group.command("remove")
@click.argument("name")
@click.option("--dry-run", is_flag=True, help="只报告，不写入 report only, write nothing.")
@with_appcontext
def plugins_remove(name: str, dry_run: bool) -> None:
    """移除插件的全部数据：记录标为已移除（保留历史，目录事项仍可引用），不删除。"""
    from .plugin_manager import remove

    try:
        report = remove(get_db(), name, dry_run=dry_run)
    except _plugin_errors() as exc:
        _fail(str(exc))
    click.echo(report.render())
    if not dry_run:
        click.echo(f"下一步 next: 从 ZWGK_PLUGINS 中去掉 {name}，或 pip uninstall 它的包 "
                   f"(take {name} out of ZWGK_PLUGINS or uninstall its package)")


@plugins_group.command("check")
@click.argument("name")
def plugins_check(name: str) -> None:
    """一致性检查：加载插件，校验全部数据，解析每个引用（不改动本系统数据库）。"""
    from .conformance import check_plugin
    from .hookspecs import CONTRACT_VERSION

    found = check_plugin(name)
    problems = [p for p in found if not p.warning]
    for warning in (p for p in found if p.warning):
        click.echo(str(warning))
    if problems:
        _fail(f"{name}: {len(problems)} 处问题 problems\n" + "\n".join(str(p) for p in problems))
    click.echo(f"{name}: 合格 conforms to contract {CONTRACT_VERSION}")


@plugins_group.command("new")
@click.argument("name")
@click.option("--title", help="地区名称 the region's name, e.g. 海南省")
@click.option("--region", help="单位路径 unit path the plugin speaks for, e.g. 海南省")
@click.option("--dir", "target", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True)
def plugins_new(name: str, title: str | None, region: str | None, target: Path) -> None:
    """生成新插件包 scaffold an installable plugin package zwgk-NAME."""
    from .scaffold import ScaffoldError, scaffold

    try:
        files = scaffold(name, target, title, region)
    except ScaffoldError as exc:
        _fail(str(exc))
    root = files[0].parent
    click.echo(f"已生成 created {root}")
    for f in files:
        click.echo(f"  {f.relative_to(root)}")
    click.echo(f"下一步 next: pip install -e {root} && zwgk plugins check {name}")


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------


@main.command("export")
@click.argument("kind", type=_ChoiceLater(".export", "KINDS"))
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--region", help="插件名、单位名称或路径 plugin name, unit name or unit path.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="写入文件 write to a file.")
@with_appcontext
def export_command(kind: str, fmt: str, region: str | None, output: Path | None) -> None:
    """导出记录 export records of a kind as JSON or CSV."""
    session = get_db().scoped()
    try:
        rows = export.dump(kind, export.query(session, kind, get_pm(), region))
    except export.ExportError as exc:
        _fail(str(exc))
    text = export.to_json(rows) if fmt == "json" else export.to_csv(rows)
    if output:
        # Excel opens UTF-8 CSV correctly only with a byte-order mark.
        output.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
        click.echo(f"{len(rows)} 条 records → {output}", err=True)
    else:
        click.echo(text, nl=False)


# --------------------------------------------------------------------------
# Time limits, calendar, what is due
# --------------------------------------------------------------------------


def _date_or_datetime(value: str):
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(value) if ("T" in value or " " in value) else dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM not a date: {value!r}")


@main.command("deadline")
@click.argument("text")
@click.option("--from", "start", help="起算日期（事件发生之日）YYYY-MM-DD[THH:MM]；不给则为北京时间今天 "
                                      "the event's date; default: today in Beijing time")
@click.option("--document", help="时限所在的文件（文号、文件名或标题）：无“每年”的截止日期在该文件的年份 "
                                 "the document the text comes from: a deadline is in its year")
@with_appcontext
def deadline_command(text: str, start: str | None, document: str | None) -> None:
    """计算时限：解析时限文本，按法定工作日历给出到期日及所用的日历事实。

    “今年/本年/当年/明年/次年/年内”所指的年份：给了 --document 为该文件的年份；否则为起算日期
    （--from）的年份；两者都不给，为北京时间今天的年份（UTC 16:00 后北京已是次日）。所用的年份
    会打印出来。 The year of 今年/明年 …: the document's (--document), else the --from date's,
    else today's in Beijing time; the year used is printed."""
    from .documents import find_document
    from .timelimits import RELATIVE_YEAR, due_date, normalize, parse
    from .workcalendar import WorkCalendar

    if start:
        anchor = _date_or_datetime(start)
    else:
        anchor = _beijing_today()
        click.echo(f"起算日期 from: {anchor.isoformat()}（未给 --from：北京时间今天 today in Beijing time）")
    issued = None
    if document:
        doc = find_document(get_db().scoped(), document)
        if doc is None:
            _fail(f"未声明的文件 unknown document {document!r}（见 zwgk export documents）")
        issued = doc.issued_on
        click.echo(f"文件 document: {doc} {doc.title}（{doc.issued_on.isoformat()}）")
    elif RELATIVE_YEAR.search(normalize(text)):
        day = anchor.date() if hasattr(anchor, "date") else anchor
        issued = day
        whence = "起算日期 --from" if start else "北京时间今天 today in Beijing time"
        click.echo(f"参照年份 reference year: {day.year}（未给 --document：取{whence}的年份 the year of it）")
    rule = parse(text, issued)
    calendar = WorkCalendar.load(get_db().scoped())
    result = due_date(rule, anchor, calendar)
    click.echo(result.render())
    if rule.kind == "unparsed":
        sys.exit(2)


@main.command("due")
@click.option("--region", help="插件名、单位名称或路径 plugin, unit name or path")
@click.option("--within", default="14d", show_default=True, help="提前提醒天数 look-ahead, e.g. 14d")
@click.option("--today", "today_text", help="以此日为今天 take this date as today (YYYY-MM-DD)")
@click.option("--mail", "mail_to", multiple=True, help="发送摘要邮件 e-mail the digest (needs ZWGK_SMTP_HOST)")
@with_appcontext
def due_command(region, within, today_text, mail_to) -> None:
    """列出已逾期和即将到期的节点、报告与公开事项。"""
    import datetime as dt

    from .tracking import STATUS_NAMES, due_items

    if not within.rstrip("d").isdigit():
        raise click.BadParameter(f"应为天数如 14d not a number of days: {within!r}", param_hint="--within")
    today = dt.date.fromisoformat(today_text) if today_text else _beijing_today()
    session = get_db().scoped()
    path = None
    if region:
        try:
            path, _ = export.resolve_region(session, get_pm(), region)
        except export.ExportError as exc:
            _fail(str(exc))
    items = due_items(session, today, int(within.rstrip("d")), path)
    lines = [f"截至 {today}（{region or '全部地区'}，提前 {within}）: "
             f"已逾期 {sum(i.status == 'overdue' for i in items)}，即将到期 {sum(i.status == 'due_soon' for i in items)}"
             + (f"，日期超出工作日历范围 {bad}" if (bad := sum(i.status == 'out_of_range' for i in items)) else "")]
    for item in items:
        days = item.days_from(today)
        when = "—" if item.status == "out_of_range" else f"逾期 {-days} 天" if days < 0 else f"还有 {days} 天"
        lines.append(f"{STATUS_NAMES[item.status]:<5} {item.due}  {when:<8} [{item.kind}] {item.scope}  {item.title}"
                     + (f"  ({item.detail})" if item.detail else ""))
    text = "\n".join(lines)
    click.echo(text)
    if mail_to:
        from .mail import MailError, send_digest

        try:
            send_digest(current_app.config, list(mail_to), f"政务公开到期提醒 {today}", text)
        except MailError as exc:
            _fail(str(exc))
        click.echo(f"已发送 sent to {', '.join(mail_to)}", err=True)


@main.group("calendar")
def calendar_group() -> None:
    """法定工作日历 the official working-day calendar."""


@calendar_group.command("seed")
@with_appcontext
def calendar_seed() -> None:
    """从 chinesecalendar 载入已知年份（不覆盖已录入的年份）。"""
    from .workcalendar import seed_from_library

    with get_db().session(actor="cli") as session:
        added = seed_from_library(session)
    click.echo(f"日历 calendar: 新增 added {added} 天 days")


@calendar_group.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def calendar_load(path: Path) -> None:
    """录入一年的放假调休安排（CSV: date,type,name；type 为“休”或“班”）。"""
    from .workcalendar import CalendarError, enter_arrangement, read_arrangement

    try:
        year, entries = read_arrangement(path)
    except CalendarError as exc:
        _fail(str(exc))
    with get_db().session(actor="cli", reason=f"calendar {path.name}") as session:
        count = enter_arrangement(session, year, entries, f"file {path.name}")
    click.echo(f"{year} 年安排已录入 entered: {count} 个调整日 exception days")


@calendar_group.command("years")
@with_appcontext
def calendar_years() -> None:
    """列出已录入法定安排的年份。"""
    from sqlalchemy import select

    from .models import CalendarYear

    for row in get_db().scoped().scalars(select(CalendarYear).order_by(CalendarYear.year)):
        click.echo(f"{row.year}  {row.source}")


@main.group("reports")
def reports_group() -> None:
    """进展报告 progress reports of a schedule."""


@reports_group.command("submit")
@click.option("--region", required=True, help="进度安排所属地区 the schedule's region (plugin, unit name or path)")
@click.option("--period", required=True, help="报告期 e.g. 2018-03 or 2018-Q1")
@click.option("--on", "on_text", required=True, help="报送日期 YYYY-MM-DD")
@with_appcontext
def reports_submit(region: str, period: str, on_text: str) -> None:
    """登记一期进展报告已报送。"""
    import datetime as dt

    from sqlalchemy import select

    from .models import AdminUnit, ReportSubmission, Schedule
    from .tracking import expected_reports

    with get_db().session(actor="cli") as session:
        try:
            path, _ = export.resolve_region(session, get_pm(), region)
        except export.ExportError as exc:
            _fail(str(exc))
        schedules = [s for s in session.scalars(select(Schedule).join(AdminUnit, Schedule.scope)
                                                .where(AdminUnit.key == path)) if s.report_cadence]
        if len(schedules) != 1:
            _fail(f"{path} 有 {len(schedules)} 个带报告周期的进度安排 schedules with a report cadence; 需要 exactly 1")
        sched = schedules[0]
        periods = [p for p, _ in expected_reports(sched)]
        if period not in periods:
            _fail(f"报告期 {period} 不在该安排中 not a period of this schedule: {', '.join(periods)}")
        session.add(ReportSubmission(schedule=sched, period=period, submitted_on=dt.date.fromisoformat(on_text)))
    click.echo(f"已登记 recorded: {sched.title} {period}")


@main.group("publications")
def publications_group() -> None:
    """公开记录 publication records."""


@publications_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def publications_import(path: Path) -> None:
    """导入公开记录 CSV（obligation,scope,subject,event_at,published_at,note），全部有效才写入。"""
    from .tracking import import_publications

    with get_db().session(actor="cli", reason=f"import {path.name}") as session:
        count, problems = import_publications(session, path)
    if problems:
        _fail("未写入任何内容 nothing was written:\n" + "\n".join(map(str, problems)))
    click.echo(f"已导入 imported {count} 条 records")


@publications_group.command("check")
@click.option("--region")
@click.option("--today", "today_text")
@with_appcontext
def publications_check(region, today_text) -> None:
    """逐条检查公开记录：按时、逾期几个工作日、或待公开及其到期日。"""
    import datetime as dt

    from .tracking import STATUS_NAMES, check_publication, publications_in
    from .workcalendar import WorkCalendar

    session = get_db().scoped()
    today = dt.date.fromisoformat(today_text) if today_text else _beijing_today()
    path = export.resolve_region(session, get_pm(), region)[0] if region else None
    cal = WorkCalendar.load(session)
    for rec in publications_in(session, path):
        c = check_publication(rec, cal, today)
        extra = f" 逾期 {c.late_by}{c.unit}" if c.status == "late" else ""
        click.echo(f"{STATUS_NAMES[c.status]}{extra}  到期 due {c.due}  {rec.subject}  [{c.rule_text}]"
                   + ("（暂定 provisional）" if c.provisional else ""))


# --------------------------------------------------------------------------
# Catalogs
# --------------------------------------------------------------------------


@main.group("import")
def import_group() -> None:
    """导入 import."""


@import_group.command("catalog")
@catalog_options
@with_appcontext
def import_catalog_command(**options: Any) -> None:
    """导入政务公开事项标准目录（.xlsx/.xls/.csv/.docx/.html/.json），全部有效才写入。

    每个事项都属于 --unit，一律为草稿；记录写明其他单位的是该行的错误。单位在该领域已有事项时按事项路径
    （一级/二级/三级事项）匹配：修改的事项生成新版本（回到草稿），新事项追加，未变的不动；不再列出的只在
    --withdraw-missing 时撤回。"""
    # the body is zwgk.cli_import's: the console script runs it without Flask when it can
    run_import(get_db(), get_pm(), **options)


@main.group("catalog")
def catalog_group() -> None:
    """公开事项：审核流程、版本与比对 workflow, versions, diff."""


def _item(session, item_id: int):
    from .models import CatalogItem

    item = session.get(CatalogItem, item_id)
    if item is None:
        _fail(f"找不到事项 unknown item {item_id}")
    return item


@catalog_group.command("step")
@click.argument("step", type=click.Choice(["submit", "review", "signoff", "publish", "withdraw"]))
@click.argument("item_id", type=int)
@click.option("--actor", required=True, help="操作人 who takes the step")
@click.option("--fail", "failed", is_flag=True, help="保密审查未通过 the review did not pass")
@click.option("--reason", help="理由（未通过审查、撤回时必填）")
@with_appcontext
def catalog_step(step, item_id, actor, failed, reason) -> None:
    """审核流程的一步：提交、保密审查、主要领导签字、公开、撤回。"""
    from . import workflow

    try:
        with get_db().session(actor=actor, reason=reason) as session:
            item = _item(session, item_id)
            if step == "submit":
                workflow.submit(session, item, actor)
            elif step == "review":
                workflow.review(session, item, actor, not failed, reason)
            elif step == "signoff":
                workflow.sign_off(session, item, actor, get_pm())
            elif step == "publish":
                workflow.publish(session, item, actor, get_pm())
            else:
                workflow.withdraw(session, item, actor, reason or "")
            status = item.status
    except workflow.WorkflowError as exc:
        _fail(str(exc))
    click.echo(f"{item_id}: {workflow.STEP_NAMES[step]} → {status}")


@catalog_group.command("diff")
@click.option("--region", required=True, help="单位路径或插件名")
@click.option("--from", "start", help="起 YYYY-MM-DD[THH:MM]，北京时间（缺省：从头）")
@click.option("--to", "end", help="止，含当日（缺省：现在）")
@click.option("--published", is_flag=True, help="只比对公开的版本 what the public saw")
@with_appcontext
def catalog_diff(region, start, end, published) -> None:
    """两个时间之间目录的新增、删除、变更（逐要素 旧 → 新）。"""
    from .catalog_history import diff, parse_moment

    session = get_db().scoped()
    try:
        path = export.resolve_region(session, get_pm(), region)[0]
        start, end = parse_moment(start), parse_moment(end, end=True)
    except (export.ExportError, ValueError) as exc:
        _fail(str(exc))
    if start and end and start > end:
        _fail(f"起始时间晚于截止时间 --from is after --to: {start:%Y-%m-%d} > {end:%Y-%m-%d}")
    click.echo(diff(session, path, start, end, published).render())


@catalog_group.command("versions")
@click.argument("item_id", type=int)
@with_appcontext
def catalog_versions(item_id) -> None:
    """列出一个事项的全部版本。"""
    from sqlalchemy import select

    from .catalog_history import in_beijing
    from .models import CatalogItemVersion

    versions = get_db().scoped().scalars(select(CatalogItemVersion).where(CatalogItemVersion.item_id == item_id)
                                         .order_by(CatalogItemVersion.version)).all()
    if not versions:
        _fail(f"找不到事项 {item_id} 的任何版本 no item {item_id}")
    for v in versions:  # in Beijing time, as the admin and the public pages show it
        click.echo(f"v{v.version}  {in_beijing(v.at)[:16]}+08:00  {v.status:<10} {v.actor}  {v.reason or ''}"
                   + ("  (已删除 deleted)" if v.deleted else ""))


@catalog_group.command("revert")
@click.argument("item_id", type=int)
@click.option("--to-version", "to_version", required=True, type=int)
@click.option("--actor", required=True)
@click.option("--reason")
@with_appcontext
def catalog_revert(item_id, to_version, actor, reason) -> None:
    """把事项恢复到较早的版本（恢复本身是一个新版本，状态回到草稿）。"""
    from .catalog_history import revert

    try:
        with get_db().session(actor=actor, reason=reason or f"revert to v{to_version}") as session:
            item = _item(session, item_id)
            revert(session, item, to_version)
            session.flush()
            version = item.version
    except ValueError as exc:
        _fail(str(exc))
    click.echo(f"{item_id}: 已恢复为第{to_version}版的内容，现为第{version}版 reverted, now v{version}")


@main.command("export-catalog")
@click.option("--region", required=True, help="单位路径或插件名 unit path or plugin")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help=".xlsx（标准目录版式）、.csv 或 .json")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv", "json"]), help="缺省按文件后缀 default: by suffix")
@click.option("--domain", help="只导出此领域 only this domain")
@click.option("--status", type=click.Choice(["draft", "submitted", "reviewed", "signed", "published", "withdrawn"]),
              help="只导出此状态 only items in this status")
@with_appcontext
def export_catalog_command(region: str, output: Path, fmt: str | None, domain: str | None, status: str | None) -> None:
    """导出目录：.xlsx 为标准目录版式（两行表头），.csv 同列，.json 为记录；均可再导入。"""
    from . import models as m
    from .catalog_export import rows_query, spans_several_units, stream_rows
    from .catalog_io import CatalogFileError, write_catalog
    from .domains import resolve_domain

    session = get_db().scoped()
    try:  # rows read in chunks and written as they come (memory stays flat at any size)
        q = rows_query(session, get_pm(), region)
    except export.ExportError as exc:
        _fail(str(exc))
    if domain:
        dom = resolve_domain(session, domain)
        if dom is None:
            _fail(f"找不到领域 unknown domain {domain!r}")
        q = q.where(m.CatalogItem.domain_id == dom.id)
    if status:
        q = q.where(m.CatalogItem.status == status)
    try:
        count = write_catalog(stream_rows(session, q), output, fmt,
                              unit_column=spans_several_units(session, q))  # each row names its unit
    except CatalogFileError as exc:
        _fail(str(exc))
    except OSError as exc:  # a missing folder, no permission, a full disk: said, not a traceback
        _fail(f"无法写入 cannot write {output}: {exc.strerror or exc}")
    click.echo(f"{count} 条 items → {output}", err=True)


# --------------------------------------------------------------------------
# Users
# --------------------------------------------------------------------------


@main.group("users")
def users_group() -> None:
    """管理员账号 admin accounts."""


def _password_option():
    return click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
                        help="至少10位 at least 10 characters.")


@users_group.command("create")
@click.argument("username")
@click.option("--role", type=_ChoiceLater(".accounts", "ROLES"), required=True)
@click.option("--unit", help="单位名称或路径 unit name or path, e.g. 拱墅区 or 浙江省/杭州市/拱墅区")
@click.option("--department")
@_password_option()
@with_appcontext
def users_create(username, role, unit, department, password) -> None:
    """创建账号 create an account."""
    try:
        with get_db().session(actor="cli") as session:
            accounts.create_user(session, username, password, role, unit, department)
    except accounts.AccountError as exc:
        _fail(str(exc))
    click.echo(f"已创建 created {username} ({accounts.ROLE_NAMES[role]})")


@users_group.command("set-password")
@click.argument("username")
@_password_option()
@with_appcontext
def users_set_password(username, password) -> None:
    """重设密码 set a new password."""
    try:
        with get_db().session(actor="cli") as session:
            accounts.set_password(session, username, password)
    except accounts.AccountError as exc:
        _fail(str(exc))
    click.echo(f"已更新密码 password changed for {username}")


@users_group.command("set-role")
@click.argument("username")
@click.option("--role", type=_ChoiceLater(".accounts", "ROLES"), required=True)
@click.option("--unit")
@with_appcontext
def users_set_role(username, role, unit) -> None:
    """修改角色和单位 change role and unit."""
    try:
        with get_db().session(actor="cli") as session:
            accounts.set_role(session, username, role, unit)
    except accounts.AccountError as exc:
        _fail(str(exc))
    click.echo(f"已更新 {username}: {accounts.ROLE_NAMES[role]} {unit or ''}")


# --------------------------------------------------------------------------
# Serving
# --------------------------------------------------------------------------


def _serve(app, host: str, port: int, threads: int = 8) -> None:
    from waitress import serve

    click.echo(f"正在运行 serving on http://{host}:{port}/  (Ctrl+C 退出 to stop)")
    serve(app, host=host, port=port, threads=threads)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256), help="工作线程数 worker threads")
@with_appcontext
def serve_command(host: str, port: int, threads: int) -> None:
    """运行网站 serve the app (waitress)."""
    _serve(current_app._get_current_object(), host, port, threads)


@main.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="只准备数据库，不运行 prepare only.")
@with_appcontext
def demo_command(host: str, port: int, no_serve: bool) -> None:
    """演示：全新 SQLite 数据库、全部数据、一个演示管理员，然后运行。"""
    path = Path(current_app.instance_path) / "demo.sqlite"
    path.unlink(missing_ok=True)
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "PLUGINS": current_app.config["PLUGINS"],
                      "SECRET_KEY": current_app.config["SECRET_KEY"]})
    password = secrets.token_urlsafe(12)
    with app.app_context():
        db = get_db()
        db.upgrade()
        _print_reports(_apply_or_fail())
        _seed_calendar(db)
        _load_examples(db)
        with db.session(actor="demo") as session:
            accounts.create_user(session, "admin", password, "system_admin")
    click.echo(f"\n演示数据库 demo database: {path}")
    click.echo(f"演示管理员 demo administrator: admin / {password}")
    if not no_serve:
        _serve(app, host, port)


# Commands kept in the capability packages: imported only when run (``zwgk --help`` stays fast).
LAZY_COMMANDS["participation"] = ("zwgk.participation.cli:participation", "公众参与 public participation")
LAZY_COMMANDS["requests"] = ("zwgk.foi.cli:requests_group", "依申请公开 disclosure on application")
LAZY_COMMANDS["evaluate"] = ("zwgk.evaluation.cli:evaluate_command", "考核评估 score every unit of a region")
LAZY_COMMANDS["evaluation"] = ("zwgk.evaluation.cli:evaluation_group", "考核评估 runs, reports, surveys")
LAZY_COMMANDS["dump"] = ("zwgk.cli_dump:dump_command", "导出整个数据库 dump the whole database to a file")
LAZY_COMMANDS["restore"] = ("zwgk.cli_dump:restore_command", "从文件恢复整个数据库 restore the whole database")
LAZY_COMMANDS["token"] = ("zwgk.cli_api:token_group", "开放接口令牌 API tokens")
LAZY_COMMANDS["public"] = ("zwgk.cli_api:public_group", "公开目录 the public catalog (reindex)")
LAZY_COMMANDS["worker"] = ("zwgk.cli_api:worker_command", "后台任务执行器 run background jobs from Redis (RQ)")
LAZY_COMMANDS["job"] = ("zwgk.cli_api:job_status", "后台任务状态 a background job's state")
