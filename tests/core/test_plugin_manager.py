"""The plugin manager and the runtime's hook calls: discovery, enabling, settings, order, failure policy.

Plugins are the small modules in ``tests/core/sample_plugins``, fed in as entry points.
"""

import contextlib
import logging
from types import SimpleNamespace

import pytest
from tortoise.transactions import in_transaction

from qunshang.app import build_runtime
from qunshang.config import Config
from qunshang.errors import Conflict, PluginError
from qunshang.groups.models import Group
from qunshang.members.models import MemberTag
from qunshang.plugin_manager import build_plugin_manager
from qunshang.testing import make_member

from .sample_plugins import calls, entry_point


@pytest.fixture(autouse=True)
def clear_calls():
    calls.clear()
    yield
    calls.clear()


def _config(enabled, settings=None) -> Config:
    return Config(plugins={"enabled": list(enabled), **(settings or {})})


def _eps(*names):
    return [entry_point(name) for name in names]


def refusal(enabled, installed, settings=None) -> str:
    """Build a manager that must refuse to start; return its one-line message."""
    with pytest.raises(PluginError) as info:
        build_plugin_manager(_config(enabled, settings), entry_points=_eps(*installed))
    message = str(info.value)
    assert "\n" not in message
    return message


@contextlib.contextmanager
def captured(logger: str, caplog):
    """caplog for a logger used after app creation (Litestar's logging setup drops caplog's root handler)."""
    target = logging.getLogger(logger)
    target.addHandler(caplog.handler)
    try:
        yield
    finally:
        target.removeHandler(caplog.handler)


def runtime_with(enabled, installed=None):
    return build_runtime(_config(enabled), entry_points=_eps(*(installed or enabled)))


# ----------------------------------------------------------------------------- enabling


async def test_enabled_plugin_is_registered_and_its_hooks_run(make_app):
    async with make_app(enabled=["alpha"], settings={"alpha": {"greeting": "ni hao"}}, entry_points=_eps("alpha")) as client:
        record = client.runtime.plugins.records["alpha"]
        assert record.status == "enabled"
        assert client.runtime.pm.get_plugin("alpha") is record.module
        assert calls == ["alpha.startup"]
        r = await client.get("/api/alpha/ping")
        assert r.status_code == 200 and r.json() == {"greeting": "pong"}
        assert await client.runtime.call("nav_items", request=None) == [[{"label": "ni hao x3", "url": "/alpha"}]]


async def test_disabled_plugin_has_no_routes_and_no_hook_calls(make_app):
    async with make_app(enabled=[], entry_points=_eps("alpha")) as client:
        assert client.runtime.plugins.records["alpha"].status == "disabled"
        assert client.runtime.pm.get_plugin("alpha") is None
        assert (await client.get("/api/alpha/ping")).status_code == 404
        assert await client.runtime.call("nav_items", request=None) == []
        assert client.runtime.settings("alpha") is None
    assert calls == []


def test_unknown_plugin_id_stops_startup():
    assert refusal(["nope"], ["alpha", "beta"]) == "unknown plugin 'nope' in [plugins] enabled (known: alpha, beta)"


def test_missing_requirement_names_both_plugins():
    assert refusal(["needs_alpha"], ["alpha", "needs_alpha"]) == (
        "plugin 'needs_alpha' requires plugin 'alpha', which is not enabled"
    )
    loaded = build_plugin_manager(_config(["needs_alpha", "alpha"]), entry_points=_eps("alpha", "needs_alpha"))
    assert [r.id for r in loaded.enabled] == ["alpha", "needs_alpha"]


def test_enabled_plugin_that_fails_to_import_stops_startup():
    assert refusal(["broken"], ["broken"]) == (
        "plugin 'broken' failed to load: ModuleNotFoundError: No module named 'qunshang_missing_dependency'"
    )


