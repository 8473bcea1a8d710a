"""The plugin manager: discovery, enabling, settings, and the failure policy.

One :class:`pluggy.PluginManager` per app, built by :func:`build_plugin_manager`; nothing is
discovered at import time. Policy (docs/architecture.md, "Failure policy"):

* the core's own behaviour is registered as plugins first (``qunshang.core.*``);
* plugins come from entry points in group ``qunshang.plugins`` (first-party ones too);
* an enabled plugin that is unknown, fails to import, lacks a requirement, has invalid
  settings or implements a hook that does not exist stops startup with one
  :class:`~qunshang.errors.PluginError` line naming it;
* a discovered plugin that is not enabled and fails to import is listed as unavailable.
"""

from __future__ import annotations

import importlib
import logging
import re
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import Any, Iterable

import pluggy
from pydantic import BaseModel, ValidationError

from . import hookspecs
from .config import Config, PluginsSection, first_error
from .errors import PluginError

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "qunshang.plugins"
PLUGIN_ID = re.compile(r"^[a-z][a-z0-9_]{1,39}$")

#: The core's default behaviour, registered like any plugin (pytest's built-in plugins model).
CORE_PLUGINS = (
    "qunshang.catalog.hooks",
    "qunshang.members.hooks",
    "qunshang.groups.hooks",
    "qunshang.orders.hooks",
    "qunshang.payments.hooks",
    "qunshang.ledger.hooks",
    "qunshang.jobs.hooks",
    "qunshang.web.hooks",
    "qunshang.console.hooks",
)


@dataclass(frozen=True)
class PluginMeta:
    """What a plugin says about itself, once, as ``plugin = PluginMeta(...)`` in its module."""

    id: str
    title: str
    version: str
    description: str = ""
    requires: tuple[str, ...] = ()
    settings: type[BaseModel] | None = None

    def __post_init__(self) -> None:
        if not PLUGIN_ID.match(self.id):
            raise ValueError(f"plugin id {self.id!r} must match {PLUGIN_ID.pattern}")


@dataclass
class PluginRecord:
    """One discovered plugin, as ``qunshang plugins list`` shows it."""

    id: str
    source: str
    meta: PluginMeta | None = None
    module: ModuleType | None = None
    enabled: bool = False
    unavailable: str | None = None
    settings: BaseModel | None = None

    @property
    def status(self) -> str:
        if self.unavailable:
            return "unavailable"
        return "enabled" if self.enabled else "disabled"


@dataclass
class LoadedPlugins:
    pm: pluggy.PluginManager
    records: dict[str, PluginRecord] = field(default_factory=dict)

    @property
    def enabled(self) -> list[PluginRecord]:
        return [r for r in self.records.values() if r.enabled]


class _Conflict(EntryPoint):
    """Stands for a plugin id that two installed packages claim: loading it fails, naming both."""

    def load(self):
        raise ImportError(f"two packages provide plugin id '{self.name}': {self.value}")


def discover(eps: Iterable[EntryPoint] | None = None) -> dict[str, EntryPoint]:
    """Plugins by id. Two packages claiming one id are a conflict: the id maps to an entry
    point that fails to load, naming both, so it is unavailable or (if enabled) stops startup."""
    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP) if eps is None else eps:
        if ep.name in found and found[ep.name].value != ep.value:
            found[ep.name] = _Conflict(ep.name, f"{found[ep.name].value} | {ep.value}", ENTRY_POINT_GROUP)
        else:
            found.setdefault(ep.name, ep)
    return found


