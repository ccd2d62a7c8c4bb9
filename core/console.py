"""The ``zwgk`` console script: ``zwgk export-catalog`` and ``zwgk import catalog`` in their usual
forms run light, everything else is ``zwgk.cli``.

A script exporting one catalog after another pays the command's start-up every time: Flask, the
app, SQLAlchemy and the models take over a second before the first row, more than writing 10,000
rows as .csv or .json.  The export needs none of them when the region is a unit's path: one
``SELECT`` (``catalog_export.plain_sql``, the same rows as ``catalog_export.rows_query``) through
the driver (sqlite3, or psycopg with a server-side cursor) and the writers of
``zwgk.catalog_export``.  So ``export-catalog`` is run here when

- the options are the command's own (``--region``, ``-o/--output``, ``--format``, ``--domain``,
  ``--status``), each once, with valid choices;
- ``ZWGK_DATABASE_URL`` names a SQLite file that exists or a ``postgresql+psycopg://`` database;
- the region is a unit's path, and the domain (if any) a domain's exact name.

Anything else — ``--help``, a plugin's name or a unit's name as the region, a domain's alias, a
missing unit, an error while writing (the file is written whole or not at all) — goes to the full
command, which answers as it always has.  The light run does not load the plugins (it needs
none), nor does it check the other ``ZWGK_*`` settings.

``import catalog`` likewise skips Flask and the web app (about half a second): the database, the
enabled plugins and the command's own body (``zwgk.cli_import.run_import``, the full command's
too), settings read as the app reads them — see :func:`import_catalog`.
"""

from __future__ import annotations

import gc
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

STATUSES = ("draft", "submitted", "reviewed", "signed", "published", "withdrawn")
_OPTIONS = {"--region": "region", "-o": "output", "--output": "output", "--format": "fmt", "--domain": "domain",
            "--status": "status"}
_NAMED = re.compile(r":(\w+)")


def main(argv: list[str] | None = None) -> Any:
    """The console script.  ``argv``: the arguments (default: the process's, and then the process's
    garbage collector is managed as :func:`_collector` says; a call with ``argv`` leaves it alone)."""
    if argv is not None:
        return _main(list(argv))
    with _collector():
        return _main(sys.argv[1:], script=True)


def _main(args: list[str], script: bool = False) -> Any:
    if args[:1] == ["export-catalog"] and export_catalog(args[1:], script) == 0:
        return 0
    if args[:2] == ["import", "catalog"] and import_catalog(args[2:]) == 0:
        return 0
    from .cli import main as full

    if script:
        _collect_again()  # the full command may serve for days: collect as usual
        return full()
    return full(args)


