"""``zwgk plugins check`` and ``zwgk plugins new``."""

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import zwgk.plugin_manager as pmod
from zwgk.conformance import check_plugin
from zwgk.scaffold import ScaffoldError, scaffold

from .fakes import SRC, TEST_DOC, FakePlugin


@pytest.mark.parametrize("name", ["zhejiang", "shandong", "daoxian"])
def test_builtin_plugins_conform(name):
    assert [str(p) for p in check_plugin(name)] == []


def _install_fake(monkeypatch, name, plugin):
    real = pmod.installed_entry_points()

    class EP:
        value = f"tests.{name}"
        dist = None

        def load(self):
            return plugin

    if isinstance(plugin, FakePlugin):
        plugin.lists.setdefault("documents", [TEST_DOC])

    ep = EP()
    ep.name = name
    monkeypatch.setattr(pmod, "installed_entry_points", lambda: {**real, name: ep})


def test_broken_reference_fails_the_check_naming_it(monkeypatch, make_app, loaded_db_url, run_cli):
    plugin = FakePlugin(region="湖南省/永州市/双牌县", units=[
        {"name": "双牌县", "level": "county", "parent": "湖南省/永州市", "source": SRC},
        {"name": "某镇", "level": "township", "parent": "湖南省/永州市/双牌县", "source": SRC},
    ], standards=[{"code": "1", "title": "总则", "category": "domain", "domain": "不存在的领域",
                   "scope": "湖南省/永州市/双牌县", "source": SRC}])
    _install_fake(monkeypatch, "broken", plugin)
    problems = check_plugin("broken")
    assert [(p.record, p.field) for p in problems] == [("总则", "domain")]
    assert "不存在的领域" in problems[0].message

    result = run_cli(make_app(loaded_db_url), "plugins", "check", "broken")
    assert result.exit_code == 1
    assert "broken: 1 处问题" in result.output and "unknown reference '不存在的领域'" in result.output


def test_check_flags_records_outside_the_region_and_an_unknown_region(monkeypatch):
    plugin = FakePlugin(region="海南省", units=[
        {"name": "某县", "level": "county", "parent": "湖南省", "source": SRC}])
    _install_fake(monkeypatch, "stray", plugin)
    problems = check_plugin("stray")
    assert any(p.field == "name" and "outside the plugin's region" in p.message for p in problems)
    assert any(p.field == "zwgk_plugin_info.region" and "海南省" in p.message for p in problems)


def test_check_of_a_plugin_that_is_not_installed():
    [problem] = check_plugin("nowhere")
    assert "not installed: nowhere" in problem.message


def test_scaffold_refuses_bad_names_and_existing_folders(tmp_path):
    with pytest.raises(ScaffoldError, match="must match"):
        scaffold("Hai-Nan", tmp_path)
    scaffold("hainan", tmp_path)
    with pytest.raises(ScaffoldError, match="already exists"):
        scaffold("hainan", tmp_path)


def test_scaffolded_plugin_installs_in_a_fresh_environment_and_conforms(tmp_path, make_app, loaded_db_url, run_cli):
    created = run_cli(make_app(loaded_db_url), "plugins", "new", "hainan", "--title", "海南省",
                      "--dir", str(tmp_path))
    assert created.exit_code == 0, created.output
    package = tmp_path / "zwgk-hainan"

    # A fresh environment beside zwgk: a new venv that sees this environment's packages
    # (zwgk itself and its dependencies) but where the new plugin is pip-installed on its own.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "zwgk_parent_env.pth").write_text(
        f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    "-e", str(package)], check=True)

    env = {**os.environ, "ZWGK_INSTANCE_PATH": str(tmp_path / "instance"), "ZWGK_PLUGINS": "hainan",
           "ZWGK_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite'}"}
    listing = subprocess.run([python, "-m", "zwgk", "plugins", "list"], env=env, capture_output=True, text=True)
    assert listing.returncode == 0, listing.stderr
    assert any(line.startswith("hainan ") and "启用 enabled" in line and "海南省" in line
               for line in listing.stdout.splitlines()), listing.stdout
    check = subprocess.run([python, "-m", "zwgk", "plugins", "check", "hainan"], env=env,
                           capture_output=True, text=True)
    assert check.returncode == 0 and "hainan: 合格" in check.stdout, check.stdout + check.stderr
    own = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(package / "tests")],
                         env=env, capture_output=True, text=True, cwd=package)
    assert own.returncode == 0, own.stdout + own.stderr
    assert "2 passed" in own.stdout
