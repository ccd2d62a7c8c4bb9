"""zwgk plugin for 道县 (湖南省永州市; 实施方案 2020-09-01, after 国办发〔2019〕54号)."""

from pathlib import Path

from zwgk import DataPlugin, hookimpl

from . import rules


class Plugin(DataPlugin):
    @hookimpl
    def zwgk_review_steps(self, unit_path):
        return rules.review_steps(unit_path)


plugin = Plugin(Path(__file__).parent / "data", title="道县", region="湖南省/永州市/道县")
