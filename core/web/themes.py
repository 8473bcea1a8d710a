"""Themes: discovery, ``theme.toml`` validation and the inheritance chain.

A theme is a folder holding ``theme.toml`` and any of ``templates/``, ``static/`` and
``locale/``. Themes are found, in this order (a later source cannot replace an earlier name):

1. the folders of the ``qunshang.themes`` package (``default``, ``chayou``);
2. entry points in group ``qunshang.themes`` (name = theme name, value = a module or package
   whose folder holds ``theme.toml``);
3. the deployment's own folder, ``[theme] folder`` in ``qunshang.toml``.

``theme.toml``::

    name = "chayou"
    version = "0.1.0"
    parent = "default"          # optional
    [settings]                  # typed: see ThemeSettings
    primary_color = "#3d6b35"

Settings are merged parent first, then the child's, then ``[theme.settings]`` of the
deployment, and validated once at startup; anything wrong stops startup with one
:class:`~qunshang.errors.ConfigError` line naming the theme and the setting.
"""

from __future__ import annotations

import importlib
import re
import tomllib
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any, Iterable, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..config import Config, first_error
from ..errors import ConfigError

ENTRY_POINT_GROUP = "qunshang.themes"
THEME_NAME = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")
RESERVED_NAMES = frozenset({"core"})  # "core:" is the core's template prefix
HOME_SECTIONS = ("hero", "categories", "plugins", "products")
HEX_COLOR = r"^#[0-9a-fA-F]{6}$"


class ThemeSettings(BaseModel):
    """What a theme (and a deployment, in ``[theme.settings]``) may set."""

    model_config = ConfigDict(extra="forbid")

    primary_color: str = Field(default="#b4232a", pattern=HEX_COLOR)
    accent_color: str = Field(default="#f59e0b", pattern=HEX_COLOR)
    background_color: str = Field(default="#ffffff", pattern=HEX_COLOR)
    text_color: str = Field(default="#1f2328", pattern=HEX_COLOR)
    logo: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_./-]{1,200}$",
                             description="a file in the theme's static/ folder, e.g. logo.svg")
    tagline: str = Field(default="", max_length=120)
    home_sections: list[Literal["hero", "categories", "plugins", "products"]] = Field(
        default_factory=lambda: ["hero", "categories", "products"], max_length=len(HOME_SECTIONS)
    )
    products_per_page: int = Field(default=24, ge=4, le=60)

    @field_validator("home_sections")
    @classmethod
    def _each_once(cls, sections: list[str]) -> list[str]:
        if len(set(sections)) != len(sections):
            raise ValueError("each section may appear once")
        return sections

    @field_validator("logo")
    @classmethod
    def _inside_static(cls, logo: str | None) -> str | None:
        if logo and (".." in logo.split("/") or logo.startswith("/")):
            raise ValueError("logo must be a path inside the theme's static/ folder")
        return logo


@dataclass
class Theme:
    name: str
    version: str
    root: Path
    source: str
    parent: str | None = None
    raw_settings: dict[str, Any] = field(default_factory=dict)

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def static(self) -> Path:
        return self.root / "static"

    @property
    def locale(self) -> Path:
        return self.root / "locale"


@dataclass
class ActiveTheme:
    """The active theme, its ancestors (nearest first) and the merged, validated settings."""

    chain: list[Theme]
    settings: ThemeSettings

    @property
    def name(self) -> str:
        return self.chain[0].name


