"""The wheel: core/, plugins/ and themes/ ship complete under their mapped names."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[2]
MAPPING = {"core": "qunshang", "plugins": "qunshang/plugins", "themes": "qunshang/themes"}
BUILD_INPUTS = ["pyproject.toml", "setup.py", "README.md", *MAPPING]
SKIPPED = {"__pycache__"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    """Build from a copy of the sources, so the work tree gets no build/ or egg-info."""
    source = tmp_path_factory.mktemp("source")
    for name in BUILD_INPUTS:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(origin, source / name)
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
         "--wheel-dir", str(out), str(source)],
        capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )
    assert built.returncode == 0, built.stderr
    [path] = out.glob("qunshang-*.whl")
    with zipfile.ZipFile(path) as archive:
        yield archive


def source_files(folder: str) -> list[Path]:
    return sorted(
        path for path in (ROOT / folder).rglob("*")
        if path.is_file() and not SKIPPED & set(path.relative_to(ROOT).parts) and path.suffix != ".pyc"
    )


def wheel_name(path: Path) -> str:
    relative = path.relative_to(ROOT)
    return "/".join([MAPPING[relative.parts[0]], *relative.parts[1:]])


@pytest.mark.parametrize("folder", list(MAPPING))
def test_every_source_and_data_file_is_in_the_wheel(wheel, folder):
    names = set(wheel.namelist())
    missing = [wheel_name(path) for path in source_files(folder) if wheel_name(path) not in names]
    assert not missing, f"not in the wheel: {missing}"


def test_every_package_is_in_the_wheel_under_its_mapped_name(wheel):
    names = set(wheel.namelist())
    packages = [init.parent for folder in MAPPING for init in (ROOT / folder).rglob("__init__.py")]
    assert len(packages) > 10
    for package in packages:
        assert wheel_name(package / "__init__.py") in names


def test_data_files_are_shipped(wheel):
    """Templates, static files, catalogs, theme manifests and migrations, where the sources have them."""
    names = set(wheel.namelist())
    kinds = {
        "templates": lambda p: "templates" in p.parts,
        "static": lambda p: "static" in p.parts,
        "locale .po": lambda p: p.suffix == ".po",
        "theme.toml": lambda p: p.name == "theme.toml",
        "migrations": lambda p: "migrations" in p.parts,
    }
    for kind, matches in kinds.items():
        files = [path for folder in MAPPING for path in source_files(folder) if matches(path)]
        assert all(wheel_name(path) in names for path in files), kind
        if kind != "theme.toml" or files:
            assert files, f"expected some {kind} in the sources"


def test_nothing_is_importable_as_core_plugins_or_themes(wheel):
    top_level = {name.split("/", 1)[0] for name in wheel.namelist()}
    assert "qunshang" in top_level
    assert not top_level & {"core", "plugins", "themes", "tests", "examples"}
    assert {name for name in top_level if not name.startswith("qunshang")} == set()


def test_builtin_plugins_are_registered_by_entry_point(wheel):
    [entry_points_file] = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    parser = configparser.ConfigParser()
    parser.read_string(wheel.read(entry_points_file).decode())
    registered = dict(parser["qunshang.plugins"])
    builtins = sorted(p.name for p in (ROOT / "plugins").iterdir() if (p / "__init__.py").is_file())
    assert builtins, "there are built-in plugins"
    assert {plugin_id: registered.get(plugin_id) for plugin_id in builtins} == {
        plugin_id: f"qunshang.plugins.{plugin_id}" for plugin_id in builtins
    }
    assert parser["console_scripts"]["qunshang"] == "qunshang.cli:main"
