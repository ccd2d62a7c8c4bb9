"""The wheel installs one import name, ``zwgk`` (issue 11): no top-level ``core``/``plugins``/``standards``."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path


def test_the_wheel_installs_only_the_zwgk_name(tmp_path):
    root = Path(__file__).parent.parent
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "-w", str(tmp_path), str(root)], check=True, capture_output=True, cwd=tmp_path)
    wheel = next(tmp_path.glob("zwgk-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"zwgk"}
    root_map = {"core": "zwgk", "plugins": "zwgk/plugins", "standards": "zwgk/standards"}
    for folder, installed in root_map.items():  # every package of the checkout is in the wheel
        for init in (root / folder).rglob("__init__.py"):
            rel = init.relative_to(root / folder).as_posix()
            assert f"{installed}/{rel}" in names, f"{folder}/{rel} is not packaged: add it to setup.cfg packages"
    for needed in ("zwgk/templates/public/base.html", "zwgk/translations/zh_Hans_CN/LC_MESSAGES/messages.mo",
                   "zwgk/migrations/script.py.mako", "zwgk/standards/data/domains.yaml",
                   "zwgk/plugins/daoxian/data/units.yaml", "zwgk/plugins/zhejiang/examples/catalogs.yaml"):
        assert needed in names, needed


def test_core_is_not_importable_outside_the_checkout(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    code = ("import importlib.util as u, zwgk, zwgk.plugins.daoxian, zwgk.standards;"
            "print([u.find_spec(n) is None for n in ('core', 'plugins', 'standards')])")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[True, True, True]"


def test_entry_points_name_zwgk_modules():
    from zwgk.plugin_manager import installed_entry_points

    eps = installed_entry_points()
    for name in ("zhejiang", "shandong", "daoxian"):
        assert eps[name].value == f"zwgk.plugins.{name}:plugin"
        assert type(eps[name].load()).__module__.startswith("zwgk")
