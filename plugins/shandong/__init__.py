"""zwgk plugin for 山东省 (鲁政办发〔2017〕74号, 鲁政办发〔2018〕21号)."""

from pathlib import Path

from zwgk import DataPlugin, hookimpl

from . import rules


class Plugin(DataPlugin):
    @hookimpl
    def zwgk_review_steps(self, unit_path):
        return rules.review_steps(unit_path)

    @hookimpl
    def zwgk_request_steps(self, unit_path):
        return rules.request_steps(unit_path)


plugin = Plugin(Path(__file__).parent / "data", title="山东省", region="山东省")
