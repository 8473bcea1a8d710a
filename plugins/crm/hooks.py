"""The CRM's hook implementations (re-exported by the package, which pluggy registers)."""

from __future__ import annotations

import logging

from tortoise.transactions import in_transaction

from qunshang import hookimpl

from .service import assignment, lifecycle, salespeople, tags

log = logging.getLogger(__name__)

PERMISSIONS = {
    "salesperson": ["crm.view", "crm.sell"],
    "sales_manager": ["console.view", "crm.view", "crm.sell", "crm.assign", "crm.report"],
    "operator": ["crm.view", "crm.assign", "crm.report", "crm.manage"],
}


@hookimpl
def register_models():
    return {"crm": "qunshang.plugins.crm.models"}


@hookimpl
def register_routes():
    from .api import CrmAdminController, CrmController
    from .storefront import invite

    return [CrmController, CrmAdminController, invite]


@hookimpl
def register_jobs():
    from .jobs import JOBS

    return JOBS


@hookimpl
def register_permissions():
    return PERMISSIONS


@hookimpl
def console_pages():
    from .console import PAGES

    return PAGES


@hookimpl
async def member_registered(runtime, member, context):
    """Record the customer; a verified salesperson invite makes them the owner, else the rules."""
    source = context.get("source", "")
    customer = await assignment.ensure_customer(runtime, member.id, source, registering=True)
    code = context.get("sales_code")
    owner = await salespeople.by_code(code) if code and source == "salesperson_invite" else None
    if owner is not None and owner.member_id != member.id:
        await salespeople.ensure(runtime, owner.member_id)
        await assignment.take_by_invite(runtime, customer, owner.member_id)
    else:
        await assignment.assign(runtime, member.id)


@hookimpl
async def order_paid(runtime, order):
    """Credit the order to the buyer's owner; the buyer's counters, stage and tags. ``order_paid``
    is a guard hook, but bookkeeping must never refuse a payment: the work runs in a savepoint,
    and a failure (or a replay of the same order) is logged and undone."""
    try:
        async with in_transaction():
            await lifecycle.record_order(runtime, order)
            await tags.on_order_paid(runtime, order)
    except Exception:
        log.exception("crm: could not record paid order %s", order.id)


@hookimpl
async def order_refunded(runtime, order, refund):
    """Reverse the refunded part of the credit, never refusing the refund (as ``order_paid``)."""
    try:
        async with in_transaction():
            await lifecycle.record_refund(order, refund.amount)
    except Exception:
        log.exception("crm: could not record refund %s", refund.id)


@hookimpl
async def group_member_joined(runtime, group, member):
    await lifecycle.record_group_join(runtime, member.id)
    await tags.on_group_joined(runtime, group.id, member.id)


@hookimpl
async def seed_demo(runtime, demo):
    from .demo import seed

    await seed(runtime, demo)
