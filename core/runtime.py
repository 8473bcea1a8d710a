"""The runtime object every hook and service receives: config, plugins, hooks, clock."""

from __future__ import annotations

import inspect
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from tortoise.transactions import in_transaction

from . import i18n
from .config import Config
from .hookspecs import HookInfo
from .localtime import zone
from .plugin_manager import LoadedPlugins

log = logging.getLogger("qunshang.hooks")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class _Impl:
    plugin: str
    function: Callable[..., Any]
    argnames: tuple[str, ...]


class Runtime:
    """Shared, read-only-after-startup state of one application.

    ``await runtime.call("order_paid", order=o, payment=p)`` calls a hook following its
    declared kind (see :mod:`qunshang.hookspecs`). Impl lists are resolved once and cached:
    the plugin set cannot change while the app runs, and hooks on hot paths stay cheap.
    """

    def __init__(self, config: Config, plugins: LoadedPlugins, clock: Callable[[], datetime] = utcnow):
        self.config = config
        self.plugins = plugins
        self.pm = plugins.pm
        self.now = clock
        self.state: dict[str, Any] = {}
        self._impls: dict[str, tuple[_Impl, ...]] = {}

    @property
    def tz(self) -> ZoneInfo:
        """The deployment's time zone: pages show and read times in it (``qunshang.localtime``)."""
        return zone(self.config.app.timezone)

    def settings(self, plugin_id: str) -> BaseModel | None:
        """The validated settings of an enabled plugin."""
        return self.plugins.records[plugin_id].settings

    def translations(self, locale: str):
        """gettext catalogs for ``locale``: the core's merged with enabled plugins' ``locale/``."""
        return i18n.translations(locale, self.state.get("locale_dirs", ()))

    def is_enabled(self, plugin_id: str) -> bool:
        record = self.plugins.records.get(plugin_id)
        return bool(record and record.enabled)

    def impls(self, hook: str) -> tuple[_Impl, ...]:
        cached = self._impls.get(hook)
        if cached is None:
            caller = getattr(self.pm.hook, hook)
            cached = tuple(
                _Impl(impl.plugin_name, impl.function, tuple(impl.argnames))
                for impl in reversed(caller.get_hookimpls())  # pluggy's call order
            )
            self._impls[hook] = cached
        return cached

    def kind(self, hook: str) -> str:
        spec = getattr(self.pm.hook, hook).spec
        info: HookInfo | None = getattr(spec.function, "qunshang_hook", None) if spec else None
        return info.kind if info else "query"

    async def call(self, hook: str, **kwargs: Any) -> list[Any]:
        """Call ``hook``; return the non-``None`` results in order.

        ``notify`` hooks isolate each impl in a savepoint and log its failure; every other kind
        lets an exception propagate (and so roll back the caller's transaction).
        """
        impls = self.impls(hook)
        if not impls:
            return []
        kwargs["runtime"] = self
        isolate = self.kind(hook) == "notify"
        results = []
        for impl in impls:
            args = {name: kwargs[name] for name in impl.argnames}
            if isolate:
                result = await self._isolated(hook, impl, args)
            else:
                result = impl.function(**args)
                if inspect.isawaitable(result):
                    result = await result
            if result is not None:
                results.append(result)
        return results

    async def _isolated(self, hook: str, impl: _Impl, args: dict[str, Any]) -> Any:
        try:
            async with in_transaction():  # a savepoint when a transaction is open
                result = impl.function(**args)
                if inspect.isawaitable(result):
                    result = await result
                return result
        except Exception:
            log.exception("hook %s: implementation in plugin %s failed; continuing", hook, impl.plugin)
            return None

    def call_setup(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call a sync setup hook; return ``(plugin name, result)`` pairs in call order."""
        kwargs["runtime"] = self
        out = []
        for impl in self.impls(hook):
            result = impl.function(**{name: kwargs[name] for name in impl.argnames})
            if inspect.isawaitable(result):
                raise TypeError(f"hook {hook} is called at setup and must not be async ({impl.plugin})")
            if result is not None:
                out.append((impl.plugin, result))
        return out
