"""The ``qunshang`` command line."""

from __future__ import annotations

import asyncio

import click

from .errors import ConfigError


def _runtime(ctx: click.Context):
    from .app import build_runtime
    from .config import load_config

    if "runtime" not in ctx.obj:
        ctx.obj["runtime"] = build_runtime(load_config(ctx.obj.get("config")))
    return ctx.obj["runtime"]


@click.group()
@click.option("-c", "--config", "config_path", envvar="QUNSHANG_CONFIG", type=click.Path(dir_okay=False),
              help="qunshang.toml to use (default: ./qunshang.toml if present)")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """群商 Qunshang: community commerce."""
    ctx.ensure_object(dict)
    ctx.obj["config"] = config_path


@cli.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("migrate")
@click.pass_context
def db_migrate(ctx: click.Context) -> None:
    """Apply pending migrations of the core and every enabled plugin."""
    from . import db

    runtime = _runtime(ctx)

    def progress(event: str, app: str, name: str) -> None:
        if event == "apply_done":
            click.echo(f"  applied {app}.{name}")

    asyncio.run(db.migrate(runtime, progress))
    click.echo("database is up to date")


@db_group.command("makemigrations")
@click.argument("labels", nargs=-1)
@click.option("-n", "--name", default=None, help="name for the new migration")
@click.pass_context
def db_makemigrations(ctx: click.Context, labels: tuple[str, ...], name: str | None) -> None:
    """Write migrations for model changes (core developers and plugin authors)."""
    from . import db

    paths = asyncio.run(db.make_migrations(_runtime(ctx), list(labels) or None, name))
    for path in paths:
        click.echo(f"  created {path}")
    if not paths:
        click.echo("no changes detected")


def main() -> None:
    try:
        cli(standalone_mode=True)
    except ConfigError as exc:
        raise SystemExit(f"qunshang: {exc}") from None