async def test_disabled_plugin_that_fails_to_import_is_unavailable_and_startup_goes_on(make_app, caplog):
    with caplog.at_level(logging.WARNING, logger="qunshang.plugin_manager"):
        async with make_app(enabled=["alpha"], entry_points=_eps("alpha", "broken")) as client:
            record = client.runtime.plugins.records["broken"]
            assert record.status == "unavailable"
            assert record.unavailable == "ModuleNotFoundError: No module named 'qunshang_missing_dependency'"
            assert (await client.get("/api/alpha/ping")).status_code == 200
    assert "plugin broken is unavailable" in caplog.text


def test_entry_point_without_plugin_meta_is_refused():
    assert refusal(["no_meta"], ["no_meta"]) == (
        "plugin 'no_meta' failed to load: TypeError: tests.core.sample_plugins.no_meta has no `plugin = PluginMeta(...)`"
    )


def test_entry_point_whose_module_declares_another_id_is_refused():
    mislabelled = [entry_point("gamma", "alpha")]
    with pytest.raises(PluginError, match=r"^plugin 'gamma' failed to load: TypeError: entry point 'gamma' declares id 'alpha'$"):
        build_plugin_manager(_config(["gamma"]), entry_points=mislabelled)
    loaded = build_plugin_manager(_config([]), entry_points=mislabelled)
    assert loaded.records["gamma"].status == "unavailable"


# ----------------------------------------------------------------------------- hook validation


def test_misspelled_hook_stops_startup_naming_the_plugin():
    message = refusal(["misspelled"], ["misspelled"])
    assert message.startswith("plugin 'misspelled' unknown hook 'order_payed'")
    build_plugin_manager(_config([]), entry_points=_eps("misspelled"))  # harmless while disabled


def test_hook_argument_the_spec_lacks_stops_startup_naming_the_plugin():
    message = refusal(["wrong_args"], ["wrong_args"])
    assert message.startswith("plugin 'wrong_args' ")
    assert "'order_paid'" in message and "receipt" in message


def test_hook_wrappers_are_refused():
    assert refusal(["wrapper"], ["wrapper"]) == (
        "plugin 'wrapper' implements 'nav_items' as a wrapper, which is not supported"
    )


# ----------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ({"limit": 0}, "[plugins.alpha] limit: Input should be greater than or equal to 1"),
        ({"limit": 11}, "[plugins.alpha] limit: Input should be less than or equal to 10"),
        ({"limit": "many"}, "[plugins.alpha] limit: Input should be a valid integer, unable to parse string as an integer"),
        ({"colour": "red"}, "[plugins.alpha] colour: Extra inputs are not permitted"),
    ],
)
def test_invalid_settings_stop_startup_naming_the_field(block, expected):
    assert refusal(["alpha"], ["alpha"], settings={"alpha": block}) == expected


def test_valid_settings_are_available_to_the_plugin():
    runtime = runtime_with(["alpha"])
    assert runtime.settings("alpha").model_dump() == {"greeting": "hello", "limit": 3}


def test_settings_for_a_plugin_without_a_settings_model_are_refused():
    assert refusal(["beta"], ["beta"], settings={"beta": {"x": 1}}) == "[plugins.beta] plugin 'beta' takes no settings"


def test_settings_block_for_a_plugin_that_is_not_installed_is_refused():
    assert refusal(["alpha"], ["alpha"], settings={"ghost": {"a": 1}}) == (
        "[plugins.ghost] configures a plugin that is not installed"
    )


# ----------------------------------------------------------------------------- call order


@pytest.mark.parametrize(
    ("enabled", "expected"),
    [
        (["alpha", "beta", "last"], ["alpha", "beta", "last"]),
        (["last", "beta", "alpha"], ["beta", "alpha", "last"]),
    ],
)
async def test_hooks_run_in_enabled_order_with_trylast_at_the_end(enabled, expected):
    runtime = runtime_with(enabled)
    results = await runtime.call("nav_items", request=None)
    assert calls == [f"{name}.nav_items" for name in expected]  # async alpha/last and sync beta, awaited in turn
    assert [items[0]["url"] for items in results] == [f"/{name}" for name in expected]


