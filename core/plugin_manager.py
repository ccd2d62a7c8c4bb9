"""Finding, enabling and applying plugins.

Plugins are found through the entry point group ``zwgk.plugins``; the built-in
regions are registered there by zwgk's own ``setup.cfg`` exactly as a
third-party package registers its own.  The national data (``standards``) is
the one plugin that is always on, under the name ``national``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import pluggy

from . import hookspecs
from .db import Database
from .loader import KINDS, ApplyReport, Batch, DataError, Problem, apply_batch, check_collisions, \
    record_applied, validate_records

GROUP = "zwgk.plugins"
NATIONAL = "national"


class PluginError(Exception):
    """A plugin that cannot be enabled (unknown name, wrong contract, failing import)."""


@dataclass
class PluginInfo:
    name: str
    version: str
    enabled: bool
    title: str = ""
    region: str | None = None
    contract: str | None = None
    package: str = ""
    hooks: list[str] = field(default_factory=list)


def installed_entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def parse_enabled(setting: str | None, installed: Iterable[str]) -> list[str]:
    """``ZWGK_PLUGINS``: unset or ``all`` → every installed plugin; ``none`` → none; else a comma list."""
    installed = list(installed)
    if setting is None or setting.strip().lower() in ("", "all", "*"):
        return installed
    if setting.strip().lower() == "none":
        return []
    names = [n.strip() for n in setting.split(",") if n.strip()]
    unknown = [n for n in names if n not in installed]
    if unknown:
        raise PluginError(f"ZWGK_PLUGINS 中有未安装的插件 not installed: {', '.join(unknown)} "
                          f"(已安装 installed: {', '.join(installed) or '-'})")
    return names


def _contract_major(version: str | None) -> str | None:
    return str(version).split(".")[0] if version else None


def get_plugin_manager(enabled: Iterable[str] | None = None) -> pluggy.PluginManager:
    """A plugin manager with the hookspecs, the national data and the enabled plugins.

    ``enabled`` is a list of entry point names (``None``: all installed).
    """
    from zwgk import standards

    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.register(standards.plugin, name=NATIONAL)
    eps = installed_entry_points()
    names = list(eps) if enabled is None else list(enabled)
    for name in names:
        if name not in eps:
            raise PluginError(f"未安装的插件 plugin not installed: {name}")
        try:
            module = eps[name].load()
        except Exception as exc:  # a broken plugin must not take the message with it
            raise PluginError(f"插件 {name} 无法加载 cannot be loaded: {exc!r}") from exc
        pm.register(module, name=name)
        info = plugin_info(pm, name)
        if _contract_major(info.get("contract")) != _contract_major(hookspecs.CONTRACT_VERSION):
            raise PluginError(f"插件 {name} 针对接口版本 {info.get('contract')!r} 编写，"
                              f"本系统为 {hookspecs.CONTRACT_VERSION} "
                              f"(plugin written for contract {info.get('contract')!r})")
    pm.check_pending()
    return pm


def call_for(pm: pluggy.PluginManager, name: str, hook_name: str, **kwargs: Any) -> list[Any]:
    """Call one plugin's implementation of a hook; ``[]`` when it has none."""
    out = []
    for impl in getattr(pm.hook, hook_name).get_hookimpls():
        if impl.plugin_name == name:
            result = impl.function(*[kwargs[a] for a in impl.argnames])
            if result is not None:
                out.append(result)
    return out


def plugin_info(pm: pluggy.PluginManager, name: str) -> dict[str, Any]:
    infos = call_for(pm, name, "zwgk_plugin_info")
    return dict(infos[0]) if infos else {}


def origins(pm: pluggy.PluginManager) -> list[str]:
    """National first, then the enabled plugins in the order they were enabled."""
    return [name for name, _ in pm.list_name_plugin()]


def describe_plugins(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """Every installed plugin (enabled or not) and what it contributes."""
    from zwgk import standards

    out = []
    enabled = set(origins(pm))
    from importlib.metadata import version as dist_version

    out.append(_describe(pm, NATIONAL, dist_version("zwgk"), standards.__name__, True))
    for name, ep in installed_entry_points().items():
        version = ep.dist.version if ep.dist else "?"
        out.append(_describe(pm, name, version, ep.value, name in enabled))
    return out


def _describe(pm: pluggy.PluginManager, name: str, version: str, package: str, enabled: bool) -> PluginInfo:
    info = PluginInfo(name=name, version=version, enabled=enabled, package=package)
    if enabled:
        meta = plugin_info(pm, name)
        info.title = meta.get("title", "")
        info.region = meta.get("region")
        info.contract = meta.get("contract")
        plugin = pm.get_plugin(name)
        info.hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or ())
    return info


def admin_views(pm: pluggy.PluginManager, admin: Any, session: Any) -> list[Any]:
    """Every enabled plugin's extra admin views, checked to be Flask-Admin views."""
    from flask_admin import BaseView

    views = []
    for name in origins(pm):
        for result in call_for(pm, name, "zwgk_admin_views", admin=admin, session=session):
            for view in result:
                if not isinstance(view, BaseView):
                    raise PluginError(f"插件 {name} 的 zwgk_admin_views 返回了非视图对象 returned {view!r}, "
                                      "not a flask_admin BaseView")
                views.append(view)
    return views


# --------------------------------------------------------------------------
# Collecting and applying data
# --------------------------------------------------------------------------


def collect(pm: pluggy.PluginManager, name: str) -> Batch:
    """Every record one origin contributes, validated; DataError lists every problem."""
    batch: Batch = {}
    problems: list[Problem] = []
    for kind in KINDS:
        if not kind.hook:
            continue
        for i, result in enumerate(call_for(pm, name, kind.hook)):
            if not isinstance(result, list):
                problems.append(Problem(f"{name}.{kind.hook}", "", None, "应返回列表 must return a list"))
                continue
            good, bad = validate_records(kind, result, f"{name}.{kind.hook}")
            batch.setdefault(kind.name, []).extend(good)
            problems.extend(bad)
    if problems:
        raise DataError(problems)
    return batch


def collect_all(pm: pluggy.PluginManager) -> dict[str, Batch]:
    batches = {name: collect(pm, name) for name in origins(pm)}
    check_collisions(batches)
    return batches


def apply(db: Database, pm: pluggy.PluginManager, names: Iterable[str] | None = None,
          dry_run: bool = False) -> list[ApplyReport]:
    """Apply the data of the given origins (default: national and every enabled plugin).

    All origins are applied in one transaction: if any record of any origin is
    wrong, nothing is written.  ``dry_run`` computes the reports and rolls back.
    """
    names = origins(pm) if names is None else list(names)
    unknown = [n for n in names if n not in origins(pm)]
    if unknown:
        raise PluginError(f"未启用的插件 not enabled: {', '.join(unknown)}")
    batches = collect_all(pm)
    reports = []
    from importlib.metadata import version as dist_version

    versions = {p.name: p.version for p in describe_plugins(pm)}
    with db.sessionmaker() as session:
        try:
            for name in names:
                session.info.update(actor=f"plugin:{name}", reason=f"apply {name}")
                report = ApplyReport(origin=name, dry_run=dry_run)
                apply_batch(session, name, batches[name], report)
                if not dry_run:
                    record_applied(session, name, versions.get(name, dist_version("zwgk")), report)
                reports.append(report)
            if dry_run:
                session.rollback()
            else:
                session.commit()
        except BaseException:
            session.rollback()
            raise
    return reports
