"""Periodic CRM jobs: lapsed customers back to the pool, "no order in N days" tags, and the
lifecycle sweep that demotes loyal fans who stopped ordering. All idempotent."""

from qunshang.jobs import Job

from .service import assignment, lifecycle, tags


async def release(runtime) -> int:
    return await assignment.release_lapsed(runtime)


async def retag(runtime) -> int:
    return await tags.sweep_no_order(runtime)


async def restage(runtime) -> int:
    return await lifecycle.sweep(runtime)


JOBS = [
    Job("crm.release", 3600.0, release),
    Job("crm.retag", 3600.0, retag),
    Job("crm.lifecycle", 3600.0, restage),
]
