"""Commands that run servers or long-lived processes: `serve`, `worker`, `demo`, as subprocesses."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

QUNSHANG = str(Path(sys.executable).with_name("qunshang"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("QUNSHANG_")} | {"PYTHONUNBUFFERED": "1"}


def start(*args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([QUNSHANG, *args], cwd=cwd, env=environment(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def stop(process: subprocess.Popen, timeout: float = 30) -> str:
    """SIGTERM, then the process's whole output."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, _ = process.communicate()
        pytest.fail(f"did not stop on SIGTERM:\n{out}")
    return out


def wait_for(url: str, process: subprocess.Popen, timeout: float = 60) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"exited with {process.returncode}:\n{process.communicate()[0]}")
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer:\n{stop(process)}")


@pytest.fixture
def site(tmp_path) -> Path:
    """A migrated SQLite deployment in tmp_path; returns its config file."""
    config = tmp_path / "qunshang.toml"
    config.write_text(
        '[app]\nname = "Serve test 二"\nsecret_key = "process-test-secret-0123456789"\n'
        f'media_dir = "{tmp_path / "media"}"\n'
        f'[database]\nurl = "sqlite://{tmp_path / "site.sqlite3"}"\n[jobs]\ntick_seconds = 0.2\n',
        encoding="utf-8",
    )
    migrated = subprocess.run([QUNSHANG, "-c", str(config), "db", "migrate"], env=environment(), capture_output=True,
                              text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert migrated.returncode == 0, migrated.stderr
    return config


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_prints_the_url_and_serves_the_configured_site(site, tmp_path, workers):
    port = free_port()
    process = start("-c", str(site), "serve", "--port", str(port), "--workers", str(workers), cwd=tmp_path)

    assert wait_for(f"http://127.0.0.1:{port}/healthz", process).json() == {"status": "ok"}
    home = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
    assert "Serve test 二" in home.text, "the workers read the config given with -c"

    out = stop(process)
    assert f"Qunshang: http://127.0.0.1:{port}/" in out
    assert "Application shutdown complete" in out, "SIGTERM stops gracefully: lifespan shutdown ran"
    assert process.returncode in (0, -signal.SIGTERM)  # uvicorn re-raises the signal it handled


def test_worker_runs_jobs_until_sigterm(site, tmp_path):
    process = start("-c", str(site), "worker", "--tick", "0.2", cwd=tmp_path)
    deadline = time.monotonic() + 60
    line = ""
    while "running jobs" not in line and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            pytest.fail(f"worker exited with {process.returncode}")
    assert "running jobs" in line
    names = line.split("running jobs: ", 1)[1].split(" (stop", 1)[0]
    assert names != "none", "the core declares jobs (unpaid-order timeout…)"
    time.sleep(1.5)

    out = stop(process)
    assert process.returncode == 0, out
    assert out.rstrip().endswith("worker stopped")
    assert "Traceback" not in out
    with sqlite3.connect(tmp_path / "site.sqlite3") as conn:
        runs = dict(conn.execute("SELECT name, runs FROM jobs_jobschedule"))
    assert set(runs) == set(names.split(", "))
    assert all(count >= 1 for count in runs.values()), runs


def test_demo_serves_a_seeded_community(tmp_path):
    port = free_port()
    database = tmp_path / "demo.sqlite3"
    process = start("demo", "--port", str(port), "--db", str(database), cwd=tmp_path)

    assert wait_for(f"http://127.0.0.1:{port}/healthz", process, timeout=300).status_code == 200
    logins = json.loads(database.with_name("demo.sqlite3.logins.json").read_text(encoding="utf-8"))
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as browser:
        products = browser.get("/api/products")
        assert products.status_code == 200 and products.json()["items"], "the demo has a catalog"
        [login, password, _role] = logins[0]
        signed_in = browser.post("/api/auth/login", json={"login": login, "password": password},
                                 headers={"x-csrftoken": browser.cookies["qunshang_csrf"]})
        assert signed_in.status_code == 200, signed_in.text
        assert browser.get("/api/me").json()["login"] == login

    out = stop(process)
    assert f"http://127.0.0.1:{port}/" in out
    for login, password, _role in logins:
        assert login in out and password in out, "the demo prints the logins to try"
