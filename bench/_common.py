"""Shared by the benchmark scripts: seed a database, serve apps with uvicorn, load them, print figures.

Each script compares two servers, A and B, started side by side with the same server (uvicorn)
and worker count. They are loaded in turn for ``--rounds`` rounds (A B, B A, A B…, so slow drift
of the machine hits both). Each run prints requests/s and the server's CPU time per request, and
the script ends with a ``ratio`` line: B's median requests/s over A's, and A's CPU per request
over B's (the steadier figure on a shared machine).

Load comes from ``wrk`` (installed with apt-get when missing and running as root). Without it a
bounded Python load generator (httpx) is used instead, and says so: its figures are limited by
the client itself, so only its ratio means much. Every process a script starts is stopped when it
ends, also on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

BENCH = Path(__file__).resolve().parent
PATH = "/api/products?limit=24"


def options(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes per server (default 1)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measured run (default 10)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--rounds", type=int, default=3, help="A/B rounds (default 3)")
    parser.add_argument("--products", type=int, default=200, help="published products to seed (default 200)")
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator even if wrk exists")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the `finally` blocks: stop the servers
    return args


def run(main: Callable[[], None]) -> None:
    """Run a benchmark; on Ctrl-C the servers it started are stopped on the way out."""
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted: servers stopped")


# ----------------------------------------------------------------------------- database


@dataclass(frozen=True)
class Seeded:
    url: str
    token: str  # a bearer token of a member at level "fan"


def seed(folder: Path, products: int) -> Seeded:
    """A migrated SQLite database (core and every installed plugin) with published products."""
    return asyncio.run(_seed(folder / "bench.sqlite3", products))


async def _seed(path: Path, products: int) -> Seeded:
    from qunshang import db
    from qunshang.app import build_runtime
    from qunshang.catalog import service
    from qunshang.catalog.models import ProductStatus
    from qunshang.config import Config
    from qunshang.members.models import ApiToken, Level, Member
    from qunshang.plugin_manager import discover
    from qunshang.web.auth import token_digest

    url = f"sqlite://{path}"
    runtime = build_runtime(Config(database={"url": url}, plugins={"enabled": sorted(discover())}))
    await db.migrate(runtime)
    await db.connect(runtime)
    try:
        for i in range(products):
            await service.create_product(
                title=f"Product {i:04d} 龙井 Longjing", description="Spring harvest. " * 20,
                images=[f"/media/products/{i}/1.jpg", f"/media/products/{i}/2.jpg"],
                status=ProductStatus.PUBLISHED, position=i % 7,
                skus=[service.SkuInput(f"BENCH-{i}", 990 + 37 * i, i % 5)],
            )
        member = await Member.create(login="bench@example.com", password_hash="!", display_name="bench", level=Level.FAN)
        token = f"qs_{secrets.token_urlsafe(24)}"
        await ApiToken.create(member=member, name="bench", token_hash=token_digest(token), prefix=token[:8])
    finally:
        await db.disconnect()
    return Seeded(url, token)


@contextlib.contextmanager
def workspace() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="qunshang-bench-") as folder:
        yield Path(folder)


def qunshang_env(url: str, enabled: list[str]) -> dict[str, str]:
    """The real app configured by environment only (see qunshang.config)."""
    return {
        "QUNSHANG_DATABASE__URL": url,
        "QUNSHANG_PLUGINS__ENABLED": str(enabled).replace("'", '"'),
        "QUNSHANG_APP__SECRET_KEY": "bench-secret-key-0123456789",
        "QUNSHANG_JOBS__IN_PROCESS": "false",
    }


def builtin_plugins() -> list[str]:
    """Every first-party plugin (entry points into ``qunshang.plugins``)."""
    from qunshang.plugin_manager import discover

    return sorted(name for name, ep in discover().items() if ep.value.startswith("qunshang.plugins."))


# ----------------------------------------------------------------------------- servers


@dataclass
class Server:
    name: str
    base_url: str
    process: subprocess.Popen


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(name: str, app: str, *, env: dict[str, str], cwd: Path, workers: int, app_dir: Path | None = None,
          python: str = sys.executable) -> Iterator[Server]:
    """Run ``uvicorn --factory app`` on a free 127.0.0.1 port until the block ends."""
    port = free_port()
    command = [
        python, "-m", "uvicorn", "--factory", app, "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--no-access-log", "--log-level", "warning",
    ]
    if app_dir:
        command += ["--app-dir", str(app_dir)]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("QUNSHANG_")}
    log = cwd / f"{name.replace(' ', '-')}.log"
    with log.open("wb") as output:
        # own session: Ctrl-C reaches this script, which then stops the whole server group itself
        process = subprocess.Popen(command, cwd=cwd, env={**clean, **env}, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        server = Server(name, f"http://127.0.0.1:{port}", process)
        _wait_healthy(server, log)
        yield server
    finally:
        _stop(process)


def _wait_healthy(server: Server, log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-2000:]
    raise RuntimeError(f"{server.name} did not answer /healthz (exit code {server.process.poll()}):\n{tail}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# ----------------------------------------------------------------------------- load


def ensure_wrk() -> str | None:
    """The path of ``wrk``, installing the Debian package if missing and allowed; else None."""
    found = shutil.which("wrk")
    if found or not shutil.which("apt-get") or os.geteuid() != 0:
        return found
    print("installing wrk (apt-get install -y wrk)…", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, stdout=subprocess.DEVNULL)
    return shutil.which("wrk")


@dataclass
class Target:
    label: str
    server: Server
    headers: dict[str, str] = field(default_factory=dict)
    path: str = PATH

    @property
    def url(self) -> str:
        return self.server.base_url + self.path


@dataclass(frozen=True)
class Run:
    rps: float
    cpu_us: float | None  # server CPU time per request, both processes' threads (None without /proc)


def server_cpu_seconds(pid: int) -> float | None:
    """CPU time used so far by a server process and its direct children (uvicorn's workers)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return total


def _wrk(wrk: str, target: Target, args: argparse.Namespace, duration: float) -> int:
    """Load ``target`` with wrk; return the number of requests it completed."""
    command = [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{max(1, round(duration))}s"]
    for name, value in target.headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, target.url], check=True, capture_output=True, text=True).stdout
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        raise RuntimeError(f"{target.label}: {m.group(1)} failed requests\n{out}")
    if m := re.search(r"Socket errors: (.*)", out):
        print(f"  ({target.label}: socket errors {m.group(1)})")
    return int(re.search(r"(\d+) requests in", out).group(1))


