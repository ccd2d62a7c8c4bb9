"""Plugins made in a test, registered by hand (entry-point discovery has its own test)."""

from core import CONTRACT_VERSION, hookimpl


class FakePlugin:
    """Contributes whatever lists it is given, per kind of hook."""

    def __init__(self, contract=CONTRACT_VERSION, **lists):
        self.contract = contract
        self.lists = lists

    @hookimpl
    def zwgk_plugin_info(self):
        return {"title": "测试插件", "region": self.lists.get("region"), "contract": self.contract}

    @hookimpl
    def zwgk_register_domains(self):
        return self.lists.get("domains", [])

    @hookimpl
    def zwgk_register_domain_aliases(self):
        return self.lists.get("aliases", [])

    @hookimpl
    def zwgk_register_units(self):
        return self.lists.get("units", [])


def domain(name, description=None, **extra):
    return {"name": name, "editions": [], "description": description,
            "source": {"file": "test", "section": "测试"}, **extra}
