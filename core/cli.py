"""The ``qunshang`` command line.

Built-in commands are defined here; plugins add a group named after their id through the
``register_commands`` hook. Those are loaded lazily (only when an unknown command is looked up
or the help lists commands), so ``qunshang --help`` and ``qunshang init`` work whatever state
the configuration is in. A :class:`~qunshang.errors.ConfigError` (which includes
:class:`~qunshang.errors.PluginError`) ends any command with one line on stderr and exit code 1.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .config import CONFIG_ENV, DEFAULT_CONFIG_FILE, Config, PluginsSection, load_config
from .errors import ConfigError, PluginError, QunshangError

if TYPE_CHECKING:
    from litestar import Litestar

    from .runtime import Runtime

T = TypeVar("T")

DEMO_DATABASE = "qunshang-demo.sqlite3"
FIRST_PARTY_PREFIX = "qunshang.plugins."
_PLUGIN_COMMANDS = "qunshang.plugin_commands"
_PLUGIN_COMMANDS_ERROR = "qunshang.plugin_commands_error"
_RUNTIME = "qunshang.runtime"


class CommandError(click.ClickException):
    """One line on stderr, exit code 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"qunshang: {self.format_message()}", err=True)


class QunshangGroup(click.Group):
    """The root group: built-in commands, then the plugin groups, loaded on first need."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        try:
            names |= set(_plugin_commands(ctx))
        except ConfigError as exc:
            ctx.meta[_PLUGIN_COMMANDS_ERROR] = str(exc)
        return sorted(names)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return super().get_command(ctx, name) or _plugin_commands(ctx).get(name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_commands(ctx, formatter)
        error = ctx.meta.get(_PLUGIN_COMMANDS_ERROR)
        if error:
            with formatter.section("Plugin commands"):
                formatter.write_text(f"not loaded: {error}")

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            raise CommandError(str(exc)) from None


@click.group(cls=QunshangGroup)
@click.option("-c", "--config", "config_path", envvar=CONFIG_ENV, type=click.Path(dir_okay=False),
              help="qunshang.toml to use (default: ./qunshang.toml if present)")
@click.version_option(package_name="qunshang")
def cli(config_path: str | None) -> None:
    """群商 Qunshang: community commerce."""


def _config_path(ctx: click.Context) -> str | None:
    return ctx.find_root().params.get("config_path")


def _runtime(ctx: click.Context) -> Runtime:
    """The runtime of the configured deployment, built once per invocation."""
    if _RUNTIME not in ctx.meta:
        from .app import build_runtime

        ctx.meta[_RUNTIME] = build_runtime(load_config(_config_path(ctx)))
    return ctx.meta[_RUNTIME]


def _plugin_commands(ctx: click.Context) -> dict[str, click.Command]:
    """The commands plugins add, each required to be named after its plugin's id."""
    if _PLUGIN_COMMANDS not in ctx.meta:
        runtime = _runtime(ctx)
        holder = click.Group("qunshang")
        runtime.call_setup("register_commands", cli=holder)
        enabled = {record.id for record in runtime.plugins.enabled}
        for name in holder.commands:
            if name not in enabled:
                raise PluginError(f"a plugin adds command '{name}': a plugin's command must be named after its id")
            if name in cli.commands:
                raise PluginError(f"plugin '{name}' adds command '{name}', which is a built-in command")
        ctx.meta[_PLUGIN_COMMANDS] = dict(holder.commands)
    return ctx.meta[_PLUGIN_COMMANDS]


def with_database(runtime: Runtime, main: Callable[[], Awaitable[T]]) -> T:
    """Connect the database, ``await main()``, disconnect: for commands, plugins' ones too."""
    from . import db

    async def run() -> T:
        await db.connect(runtime)
        try:
            return await main()
        finally:
            await db.disconnect()

    return asyncio.run(run())


# --------------------------------------------------------------------------- init

