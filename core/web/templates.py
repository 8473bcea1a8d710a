"""The Jinja2 environment: autoescape on, gettext in the request's language, money filter.

Lookup order (DESIGN §5): deployment overrides → active theme → parent theme → plugin
templates → core. ``"core:base.html"`` always names the core's own template, so an override
can extend what it replaces.
"""

from __future__ import annotations

import contextvars
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, select_autoescape
from markupsafe import Markup

from .. import i18n
from ..money import format_amount

if TYPE_CHECKING:
    from ..runtime import Runtime

CORE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
CORE_STATIC = Path(__file__).resolve().parent.parent / "static" / "core"
current_locale: contextvars.ContextVar[str] = contextvars.ContextVar("qunshang_locale", default="zh_CN")
current_translations: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "qunshang_translations", default=i18n.translations("zh_CN")
)


def _gettext(message: str, **params: Any) -> str:
    text = current_translations.get().gettext(message)
    return text % params if params else text


def _ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    text = current_translations.get().ngettext(singular, plural, n)
    return text % {"num": n, **params}


def _money(amount: int, currency: str = "CNY") -> str:
    return format_amount(amount, currency, current_locale.get())


def plugin_template_dirs(runtime: Runtime) -> list[Path]:
    dirs = []
    for record in runtime.plugins.enabled:
        folder = Path(record.module.__file__).parent / "templates"
        if folder.is_dir():
            dirs.append(folder)
    return dirs


def build_environment(runtime: Runtime, theme_dirs: list[Path] | None = None) -> Environment:
    overrides = [Path(runtime.config.theme.overrides)] if runtime.config.theme.overrides else []
    search = [*overrides, *(theme_dirs or []), *plugin_template_dirs(runtime), CORE_TEMPLATES]
    loader = ChoiceLoader([
        PrefixLoader({"core": FileSystemLoader(CORE_TEMPLATES / "core")}, delimiter=":"),
        FileSystemLoader([str(p) for p in search]),
    ])
    env = Environment(loader=loader, autoescape=select_autoescape(default=True), extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["money"] = _money
    env.globals["app_name"] = runtime.config.app.name
    for _plugin, values in runtime.call_setup("template_globals"):
        env.globals.update(values)
    return env


def slot_markup(parts: list[Any]) -> Markup:
    """Join slot results: ``Markup`` stays as is, plain strings are escaped."""
    return Markup("").join(p if isinstance(p, Markup) else Markup.escape(p) for p in parts)



