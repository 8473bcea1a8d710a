"""Browser tests: the real app (``qunshang demo``: seeded SQLite, uvicorn) in a subprocess, driven
by Playwright in the Debian Chromium (``/usr/bin/chromium``; never a downloaded browser).

A failing test leaves a full-page screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CHROMIUM = os.environ.get("QUNSHANG_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}

playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install -e '.[test]')")


def pytest_collection_modifyitems(items):
    if not Path(CHROMIUM).exists():
        skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.stash[_REPORT] = report


_REPORT = pytest.StashKey()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_demo(folder: Path, **env_overrides: str) -> Iterator[str]:
    """``qunshang demo`` on a free port with a fresh database in ``folder``; yields its base URL."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUNSHANG_")} | env_overrides
    qunshang = Path(sys.executable).with_name("qunshang")
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [str(qunshang), "demo", "--port", str(port), "--db", str(folder / "demo.sqlite3"), "--fresh"],
        cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the demo server exited: {(folder / 'server.log').read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        process.terminate()
        pytest.fail("the demo server did not start within 120 s")
    try:
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="module", params=["default", "chayou"])
def server(request, tmp_path_factory):
    """The demo in the theme of the parameter."""
    with running_demo(tmp_path_factory.mktemp(f"e2e-{request.param}"), QUNSHANG_THEME__NAME=request.param) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def pages(browser, request):
    """``pages(base_url, **context_options)``: a new page in a fresh browser context speaking
    Chinese; every page opened is screenshotted if the test fails (or QUNSHANG_E2E_SCREENSHOTS
    is set) and closed afterwards."""
    made = []

    def new(base_url: str, **options):
        context = browser.new_context(locale="zh-CN", base_url=base_url, **options)
        made.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield new
    report = request.node.stash.get(_REPORT, None)
    keep = report is not None and report.failed or os.environ.get("QUNSHANG_E2E_SCREENSHOTS")
    for i, context in enumerate(made):
        if keep:
            ARTIFACTS.mkdir(exist_ok=True)
            for page in context.pages:
                suffix = f"-{i}" if len(made) > 1 else ""
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}{suffix}.png"), full_page=True)
        context.close()


@pytest.fixture
def phone(pages, server):
    """A phone-sized page on the shared demo server."""
    return pages(server, **PHONE)


@pytest.fixture
def shots(request):
    """``shots(page, "name")``: keep a screenshot when QUNSHANG_E2E_SCREENSHOTS is set (to look at)."""
    def take(page, name: str) -> None:
        if os.environ.get("QUNSHANG_E2E_SCREENSHOTS"):
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{name}.png"), full_page=True)
    return take


def has_chromium() -> bool:
    return bool(shutil.which(CHROMIUM) or Path(CHROMIUM).exists())
