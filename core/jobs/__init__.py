"""Periodic jobs: declared by plugins, run in-process or by ``qunshang worker``.

Each job has a row in ``jobs_jobschedule``. A runner claims a due run with one conditional
``UPDATE … SET next_run_at = <next> WHERE name = ? AND next_run_at = <seen>``: whichever
process changes the row runs the job, so each due run happens once however many
processes poll (SQLite and PostgreSQL alike, no row locks needed). Jobs must be idempotent:
a crash between claim and finish skips that run, and the next run repeats its work.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import socket
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from tortoise.expressions import F

from .models import JobSchedule

if TYPE_CHECKING:
    from ..runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """``func(runtime)`` every ``every`` seconds. ``name`` is ``"<plugin id>.<job>"``."""

    name: str
    every: float
    func: Callable[[Runtime], Awaitable[Any] | Any]


def all_jobs(runtime: Runtime) -> dict[str, Job]:
    jobs: dict[str, Job] = {}
    for _plugin, declared in runtime.call_setup("register_jobs"):
        for job in declared:
            jobs[job.name] = job
    return jobs


async def run_due(runtime: Runtime, jobs: dict[str, Job], worker_id: str) -> list[str]:
    """Run every job that is due and that this process manages to claim; return their names."""
    now = runtime.now()
    known = {row.name: row for row in await JobSchedule.filter(name__in=list(jobs))}
    for name, job in jobs.items():
        if name not in known:
            await JobSchedule.get_or_create(name=name, defaults={"next_run_at": now})
    ran = []
    for row in await JobSchedule.filter(name__in=list(jobs), next_run_at__lte=now):
        job = jobs[row.name]
        claimed = await JobSchedule.filter(name=row.name, next_run_at=row.next_run_at).update(
            next_run_at=now + timedelta(seconds=job.every), claimed_by=worker_id
        )
        if not claimed:
            continue  # another process got it
        error = ""
        try:
            result = job.func(runtime)
            if inspect.isawaitable(result):
                await result
        except Exception as exc:  # a failing job must not stop the others
            log.exception("job %s failed", row.name)
            error = f"{type(exc).__name__}: {exc}"
        await JobSchedule.filter(name=row.name).update(
            runs=F("runs") + 1, last_error=error, last_finished_at=runtime.now()
        )
        ran.append(row.name)
    return ran


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def run_forever(runtime: Runtime, tick: float | None = None, stop: asyncio.Event | None = None) -> None:
    """Poll for due jobs until ``stop`` is set (used in-process and by ``qunshang worker``)."""
    jobs = all_jobs(runtime)
    tick = tick or runtime.config.jobs.tick_seconds
    me = worker_id()
    stop = stop or asyncio.Event()
    while not stop.is_set():
        try:
            await run_due(runtime, jobs, me)
        except Exception:
            log.exception("job runner tick failed")
        try:
            await asyncio.wait_for(stop.wait(), timeout=tick)
        except asyncio.TimeoutError:
            pass