#: What each setting means, written above its default by ``qunshang init``; a setting not
#: listed here uses its field's ``description`` (a test fails when it has neither).
CONFIG_NOTES: dict[str, str] = {
    "app.name": "The platform's name, shown to visitors.",
    "app.base_url": "The public address of the site.",
    "app.secret_key": "Signs sessions and CSRF tokens. Keep it secret, and the same in every app process.",
    "app.default_locale": 'Language when neither the member nor the browser chooses one: "zh_CN" or "en".',
    "app.timezone": "The time zone pages show and read times in (an IANA name). The database keeps UTC.",
    "app.debug": "Detailed error pages. Never in production.",
    "database.url": "sqlite://path/to/file.sqlite3 (embedded) or postgres://user:password@host:5432/name (scale-out).",
    "database.pool_max": "Most PostgreSQL connections per process.",
    "orders": "Order rules. Money is in integer minor units: 1000 is 10.00 yuan.",
    "orders.currency": "The currency of every price.",
    "orders.shipping_fee": "Flat shipping fee per order.",
    "orders.free_shipping_over": "Orders whose goods total reaches this ship free. Remove the line to always charge shipping.",
    "orders.max_quantity": "Most units of one item per order line.",
    "orders.max_lines": "Most lines per order.",
    "orders.unpaid_timeout_minutes": "An unpaid order is cancelled, and its stock returned, after this many minutes.",
    "orders.auto_complete_days": "A shipped order counts as received after this many days.",
    "orders.after_sales_days": "The after-sales window after receipt. Money tied to an order settles when it ends.",
    "payments.providers": "Payment providers offered to buyers, by name.",
    "payments.sandbox_secret": "Signs the sandbox provider's simulated payment callbacks.",
    "payments.callback_tolerance_seconds": "Payment callbacks older than this are refused.",
    "security.login_max_failures": "Failed logins allowed within login_window_seconds before further attempts are refused.",
    "security.login_window_seconds": "The window that counts failed logins, in seconds.",
    "security.session_max_age": "How long a login lasts, in seconds.",
    "security.cookie_secure": "Send cookies over HTTPS only: set true when the site is served over HTTPS.",
    "jobs.in_process": "Run jobs inside the app process (embedded). Set false when `qunshang worker` processes run them.",
    "jobs.tick_seconds": "How often a job runner looks for due jobs.",
    "redis.url": "Sessions, rate limits and caches in Redis instead of process memory, e.g. redis://127.0.0.1:6379/0.",
    "theme.name": "The active theme.",
    "theme.overrides": "A folder of this deployment's template overrides, e.g. overrides/templates.",
    "theme.folder": "A folder of this deployment's own themes (each a folder with theme.toml).",
    "theme.settings": "Overrides of the active theme's settings, e.g. { primary_color = \"#3d6b35\" } (see docs/themes.md).",
}


def setting_note(section: str, key: str) -> str:
    """The explanation of a setting: from :data:`CONFIG_NOTES`, else its field description."""
    field = Config.model_fields[section].annotation.model_fields[key]
    return CONFIG_NOTES.get(f"{section}.{key}") or field.description or ""


def render_config_file(plugins: list[tuple[str, str]]) -> str:
    """A commented ``qunshang.toml`` with every setting at its default (fresh secrets).

    ``plugins`` lists the installed plugins as ``(id, description)``.
    """
    out = [
        "# Qunshang deployment configuration, written by `qunshang init`.",
        "# Values are the defaults, except app.secret_key and payments.sandbox_secret, generated for this",
        "# deployment: keep those, and the same in every process.",
        "# Environment variables override this file: QUNSHANG_<SECTION>__<KEY>, e.g. QUNSHANG_DATABASE__URL.",
    ]
    for section, field in Config.model_fields.items():
        out += ["", f"[{section}]" + (f"  # {CONFIG_NOTES[section]}" if section in CONFIG_NOTES else "")]
        if section == "plugins":
            out += _plugins_section(plugins)
            continue
        defaults = field.annotation()  # a plain section model: fresh secrets, no environment
        for key in type(defaults).model_fields:
            value = getattr(defaults, key)
            out.append(f"# {setting_note(section, key)}")
            out.append(f"{key} = {_toml(value)}" if value is not None else f"# {key} =")
    return "\n".join(out) + "\n"