@contextmanager
def _collector() -> Iterator[None]:
    """The command's process, not a library's: Python's cyclic garbage collector is off while the
    modules load, and everything alive at the end is frozen before the interpreter exits.

    Loading Flask or SQLAlchemy and the models makes hundreds of thousands of objects that live
    as long as the process, none of them garbage, and the collector walks them again and again
    while they are made: about 0.05 s of CPU.  At exit the interpreter collects once more, over
    everything, before tearing the modules down: about 0.15 s more.  Together about a third of a
    one-row ``zwgk import catalog`` (docs/benchmarks.md, session 7).  What a command creates in
    cycles while the collector is off is freed at exit, as before; the light import runs with the
    collector paused in any case (``catalog_io._without_cyclic_gc``), and the other commands turn
    it on again once their modules are loaded (:func:`_collect_again`)."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()  # the interpreter's last collection skips what is frozen; nothing else changes


def _collect_again() -> None:
    """The modules are loaded: freeze what they made (later collections skip it) and collect as usual."""
    gc.freeze()
    gc.enable()


def _parse(args: list[str]) -> dict[str, str] | None:
    opts: dict[str, str] = {}
    i = 0
    while i < len(args):
        name, value = args[i], None
        if name.startswith("--") and "=" in name:
            name, value = name.split("=", 1)
        elif i + 1 < len(args):
            value = args[i + 1]
            i += 1
        if name not in _OPTIONS or value is None or _OPTIONS[name] in opts:
            return None
        opts[_OPTIONS[name]] = value
        i += 1
    if "region" not in opts or not opts.get("output") or opts.get("fmt", "xlsx") not in ("xlsx", "csv", "json"):
        return None
    if opts.get("status", "draft") not in STATUSES or os.path.isdir(opts["output"]):
        return None
    return opts


def _sqlite_file(url: str) -> str | None:
    """The existing file a ``sqlite:///`` URL names, read as SQLAlchemy reads it (a%20b.sqlite is
    "a b.sqlite"); ``None`` for anything the light runs leave to the full command (no path, a query
    string, memory, a file that does not exist)."""
    from urllib.parse import unquote

    path = unquote(url[len("sqlite:///"):])
    if not path or "?" in path or path.startswith(":") or not os.path.isfile(path):
        return None
    return path


def _connect(url: str) -> tuple[Any, str] | None:
    """(a DB-API connection, its dialect) for the URLs the light run knows, else ``None``."""
    if url.startswith("sqlite:///"):
        path = _sqlite_file(url)
        if path is None:
            return None
        import sqlite3

        timeout = float(os.environ.get("ZWGK_SQLITE_BUSY_TIMEOUT") or 30.0)
        return sqlite3.connect(path, timeout=timeout), "sqlite"
    if url.startswith("postgresql+psycopg://"):
        import orjson
        import psycopg
        from psycopg.types.json import set_json_loads

        conn = psycopg.connect("postgresql://" + url[len("postgresql+psycopg://"):])
        set_json_loads(orjson.loads, conn)  # as zwgk's engine: JSON columns come as lists
        return conn, "postgresql"
    return None


def _rows(conn: Any, dialect: str, sql: str, params: dict[str, Any], chunk: int) -> Iterator[tuple[Any, ...]]:
    if dialect == "postgresql":
        cursor = conn.cursor(name="zwgk_export")  # server-side: neither side holds the whole result
        cursor.itersize = chunk
        sql = _NAMED.sub(r"%(\1)s", sql)
    else:
        cursor = conn.cursor()
    try:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            yield from rows
    finally:
        cursor.close()


def _one(conn: Any, dialect: str, sql: str, params: dict[str, Any]) -> Any:
    rows = list(_rows(conn, dialect, sql, params, 2))
    return rows[0][0] if rows else None


def export_catalog(args: list[str], script: bool = False) -> int | None:
    """``zwgk export-catalog ARGS`` without Flask, SQLAlchemy or the models: 0 when done, ``None``
    when the full command must answer (nothing was written).  ``script``: the console script's own
    process (the collector is turned on again before the rows are written)."""
    opts = _parse(args)
    url = os.environ.get("ZWGK_DATABASE_URL", "")
    if opts is None or not url:
        return None
    try:
        connected = _connect(url)
    except Exception:  # noqa: BLE001 - the full command reports it
        return None
    if connected is None:
        return None
    conn, dialect = connected
    try:
        return _export(conn, dialect, opts, script)
    except Exception:  # noqa: BLE001 - the full command runs instead and reports it (nothing was written)
        return None
    finally:
        conn.close()


def _export(conn: Any, dialect: str, opts: dict[str, str], script: bool = False) -> int | None:
    from pathlib import Path

    from . import catalog_export as ce

    if script:
        _collect_again()

    region = opts["region"]
    params: dict[str, Any] = ce.under_params(region)
    if _one(conn, dialect, "SELECT 1 FROM admin_unit WHERE key = :path", params) is None:
        return None  # a plugin's or a unit's name, or no such unit: the full command resolves it
    if "domain" in opts:
        params["domain_id"] = _one(conn, dialect, "SELECT id FROM domain WHERE name = :name",
                                   {"name": opts["domain"].strip()})
        if params["domain_id"] is None:
            return None  # an alias, a normalised spelling, or no such domain
    if "status" in opts:
        params["status"] = opts["status"]
    sql = ce.plain_sql(domain="domain" in opts, status="status" in opts)
    body = sql[sql.index(" FROM "):sql.index(" ORDER BY ")]
    units = list(_rows(conn, dialect, f"SELECT DISTINCT u.key{body} LIMIT 2", params, 2))
    output = Path(opts["output"])
    count = ce.write(_rows(conn, dialect, sql, params, ce.CHUNK), output, opts.get("fmt"),
                     unit_column=len(units) > 1)  # each row names its unit, as the full command
    sys.stderr.write(f"{count} 条 items → {output}\n")
    return 0


# --------------------------------------------------------------------------
# zwgk import catalog
# --------------------------------------------------------------------------


def import_catalog(args: list[str]) -> int | None:
    """``zwgk import catalog ARGS`` without Flask and the web app: 0 when done, ``None`` when the
    full command must answer (nothing was read or written).  Errors of the import itself (an
    unknown unit, a file's problems) end as the full command's do — the same body
    (``zwgk.cli_import.run_import``): the same lines on stdout and stderr, exit code 1
    (``SystemExit``)."""
    params = _import_params(args)
    if params is None or params["username"] is not None:  # an account's scope needs the admin's rules
        return None
    ready = _import_setup(os.environ)
    if ready is None:
        return None
    db, pm, config = ready
    from .catalog_readers import settings
    from .cli_import import run_import

    try:
        with settings(config):
            run_import(db, pm, **params)
    finally:
        db.dispose()
    return 0


def _import_params(args: list[str]) -> dict[str, Any] | None:
    """The command's parameters, parsed by its own options (``zwgk.cli_import.catalog_options``);
    ``None`` for ``--help`` or anything click refuses (the full command says why)."""
    import click

    from .cli_import import catalog_options

    command = click.command("catalog", add_help_option=False)(catalog_options(lambda **options: None))
    try:
        with command.make_context("zwgk import catalog", list(args)) as ctx:
            return dict(ctx.params)
    except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
        return None


def _import_setup(environ: Any) -> tuple[Any, Any, dict[str, Any]] | None:
    """(the database, the plugin manager, the settings) as ``create_app(web=False)`` makes them, or
    ``None`` when that cannot be vouched for without the app: no ``ZWGK_DATABASE_URL``, a SQLite
    file that does not exist (the full command would create it), a URL of another database or
    driver than SQLite and ``postgresql+psycopg://``, a malformed setting, a plugin
    that cannot be enabled — the full command reports each as it always has."""
    url = environ.get("ZWGK_DATABASE_URL", "")
    if url.startswith("sqlite:///"):
        if _sqlite_file(url) is None:
            return None
    elif not url.startswith("postgresql+psycopg://"):  # the driver zwgk installs; another is the full command's to report
        return None
    from .settings import DEFAULTS, from_environment

    try:
        config = {**DEFAULTS, **from_environment(environ)}
    except ValueError:
        return None
    from .plugin_manager import PluginError, get_plugin_manager, installed_entry_points, parse_enabled

    try:
        pm = get_plugin_manager(parse_enabled(config.get("PLUGINS"), installed_entry_points()))
    except PluginError:
        return None
    from . import catalog_history  # noqa: F401  (every session records catalog versions, as in the app)
    from .db import Database

    return Database(url, float(config.get("SQLITE_BUSY_TIMEOUT") or 30.0)), pm, config
