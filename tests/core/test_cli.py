"""The ``qunshang`` command line, run in-process with click's CliRunner against a tmp config."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import types
from importlib.metadata import EntryPoint
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from qunshang import PluginMeta, hookimpl, hooks_doc
from qunshang.cli import CONFIG_NOTES, cli, render_config_file, setting_note
from qunshang.config import Config, load_config
from qunshang.plugin_manager import ENTRY_POINT_GROUP, discover

QUNSHANG = Path(sys.executable).with_name("qunshang")


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No ./qunshang.toml of the developer's and no QUNSHANG_* variables leak into a test."""
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("QUNSHANG_") and n != "QUNSHANG_TEST_DATABASE"]:
        monkeypatch.delenv(name)


def write_config(tmp_path: Path, enabled=(), extra: str = "", database: str | None = None) -> Path:
    path = tmp_path / "qunshang.toml"
    url = database or f"sqlite://{tmp_path / 'q.sqlite3'}"
    path.write_text(
        f'[app]\nsecret_key = "cli-test-secret-0123456789"\n[database]\nurl = "{url}"\n'
        f"[plugins]\nenabled = {json.dumps(list(enabled))}\n{extra}",
        encoding="utf-8",
    )
    return path


def run(*args: str):
    return CliRunner().invoke(cli, list(args), prog_name="qunshang")


def stderr_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


# --------------------------------------------------------------------------- init


def test_init_writes_a_config_that_loads(tmp_path):
    result = run("init", "site.toml")

    assert result.exit_code == 0, result.output
    config = load_config(tmp_path / "site.toml")
    assert config.plugins.enabled == []
    assert len(config.app.secret_key) >= 32 and len(config.payments.sandbox_secret) >= 24
    text = (tmp_path / "site.toml").read_text(encoding="utf-8")
    for plugin_id in discover():
        assert f"#   {plugin_id}" in text
    assert "member_price  会员价 Member pricing (0.1.0)" in text


def test_init_defaults_match_the_config_defaults(tmp_path):
    run("init")
    written, defaults = load_config(tmp_path / "qunshang.toml"), Config()
    for section in ("database", "orders", "security", "jobs", "redis", "theme"):
        assert getattr(written, section) == getattr(defaults, section)
    assert written.app.model_dump(exclude={"secret_key"}) == defaults.app.model_dump(exclude={"secret_key"})


def test_init_generates_new_secrets_each_time(tmp_path):
    run("init", "a.toml")
    run("init", "b.toml")
    a, b = load_config(tmp_path / "a.toml"), load_config(tmp_path / "b.toml")
    assert a.app.secret_key != b.app.secret_key
    assert a.payments.sandbox_secret != b.payments.sandbox_secret


def test_init_refuses_to_overwrite_without_force(tmp_path):
    (tmp_path / "qunshang.toml").write_text("# mine\n", encoding="utf-8")

    refused = run("init")
    assert refused.exit_code == 1
    assert stderr_lines(refused) == ["qunshang: qunshang.toml already exists (use --force to overwrite it)"]
    assert (tmp_path / "qunshang.toml").read_text(encoding="utf-8") == "# mine\n"

    forced = run("init", "--force")
    assert forced.exit_code == 0
    assert "[orders]" in (tmp_path / "qunshang.toml").read_text(encoding="utf-8")


def test_every_setting_is_explained():
    for section, field in Config.model_fields.items():
        if section == "plugins":
            continue
        for key in field.annotation.model_fields:
            assert setting_note(section, key), f"explain {section}.{key} in qunshang.cli.CONFIG_NOTES"
    known = {f"{s}.{k}" for s, f in Config.model_fields.items() if s != "plugins" for k in f.annotation.model_fields}
    assert {key for key in CONFIG_NOTES if "." in key} <= known, "a note for a setting that no longer exists"


def test_init_comments_out_unset_settings():
    text = render_config_file([])
    assert "# url =" in text.split("[redis]")[1]
    assert "#   (none)" in text


# --------------------------------------------------------------------------- plugins list and errors


def test_plugins_list_shows_every_discovered_plugin(tmp_path):
    write_config(tmp_path)
    result = run("plugins", "list")

    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "member_price" in line)
    assert "0.1.0" in row and "disabled" in row
    for plugin_id in discover():
        assert plugin_id in result.stdout


