"""``DataPlugin``: a regional plugin whose facts are YAML files named after the hooks.

``data/units.yaml`` feeds ``zwgk_register_units``, ``data/schedules.yaml`` feeds
``zwgk_register_schedules`` and so on for every data hook; a file whose name is
no hook's is an error, so a typo cannot pass silently.  Rules (review steps,
extra checks, admin views) are ordinary ``@hookimpl`` methods of a subclass.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .hookspecs import CONTRACT_VERSION, hookimpl
from .loader import KINDS, DataError, Problem, read_data_file

DATA_HOOKS = {k.hook.removeprefix("zwgk_register_"): k.hook for k in KINDS if k.hook}


class DataPlugin:
    """Register an instance through the ``zwgk.plugins`` entry point (``name = package:plugin``)."""

    def __init__(self, data_dir: str | Path, title: str, region: str | None):
        self.data_dir = Path(data_dir)
        self.title = title
        self.region = region
        unknown = sorted(p.name for p in self.data_dir.glob("*.yaml") if p.stem not in DATA_HOOKS)
        if unknown:
            raise DataError([Problem(str(self.data_dir / name), "", None,
                                     f"文件名不对应任何钩子 no hook reads this file; use one of "
                                     f"{', '.join(f'{k}.yaml' for k in DATA_HOOKS)}") for name in unknown])

    @hookimpl
    def zwgk_plugin_info(self) -> dict[str, Any]:
        return {"title": self.title, "region": self.region, "contract": CONTRACT_VERSION}

    @hookimpl
    def zwgk_example_catalogs(self) -> list[dict[str, Any]]:
        path = self.data_dir.parent / "examples" / "catalogs.yaml"
        if not path.exists():
            return []
        import yaml

        return yaml.safe_load(path.read_text(encoding="utf-8")) or []

    @property
    def documents_dir(self) -> Path:
        """Where the texts of the plugin's documents are shipped (``documents/`` beside ``data/``)."""
        return self.data_dir.parent / "documents"

    def provides(self, hook_name: str) -> bool:
        """Whether the plugin really implements a hook (a data hook: its file exists)."""
        stem = next((s for s, h in DATA_HOOKS.items() if h == hook_name), None)
        if stem is None:
            return hook_name != "zwgk_example_catalogs" or (self.data_dir.parent / "examples" / "catalogs.yaml").exists()
        return (self.data_dir / f"{stem}.yaml").exists()

    def read(self, stem: str) -> list[dict[str, Any]]:
        path = self.data_dir / f"{stem}.yaml"
        return read_data_file(path) if path.exists() else []


def _data_hook(stem: str):
    def hook(self: DataPlugin) -> list[dict[str, Any]]:
        return self.read(stem)

    hook.__name__ = DATA_HOOKS[stem]
    hook.__doc__ = f"The records of ``data/{stem}.yaml``."
    return hookimpl(hook)


for _stem, _hook in DATA_HOOKS.items():
    setattr(DataPlugin, _hook, _data_hook(_stem))
