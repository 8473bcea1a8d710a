"""Deployment configuration: ``qunshang.toml`` plus ``QUNSHANG_*`` environment variables.

Read and validated once, at startup; request handlers never read config files. Environment
variables override the file with ``__`` between levels, e.g.
``QUNSHANG_DATABASE__URL=postgres://…``. Each plugin's block (``[plugins.<id>]``) is kept raw
here and validated by that plugin's own settings model when the plugin manager loads it.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from .errors import ConfigError
from .localtime import zone

CONFIG_ENV = "QUNSHANG_CONFIG"
DEFAULT_CONFIG_FILE = "qunshang.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AppSection(_Section):
    name: str = "群商 Qunshang"
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str = Field(default_factory=lambda: secrets.token_urlsafe(32), min_length=16)
    default_locale: Literal["zh_CN", "en"] = "zh_CN"
    timezone: str = Field(default="Asia/Shanghai", description="how pages show and read times (IANA name)")
    media_dir: str = Field(default="media", description="uploaded and generated files, served at /media")
    debug: bool = False


    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        zone(name)
        return name


class DatabaseSection(_Section):
    url: str = "sqlite://qunshang.db"
    pool_max: int = Field(default=10, ge=1, le=200)

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, url: str) -> str:
        if not url.startswith(("sqlite://", "postgres://", "postgresql://", "asyncpg://")):
            raise ValueError("database.url must start with sqlite:// or postgres://")
        return url


class PluginsSection(BaseModel):
    model_config = ConfigDict(extra="allow")
    enabled: list[str] = []

    @model_validator(mode="after")
    def _blocks_are_tables(self) -> "PluginsSection":
        for plugin_id, block in (self.model_extra or {}).items():
            if not isinstance(block, dict):
                raise ValueError(f"[plugins.{plugin_id}] must be a table of settings, not {type(block).__name__}")
        return self

    def settings_for(self, plugin_id: str) -> dict[str, Any]:
        return dict((self.model_extra or {}).get(plugin_id) or {})


class OrdersSection(_Section):
    currency: str = "CNY"
    shipping_fee: int = Field(default=1000, ge=0, description="flat shipping, minor units")
    free_shipping_over: int | None = Field(default=9900, ge=0)
    max_quantity: int = Field(default=999, ge=1)
    max_lines: int = Field(default=50, ge=1)
    unpaid_timeout_minutes: int = Field(default=30, ge=1)
    auto_complete_days: int = Field(default=10, ge=1)
    after_sales_days: int = Field(default=7, ge=0)


class PaymentsSection(_Section):
    providers: list[str] = ["offline", "sandbox"]
    sandbox_secret: str = Field(default_factory=lambda: secrets.token_urlsafe(24))
    callback_tolerance_seconds: int = Field(default=300, ge=10)


class SecuritySection(_Section):
    login_max_failures: int = Field(default=5, ge=1, description="per login, per window")
    login_max_failures_per_ip: int = Field(default=50, ge=1, description="per client address, per window")
    login_window_seconds: int = Field(default=900, ge=1)
    session_max_age: int = Field(default=14 * 24 * 3600, ge=60)
    cookie_secure: bool = False


class JobsSection(_Section):
    in_process: bool = True
    tick_seconds: float = Field(default=5.0, gt=0)


class RedisSection(_Section):
    url: str | None = None


class ThemeSection(_Section):
    name: str = "default"
    overrides: str | None = None
    folder: str | None = Field(default=None, description="a folder of this deployment's own themes")
    settings: dict[str, Any] = Field(default_factory=dict, description="overrides of the active theme's settings")


class Config(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QUNSHANG_", env_nested_delimiter="__", extra="forbid")

    app: AppSection = AppSection()
    database: DatabaseSection = DatabaseSection()
    plugins: PluginsSection = PluginsSection()
    orders: OrdersSection = OrdersSection()
    payments: PaymentsSection = PaymentsSection()
    security: SecuritySection = SecuritySection()
    jobs: JobsSection = JobsSection()
    redis: RedisSection = RedisSection()
    theme: ThemeSection = ThemeSection()

    @classmethod
    def settings_customise_sources(
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # environment beats the file, which arrives as init kwargs
        return env_settings, init_settings


def load_config(path: str | os.PathLike | None = None, **overrides: Any) -> Config:
    """Load ``path`` (or ``$QUNSHANG_CONFIG``, or ``./qunshang.toml`` if present), env, overrides.

    Raises :class:`ConfigError` with one line naming the bad setting.
    """
    data: dict[str, Any] = {}
    explicit = path or os.environ.get(CONFIG_ENV)
    file = Path(explicit or DEFAULT_CONFIG_FILE)
    if file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    elif explicit:
        raise ConfigError(f"config file not found: {file}")
    for section, values in overrides.items():
        data.setdefault(section, {}).update(values)
    try:
        return Config(**data)
    except ValidationError as exc:
        raise ConfigError(f"{file.name}: {first_error(exc)}") from None


def first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {err['msg']}{more}"
