"""``zwgk dump`` and ``zwgk restore`` (the work is in :mod:`zwgk.dump`)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from .db import get_db


@click.command("dump")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def dump_command(path: Path) -> None:
    """把整个数据库导出为一个 JSON 文件（记录、历史、账户；只有密码的散列）dump the whole database."""
    from .dump import write_dump

    db = get_db()
    with db.engine.connect() as conn:
        counts = write_dump(conn, db.current_revision(), path)
    click.echo(f"{path}: {len(counts)} 张表 tables, {sum(counts.values())} 行 rows")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(path: Path) -> None:
    """把导出文件恢复到一个空的数据库（先迁移到同一版本），全部成功才写入 restore a dump into an empty database."""
    from .dump import DumpError, read_dump, restore

    db = get_db()
    try:
        data = read_dump(path)
        if db.current_revision() is None:
            db.upgrade(data.get("revision") or "head")
        with db.engine.begin() as conn:
            counts = restore(conn, data, db.current_revision())
    except DumpError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{path}: {len(counts)} 张表 tables, {sum(counts.values())} 行 rows restored")
