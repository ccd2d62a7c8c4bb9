"""The command line: quick to start, zwgk's own version, only zwgk's commands (issue 13)."""

import subprocess
import sys

from zwgk.hookspecs import CONTRACT_VERSION


def _run(*code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", *code], capture_output=True, text=True, check=True)


def test_help_imports_neither_the_app_nor_the_models():
    """What ``zwgk --help`` imports: flask and click, not the app, models, marshmallow or alembic."""
    out = _run("import sys\nfrom zwgk.cli import main\n"
               "try:\n    main(['--help'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
               "print('LOADED', ' '.join(sorted(sys.modules)))").stdout
    loaded = set(out.split("LOADED", 1)[1].split())
    assert {"zwgk.cli", "flask"} <= loaded
    assert not loaded & {"zwgk.app", "zwgk.models", "zwgk.loader", "marshmallow", "alembic", "sqlalchemy.orm",
                         "flask_admin", "openpyxl"}


def test_version_is_zwgks_and_its_contract(run_cli, app):
    result = run_cli(app, "--version")
    assert result.exit_code == 0
    assert result.output.startswith("zwgk ") and CONTRACT_VERSION in result.output and "Flask" not in result.output


def test_only_zwgks_commands_are_offered(run_cli, app):
    text = run_cli(app, "--help").output
    for flask_own in ("routes", "shell", "limiter", "  run ", "--app", "--env-file"):
        assert flask_own not in text
    assert "import" in text and "serve" in text
    assert run_cli(app, "routes").exit_code != 0


def test_a_public_name_of_zwgk_still_imports():
    _run("from zwgk import hookimpl, DataPlugin, CatalogItemSchema, CONTRACT_VERSION")


def test_catalog_versions_of_an_unknown_item_fails_with_a_message(run_cli, app):
    result = app.test_cli_runner().invoke(__import__("zwgk.cli", fromlist=["main"]).main,
                                          ["catalog", "versions", "99999"])
    assert result.exit_code == 1 and "99999" in result.output


def test_catalog_diff_from_after_to_is_refused(run_cli, app):
    from zwgk.cli import main

    result = app.test_cli_runner().invoke(main, ["catalog", "diff", "--region", "national", "--from", "2026-06-30",
                                                 "--to", "2026-01-01"])
    assert result.exit_code == 1 and "晚于" in result.output


def test_a_lazy_command_is_listed_without_import_and_runs(monkeypatch, app, tmp_path):
    """Another module's command, registered by one line, is imported only when it runs."""
    from zwgk import cli

    module = tmp_path / "zwgk_lazy_example.py"
    module.write_text("import click\n\n@click.command()\ndef hello():\n    click.echo('hello from a lazy command')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(cli.LAZY_COMMANDS, "hello", ("zwgk_lazy_example:hello", "示例 an example"))
    assert "示例 an example" in app.test_cli_runner().invoke(cli.main, ["--help"]).output
    assert "zwgk_lazy_example" not in sys.modules
    result = app.test_cli_runner().invoke(cli.main, ["hello"])
    assert result.output == "hello from a lazy command\n"
    cli.main.commands.pop("hello", None)
    sys.modules.pop("zwgk_lazy_example", None)


#: what ``zwgk export-catalog`` no longer imports (issue #18): a 10,000-row .csv is written in less
#: time than these took to import
NOT_FOR_THE_EXPORT = ("flask", "werkzeug", "jinja2", "click", "sqlalchemy", "alembic", "marshmallow", "pluggy",
                      "openpyxl", "zwgk.cli", "zwgk.app", "zwgk.models", "zwgk.db", "zwgk.plugin_manager",
                      "zwgk.catalog_io", "zwgk.catalog_readers", "zwgk.catalog_history", "zwgk.schemas", "zwgk.export")


def test_export_catalog_imports_only_what_writing_rows_needs(regions_db_url, tmp_path):
    """The console script's export of a unit's catalog: the driver, orjson and the writers — no
    Flask, SQLAlchemy, models, marshmallow or plugins (openpyxl only for an .xlsx)."""
    import os

    out = tmp_path / "c.csv"
    env = dict(os.environ, ZWGK_DATABASE_URL=regions_db_url, ZWGK_PLUGINS="daoxian")
    result = subprocess.run([sys.executable, "-c", "import sys\nfrom zwgk.console import main\n"
                             f"assert main(['export-catalog', '--region', '湖南省/永州市/道县', '-o', {str(out)!r}]) == 0\n"
                             "print('LOADED', ' '.join(sorted(sys.modules)))"],
                            capture_output=True, text=True, check=True, env=env)
    loaded = set(result.stdout.split("LOADED", 1)[1].split())
    assert "zwgk.catalog_export" in loaded and out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "0 条" in result.stderr
    heavy = {m for m in loaded if m in NOT_FOR_THE_EXPORT or m.split(".")[0] in NOT_FOR_THE_EXPORT}
    assert not heavy
