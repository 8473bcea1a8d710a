"""The hook reference: every hook documented, and docs/hooks.md generated from core/hookspecs.py."""

import importlib.util
import inspect
from pathlib import Path

import pytest

from qunshang import hooks_doc, hookspecs
from qunshang.hookspecs import HookInfo

DOC = Path(__file__).parents[2] / "docs" / "hooks.md"
SPECS = [(name, getattr(hookspecs, name)) for name in hookspecs.hook_names()]


def test_the_core_declares_hooks():
    assert len(SPECS) >= 20


def test_every_pluggy_hookspec_is_declared_with_a_kind():
    marked = [name for name, obj in vars(hookspecs).items() if hasattr(obj, f"{hookspecs.PROJECT}_spec")]
    assert marked == hookspecs.hook_names()


@pytest.mark.parametrize(("name", "fn"), SPECS, ids=[name for name, _ in SPECS])
def test_every_hook_has_a_docstring_kind_and_since(name, fn):
    assert len(inspect.getdoc(fn) or "") > 20, f"{name} needs a docstring"
    assert isinstance(fn.qunshang_hook, HookInfo)
    assert fn.qunshang_hook.kind in hooks_doc.KIND_POLICY
    assert fn.qunshang_hook.since
    assert "runtime" in inspect.signature(fn).parameters, "every hook receives runtime"


def test_setup_hooks_are_sync_and_others_may_be_async():
    for name, fn in SPECS:
        if fn.qunshang_hook.kind == "setup":
            assert not inspect.iscoroutinefunction(fn), name


@pytest.mark.parametrize(("name", "fn"), SPECS, ids=[name for name, _ in SPECS])
def test_every_hook_is_in_the_committed_reference(name, fn):
    text = DOC.read_text(encoding="utf-8")
    entry = text.split(f"### `{name}`\n", 1)[1].split("\n### ", 1)[0]
    assert hooks_doc._signature(name, fn) in entry
    assert f"| kind | `{fn.qunshang_hook.kind}` |" in entry
    assert f"| since | {fn.qunshang_hook.since} |" in entry
    first_line = inspect.getdoc(fn).splitlines()[0]
    assert hooks_doc._inline(first_line) in entry


def test_committed_reference_is_current():
    assert DOC.read_text(encoding="utf-8") == hooks_doc.render(), "run `qunshang hooks-doc` and commit docs/hooks.md"


def test_render_is_deterministic():
    assert hooks_doc.render() == hooks_doc.render()


SAMPLE = '''"""Sample hooks.

Kinds
-----

  ``guard``   raise to refuse;
              it rolls back.
"""

from __future__ import annotations

from qunshang.hookspecs import spec

# --------------------------------------------------------------------------- orders


@spec("guard", since="0.3")
async def order_checked(runtime: Runtime, order: Order, via: str) -> None:
    """Check an order with ``via`` (see :class:`~qunshang.orders.models.Order`).

    Args:
        via: where it came from, on
            two lines.

    Returns:
        Nothing.
    """


def hook_names():
    return ["order_checked"]
'''


def test_render_converts_docstrings_to_markdown(tmp_path):
    path = tmp_path / "sample_specs.py"
    path.write_text(SAMPLE, encoding="utf-8")
    loader = importlib.util.spec_from_file_location("sample_specs", path)
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)

    page = hooks_doc.render(module)

    assert "## Kinds\n\n  - `guard`: raise to refuse; it rolls back." in page
    assert "## Orders hooks\n\n### `order_checked`" in page
    assert "async def order_checked(runtime: Runtime, order: Order, via: str) -> None" in page
    assert "| [`order_checked`](#order_checked) | guard | 0.3 | Check an order with `via` (see `Order`). |" in page
    assert "- `via`: where it came from, on two lines." in page
    assert "**Returns**\n\nNothing." in page
    assert "| on failure | an exception propagates and rolls the whole change back |" in page
