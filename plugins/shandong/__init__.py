"""zwgk plugin for 山东省: registered through the ``zwgk.plugins`` entry point.

Its documents' data (units, standards, responsibilities, schedules …) arrive with
the regional plugins issue; until then it only says who it is.
"""

from core import CONTRACT_VERSION, hookimpl


@hookimpl
def zwgk_plugin_info():
    return {"title": "山东省", "region": "山东省", "contract": CONTRACT_VERSION}
