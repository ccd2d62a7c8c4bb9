"""``zwgk plugins new NAME``: a new regional plugin package that installs and conforms as it is."""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

from .hookspecs import CONTRACT_VERSION

NAME = re.compile(r"^[a-z][a-z0-9_]{1,39}$")

FILES: dict[str, str] = {
    "pyproject.toml": """\
[build-system]
requires = ["setuptools>=69", "wheel"]
build-backend = "setuptools.build_meta"
""",
    "setup.cfg": """\
[metadata]
name = zwgk-$name
version = 0.1.0
description = zwgk plugin for $title

[options]
packages = find:
include_package_data = True
install_requires =
    zwgk

[options.packages.find]
exclude = tests*

[options.package_data]
zwgk_$name = data/*.yaml, documents/*.txt

[options.entry_points]
zwgk.plugins =
    $name = zwgk_$name:plugin

[tool:pytest]
testpaths = tests
""",
    "zwgk_$name/__init__.py": '''\
"""zwgk plugin for $title.

Every data/<hook>.yaml file feeds its hook (units.yaml → zwgk_register_units …); the core
validates the records, checks them for collisions and applies them.  Rules go in a
subclass as @hookimpl methods (see docs/plugins.md of zwgk).
"""

from pathlib import Path

from zwgk import DataPlugin

# region: the unit path your records are scoped to (e.g. "海南省"); None until you have one
plugin = DataPlugin(Path(__file__).parent / "data", title="$title", region=$region)
''',
    "zwgk_$name/data/units.yaml": """\
# Units of the region, each with the document and section it comes from. For example:
# - name: 海南省
#   level: province
#   source: {file: 文件名.txt, section: 二、试点范围}
records: []
""",
    "zwgk_$name/data/documents.yaml": """\
# The policy documents your records cite (source.file names one: its 文号 or its text's file name).
# Ship each text in zwgk_$name/documents/ (text_file), or say where to find it (url). For example:
# - number: 琼府办发〔2020〕1号
#   title: 文件标题
#   issuer: 海南省人民政府办公厅
#   issued_on: 2020-09-01
#   level: province          # national | province | city | county
#   status: in_force         # in_force 现行有效 | repealed 已废止
#   region: 海南省
#   text_file: 琼府办发2020-1.txt
records: []
""",
    "zwgk_$name/data/element_requirements.yaml": """\
# Catalog elements the region's documents require. For example:
# - {scope: 海南省, element: channels, wording: 渠道, source: {file: 文件名.txt, section: 二}}
records: []
""",
    "zwgk_$name/data/schedules.yaml": """\
# The region's schedule: phases and dated milestones. For example:
# - scope: 海南省
#   title: 试点工作进度安排
#   report_cadence: monthly
#   source: {file: 文件名.txt, section: 四、进度安排}
#   phases:
#   - name: 制定实施方案
#     ends_on: 2020-09-30
#     milestones:
#     - {title: 实施方案报送备案, due_on: 2020-09-30}
records: []
""",
    "tests/test_$name.py": '''\
"""The plugin keeps the zwgk contract, and applying it twice changes nothing (public names only)."""

from zwgk.testing import apply_plugins, check, scratch_database


def test_conforms():
    assert check("$name") == []


def test_applies_idempotently(tmp_path):
    with scratch_database(tmp_path) as db:
        apply_plugins(db, "$name")
        again = apply_plugins(db, "$name")["$name"]
        assert not again.changed_anything, again.render()
''',
    "README.md": """\
# zwgk-$name

zwgk plugin for $title (contract $contract).

    pip install -e .          # beside zwgk
    zwgk plugins check $name  # conformance: schemas, references, region
    pytest

## What it contributes

Fill in: the documents it comes from (file names), and for each data file what it holds.

## What the documents leave out

Fill in: what a document refers to but does not contain (an attachment, a list of names).
""",
}


class ScaffoldError(ValueError):
    pass


def scaffold(name: str, target: Path, title: str | None = None, region: str | None = None) -> list[Path]:
    """Write a plugin package ``zwgk-NAME`` under ``target``; return the files written."""
    if not NAME.match(name):
        raise ScaffoldError(f"插件名应为小写字母、数字、下划线 plugin name must match {NAME.pattern}: {name!r}")
    root = target / f"zwgk-{name}"
    if root.exists():
        raise ScaffoldError(f"已存在 already exists: {root}")
    values = {"name": name, "title": title or name, "region": repr(region), "contract": CONTRACT_VERSION}
    written = []
    for rel, text in FILES.items():
        path = root / Template(rel).substitute(values)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template(text).substitute(values), encoding="utf-8")
        written.append(path)
    return written
