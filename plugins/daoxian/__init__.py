"""zwgk plugin for 湖南省/永州市/道县: registered through the ``zwgk.plugins`` entry point.

Its documents' data (units, standards, responsibilities, schedules …) arrive with
the regional plugins issue; until then it only says who it is.
"""

from core import CONTRACT_VERSION, hookimpl


@hookimpl
def zwgk_plugin_info():
    return {"title": "湖南省/永州市/道县", "region": "湖南省/永州市/道县", "contract": CONTRACT_VERSION}