def test_core_implementations_run_after_the_enabled_plugins():
    runtime = runtime_with(["alpha"])
    names = [plugin for plugin, _routes in runtime.call_setup("register_routes")]
    assert names[0] == "alpha"
    assert names[1:] and all(name.startswith("qunshang.") for name in names[1:])


# ----------------------------------------------------------------------------- hooks declared by plugins


@pytest.mark.parametrize("enabled", [["announcer", "listener"], ["listener", "announcer"]])
async def test_plugin_declared_hook_is_implemented_by_another_plugin(enabled):
    runtime = runtime_with(enabled)
    assert runtime.kind("announcer_channels") == "query"
    assert await runtime.call("nav_items", request=None) == [[{"label": "announce via listener", "url": "/announcer"}]]


def test_implementing_a_hook_of_a_disabled_plugin_is_refused():
    message = refusal(["listener"], ["announcer", "listener"])
    assert message.startswith("plugin 'listener' unknown hook 'announcer_channels'")


async def test_optional_impl_of_a_hook_of_a_disabled_plugin_is_accepted():
    runtime = runtime_with(["optional_listener"], ["announcer", "optional_listener"])
    assert await runtime.call("nav_items", request=None) == []
    runtime = runtime_with(["announcer", "optional_listener"])
    assert await runtime.call("nav_items", request=None) == [[{"label": "announce via optional_listener", "url": "/announcer"}]]


async def test_plugin_importing_the_core_hookspecs_module_is_accepted():
    runtime = runtime_with(["uses_core_specs"])
    assert await runtime.call("nav_items", request=None) == [[{"label": "qunshang", "url": "/"}]]


# ----------------------------------------------------------------------------- failure policy


async def test_failing_notify_impl_is_logged_and_undone_while_the_rest_goes_on(make_app, caplog):
    async with make_app(enabled=["faulty", "tagger"], entry_points=_eps("faulty", "tagger")) as client:
        owner = await make_member("owner@example.com")
        with captured("qunshang.hooks", caplog):
            async with in_transaction():
                group = await Group.create(name="Tea lovers", owner=owner)
                results = await client.runtime.call("group_created", group=group)
        assert results == ["tagged"]
        assert calls == ["faulty.group_created", "tagger.group_created"]
        assert await Group.filter(id=group.id).exists()  # the change itself committed
        assert await MemberTag.filter(member=owner).values_list("tag", flat=True) == ["tagger"]
        assert "hook group_created: implementation in plugin faulty failed" in caplog.text


async def test_failing_guard_impl_propagates_and_rolls_the_change_back(make_app):
    async with make_app(enabled=["refuser", "tagger"], entry_points=_eps("refuser", "tagger")) as client:
        buyer = await make_member()
        with pytest.raises(Conflict, match="Refused by a guard."):
            async with in_transaction():
                await MemberTag.create(member=buyer, tag="before")
                await client.runtime.call("order_paid", order=SimpleNamespace(member_id=buyer.id), payment=None)
        assert calls == ["refuser.order_paid"]  # later impls do not run
        assert not await MemberTag.filter(member=buyer).exists()


def test_two_packages_claiming_one_id_are_reported_not_silently_shadowed():
    from importlib.metadata import EntryPoint

    eps = [
        EntryPoint("twin", "tests.core.sample_plugins.alpha", "qunshang.plugins"),
        EntryPoint("twin", "tests.core.sample_plugins.beta", "qunshang.plugins"),
    ]
    loaded = build_plugin_manager(Config(), entry_points=eps)
    assert loaded.records["twin"].status == "unavailable"
    assert "two packages provide plugin id 'twin'" in loaded.records["twin"].unavailable
    with pytest.raises(PluginError, match="two packages provide plugin id 'twin'"):
        build_plugin_manager(Config(plugins={"enabled": ["twin"]}), entry_points=eps)
