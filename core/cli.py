"""The ``zwgk`` command line (click, through Flask's ``FlaskGroup``)."""

from __future__ import annotations

import secrets
import sys
from collections import Counter
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from . import accounts, export
from .app import create_app, get_pm
from .db import get_db
from .hookspecs import CONTRACT_VERSION
from .loader import DataError
from .plugin_manager import NATIONAL, PluginError, apply, collect, describe_plugins


def _fail(message: str, code: int = 1) -> None:
    click.echo(message, err=True)
    sys.exit(code)


def _print_reports(reports) -> None:
    for report in reports:
        click.echo(report.render())


def _apply_or_fail(names=None, dry_run=False):
    try:
        return apply(get_db(), get_pm(), names, dry_run=dry_run)
    except DataError as exc:
        _fail("数据有误，未写入任何内容 invalid data, nothing was written:\n" + str(exc))
    except PluginError as exc:
        _fail(str(exc))


@click.group(cls=FlaskGroup, create_app=create_app)
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


@plugins_group.command("list")
@with_appcontext
def plugins_list() -> None:
    """列出已安装的插件：名称、版本、是否启用、所提供的数据。"""
    pm = get_pm()
    for info in describe_plugins(pm):
        state = "启用 enabled" if info.enabled else "未启用 disabled"
        click.echo(f"{info.name:<12} {info.version:<10} {state:<14} {info.title}  [{info.package}]")
        if not info.enabled:
            continue
        try:
            counts = Counter({k: len(v) for k, v in collect(pm, info.name).items()})
        except DataError as exc:
            click.echo(f"    数据有误 invalid data: {len(exc.problems)} 处 problems")
            continue
        provided = "、".join(f"{k} {n}" for k, n in counts.items() if n) or "-"
        click.echo(f"    提供 contributes: {provided}")
        click.echo(f"    钩子 hooks: {', '.join(info.hooks)}")


@plugins_group.command("apply")
@click.argument("name")
@click.option("--dry-run", is_flag=True, help="只报告，不写入 report only, write nothing.")
@with_appcontext
def plugins_apply(name: str, dry_run: bool) -> None:
    """应用一个插件（或 national）的数据：新增、变更、未变、保留管理员修改。"""
    _print_reports(_apply_or_fail([name], dry_run=dry_run))


@plugins_group.command("check")
@click.argument("name")
def plugins_check(name: str) -> None:
    """一致性检查：加载插件，校验全部数据，解析每个引用（不改动本系统数据库）。"""
    from .conformance import check_plugin

    problems = check_plugin(name)
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
@click.argument("kind", type=click.Choice(export.KINDS))
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
@click.option("--role", type=click.Choice(accounts.ROLES), required=True)
@click.option("--unit", help="单位路径 unit path, e.g. 浙江省/杭州市/拱墅区")
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
@click.option("--role", type=click.Choice(accounts.ROLES), required=True)
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


def _serve(app, host: str, port: int) -> None:
    from waitress import serve

    click.echo(f"正在运行 serving on http://{host}:{port}/  (Ctrl+C 退出 to stop)")
    serve(app, host=host, port=port, threads=8)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve_command(host: str, port: int) -> None:
    """运行网站 serve the app (waitress)."""
    _serve(current_app._get_current_object(), host, port)


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
        with db.session(actor="demo") as session:
            accounts.create_user(session, "admin", password, "system_admin")
    click.echo(f"\n演示数据库 demo database: {path}")
    click.echo(f"演示管理员 demo administrator: admin / {password}")
    if not no_serve:
        _serve(app, host, port)
