"""The orders' periodic jobs: cancel unpaid orders, auto-complete shipped ones, close the
after-sales window. Each picks due orders and moves them one by one through the service's
conditional transitions, so two workers never process an order twice and a rerun after a
crash just finishes the work."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Awaitable, Callable

from ..jobs import Job
from . import service
from .models import Order, OrderStatus

if TYPE_CHECKING:
    from ..runtime import Runtime

log = logging.getLogger(__name__)

EVERY = 60.0
BATCH = 500


async def cancel_unpaid(runtime: Runtime) -> int:
    due = Order.filter(status=OrderStatus.PLACED, expires_at__lte=runtime.now())
    return await _each(due, lambda order_id: service.cancel(runtime, order_id, reason="timeout"))


async def auto_complete(runtime: Runtime) -> int:
    cutoff = runtime.now() - timedelta(days=runtime.config.orders.auto_complete_days)
    due = Order.filter(status=OrderStatus.SHIPPED, shipped_at__lte=cutoff)
    return await _each(due, lambda order_id: service.complete(runtime, order_id, actor_id=None, note="auto"))


async def close_after_sales(runtime: Runtime) -> int:
    due = Order.filter(status=OrderStatus.COMPLETED, after_sales_ends_at__lte=runtime.now())
    return await _each(due, lambda order_id: service.close(runtime, order_id))


async def _each(due, action: Callable[[int], Awaitable[object]]) -> int:
    """Apply ``action`` to up to ``BATCH`` due orders; return how many moved. An order moved
    meanwhile by someone else is skipped; one whose hooks fail is retried on the next run."""
    moved = failed = 0
    for order_id in await due.order_by("id").limit(BATCH).values_list("id", flat=True):
        try:
            await action(order_id)
            moved += 1
        except service.OrderStateError:
            continue
        except Exception:
            log.exception("order %s could not be processed", order_id)
            failed += 1
    if failed:
        raise RuntimeError(f"{failed} orders failed; they will be retried")
    return moved


JOBS = [
    Job("orders.cancel_unpaid", EVERY, cancel_unpaid),
    Job("orders.auto_complete", EVERY, auto_complete),
    Job("orders.close_after_sales", EVERY, close_after_sales),
]