def test_plugins_list_shows_enabled_plugins(tmp_path):
    write_config(tmp_path, enabled=["member_price"])
    result = run("plugins", "list")

    assert result.exit_code == 0
    row = next(line for line in result.stdout.splitlines() if "member_price" in line)
    assert "enabled" in row and "unavailable" not in row


def test_unknown_plugin_stops_with_one_line_naming_it(tmp_path):
    write_config(tmp_path, enabled=["no_such_plugin"])
    result = run("db", "migrate")

    assert result.exit_code == 1
    assert stderr_lines(result) == [
        f"qunshang: unknown plugin 'no_such_plugin' in [plugins] enabled (known: {', '.join(sorted(discover()))})"
    ]
    assert result.stdout == ""


def test_invalid_plugin_settings_stop_with_one_line(tmp_path):
    write_config(tmp_path, enabled=["member_price"], extra="[plugins.member_price]\ndiscount_bp = { member = 9000 }\n")
    result = run("ledger", "check")

    assert result.exit_code == 1
    [line] = stderr_lines(result)
    assert line.startswith("qunshang: [plugins.member_price] discount_bp:")
    assert "between 0 and 5000" in line


def test_broken_config_file_stops_with_one_line(tmp_path):
    (tmp_path / "qunshang.toml").write_text("[database\n", encoding="utf-8")
    result = run("db", "migrate")

    assert result.exit_code == 1
    [line] = stderr_lines(result)
    assert line.startswith("qunshang: qunshang.toml: not valid TOML")


def test_plugins_list_still_shows_the_table_when_a_plugin_is_broken(tmp_path):
    write_config(tmp_path, enabled=["member_price", "no_such_plugin"],
                 extra="[plugins.member_price]\ndiscount_bp = { member = -1 }\n")
    result = run("plugins", "list")

    assert result.exit_code == 1
    rows = result.stdout.splitlines()
    member_price = next(line for line in rows if "member_price" in line)
    assert "0.1.0" in member_price and "unavailable" in member_price
    assert "[plugins.member_price]" in result.stdout, "the reason is printed as text, not rich markup"
    unknown = next(line for line in rows if "no_such_plugin" in line)
    assert "unavailable" in unknown and "not installed" in unknown
    assert len(stderr_lines(result)) == 1


def test_real_entry_point_prints_one_line_and_no_traceback(tmp_path):
    import subprocess

    write_config(tmp_path, enabled=["no_such_plugin"])
    done = subprocess.run([str(QUNSHANG), "-c", str(tmp_path / "qunshang.toml"), "worker"],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"qunshang: unknown plugin 'no_such_plugin' in [plugins] enabled (known: {', '.join(sorted(discover()))})"
    ]


# --------------------------------------------------------------------------- plugin commands


def _command_plugin(plugin_id: str, command_name: str, folder: Path) -> types.ModuleType:
    module = types.ModuleType(f"cli_test_{plugin_id}")
    module.__file__ = str(folder / "__init__.py")
    module.plugin = PluginMeta(id=plugin_id, title="CLI sample", version="9.9.9")

    @hookimpl
    def register_commands(runtime, cli):
        @cli.group(command_name)
        def group():
            """Sample plugin commands."""

        @group.command()
        def hello():
            """Say which deployment this is."""
            click.echo(f"hello from {runtime.config.app.name}, {runtime.is_enabled(plugin_id)}")

    module.register_commands = register_commands
    return module


@pytest.fixture
def command_plugin(monkeypatch, tmp_path):
    """Install a plugin module that adds a CLI group, visible to discovery."""

    def install(plugin_id: str = "sample_cli", command_name: str | None = None) -> None:
        module = _command_plugin(plugin_id, command_name or plugin_id, tmp_path)
        monkeypatch.setitem(sys.modules, module.__name__, module)
        eps = [*discover().values(), EntryPoint(plugin_id, module.__name__, ENTRY_POINT_GROUP)]
        monkeypatch.setattr("qunshang.plugin_manager.discover", lambda given=None: {ep.name: ep for ep in eps})

    return install


def test_plugin_adds_a_command_group(tmp_path, command_plugin):
    command_plugin()
    write_config(tmp_path, enabled=["sample_cli"])

    result = run("sample_cli", "hello")
    assert result.exit_code == 0, result.output
    assert result.stdout == "hello from 群商 Qunshang, True\n"
    assert "sample_cli" in run("--help").stdout


