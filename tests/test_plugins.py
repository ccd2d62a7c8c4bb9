"""Plugin discovery through the ``zwgk.plugins`` entry point, enabling, the contract version."""

import json
from importlib.metadata import entry_points

import pytest

from zwgk import CONTRACT_VERSION
from zwgk.plugin_manager import PluginError, get_plugin_manager, parse_enabled

from .conftest import require
from .fakes import FakePlugin


def _example_installed() -> bool:
    return any(ep.name == "example" for ep in entry_points(group="zwgk.plugins"))


def test_builtin_regions_are_registered_through_the_entry_point_group():
    eps = {ep.name: ep.value for ep in entry_points(group="zwgk.plugins")}
    assert eps["zhejiang"] == "zwgk.plugins.zhejiang:plugin"
    assert eps["shandong"] == "zwgk.plugins.shandong:plugin"
    assert eps["daoxian"] == "zwgk.plugins.daoxian:plugin"


def test_data_plugin_reads_one_file_per_hook_and_refuses_strays(tmp_path):
    from zwgk import DataError, DataPlugin

    (tmp_path / "domains.yaml").write_text(
        "records:\n- {name: 本地领域, source: {file: f.txt, section: 一}}\n", encoding="utf-8")
    plugin = DataPlugin(tmp_path, title="某地", region=None)
    assert [r["name"] for r in plugin.zwgk_register_domains()] == ["本地领域"]
    assert plugin.zwgk_register_units() == []  # no units.yaml: nothing
    (tmp_path / "unit.yaml").write_text("records: []\n", encoding="utf-8")
    with pytest.raises(DataError, match="no hook reads this file"):
        DataPlugin(tmp_path, title="某地", region=None)


def test_installed_package_is_discovered_listed_and_contributes_a_domain(make_app, loaded_db_url, run_cli):
    require(_example_installed(), "tests/example_plugin is not installed (pip install -e tests/example_plugin)")
    app = make_app(loaded_db_url, plugins=None)  # ZWGK_PLUGINS unset: every installed plugin
    listing = run_cli(app, "plugins", "list")
    assert listing.exit_code == 0, listing.output
    line = next(l for l in listing.output.splitlines() if l.startswith("example "))
    assert "0.0.1" in line and "启用 enabled" in line and "zwgk_example_region" in line
    assert "domains 1" in listing.output

    applied = run_cli(app, "plugins", "apply", "example")
    assert applied.exit_code == 0, applied.output
    assert "example: 新增 added 1" in applied.output
    domains = json.loads(run_cli(app, "export", "domains", "--region", "example").output)
    assert [(d["name"], d["origin"]) for d in domains] == [("示例领域", "example")]


def test_disabling_a_plugin_removes_it(make_app, loaded_db_url, run_cli):
    require(_example_installed(), "tests/example_plugin is not installed (pip install -e tests/example_plugin)")
    app = make_app(loaded_db_url, plugins="zhejiang,shandong")
    listing = run_cli(app, "plugins", "list").output
    line = next(l for l in listing.splitlines() if l.startswith("example "))
    assert "未启用 disabled" in line
    assert "domains 1" not in listing
    init = run_cli(app, "init")
    assert "example" not in init.output
    domains = json.loads(run_cli(app, "export", "domains").output)
    assert "示例领域" not in {d["name"] for d in domains}
    refused = run_cli(app, "plugins", "apply", "example")
    assert refused.exit_code == 1 and "未启用的插件 not enabled: example" in refused.output


def test_zwgk_plugins_setting():
    installed = ["daoxian", "shandong", "zhejiang"]
    assert parse_enabled(None, installed) == installed
    assert parse_enabled("all", installed) == installed
    assert parse_enabled("none", installed) == []
    assert parse_enabled(" zhejiang , daoxian", installed) == ["zhejiang", "daoxian"]
    with pytest.raises(PluginError, match="not installed: hainan"):
        parse_enabled("zhejiang,hainan", installed)


def test_a_plugin_for_another_contract_major_is_refused(monkeypatch):
    import zwgk.plugin_manager as pmod

    class FakeEP:
        name = "old"
        value = "old_region"
        dist = None

        def load(self):
            return FakePlugin(contract="0.9")

    monkeypatch.setattr(pmod, "installed_entry_points", lambda: {"old": FakeEP()})
    with pytest.raises(PluginError, match="contract '0.9'"):
        get_plugin_manager(["old"])
    assert get_plugin_manager([]).get_plugin("national") is not None


def test_contract_version_is_semver_like():
    major, minor = CONTRACT_VERSION.split(".")
    assert major.isdigit() and minor.isdigit()


def test_misspelt_hook_is_caught_at_startup():
    from pluggy import PluginValidationError

    from zwgk import hookimpl

    class Typo:
        @hookimpl
        def zwgk_register_domian(self):
            return []

    pm = get_plugin_manager([])
    pm.register(Typo(), name="typo")
    with pytest.raises(PluginValidationError):
        pm.check_pending()