def _plugins_section(plugins: list[tuple[str, str]]) -> list[str]:
    lines = ["# Plugins to enable, in the order their hooks run. Installed:"]
    width = max((len(plugin_id) for plugin_id, _ in plugins), default=0)
    lines += [f"#   {plugin_id:<{width}}  {about}" for plugin_id, about in plugins] or ["#   (none)"]
    lines += [
        "enabled = []",
        "# A plugin's settings go in its own table: [plugins.<id>] (see `qunshang plugins list`).",
    ]
    return lines


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key} = {_toml(item)}" for key, item in value.items()) + "}"
    raise TypeError(f"no TOML form for {value!r}")


@cli.command()
@click.argument("path", default=DEFAULT_CONFIG_FILE, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="overwrite an existing file")
def init(path: Path, force: bool) -> None:
    """Write a commented qunshang.toml with fresh secrets."""
    from .plugin_manager import survey

    if path.exists() and not force:
        raise CommandError(f"{path} already exists (use --force to overwrite it)")
    installed = [
        (record.id, f"{record.meta.title} ({record.meta.version})" if record.meta else f"unavailable: {record.unavailable}")
        for record in survey(PluginsSection())
    ]
    path.write_text(render_config_file(installed), encoding="utf-8")
    click.echo(f"wrote {path}; next: `qunshang -c {path} db migrate`, then `qunshang -c {path} serve`")


# --------------------------------------------------------------------------- serve, demo


#: on SIGTERM, open responses (a live room's event stream) get this long to finish
GRACEFUL_SHUTDOWN_SECONDS = 10


def _serve(app: Litestar | str, host: str, port: int, **options: Any) -> None:
    import uvicorn

    uvicorn.run(app, host=host, port=port, factory=isinstance(app, str),
                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS, **options)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="app processes")
@click.option("--reload", is_flag=True, help="restart when code changes (development)")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int, reload: bool) -> None:
    """Serve the application with uvicorn."""
    from .app import create_app

    runtime = _runtime(ctx)  # a bad config or plugin stops here, once, not in every worker
    click.echo(f"Qunshang: http://{host}:{port}/")
    if workers == 1 and not reload:
        _serve(create_app(runtime=runtime), host, port)
        return
    if _config_path(ctx):
        os.environ[CONFIG_ENV] = str(Path(_config_path(ctx)).resolve())
    _serve("qunshang.app:app_factory", host, port, workers=workers, reload=reload,
           reload_dirs=_source_dirs() if reload else None)


def _source_dirs() -> list[str]:
    import qunshang
    import qunshang.plugins
    import qunshang.themes

    return sorted({os.getcwd(), *(str(Path(m.__file__).parent) for m in (qunshang, qunshang.plugins, qunshang.themes))})


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--db", "db_path", default=DEMO_DATABASE, show_default=True, type=click.Path(dir_okay=False, path_type=Path),
              help="the demo's SQLite database")
@click.option("--fresh", is_flag=True, help="delete the demo database and seed a new one")
def demo(host: str, port: int, db_path: Path, fresh: bool) -> None:
    """Create and seed a demo community (once), then serve it with every built-in plugin."""
    from .app import build_runtime, create_app

    demo_data = _demo_module()
    runtime = build_runtime(_demo_config(db_path, f"http://{host}:{port}"))
    logins_file = db_path.with_name(db_path.name + ".logins.json")
    if fresh:
        for path in (db_path, *(db_path.with_name(db_path.name + s) for s in ("-wal", "-shm", ".logins.json"))):
            path.unlink(missing_ok=True)
    new = not db_path.exists()
    asyncio.run(migrate_with_progress(runtime))
    if new:
        seeded = with_database(runtime, lambda: _seed_with_progress(runtime, demo_data))
        logins_file.write_text(json.dumps(seeded["logins"], ensure_ascii=False), encoding="utf-8")
    logins = json.loads(logins_file.read_text(encoding="utf-8")) if logins_file.exists() else []
    _print_demo(runtime, f"http://{host}:{port}/", db_path, logins)
    _serve(create_app(runtime=runtime), host, port)


def _demo_module() -> ModuleType:
    """``qunshang.demo``: ``seed(runtime, progress)`` and ``steps()``."""
    try:
        return importlib.import_module("qunshang.demo")
    except ModuleNotFoundError as exc:
        if exc.name != "qunshang.demo":
            raise
        raise CommandError("this installation has no demo data (module qunshang.demo is missing)") from None


