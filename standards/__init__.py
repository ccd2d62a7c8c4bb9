"""The national data (国办发〔2017〕42号 and the 2019 domain list), as the built-in plugin ``national``.

It contributes through the same hooks as a regional plugin; its facts live in
``standards/data/*.yaml`` (one file per hook), each record with its source.
"""

from pathlib import Path

from zwgk import DataPlugin

plugin = DataPlugin(Path(__file__).parent / "data", title="全国（国办发〔2017〕42号）", region=None)