def build_plugin_manager(
    config: Config,
    *,
    entry_points: Iterable[EntryPoint] | None = None,
    extra: Iterable[ModuleType | Any] = (),
) -> LoadedPlugins:
    """Build the manager for one app. ``entry_points`` replaces discovery (tests);
    ``extra`` registers additional hook-implementing objects after the plugins (tests)."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in CORE_PLUGINS:
        pm.register(importlib.import_module(name), name=name)

    loaded = LoadedPlugins(pm)
    enabled_ids = list(dict.fromkeys(config.plugins.enabled))
    discovered = discover(entry_points)
    for plugin_id in enabled_ids:
        if plugin_id not in discovered:
            known = ", ".join(sorted(discovered)) or "none installed"
            raise PluginError(f"unknown plugin '{plugin_id}' in [plugins] enabled (known: {known})")
    for plugin_id in config.plugins.model_extra or {}:
        if plugin_id not in discovered:
            raise PluginError(f"[plugins.{plugin_id}] configures a plugin that is not installed")

    for plugin_id, ep in discovered.items():
        record = _load(plugin_id, ep, enabled=plugin_id in enabled_ids)
        loaded.records[plugin_id] = record

    for plugin_id in enabled_ids:
        record = loaded.records[plugin_id]
        for required in record.meta.requires:
            if required not in enabled_ids:
                raise PluginError(f"plugin '{plugin_id}' requires plugin '{required}', which is not enabled")
        record.settings = _validate_settings(record, config.plugins.settings_for(plugin_id))

    try:
        # pluggy calls the last registered first: register in reverse so `enabled` order is call order
        for plugin_id in reversed(enabled_ids):
            record = loaded.records[plugin_id]
            _add_plugin_hookspecs(pm, record)
            pm.register(record.module, name=plugin_id)
        for obj in extra:
            pm.register(obj)
        pm.check_pending()
    except pluggy.PluginValidationError as exc:  # an impl's arguments, or a hook that does not exist
        message = " ".join(str(exc).split())
        raise PluginError(f"plugin '{_plugin_name(pm, exc.plugin)}' {message}") from None
    _refuse_wrappers(pm)
    return loaded


def _load(plugin_id: str, ep: EntryPoint, *, enabled: bool) -> PluginRecord:
    record = PluginRecord(id=plugin_id, source=ep.value, enabled=enabled)
    try:
        module = ep.load()
        meta = getattr(module, "plugin", None)
        if not isinstance(meta, PluginMeta):
            raise TypeError(f"{ep.value} has no `plugin = PluginMeta(...)`")
        if meta.id != plugin_id:
            raise TypeError(f"entry point '{plugin_id}' declares id '{meta.id}'")
    except Exception as exc:  # any import-time failure of a third-party module
        reason = f"{type(exc).__name__}: {exc}"
        if enabled:
            raise PluginError(f"plugin '{plugin_id}' failed to load: {reason}") from None
        log.warning("plugin %s is unavailable: %s", plugin_id, reason)
        record.unavailable = reason
        return record
    record.meta, record.module = meta, module
    return record


def _validate_settings(record: PluginRecord, raw: dict[str, Any]) -> BaseModel | None:
    model = record.meta.settings
    if model is None:
        if raw:
            raise PluginError(f"[plugins.{record.id}] plugin '{record.id}' takes no settings")
        return None
    try:
        return model(**raw)
    except ValidationError as exc:
        raise PluginError(f"[plugins.{record.id}] {first_error(exc)}") from None


def _add_plugin_hookspecs(pm: pluggy.PluginManager, record: PluginRecord) -> None:
    """A plugin may declare hooks for others (``hookspecs`` submodule or attribute)."""
    specs = getattr(record.module, "hookspecs", None)
    if specs is None or specs is hookspecs:  # the core's module, imported by the plugin for `spec`
        try:
            specs = importlib.import_module(f"{record.module.__name__}.hookspecs")
        except ModuleNotFoundError as exc:
            if exc.name != f"{record.module.__name__}.hookspecs":
                raise
            return
    pm.add_hookspecs(specs)


def _refuse_wrappers(pm: pluggy.PluginManager) -> None:
    """``Runtime.call`` calls each impl itself, so pluggy's hook wrappers cannot work."""
    for name, caller in vars(pm.hook).items():
        for impl in caller.get_hookimpls():
            if impl.wrapper or impl.hookwrapper:
                raise PluginError(f"plugin '{impl.plugin_name}' implements '{name}' as a wrapper, which is not supported")


def _plugin_name(pm: pluggy.PluginManager, plugin: object) -> str:
    """The plugin id, also for a module whose registration was refused (so has no name yet)."""
    name = pm.get_name(plugin)
    if name is None:
        meta = getattr(plugin, "plugin", None)
        name = meta.id if isinstance(meta, PluginMeta) else getattr(plugin, "__name__", repr(plugin))
    return name


def survey(plugins: PluginsSection, *, entry_points: Iterable[EntryPoint] | None = None) -> list[PluginRecord]:
    """Every discovered plugin and every enabled id, with what stops it; never raises.

    For ``qunshang plugins list``, which operators use to diagnose a setup that
    :func:`build_plugin_manager` refuses: each problem lands in ``PluginRecord.unavailable``.
    """
    enabled_ids = list(dict.fromkeys(plugins.enabled))
    discovered = discover(entry_points)
    records = []
    for plugin_id, ep in sorted(discovered.items()):
        record = PluginRecord(id=plugin_id, source=ep.value, enabled=plugin_id in enabled_ids)
        try:
            loaded = _load(plugin_id, ep, enabled=True)  # raises instead of logging
            record.meta, record.module = loaded.meta, loaded.module
            if record.enabled:
                missing = [r for r in record.meta.requires if r not in enabled_ids]
                if missing:
                    raise PluginError(f"plugin '{plugin_id}' requires plugin '{missing[0]}', which is not enabled")
                record.settings = _validate_settings(record, plugins.settings_for(plugin_id))
        except PluginError as exc:
            record.unavailable = str(exc)
        records.append(record)
    records += [
        PluginRecord(id=plugin_id, source="", enabled=True, unavailable="not installed")
        for plugin_id in enabled_ids
        if plugin_id not in discovered
    ]
    return records