async def _python_load(target: Target, connections: int, duration: float) -> int:
    """A bounded load generator for machines without wrk; returns the number of requests done."""
    done = 0
    deadline = time.monotonic() + duration
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(headers=target.headers, limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal done
            while time.monotonic() < deadline:
                r = await client.get(target.url)
                if r.status_code != 200:
                    raise RuntimeError(f"{target.label}: HTTP {r.status_code}: {r.text[:200]}")
                done += 1

        await asyncio.gather(*(worker() for _ in range(connections)))
    return done


def compare(a: Target, b: Target, args: argparse.Namespace, *, target_ratio: float) -> float:
    """Warm both up, measure them in turn, print each run, the medians and the ratio B/A.

    Besides requests/s, each run reports the server's CPU time per request: on a busy shared
    machine it moves far less than throughput does, so it is printed as a second ratio.
    """
    wrk = None if args.python_load else ensure_wrk()
    if wrk:
        print(f"load: wrk, {args.threads} thread(s), {args.connections} connections, {args.duration:.0f}s per run")
        load = lambda t, seconds: _wrk(wrk, t, args, seconds)  # noqa: E731
    else:
        print(f"load: Python httpx generator ({args.connections} connections) — wrk is not available, so req/s "
              "is bounded by the client; compare the ratios only")
        load = lambda t, seconds: asyncio.run(_python_load(t, args.connections, seconds))  # noqa: E731
    print(f"servers: uvicorn, {args.workers} worker(s) each")

    def run(t: Target, seconds: float) -> Run:
        cpu_before, started = server_cpu_seconds(t.server.process.pid), time.monotonic()
        requests = load(t, seconds)
        elapsed, cpu_after = time.monotonic() - started, server_cpu_seconds(t.server.process.pid)
        cpu_us = None if cpu_before is None else (cpu_after - cpu_before) / requests * 1e6
        return Run(requests / elapsed, cpu_us)

    for t in (a, b):
        run(t, 2)  # warm-up: imports, first queries, caches
    runs: dict[str, list[Run]] = {a.label: [], b.label: []}
    for round_no in range(args.rounds):
        for t in (a, b) if round_no % 2 == 0 else (b, a):
            r = run(t, args.duration)
            runs[t.label].append(r)
            cpu = f"{r.cpu_us:8.0f} µs CPU/req" if r.cpu_us is not None else ""
            print(f"round {round_no + 1}  {t.label:<44} {r.rps:8.1f} req/s {cpu}", flush=True)
    medians = {}
    for name, t in (("A", a), ("B", b)):
        rps = statistics.median(r.rps for r in runs[t.label])
        cpu = [r.cpu_us for r in runs[t.label] if r.cpu_us is not None]
        medians[name] = (rps, statistics.median(cpu) if cpu else None)
        cpu_text = f"{medians[name][1]:8.0f} µs CPU/req" if cpu else ""
        print(f"{name}  {t.label:<44} {rps:8.1f} req/s {cpu_text} (medians)")
    ratio = medians["B"][0] / medians["A"][0]
    cpu_ratio = f", by server CPU per request {medians['A'][1] / medians['B'][1]:.3f}" if medians["A"][1] else ""
    verdict = "meets" if ratio >= target_ratio else "MISSES"
    print(f"ratio {ratio:.3f} (B/A of req/s{cpu_ratio}; {verdict} the target >= {target_ratio})")
    return ratio


def fetch_items(target: Target) -> list[dict]:
    r = httpx.get(target.url, headers=target.headers, timeout=10)
    r.raise_for_status()
    return r.json()["items"]


# ----------------------------------------------------------------------------- in-process figures


class Statements(logging.Handler):
    """Counts the SQL statements Tortoise logs."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0
        self.log = logging.getLogger("tortoise.db_client")

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1

    def __enter__(self) -> Statements:
        self.log.setLevel(logging.DEBUG)
        self.log.propagate = False
        self.log.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        self.log.removeHandler(self)


async def bulk_members(prefix: str, n: int, batch_size: int = 1000) -> list[int]:
    """``n`` members (logins ``<prefix><i>@bench.example``) in bulk inserts; their ids in order."""
    from qunshang.members.models import Member

    await Member.bulk_create([Member(login=f"{prefix}{i}@bench.example", password_hash="!", display_name=f"{prefix}{i}")
                              for i in range(n)], batch_size=batch_size)
    return list(await Member.filter(login__startswith=prefix).order_by("id").values_list("id", flat=True))
