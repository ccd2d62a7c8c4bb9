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
from sqlalchemy import select

from . import hookspecs
from . import models as m
from .db import Database
from .loader import KINDS, ApplyReport, Batch, DataError, Problem, apply_batch, check_collisions, \
    record_applied, retire, validate_records

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
    broken: str | None = None  # why an enabled plugin could not be loaded


def one_line(exc: BaseException) -> str:
    """An exception as one line: its first line, and how many more there were."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()] or [type(exc).__name__]
    more = f"（另有 {len(lines) - 1} 处 and {len(lines) - 1} more）" if len(lines) > 1 else ""
    return f"{type(exc).__name__}: {lines[0]}{more}" if not isinstance(exc, (DataError, PluginError)) \
        else lines[0] + more


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
    if NATIONAL in names:
        raise PluginError(f"ZWGK_PLUGINS 不应包含 {NATIONAL}：国家数据总是启用；只要国家数据请写 none "
                          f"({NATIONAL} is always on; ZWGK_PLUGINS=none for the national data alone)")
    unknown = [n for n in names if n not in installed]
    if unknown:
        raise PluginError(f"ZWGK_PLUGINS 中有未安装的插件 not installed: {', '.join(unknown)} "
                          f"(已安装 installed: {', '.join(installed) or '-'})")
    return names


def _contract_major(version: str | None) -> str | None:
    return str(version).split(".")[0] if version else None


def get_plugin_manager(enabled: Iterable[str] | None = None,
                       broken: dict[str, str] | None = None) -> pluggy.PluginManager:
    """A plugin manager with the hookspecs, the national data and the enabled plugins.

    ``enabled`` is a list of entry point names (``None``: all installed).  A plugin that is
    not installed, fails to load or was written for another contract raises a one-line
    ``PluginError`` naming it — unless ``broken`` is given: then it is left out and the
    reason recorded there (``plugins list`` shows the others and the broken ones).
    """
    from zwgk import standards

    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.register(standards.plugin, name=NATIONAL)
    eps = installed_entry_points()
    names = list(eps) if enabled is None else list(enabled)
    for name in names:
        try:
            _register(pm, name, eps)
        except PluginError as exc:
            if broken is None:
                raise
            broken[name] = str(exc)
    pm.check_pending()
    return pm


def _register(pm: pluggy.PluginManager, name: str, eps: dict[str, EntryPoint]) -> None:
    if name not in eps:
        raise PluginError(f"未安装的插件 plugin not installed: {name} (已安装 installed: {', '.join(eps) or '-'})")
    try:
        module = eps[name].load()
    except Exception as exc:  # a broken plugin must not take the message with it
        raise PluginError(f"插件 {name} 无法加载 cannot be loaded: {one_line(exc)}") from exc
    pm.register(module, name=name)
    try:
        info = plugin_info(pm, name)
    except Exception as exc:
        pm.unregister(name=name)
        raise PluginError(f"插件 {name} 的 zwgk_plugin_info 出错 failed: {one_line(exc)}") from exc
    if _contract_major(info.get("contract")) != _contract_major(hookspecs.CONTRACT_VERSION):
        pm.unregister(name=name)
        raise PluginError(f"插件 {name} 针对接口版本 {info.get('contract')!r} 编写，"
                          f"本系统为 {hookspecs.CONTRACT_VERSION} "
                          f"(plugin written for contract {info.get('contract')!r})")


def get_pm(app: Any = None) -> pluggy.PluginManager:
    """The plugin manager the app was built with (``app`` or the current app)."""
    from flask import current_app

    return (app or current_app).extensions["zwgk.pm"]


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


def describe_plugins(pm: pluggy.PluginManager, broken: dict[str, str] | None = None) -> list[PluginInfo]:
    """Every installed plugin (enabled or not, or broken with the reason) and what it contributes."""
    from zwgk import standards

    out = []
    enabled = set(origins(pm))
    broken = broken or {}
    from importlib.metadata import version as dist_version

    out.append(_describe(pm, NATIONAL, dist_version("zwgk"), standards.__name__, True))
    for name, ep in installed_entry_points().items():
        version = ep.dist.version if ep.dist else "?"
        info = _describe(pm, name, version, ep.value, name in enabled)
        info.broken = broken.get(name)
        out.append(info)
    return out


def implemented_hooks(pm: pluggy.PluginManager, name: str) -> list[str]:
    """The hooks a plugin really implements: for a ``DataPlugin``, the data hooks it has files for."""
    plugin = pm.get_plugin(name)
    provides = getattr(plugin, "provides", None)
    return sorted(h.name for h in pm.get_hookcallers(plugin) or () if provides is None or provides(h.name))


def _describe(pm: pluggy.PluginManager, name: str, version: str, package: str, enabled: bool) -> PluginInfo:
    info = PluginInfo(name=name, version=version, enabled=enabled, package=package)
    if enabled:
        meta = plugin_info(pm, name)
        info.title = meta.get("title", "")
        info.region = meta.get("region")
        info.contract = meta.get("contract")
        info.hooks = implemented_hooks(pm, name)
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
    region = plugin_info(pm, name).get("region") if name != NATIONAL else None
    for domain in batch.get("domains", []):
        if region and not domain.get("editions") and not domain.get("region"):
            domain["region"] = region  # a local domain carries the region that introduced it
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


def remove(db: Database, name: str, dry_run: bool = False) -> ApplyReport:
    """``zwgk plugins remove NAME``: retire every current record the plugin provided (已移除).

    Nothing is deleted: the records stay in the history and for the catalog items that refer
    to them; they leave the current lists.  Works for a plugin that is no longer installed.
    """
    if name == NATIONAL:
        raise PluginError(f"不能移除国家数据 the national data ({NATIONAL}) cannot be removed")
    report = ApplyReport(origin=name, dry_run=dry_run)
    with db.sessionmaker() as session:
        session.info.update(actor=f"plugin:{name}", reason=f"remove {name}")
        try:
            retire(session, name, report)
            if not report.total("removed") and session.scalar(
                    select(m.AppliedData).where(m.AppliedData.origin == name)) is None:
                raise PluginError(f"数据库中没有插件 {name} 的数据 nothing of plugin {name} in the database")
            if dry_run:
                session.rollback()
            else:
                row = session.scalar(select(m.AppliedData).where(m.AppliedData.origin == name))
                if row is not None:
                    session.delete(row)
                session.commit()
        except BaseException:
            session.rollback()
            raise
    return report
