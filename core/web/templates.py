"""The Jinja2 environment: autoescape on, gettext in the request's language, money filter.

Lookup order (DESIGN §5): deployment overrides → active theme → parent theme(s) → plugin
templates → core. A prefix names one source's own file, so an override can extend what it
replaces: ``"core:base.html"`` (the core's), ``"default:core/base.html"`` (a theme's),
``"wishlist:button.html"`` (a plugin's).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, nodes
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

from .. import i18n, localtime
from ..money import format_amount
from . import themes
from .assets import build_index
from .locale import request_locale
from .themes import Theme

if TYPE_CHECKING:
    from ..runtime import Runtime

CORE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
CORE_STATIC = Path(__file__).resolve().parent.parent / "static" / "core"
LANGUAGES = (("zh_CN", "zh-CN", "中文"), ("en", "en", "English"))
current_locale: contextvars.ContextVar[str] = contextvars.ContextVar("qunshang_locale", default="zh_CN")
current_translations: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "qunshang_translations", default=i18n.translations("zh_CN")
)


@contextmanager
def request_language(request: Any, runtime: Runtime) -> Iterator[str]:
    """Templates (storefront and console) and slot hooks rendered inside speak the request's
    language: gettext and money formatting read it from context variables, so one shared
    environment serves every request."""
    locale = request_locale(request)
    token = current_locale.set(locale)
    translations = current_translations.set(runtime.translations(locale))
    try:
        yield locale
    finally:
        current_locale.reset(token)
        current_translations.reset(translations)


class PageEnvironment(Environment):
    """The environment of every page (storefront and console): autoescaped, ``_()``/``ngettext()``
    following :func:`request_language`, and cheap to render from.

    Three costs of stock Jinja matter on a listing page rendered hundreds of times a second:

    - jinja's newstyle gettext passes through three context-passing wrappers per ``_()`` call;
      the callables here are plain functions with the same contract (the translation is trusted
      markup, its ``%(name)s`` parameters are escaped, and it is always ``%``-formatted, so
      ``%%`` means a percent sign).
    - most of those calls translate a constant (``_("Cart")``: about 20 on a listing). Given
      ``translations`` (``locale -> catalog``), templates are compiled once per language, with
      such texts translated in the compiled code: :meth:`get_template` hands out the template of
      the current language (:func:`request_language`). ``_`` and ``gettext`` are therefore
      reserved names in templates.
    - a template's globals are a ``ChainMap`` over the environment's, copied key by key into
      every render's context; here they are a plain dict, taken when the template is loaded.
      The environment's globals are complete once it is built (``build_environment``).
    """

    def __init__(self, *, translations: Callable[[str], Any] | None = None, **options: Any) -> None:
        super().__init__(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
        # Jinja's install makes {% trans %} compile newstyle; then the plain callables replace its wrappers
        self.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
        self.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext)
        self._translations = translations
        self._catalog: Any = None  # set on the per-language overlays
        self._languages: dict[str, PageEnvironment] = {}

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:  # type: ignore[override]
        return {**self.globals, **d} if d else dict(self.globals)

    def get_template(self, name: Any, parent: str | None = None, globals: Any = None) -> Any:  # type: ignore[override]
        if self._translations is None or self._catalog is not None:
            return super().get_template(name, parent, globals)
        locale = current_locale.get()
        language = self._languages.get(locale)
        if language is None:  # the overlay shares loader, filters and globals, not compiled templates
            language = self._languages[locale] = self.overlay()  # type: ignore[assignment]
            language._catalog = self._translations(locale)
        return language.get_template(name, parent, globals)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        return _TranslateConstants(self._catalog).visit(tree) if self._catalog is not None else tree


class _TranslateConstants(NodeTransformer):
    """``_("Cart")`` → the translated text as markup, at compile time. Calls with parameters,
    and texts with a ``%`` (formatted at render time), are left as they are."""

    def __init__(self, catalog: Any) -> None:
        self.catalog = catalog

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        if (isinstance(node.node, nodes.Name) and node.node.name in ("_", "gettext") and len(node.args) == 1
                and isinstance(node.args[0], nodes.Const) and isinstance(node.args[0].value, str)
                and not node.kwargs and node.dyn_args is None and node.dyn_kwargs is None):
            text = self.catalog.gettext(node.args[0].value)
            if "%" not in text:
                return nodes.MarkSafe(nodes.Const(text), lineno=node.lineno)
        return node


def _gettext(message: str, **params: Any) -> Markup:
    text = current_translations.get().gettext(message)
    # formatting without parameters changes only a text that has a "%" (an escaped "%%")
    return Markup(text) % params if params or "%" in text else Markup(text)


def _ngettext(singular: str, plural: str, n: int, **params: Any) -> Markup:
    return Markup(current_translations.get().ngettext(singular, plural, n)) % {"num": n, **params}


_format_amount = lru_cache(maxsize=8192)(format_amount)  # Babel is slow; listings repeat prices


def _money(amount: int, currency: str = "CNY") -> str:
    return _format_amount(amount, currency, current_locale.get())


def plugin_template_dirs(runtime: Runtime) -> list[Path]:
    dirs = []
    for record in runtime.plugins.enabled:
        folder = Path(record.module.__file__).parent / "templates"
        if folder.is_dir():
            dirs.append(folder)
    return dirs


def _prefixes(runtime: Runtime, chain: list[Theme]) -> dict[str, FileSystemLoader]:
    """``"core:base.html"`` is the core's ``core/base.html``, ``"wishlist:button.html"`` a
    plugin's ``wishlist/button.html``, ``"default:core/base.html"`` a theme's own file."""
    prefixes = {
        record.id: FileSystemLoader(folder)
        for record in runtime.plugins.enabled
        if (folder := Path(record.module.__file__).parent / "templates" / record.id).is_dir()
    }
    prefixes.update({theme.name: FileSystemLoader(theme.templates) for theme in chain})
    prefixes["core"] = FileSystemLoader(CORE_TEMPLATES / "core")
    return prefixes


def build_environment(runtime: Runtime) -> Environment:
    """The storefront's Jinja2 environment; also activates the theme (its settings, catalogs and
    static files), so a bad ``theme.toml`` stops startup here."""
    active = themes.activate(runtime.config)
    chain = active.chain
    runtime.state["theme"] = active
    runtime.state["locale_dirs"] = (
        *runtime.state.get("locale_dirs", ()), *(t.locale for t in reversed(chain) if t.locale.is_dir())
    )
    assets = build_index(chain, runtime.plugins.enabled, CORE_STATIC)
    runtime.state["assets"] = assets
    overrides = [Path(runtime.config.theme.overrides)] if runtime.config.theme.overrides else []
    search = [*overrides, *(t.templates for t in chain), *plugin_template_dirs(runtime), CORE_TEMPLATES]
    loader = ChoiceLoader([
        PrefixLoader(_prefixes(runtime, chain), delimiter=":"),
        FileSystemLoader([str(p) for p in search if p.is_dir()]),
    ])
    env = PageEnvironment(loader=loader, auto_reload=runtime.config.app.debug, translations=runtime.translations)
    env.filters["money"] = _money
    env.filters.update(localtime.template_filters(runtime.tz))
    env.globals.update(
        app_name=runtime.config.app.name, theme=active.settings, theme_name=active.name,
        static_url=assets.url, languages=LANGUAGES,
    )
    for _plugin, values in runtime.call_setup("template_globals"):
        env.globals.update(values)
    return env


def slot_markup(parts: list[Any]) -> Markup:
    """Join slot results: ``Markup`` stays as is, plain strings are escaped."""
    return Markup("").join(p if isinstance(p, Markup) else Markup.escape(p) for p in parts)
