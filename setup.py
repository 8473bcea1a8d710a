"""Computes the package list; everything else lives in pyproject.toml.

``qunshang`` is ``core/``, ``qunshang.plugins`` is ``plugins/`` and ``qunshang.themes`` is
``themes/``. A wheel needs every subpackage named, so they are found here rather than listed.
"""

from setuptools import find_packages, setup

ROOTS = {"qunshang": "core", "qunshang.plugins": "plugins", "qunshang.themes": "themes"}


def packages() -> list[str]:
    found = []
    for package, folder in ROOTS.items():
        found.append(package)
        found += [f"{package}.{sub}" for sub in find_packages(folder)]
    return found


setup(packages=packages(), package_dir=ROOTS)
