"""zwgk plugin for 浙江省 (浙政办发〔2017〕82号): standard system, responsibility list, schedule."""

from pathlib import Path

from zwgk import DataPlugin

plugin = DataPlugin(Path(__file__).parent / "data", title="浙江省", region="浙江省")