def test_disabled_plugin_has_no_command(tmp_path, command_plugin):
    command_plugin()
    write_config(tmp_path)

    result = run("sample_cli", "hello")
    assert result.exit_code == 2
    assert "No such command 'sample_cli'" in result.stderr
    assert "sample_cli" not in run("--help").stdout


def test_plugin_command_must_be_named_after_the_plugin(tmp_path, command_plugin):
    command_plugin(command_name="tools")
    write_config(tmp_path, enabled=["sample_cli"])

    result = run("tools", "hello")
    assert result.exit_code == 1
    assert stderr_lines(result) == [
        "qunshang: a plugin adds command 'tools': a plugin's command must be named after its id"
    ]


def test_plugin_command_cannot_replace_a_builtin(tmp_path, command_plugin):
    command_plugin(plugin_id="worker")
    write_config(tmp_path, enabled=["worker"])

    result = run("--help")
    assert "not loaded: plugin 'worker' adds command 'worker', which is a built-in command" in result.stdout


def test_help_works_when_the_config_is_broken(tmp_path):
    write_config(tmp_path, enabled=["no_such_plugin"])
    result = run("--help")

    assert result.exit_code == 0
    assert "serve" in result.stdout and "plugins" in result.stdout
    assert "not loaded: unknown plugin 'no_such_plugin'" in result.stdout


def test_builtin_commands_do_not_load_plugins(tmp_path):
    write_config(tmp_path, enabled=["no_such_plugin"])
    assert run("hooks-doc", "--check", "-o", str(Path(__file__).parents[2] / "docs" / "hooks.md")).exit_code == 0
    assert run("init", "other.toml").exit_code == 0


# --------------------------------------------------------------------------- hooks-doc