async def _seed_with_progress(runtime: Runtime, demo_data: ModuleType) -> dict[str, Any]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("seeding  "), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}")) as bar:
        task = bar.add_task("", total=demo_data.steps())
        seeded = await demo_data.seed(runtime, progress=lambda step: bar.update(task, advance=1, description=step))
        bar.update(task, description="done")
    return seeded


def _demo_config(db_path: Path, base_url: str) -> Config:
    """The embedded shape with every first-party plugin, on the demo's own SQLite file."""
    from .plugin_manager import discover

    url = f"sqlite://{db_path.resolve()}"
    first_party = sorted(plugin_id for plugin_id, ep in discover().items() if ep.value.startswith(FIRST_PARTY_PREFIX))
    config = Config(app={"base_url": base_url}, database={"url": url}, plugins={"enabled": first_party})
    if config.database.url != url:
        raise CommandError("QUNSHANG_DATABASE__URL is set, but the demo uses its own SQLite database: unset it")
    return config


def _print_demo(runtime: Runtime, url: str, db_path: Path, logins: list[list[str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    enabled = ", ".join(record.id for record in runtime.plugins.enabled) or "none"
    console.print(f"\n[bold]Qunshang demo:[/bold] [link={url}]{url}[/link]")
    console.print(f"database {db_path}, plugins: {enabled}", markup=False, highlight=False)
    if logins:
        table = Table("login", "password", "role", title="demo logins")
        for login, password, role in logins:
            table.add_row(login, password, role)
        console.print(table)
    else:
        console.print("demo logins are shown when the database is created: use --fresh to recreate it")


# --------------------------------------------------------------------------- db


async def pending_migrations(runtime: Runtime) -> int:
    """How many migrations ``db.migrate`` would apply."""
    from tortoise.context import TortoiseContext
    from tortoise.migrations.executor import MigrationExecutor

    from . import db

    config = db.tortoise_config(runtime)
    async with TortoiseContext() as ctx:
        await ctx.init(config=config, table_name_generator=db.table_name, _create_db=False)
        plan = await MigrationExecutor(ctx.connections.get("default"), config["apps"]).plan()
    return sum(not step.backward for step in plan)


async def migrate_with_progress(runtime: Runtime) -> int:
    """Apply pending migrations behind a progress bar; return how many ran."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from . import db

    pending = await pending_migrations(runtime)
    if not pending:
        return 0
    with Progress(TextColumn("migrating"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}")) as bar:
        task = bar.add_task("", total=pending)

        def progress(event: str, app: str, name: str) -> None:
            if event == "apply_start":
                bar.update(task, description=f"{app}.{name}")
            elif event == "apply_done":
                bar.advance(task)

        await db.migrate(runtime, progress)
        bar.update(task, description="done")
    return pending


@cli.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("migrate")
@click.pass_context
def db_migrate(ctx: click.Context) -> None:
    """Apply pending migrations of the core and every enabled plugin."""
    applied = asyncio.run(migrate_with_progress(_runtime(ctx)))
    click.echo(f"applied {applied} migration(s): the database is up to date" if applied else "the database is up to date")


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


# --------------------------------------------------------------------------- plugins


@cli.group("plugins")
def plugins_group() -> None:
    """Installed plugins."""


@plugins_group.command("list")
@click.pass_context
def plugins_list(ctx: click.Context) -> None:
    """Every discovered plugin with its status; exit code 1 when the setup would not start."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from .plugin_manager import build_plugin_manager, survey

    config = load_config(_config_path(ctx))
    table = Table("id", "version", "title", "status", "reason")
    for column in table.columns[:2] + table.columns[3:4]:
        column.no_wrap = True
    for record in survey(config.plugins):
        meta = record.meta
        cells = (record.id, meta.version if meta else "", meta.title if meta else "", record.status, record.unavailable or "")
        table.add_row(*(Text(cell) for cell in cells))  # plain text: "[plugins.x]" is not markup
    Console(width=max(Console().width, 100)).print(table)
    build_plugin_manager(config)  # anything else that would stop startup (a misspelled hook…)


@cli.group("themes")
def themes_group() -> None:
    """Storefront themes."""


@themes_group.command("list")
@click.pass_context
def themes_list(ctx: click.Context) -> None:
    """Every installed theme; exit code 1 when the configured theme would not start."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from .web import themes

    config = load_config(_config_path(ctx))
    table = Table("name", "version", "parent", "source", "active")
    for row in themes.describe(config):
        table.add_row(*(Text(row[key]) for key in ("name", "version", "parent", "source", "active")))
    Console(width=max(Console().width, 100)).print(table)
    themes.activate(config)  # a missing parent or invalid settings stop here, as at startup


# --------------------------------------------------------------------------- ledger, worker


@cli.group("members")
def members_group() -> None:
    """Members and staff."""


@members_group.command("create-owner")
@click.argument("login")
@click.option("--name", "display_name", default="Owner", show_default=True, help="display name")
@click.password_option(help="the owner's password (asked for when not given)")
@click.pass_context
def members_create_owner(ctx: click.Context, login: str, display_name: str, password: str) -> None:
    """Register the first owner of a new deployment (refused once an owner exists)."""
    from .members import service

    runtime = _runtime(ctx)

    async def create() -> None:
        from tortoise.transactions import in_transaction

        async with in_transaction():  # no member is left behind when an owner already exists
            member = await service.register(runtime, login=login, password=password, display_name=display_name,
                                            context={"source": "direct"})
            await service.bootstrap_owner(member)

    try:
        with_database(runtime, create)
    except QunshangError as exc:
        raise CommandError(exc.render()) from None
    click.echo(f"owner {login} created")


@cli.group("ledger")
def ledger_group() -> None:
    """The double-entry ledger."""


@ledger_group.command("check")
@click.pass_context
def ledger_check(ctx: click.Context) -> None:
    """Recompute every balance from the postings; exit code 1 on a mismatch."""
    from .ledger import service
    from .ledger.models import Account, Posting

    async def check() -> tuple[list[Any], int, int]:
        return await service.check(), await Account.all().count(), await Posting.all().count()

    mismatches, accounts, postings = with_database(_runtime(ctx), check)
    for m in mismatches:
        click.echo(f"{m.kind.replace('_', ' ')} {m.account_or_posting}: expected {m.expected}, actual {m.actual}")
    if mismatches:
        raise CommandError(f"ledger check failed: {len(mismatches)} mismatch(es) ({accounts} accounts, {postings} postings)")
    click.echo(f"ledger OK: {accounts} accounts, {postings} postings")


@cli.command()
@click.option("--tick", type=click.FloatRange(min=0.01), default=None, help="seconds between polls ([jobs] tick_seconds)")
@click.pass_context
def worker(ctx: click.Context, tick: float | None) -> None:
    """Run periodic jobs until SIGINT or SIGTERM (scale-out: alongside app processes)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    runtime = _runtime(ctx)
    asyncio.run(_work(runtime, tick))
    click.echo("worker stopped")


async def _work(runtime: Runtime, tick: float | None) -> None:
    from . import db, jobs

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await db.connect(runtime)
    try:
        await runtime.call("startup")
        try:
            names = ", ".join(sorted(jobs.all_jobs(runtime))) or "none"
            click.echo(f"worker {jobs.worker_id()} running jobs: {names} (stop with Ctrl+C)")
            sys.stdout.flush()
            await jobs.run_forever(runtime, tick, stop)
        finally:
            await runtime.call("shutdown")
    finally:
        await db.disconnect()


# --------------------------------------------------------------------------- docs


@cli.command("hooks-doc")
@click.option("--check", is_flag=True, help="exit 1 if the file is not what would be generated")
@click.option("-o", "--output", default="docs/hooks.md", show_default=True, type=click.Path(dir_okay=False, path_type=Path))
def hooks_doc(check: bool, output: Path) -> None:
    """Generate the hook reference from qunshang.hookspecs."""
    from . import hooks_doc as generator

    if check:
        if not generator.is_current(output):
            raise CommandError(f"{output} is out of date: run `qunshang hooks-doc`")
        click.echo(f"{output} is up to date")
    elif generator.write(output):
        click.echo(f"wrote {output}")
    else:
        click.echo(f"{output} is up to date")


from .console.cli import console_group  # noqa: E402 - the console's tools import helpers defined above

cli.add_command(console_group)


def main() -> None:
    cli(prog_name="qunshang")