def read_theme(root: Path, source: str) -> Theme:
    """Parse ``root/theme.toml``; one-line ConfigError if it is malformed."""
    manifest = root / "theme.toml"
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{manifest}: not a readable theme.toml: {exc}") from None
    name, version, parent = data.get("name"), data.get("version"), data.get("parent")
    unknown = set(data) - {"name", "version", "parent", "settings", "description"}
    if unknown:
        raise ConfigError(f"{manifest}: unknown key {sorted(unknown)[0]!r}")
    if not isinstance(name, str) or not THEME_NAME.match(name) or name in RESERVED_NAMES:
        raise ConfigError(f"{manifest}: name must match {THEME_NAME.pattern} and not be 'core'")
    if not isinstance(version, str) or not version:
        raise ConfigError(f"{manifest}: version is required (a string such as \"0.1.0\")")
    if parent is not None and not isinstance(parent, str):
        raise ConfigError(f"{manifest}: parent must be a theme name")
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise ConfigError(f"{manifest}: [settings] must be a table")
    return Theme(name, version, root, source, parent or None, settings)


def _package_roots() -> Iterable[Path]:
    import qunshang.themes

    for base in qunshang.themes.__path__:
        for child in sorted(Path(base).iterdir()):
            if (child / "theme.toml").is_file():
                yield child


def _entry_point_roots(eps: Iterable[EntryPoint] | None) -> Iterable[tuple[str, Path]]:
    for ep in entry_points(group=ENTRY_POINT_GROUP) if eps is None else eps:
        try:
            module = importlib.import_module(ep.value)
        except Exception as exc:  # noqa: BLE001 - report which theme, whatever went wrong
            raise ConfigError(f"theme entry point '{ep.name}' ({ep.value}) failed to import: {exc}") from None
        yield ep.name, Path(module.__file__).parent


def discover(config: Config, eps: Iterable[EntryPoint] | None = None) -> dict[str, Theme]:
    """Every available theme by name (see the module docs for the order of sources)."""
    found: dict[str, Theme] = {}

    def add(theme: Theme) -> None:
        found.setdefault(theme.name, theme)

    for root in _package_roots():
        add(read_theme(root, "package"))
    for ep_name, root in _entry_point_roots(eps):
        theme = read_theme(root, f"entry point {ep_name}")
        if theme.name != ep_name:
            raise ConfigError(f"theme entry point '{ep_name}' points to a theme named '{theme.name}'")
        add(theme)
    if config.theme.folder:
        folder = Path(config.theme.folder)
        if not folder.is_dir():
            raise ConfigError(f"theme.folder: {folder} is not a folder")
        for child in sorted(folder.iterdir()):
            if (child / "theme.toml").is_file():
                add(read_theme(child, "deployment"))
    return found


def activate(config: Config, eps: Iterable[EntryPoint] | None = None) -> ActiveTheme:
    """The configured theme with its parents and validated settings, or a one-line ConfigError."""
    themes = discover(config, eps)
    chain: list[Theme] = []
    name: str | None = config.theme.name
    while name is not None:
        theme = themes.get(name)
        if theme is None:
            known = ", ".join(sorted(themes)) or "none"
            where = f"theme '{chain[-1].name}' has parent '{name}'" if chain else f"theme.name: '{name}'"
            raise ConfigError(f"{where}, which is not installed (installed: {known})")
        if theme in chain:
            raise ConfigError(f"theme '{name}': its parents form a loop")
        chain.append(theme)
        name = theme.parent
    merged: dict[str, Any] = {}
    for theme in reversed(chain):
        merged |= theme.raw_settings
    merged |= config.theme.settings
    try:
        settings = ThemeSettings(**merged)
    except ValidationError as exc:
        raise ConfigError(f"theme '{chain[0].name}': settings.{first_error(exc)}") from None
    if settings.logo and not any((t.static / settings.logo).is_file() for t in chain):
        raise ConfigError(f"theme '{chain[0].name}': settings.logo: {settings.logo} is not in the theme's static/ folder")
    return ActiveTheme(chain, settings)


def describe(config: Config) -> list[dict[str, str]]:
    """What ``qunshang themes list`` shows."""
    active = config.theme.name
    return [
        {"name": t.name, "version": t.version, "parent": t.parent or "", "source": t.source,
         "active": "yes" if t.name == active else ""}
        for t in discover(config).values()
    ]