def test_hooks_doc_writes_and_checks(tmp_path):
    target = tmp_path / "docs" / "hooks.md"

    stale = run("hooks-doc", "--check", "-o", str(target))
    assert stale.exit_code == 1
    assert stderr_lines(stale) == [f"qunshang: {target} is out of date: run `qunshang hooks-doc`"]

    written = run("hooks-doc", "-o", str(target))
    assert written.exit_code == 0 and written.stdout == f"wrote {target}\n"
    assert target.read_text(encoding="utf-8") == hooks_doc.render()
    assert run("hooks-doc", "--check", "-o", str(target)).exit_code == 0

    target.write_text(target.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")
    assert run("hooks-doc", "--check", "-o", str(target)).exit_code == 1


def test_committed_hooks_doc_is_current():
    result = run("hooks-doc", "--check", "-o", str(Path(__file__).parents[2] / "docs" / "hooks.md"))
    assert result.exit_code == 0, result.stderr


# --------------------------------------------------------------------------- db migrate, ledger check


def test_db_migrate_applies_pending_migrations_once(tmp_path):
    write_config(tmp_path)
    first = run("db", "migrate")
    assert first.exit_code == 0, first.output
    assert "migrating" in first.stdout
    assert first.stdout.rstrip().splitlines()[-1].startswith("applied ")

    again = run("db", "migrate")
    assert again.stdout == "the database is up to date\n"


@pytest.fixture
def ledger_database(make_app, tmp_path):
    """A test database (SQLite or PostgreSQL) holding two postings, and a config that uses it."""
    from qunshang.ledger import service

    async def seed() -> str:
        async with make_app() as client:
            now = client.runtime.now()
            await service.post("cli:1", "test", [("platform:cash:offline", -500), ("member:1:pending", 500)], at=now)
            await service.post("cli:2", "test", [("member:1:pending", -200), ("member:1:available", 200)], at=now)
            return client.runtime.config.database.url

    return write_config(tmp_path, database=asyncio.run(seed()))


def test_ledger_check_passes_on_a_consistent_ledger(ledger_database):
    result = run("ledger", "check")
    assert result.exit_code == 0, result.output
    assert result.stdout == "ledger OK: 3 accounts, 2 postings\n"


def test_ledger_check_fails_on_a_corrupted_balance(ledger_database):
    from tortoise.expressions import F

    from qunshang.app import build_runtime
    from qunshang.cli import with_database
    from qunshang.ledger.models import Account

    runtime = build_runtime(load_config(ledger_database))
    with_database(runtime, lambda: Account.filter(code="member:1:available").update(balance=F("balance") + 1))

    result = run("ledger", "check")
    assert result.exit_code == 1
    assert result.stdout == "account balance member:1:available: expected 200, actual 201\n"
    assert stderr_lines(result) == ["qunshang: ledger check failed: 1 mismatch(es) (3 accounts, 2 postings)"]


# --------------------------------------------------------------------------- demo


@pytest.fixture
def demo_seed(monkeypatch):
    """A stand-in for qunshang.demo, and no server: what `demo` does before it serves."""
    calls = []

    async def seed(runtime, progress):
        from qunshang.members.models import Member

        calls.append({"members": await Member.all().count(), "enabled": [r.id for r in runtime.plugins.enabled]})
        for step in ("member", "product"):
            progress(step)
        return {"logins": [("owner@demo.example", "owner-pass", "owner")], "products": []}

    monkeypatch.setitem(sys.modules, "qunshang.demo", types.SimpleNamespace(seed=seed, steps=lambda: 2))
    served = []
    monkeypatch.setattr("qunshang.cli._serve", lambda app, host, port, **options: served.append((host, port)))
    return calls, served


def test_demo_migrates_seeds_once_and_serves(tmp_path, demo_seed):
    calls, served = demo_seed
    first = run("demo", "--db", "demo.sqlite3", "--port", "8123")

    assert first.exit_code == 0, first.output
    first_party = sorted(i for i, ep in discover().items() if ep.value.startswith("qunshang.plugins."))
    assert calls == [{"members": 0, "enabled": first_party}], "seeded on a migrated, connected database"
    assert "http://127.0.0.1:8123/" in first.stdout
    assert "seeding" in first.stdout and "2/2" in first.stdout
    assert "owner@demo.example" in first.stdout and "owner-pass" in first.stdout
    assert served == [("127.0.0.1", 8123)]

    again = run("demo", "--db", "demo.sqlite3", "--port", "8123")
    assert again.exit_code == 0
    assert len(calls) == 1, "an existing demo database is not seeded again"
    assert "migrating" not in again.stdout
    assert "owner@demo.example" in again.stdout, "the logins are shown on every start"

    fresh = run("demo", "--db", "demo.sqlite3", "--fresh")
    assert fresh.exit_code == 0
    assert len(calls) == 2 and calls[1]["members"] == 0, "--fresh starts from an empty database"


def test_demo_keeps_to_its_own_database(tmp_path, demo_seed, monkeypatch):
    monkeypatch.setenv("QUNSHANG_DATABASE__URL", f"sqlite://{tmp_path / 'production.sqlite3'}")
    result = run("demo", "--db", "demo.sqlite3")

    assert result.exit_code == 1
    assert stderr_lines(result) == [
        "qunshang: QUNSHANG_DATABASE__URL is set, but the demo uses its own SQLite database: unset it"
    ]
    assert demo_seed[0] == [] and not (tmp_path / "production.sqlite3").exists()


def test_demo_without_demo_data_fails_with_one_line(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "qunshang.demo", None)  # as if the module were not installed
    result = run("demo", "--db", "demo.sqlite3")

    assert result.exit_code == 1
    assert stderr_lines(result) == ["qunshang: this installation has no demo data (module qunshang.demo is missing)"]
    assert not (tmp_path / "demo.sqlite3").exists()


# --------------------------------------------------------------------------- members


def test_create_owner_bootstraps_once(tmp_path):
    write_config(tmp_path)
    assert run("db", "migrate").exit_code == 0
    first = run("members", "create-owner", "boss@example.com", "--password", "a long secret")
    assert first.exit_code == 0, first.output
    assert first.stdout == "owner boss@example.com created\n"
    second = run("members", "create-owner", "other@example.com", "--password", "a long secret")
    assert second.exit_code == 1
    assert stderr_lines(second) == ["qunshang: This deployment already has an owner."]

    from qunshang.app import build_runtime
    from qunshang.cli import with_database
    from qunshang.members.models import Member

    logins = with_database(build_runtime(load_config(tmp_path / "qunshang.toml")), lambda: Member.all().values_list("login", flat=True))
    assert logins == ["boss@example.com"]


def test_serve_gives_open_streams_a_bounded_time_to_finish_on_shutdown(monkeypatch):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    from qunshang.cli import GRACEFUL_SHUTDOWN_SECONDS, _serve

    _serve("qunshang.app:app_factory", "127.0.0.1", 8000, workers=2)
    assert calls[0]["timeout_graceful_shutdown"] == GRACEFUL_SHUTDOWN_SECONDS and calls[0]["factory"] is True
