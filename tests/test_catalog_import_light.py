"""``zwgk import catalog`` through the console script: its light run (no Flask, no web app) and the
full command give the same output, exit code and database (SQLite and PostgreSQL)."""

from __future__ import annotations

import ast
import csv
import json
import os
import shutil
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from zwgk import models as m

from .test_catalog_io import ROWS, real_layout

PLUGINS = "zhejiang,shandong,daoxian"
DX = "湖南省/永州市/道县"


@pytest.fixture
def two_databases(tmp_path, _regions_template, _pg_templates):
    """Two databases in the same state (national data, the three built-in plugins, the calendar)."""
    if _pg_templates is None:
        urls = []
        for name in ("full", "light"):
            shutil.copy(_regions_template, tmp_path / f"{name}.sqlite")
            urls.append(f"sqlite:///{tmp_path / f'{name}.sqlite'}")
        yield urls
        return
    admin, template = _pg_templates["admin"], _pg_templates["names"]["regions"]
    names = [f"zwgk_light_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    url = make_url(os.environ["ZWGK_TEST_DATABASE_URL"])
    yield [url.set(database=name).render_as_string(hide_password=False) for name in names]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def environment(monkeypatch, tmp_path):
    for name, value in {"ZWGK_PLUGINS": PLUGINS, "ZWGK_SECRET_KEY": "test",
                        "ZWGK_INSTANCE_PATH": str(tmp_path / "instance")}.items():
        monkeypatch.setenv(name, value)
    for name in ("ZWGK_IMPORT_MAX_ROWS", "ZWGK_IMPORT_MAX_FILE_SIZE", "ZWGK_IMPORT_MAX_UNZIPPED"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def full_apps(monkeypatch):
    """The apps the full command builds: their connections closed at the end."""
    import zwgk.cli as cli

    made, real = [], cli.create_app
    monkeypatch.setattr(cli, "create_app", lambda *a, **kw: made.append(real(*a, **kw)) or made[-1])
    yield made
    for app in made:
        app.extensions["zwgk.db"].dispose()


def _run(capsys, how, args):
    """(exit code, stdout, stderr) of ``zwgk import catalog ARGS``: ``full`` is zwgk.cli's command,
    ``light`` the console script's light run, which must not fall back."""
    from zwgk import console
    from zwgk.cli import main as full

    capsys.readouterr()
    code = None
    try:
        if how == "full":
            full(["import", "catalog", *args])
        else:
            assert console.import_catalog(args) == 0, "the light run left it to the full command"
            code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def _state(url):
    """Every row an import writes or changes: items, versions, history (times aside).  Versions and
    history rows are compared as sets: the versions of the items one flush withdraws are written in
    the session's order of its objects, which is not the same from one run to the next."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            def rows(table, leave=()):
                cols = [c for c in table.c if c.name not in leave]
                return sorted((tuple(r) for r in conn.execute(select(*cols))), key=repr)

            return (rows(m.CatalogItem.__table__, ("created_at", "updated_at")),
                    rows(m.CatalogItemVersion.__table__, ("id", "at")),
                    rows(m.Change.__table__, ("id", "at")))
    finally:
        engine.dispose()


def _files(tmp_path):
    """The files of the steps below: new rows, the same rows changed, records, refused rows."""
    first = real_layout(tmp_path / "目录.xlsx", ROWS)
    changed = tmp_path / "目录2.csv"
    with changed.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["序号", "一级事项", "二级事项", "公开内容", "公开依据", "公开时限", "公开主体", "公开渠道和载体",
                    "全社会", "特定群体", "主动", "依申请", "县级", "乡级"])
        w.writerow(["1", "招生入学", "招生政策", "招生范围、招生条件", "《中华人民共和国义务教育法》", "每年8月底前",
                    "县教育局", "政府网站", "√", "", "√", "", "√", ""])
        w.writerow(["2", "课后服务", "服务内容", "课后服务的内容", "《义务教育法》", "3个工作日内", "县教育局",
                    "公开栏", "", "√", "√", "", "", "√"])
    records = tmp_path / "records.json"
    records.write_text(json.dumps([
        {"level1": "校园安全", "level2": f"安全{i}", "content": f"安全措施{i}", "basis": "《条例》",
         "time_limit": "3个工作日内", "subject": "县教育局", "channels": ["政府网站"], "audience_public": True,
         "method_active": True, "levels": ["county"], "domain": "义务教育",
         **({"status": "published"} if i == 1 else {})} for i in range(3)], ensure_ascii=False), encoding="utf-8")
    refused = real_layout(tmp_path / "refused.xlsx", [ROWS[0], [*ROWS[2][:4], "", *ROWS[2][5:]],
                                                      ["4", "", "", "", "", "", "", "", "", "", "", "", "", ""]])
    return first, changed, records, refused


def _steps(tmp_path):
    first, changed, records, refused = _files(tmp_path)
    report = tmp_path / "problems.csv"
    return [
        [str(first), "--unit", "道县", "--domain", "义务教育"],
        [str(changed), "--unit", DX, "--domain", "义务教育", "--dry-run"],
        [str(changed), "--unit", DX, "--domain", "义务教育", "--withdraw-missing"],
        [str(records), "--unit", "道县"],
        [str(records), "--unit", "道县", "--append", "--example"],
        [str(refused), "--unit", "道县", "--domain", "义务教育", "--report", str(report)],
        [str(first), "--unit", "没有的县", "--domain", "义务教育"],
        [str(first), "--unit", "道县", "--domain", "没有的领域"],
        [str(first), "--unit", "道县", "--append", "--withdraw-missing", "--domain", "义务教育"],
    ], report


def test_the_light_run_and_the_full_command_say_and_write_the_same(two_databases, environment, full_apps,
                                                                   tmp_path, capsys):
    full_url, light_url = two_databases
    steps, report = _steps(tmp_path)
    seen = []
    for args in steps:
        results = {}
        for how, url in (("full", full_url), ("light", light_url)):
            environment.setenv("ZWGK_DATABASE_URL", url)
            report.unlink(missing_ok=True)
            results[how] = (*_run(capsys, how, args), report.read_bytes() if report.exists() else None)
        assert results["light"] == results["full"], args
        seen.append(results["full"][0])
        assert _state(light_url) == _state(full_url), args
    # the steps went through success and every kind of failure, and wrote what they should
    assert seen == [0, 0, 0, 0, 0, 1, 1, 1, 1]
    items, versions, changes = _state(light_url)
    assert len(items) == 3 + 1 + 3 + 3  # the first file, 课后服务, the records, the records appended
    assert len(versions) > len(items) and changes  # the changed item's second version, the withdrawn ones' 


def test_what_the_light_run_cannot_vouch_for_is_left_to_the_full_command(two_databases, environment, tmp_path,
                                                                          monkeypatch):
    from zwgk import console

    url = two_databases[1]
    first = real_layout(tmp_path / "目录.xlsx", ROWS)
    ok = [str(first), "--unit", "道县", "--domain", "义务教育"]
    environment.setenv("ZWGK_DATABASE_URL", url)
    for args in ([*ok, "--user", "admin"], [*ok, "--help"], ["--help"], [str(tmp_path / "missing.xlsx"), "--unit", "道县"],
                 [str(first)], [*ok, "--no-such-option"], [*ok, "--unit"]):
        assert console.import_catalog(args) is None, args
    for name, value in (("ZWGK_DATABASE_URL", f"sqlite:///{tmp_path / 'nothing-here.sqlite'}"),
                        ("ZWGK_DATABASE_URL", "sqlite://"), ("ZWGK_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/x"),
                        ("ZWGK_DATABASE_URL", "mysql://nobody@127.0.0.1:1/x"), ("ZWGK_PLUGINS", "no-such-plugin"),
                        ("ZWGK_IMPORT_MAX_ROWS", "many"), ("ZWGK_SQLITE_BUSY_TIMEOUT", "soon")):
        with monkeypatch.context() as env:
            env.setenv(name, value)
            assert console.import_catalog(ok) is None, (name, value)
    with monkeypatch.context() as env:
        env.delenv("ZWGK_DATABASE_URL")
        assert console.import_catalog(ok) is None
    assert not (tmp_path / "nothing-here.sqlite").exists()
    assert _state(url)[0] == []  # nothing was written by any of them


def test_the_light_run_reads_the_import_limits_the_app_would(two_databases, environment, tmp_path, capsys,
                                                             full_apps):
    rows = [[str(i), "招生入学", f"政策{i}", f"内容{i}", "《义务教育法》", "3个工作日内", "县教育局", "政府网站",
             "√", "", "√", "", "√", ""] for i in range(1, 5)]
    path = real_layout(tmp_path / "四行.xlsx", rows)
    environment.setenv("ZWGK_IMPORT_MAX_ROWS", "3")
    said = {}
    for how, url in zip(("full", "light"), two_databases):
        environment.setenv("ZWGK_DATABASE_URL", url)
        said[how] = _run(capsys, how, [str(path), "--unit", "道县", "--domain", "义务教育"])
    assert said["light"] == said["full"] and said["light"][0] == 1 and "3" in said["light"][2]
    environment.delenv("ZWGK_IMPORT_MAX_ROWS")
    assert _run(capsys, "light", [str(path), "--unit", "道县", "--domain", "义务教育"])[0] == 0


def test_the_console_script_imports_without_flask(two_databases, tmp_path):
    """The process the console script starts: no Flask, no web app, no admin; the items written."""
    first, changed, _, _ = _files(tmp_path)
    env = dict(os.environ, ZWGK_DATABASE_URL=two_databases[1], ZWGK_PLUGINS=PLUGINS)
    script = "import sys\nfrom zwgk.console import main\n" + "".join(
        f"assert main(['import', 'catalog', {str(path)!r}, '--unit', '道县', '--domain', '义务教育', *{extra}]) == 0\n"
        for path, extra in ((first, []), (changed, ["--withdraw-missing"]))) + "print('LOADED', ' '.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env)
    loaded = set(result.stdout.split("LOADED", 1)[1].split())
    assert "目录.xlsx: 3 行 rows; 已导入 imported 3" in result.stdout and "目录2.csv: 2 行 rows" in result.stdout
    assert not {name for name in loaded if name.split(".")[0] in ("flask", "flask_admin", "werkzeug", "jinja2")
                or name in ("zwgk.app", "zwgk.cli", "zwgk.admin", "zwgk.public")}
    # nor the models an import does not touch (standards, schedules, the calendar, accounts …)
    assert "zwgk.models_rest" not in loaded
    assert "zwgk.documents" not in loaded  # policy documents: their models, schema and mappers
    items, versions, _ = _state(two_databases[1])
    # the first versions written with the items, and those of the changed and withdrawn items by
    # the session's listeners (zwgk.catalog_history), as in the app
    assert len(items) == 4 and len(versions) == 4 + 3


def test_the_models_an_import_needs_leave_the_others_out_and_load_all_gives_every_table(db_url):
    """``import zwgk.models`` (what an import loads) has no table of zwgk.models.EXTRA_MODULES;
    ``load_all()`` adds them: then the metadata holds every table the migrations made."""
    engine = create_engine(db_url)
    try:
        from sqlalchemy import inspect

        migrated = {t for t in inspect(engine).get_table_names()
                    if t != "alembic_version" and not t.startswith("published_item_fts")}
    finally:
        engine.dispose()
    script = ("import sys\nimport zwgk.models as m\nbefore = set(m.Base.metadata.tables)\n"
              "extra = [n for n in m.EXTRA_MODULES if n in sys.modules]\nm.load_all()\n"
              "print((sorted(before), sorted(m.Base.metadata.tables), extra))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    before, after, extra = ast.literal_eval(out)
    assert extra == [] and set(after) == migrated and set(before) < set(after)
    assert {"published_item", "feedback", "info_request", "evaluation_run", "api_token"} <= set(after) - set(before)


def _script(code: str, url: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, ZWGK_DATABASE_URL=url, ZWGK_PLUGINS=PLUGINS)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)


#: what the process says of its garbage collector as it exits (atexit runs after the command)
_AT_EXIT = ("import atexit, gc, sys\n"
            "atexit.register(lambda: print('AT EXIT enabled', gc.isenabled(), 'frozen', gc.get_freeze_count() > 0))\n")


def test_the_console_script_exits_with_what_lives_frozen_and_the_import_written(two_databases, tmp_path):
    """``zwgk import catalog`` as the console script runs it (``main()`` with the process's arguments):
    the collector off while the modules load and through the import, everything alive frozen before
    the interpreter's own exit (its last collection skips it); the items are written and the
    output is the command's (docs/benchmarks.md, session 7)."""
    first, _, _, refused = _files(tmp_path)
    url = two_databases[1]
    ran = _script(_AT_EXIT + f"sys.argv = ['zwgk', 'import', 'catalog', {str(first)!r}, '--unit', '道县',"
                  " '--domain', '义务教育']\nfrom zwgk.console import main\nsys.exit(main())", url)
    assert ran.returncode == 0, ran.stderr
    assert "目录.xlsx: 3 行 rows; 已导入 imported 3" in ran.stdout
    assert "AT EXIT enabled False frozen True" in ran.stdout
    assert len(_state(url)[0]) == 3
    # a refused file: exit 1, the problems said, nothing written, and the same end
    ran = _script(_AT_EXIT + f"sys.argv = ['zwgk', 'import', 'catalog', {str(refused)!r}, '--unit', '道县',"
                  " '--domain', '义务教育']\nfrom zwgk.console import main\nsys.exit(main())", url)
    assert ran.returncode == 1 and "nothing was written" in ran.stderr
    assert "AT EXIT enabled False frozen True" in ran.stdout
    assert len(_state(url)[0]) == 3


def test_the_full_command_collects_as_usual_once_its_modules_are_loaded(two_databases):
    """Any other command (here ``zwgk.cli.main`` replaced by one that reports) starts with the
    collector on again and the modules' objects frozen: a server started by ``zwgk serve`` runs
    for days and must collect its garbage."""
    ran = _script(_AT_EXIT + "import zwgk.cli\n"
                  "zwgk.cli.main = lambda *a: print('FULL enabled', gc.isenabled(), 'frozen', gc.get_freeze_count() > 0)\n"
                  "sys.argv = ['zwgk', 'serve']\nfrom zwgk.console import main\nmain()", two_databases[1])
    assert ran.returncode == 0, ran.stderr
    assert "FULL enabled True frozen True" in ran.stdout


def test_a_call_with_arguments_leaves_the_callers_collector_alone(two_databases, tmp_path, environment, capsys):
    """``zwgk.console.main(args)`` — a library call, a test, a script of the user's — changes
    nothing of the calling process's garbage collector."""
    import gc

    from zwgk import console

    first, _, _, _ = _files(tmp_path)
    environment.setenv("ZWGK_DATABASE_URL", two_databases[1])
    before = gc.isenabled(), gc.get_freeze_count()
    assert console.main(["import", "catalog", str(first), "--unit", "道县", "--domain", "义务教育"]) == 0
    assert (gc.isenabled(), gc.get_freeze_count()) == before
    assert "已导入 imported 3" in capsys.readouterr().out


def test_the_light_export_writes_with_the_collector_on(two_databases, tmp_path):
    """``zwgk export-catalog`` as the console script runs it: its rows are written with the
    collector on again (a catalog of a million rows is no import: nothing pauses it), and what
    lives at the end is frozen as for every command."""
    out = tmp_path / "c.csv"
    ran = _script(_AT_EXIT + "import zwgk.catalog_export as ce\nreal = ce.write\n"
                  "def write(*a, **kw):\n    print('WRITING enabled', gc.isenabled())\n    return real(*a, **kw)\n"
                  f"ce.write = write\nsys.argv = ['zwgk', 'export-catalog', '--region', {DX!r}, '-o', {str(out)!r}]\n"
                  "from zwgk.console import main\nsys.exit(main())", two_databases[1])
    assert ran.returncode == 0, ran.stderr
    assert "WRITING enabled True" in ran.stdout and "AT EXIT enabled True frozen True" in ran.stdout
    assert "flask" not in ran.stderr and out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_the_models_apart_are_the_models_names_and_their_first_use_imports_them():
    """``m.Standard`` (and every model of ``zwgk.models_rest``) is a name of ``zwgk.models`` as it
    always was, the same class however it is reached; ``m.TRACKED`` is the models whose changes
    land in the history, each a :class:`zwgk.models.Tracked`; the kinds of the export are its
    table's, in order."""
    script = ("import sys\nimport zwgk.models as m\nfrom zwgk import export, loader\n"
              "before = 'zwgk.models_rest' in sys.modules\n"
              "from zwgk.models import Standard\nimport zwgk.models_rest as rest\n"
              "print(before, Standard is m.Standard is rest.Standard, loader.KIND_BY_NAME['standards'].model is Standard,\n"
              "      [c.__name__ for c in m.TRACKED], all(issubclass(c, m.Tracked) for c in m.TRACKED),\n"
              "      sorted(mp.class_.__name__ for mp in m.Base.registry.mappers if issubclass(mp.class_, m.Tracked))\n"
              "      == sorted(c.__name__ for c in m.TRACKED), tuple(export.EXPORTS) == export.KINDS)\n"
              "try:\n    m.Nothing\nexcept AttributeError as exc:\n    print('refused', exc)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    first, refused = out.splitlines()
    assert first == ("False True True ['DisclosureStage', 'CatalogElement', 'ElementRequirement', 'Domain', "
                     "'DomainAlias', 'DomainSuccession', 'AdminUnit', 'PilotProgram', 'Standard', 'CatalogItem', "
                     "'Responsibility', 'Schedule', 'SchedulePhase', 'Milestone', 'Obligation', 'Indicator', 'Score', "
                     "'ReportSubmission', 'PublicationRecord', 'User'] True True True")
    assert refused == "refused module 'zwgk.models' has no attribute 'Nothing'"


@pytest.mark.parametrize("extra", [[], ["--user", "admin"]])
def test_a_database_without_zwgks_tables_is_named_not_a_traceback(tmp_path, extra):
    """``zwgk import catalog`` into a SQLite file that exists but was never initialised (a wrong
    ``ZWGK_DATABASE_URL``, or ``zwgk init`` not run): exit 1 and say to run ``zwgk init``, by the
    light run and by the full command (``--user``), instead of SQLAlchemy's traceback."""
    import sqlite3

    db = tmp_path / "empty.sqlite"
    sqlite3.connect(db).execute("CREATE TABLE other (a)").connection.commit()
    first, _, _, _ = _files(tmp_path)
    ran = _script("import sys\nfrom zwgk.console import main\n"
                  f"sys.argv = ['zwgk', 'import', 'catalog', {str(first)!r}, '--unit', '道县', *{extra!r}]\n"
                  "sys.exit(main())", f"sqlite:///{db}")
    assert ran.returncode == 1, ran.stderr
    assert "zwgk init" in ran.stderr and "Traceback" not in ran.stderr
