"""The settlement sweep: commissions of closed orders settle in set-based batches."""

from qunshang.jobs import Job

from .service import settlement


async def settle(runtime) -> int:
    return await settlement.sweep(runtime)


JOBS = [Job("distribution.settle", 300.0, settle)]
