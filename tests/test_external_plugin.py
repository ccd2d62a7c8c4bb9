"""A plugin written against the guide, outside the repository, installs from a wheel and imports only
``zwgk`` (issue 11, "Done when").  The editable install is covered by test_conformance."""

import ast
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

# Test data, not a real document: it only proves that a plugin ships and cites its own text.
TEXT = """测试文件（不是真实文件）
一、总体要求
（一）试点范围。测试县开展试点。
"""
DOCUMENTS = """records:
- number: 测试发〔2099〕1号
  title: 测试文件（不是真实文件）
  issuer: 测试机关
  issued_on: 2099-01-02
  level: province
  region: 湖南省
  text_file: test-2099-1.txt
"""
UNITS = """records:
- name: 测试县
  level: county
  parent: 湖南省/永州市
  source: {file: 测试发〔2099〕1号, section: 一、总体要求（一）试点范围}
"""


def _imports(package: Path) -> set[str]:
    names = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    return names


def test_a_scaffolded_plugin_installs_from_a_wheel_and_imports_only_zwgk(tmp_path, make_app, loaded_db_url, run_cli):
    created = run_cli(make_app(loaded_db_url), "plugins", "new", "ceshi", "--title", "测试省",
                      "--region", "湖南省", "--dir", str(tmp_path))
    assert created.exit_code == 0, created.output
    package = tmp_path / "zwgk-ceshi"
    module = package / "zwgk_ceshi"
    (module / "documents").mkdir()
    (module / "documents" / "test-2099-1.txt").write_text(TEXT, encoding="utf-8")
    (module / "data" / "documents.yaml").write_text(DOCUMENTS, encoding="utf-8")
    (module / "data" / "units.yaml").write_text(UNITS, encoding="utf-8")
    third_party = _imports(package) - set(sys.stdlib_module_names)
    assert third_party == {"zwgk"}, third_party  # the plugin and its tests import zwgk only

    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(package)],
                   check=True, capture_output=True, cwd=tmp_path)
    wheel = next(dist.glob("zwgk_ceshi-*.whl"))

    venv = tmp_path / "venv"  # a fresh environment that sees zwgk and its dependencies, not the plugin
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "zwgk_parent_env.pth").write_text(
        f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
                   check=True)

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(ZWGK_INSTANCE_PATH=str(tmp_path / "instance"), ZWGK_PLUGINS="ceshi",
               ZWGK_DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    no_core = subprocess.run([python, "-c", "import core"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert no_core.returncode != 0 and "No module named 'core'" in no_core.stderr
    check = subprocess.run([python, "-m", "zwgk", "plugins", "check", "ceshi"], env=env, capture_output=True,
                           text=True, cwd=tmp_path)
    assert check.returncode == 0 and "ceshi: 合格" in check.stdout, check.stdout + check.stderr
    listing = subprocess.run([python, "-m", "zwgk", "plugins", "list"], env=env, capture_output=True, text=True,
                             cwd=tmp_path)
    ceshi = listing.stdout.split("\nceshi ")[1]
    assert "zwgk_register_documents" in ceshi and "zwgk_register_units" in ceshi
    assert "zwgk_register_schedules" in ceshi and "zwgk_register_obligations" not in ceshi
    own = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(package / "tests")],
                         env=env, capture_output=True, text=True, cwd=package)
    assert own.returncode == 0 and "2 passed" in own.stdout, own.stdout + own.stderr

    # a section the shipped text lacks is refused, with the installed wheel's own text
    (module / "data" / "units.yaml").write_text(UNITS.replace("一、总体要求（一）", "二、"), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "dist2"),
                    str(package)], check=True, capture_output=True, cwd=tmp_path)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    "--force-reinstall", str(next((tmp_path / "dist2").glob("*.whl")))], check=True)
    bad = subprocess.run([python, "-m", "zwgk", "plugins", "check", "ceshi"], env=env, capture_output=True,
                         text=True, cwd=tmp_path)
    assert bad.returncode == 1 and "source.section" in bad.stderr and "二、" in bad.stderr, bad.stdout + bad.stderr
