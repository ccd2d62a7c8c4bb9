"""Plugins made in a test, registered by hand (entry-point discovery has its own test)."""

from zwgk import CONTRACT_VERSION, hookimpl

SRC = {"file": "test", "section": "测试"}
#: the made-up document SRC cites (declared where a test runs ``plugins check``)
TEST_DOC = {"title": "test", "issuer": "测试", "issued_on": "2020-01-01", "level": "county",
            "url": "测试数据，不是真实文件 (test data)"}


class FakePlugin:
    """Contributes whatever lists it is given, one keyword per hook (``domains=[…]`` → zwgk_register_domains)."""

    def __init__(self, contract=CONTRACT_VERSION, region=None, **lists):
        self.contract = contract
        self.region = region
        self.lists = lists

    @hookimpl
    def zwgk_plugin_info(self):
        return {"title": "测试插件", "region": self.region, "contract": self.contract}

    @hookimpl
    def zwgk_register_documents(self):
        return self.lists.get("documents", [])

    @hookimpl
    def zwgk_register_stages(self):
        return self.lists.get("stages", [])

    @hookimpl
    def zwgk_register_elements(self):
        return self.lists.get("elements", [])

    @hookimpl
    def zwgk_register_element_requirements(self):
        return self.lists.get("element_requirements", [])

    @hookimpl
    def zwgk_register_domains(self):
        return self.lists.get("domains", [])

    @hookimpl
    def zwgk_register_domain_aliases(self):
        return self.lists.get("aliases", [])

    @hookimpl
    def zwgk_register_domain_successions(self):
        return self.lists.get("successions", [])

    @hookimpl
    def zwgk_register_units(self):
        return self.lists.get("units", [])

    @hookimpl
    def zwgk_register_pilot_programs(self):
        return self.lists.get("pilot_programs", [])

    @hookimpl
    def zwgk_register_standards(self):
        return self.lists.get("standards", [])

    @hookimpl
    def zwgk_register_responsibilities(self):
        return self.lists.get("responsibilities", [])

    @hookimpl
    def zwgk_register_schedules(self):
        return self.lists.get("schedules", [])

    @hookimpl
    def zwgk_register_obligations(self):
        return self.lists.get("obligations", [])

    @hookimpl
    def zwgk_register_indicators(self):
        return self.lists.get("indicators", [])


def domain(name, description=None, **extra):
    return {"name": name, "editions": [], "description": description, "source": SRC, **extra}


def manager_with(**plugins):
    """A plugin manager with the national data and the given plugin objects, by name."""
    from zwgk.plugin_manager import get_plugin_manager

    pm = get_plugin_manager([])
    for name, plugin in plugins.items():
        pm.register(plugin, name=name)
    return pm
