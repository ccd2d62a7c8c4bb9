"""``zwgk import catalog``: its options and its body, shared by the full command (``zwgk.cli``,
inside the Flask app) and the console script's light run (``zwgk.console``, without Flask).

Nothing here imports Flask, the app or the models at module level: what the command prints,
its exit code and what it writes are this module's, whichever way it was started.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

def catalog_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The command's argument and options (the full command and the light run parse the same)."""
    decorators = [
        click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path)),
        click.option("--unit", required=True, help="单位名称或路径 unit name or path, e.g. 道县 or 湖南省/永州市/道县"),
        click.option("--domain", help="整个文件属于的领域（文件无“领域”列、表名或标题未写明时）the domain of every row"),
        click.option("--dry-run", is_flag=True, help="只检查，不写入；显示列的对应和前几行 check only; show the mapping"),
        click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="错误报告 CSV error report"),
        click.option("--example", is_flag=True, help="标记为示例数据 mark the items as example data"),
        click.option("--append", is_flag=True, help="全部作为新事项追加，不与已有事项匹配 add every row as a new item"),
        click.option("--withdraw-missing", is_flag=True,
                     help="撤回文件中不再列出的已有事项 withdraw the unit's items the file no longer lists"),
        click.option("--user", "username",
                     help="以该账户导入（其管辖范围与领域）import as this account (its scope and domains)"),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def _fail(message: str, code: int = 1) -> None:
    click.echo(message, err=True)
    sys.exit(code)


class _PhaseBars:
    """A progress bar on stderr for each phase of an import (校验 checking, 写入 writing)."""

    LABELS = {"check": "校验 checking", "write": "写入 writing"}

    def __init__(self) -> None:
        self.phase, self.bar, self.shown = None, None, 0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase not in self.LABELS:
            return
        if phase != self.phase:
            self.close()
            self.phase, self.shown = phase, 0
            self.bar = click.progressbar(length=total, label=self.LABELS[phase], file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def run_import(db: Any, pm: Any, path: Path, unit: str, domain: str | None, dry_run: bool, report: Path | None,
               example: bool, append: bool, withdraw_missing: bool, username: str | None) -> None:
    """The command's body: import ``path`` into ``db`` with the plugins of ``pm``, say what happened
    (stdout, stderr), exit 1 (``SystemExit``) when nothing was written because of a problem."""
    from .catalog_io import CatalogFileError, import_catalog, mapping_lines, problems_csv, source_name

    bars = _PhaseBars()
    try:
        with db.session(actor=username or "import", reason=f"import {source_name(path)}") as session:
            scope, allowed = _import_account(session, username)
            try:
                result = import_catalog(session, pm, path, unit, domain, dry_run, bars, example,
                                        allowed_domains=allowed, scope=scope,
                                        append=append, withdraw_missing=withdraw_missing)
            finally:
                bars.close()
            if not result.ok:
                session.rollback()
    except CatalogFileError as exc:
        _fail(str(exc))
    except Exception:
        if not _initialised(db):  # no tables: say so, not SQLAlchemy's traceback
            _fail("数据库尚未初始化（没有 zwgk 的表），请先运行 zwgk init "
                  "the database has no zwgk tables: run `zwgk init` first")
        raise
    if dry_run or result.problems:
        click.echo("\n".join(mapping_lines(result)))
    for warning in result.warnings:
        click.echo(f"注意 note: {warning}", err=True)
    if report and result.problems:
        report.write_text(problems_csv(result.problems), encoding="utf-8-sig")
    if result.problems:
        lines = [str(p) for p in result.problems[:50]]
        more = f"\n… 共 {len(result.problems)} 处 in all" if len(result.problems) > 50 else ""
        _fail(f"{source_name(path)}: {len(result.problems)} 处问题，未写入任何内容 problems, nothing was written\n"
              + "\n".join(lines) + more + (f"\n报告 report: {report}" if report else ""))
    verb = "检查通过（试运行，未写入）dry run passed" if dry_run else f"已导入 imported {result.written}"
    click.echo(f"{source_name(path)}: {result.rows} 行 rows; {verb}")
    if result.reimport is not None:
        click.echo(result.reimport.summary())
        for line in result.reimport.lines():
            click.echo(f"  {line}")


def _initialised(db: Any) -> bool:
    """Whether the database holds zwgk's schema (its migrations' table), asked after a failure."""
    from sqlalchemy import inspect

    try:
        with db.engine.connect() as conn:
            return inspect(conn).has_table("alembic_version")
    except Exception:  # noqa: BLE001 - cannot tell: the original error is the one to show
        return True


def _import_account(session: Any, username: str | None) -> tuple[str | None, set[int] | None]:
    """(scope, allowed domain ids) of the account ``--user`` names; (None, None) without one."""
    if not username:
        return None, None
    from .accounts import AccountError, get_user
    from .admin.views import editor_domains_of
    from .auth import Account

    try:
        user = get_user(session, username)
    except AccountError as exc:
        _fail(str(exc))
    account = Account(user)
    if account.is_system_admin:
        return None, None
    allowed = set(session.scalars(editor_domains_of(session, account))) if account.role == "editor" else None
    if not account.can("create"):
        _fail(f"账户 {username} 不能导入 may not import ({account.role})")
    return account.unit_path or "\0", allowed
