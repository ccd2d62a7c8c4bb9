"""Test-only plugin: contributes one made-up local domain. Not real data; never enabled in production."""

from pathlib import Path

from zwgk import CONTRACT_VERSION, hookimpl, read_data_file


@hookimpl
def zwgk_plugin_info():
    return {"title": "示例地区（测试）", "region": None, "contract": CONTRACT_VERSION}


@hookimpl
def zwgk_register_domains():
    return read_data_file(Path(__file__).parent / "data" / "domains.yaml")
