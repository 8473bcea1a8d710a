"""The distribution plugin's hook implementations (re-exported by the package, which pluggy registers)."""

from __future__ import annotations

from qunshang import hookimpl

from .models import DistributorStatus
from .service import binding, commissions, distributors, settlement


@hookimpl
def register_models():
    return {"distribution": "qunshang.plugins.distribution.models"}


@hookimpl
def register_routes():
    from .api import DistributionController, DistributionFinanceController, DistributionOperatorController
    from .web import router

    return [DistributionController, DistributionOperatorController, DistributionFinanceController, router]


@hookimpl
def register_jobs():
    from .jobs import JOBS

    return JOBS


@hookimpl
def register_permissions():
    return {"operator": ["distribution.manage"], "finance": ["distribution.finance"]}


@hookimpl
async def member_registered(runtime, member, context):
    """Bind the newcomer by a verified referral code; in everyone mode they get a code too."""
    await binding.bind_at_registration(runtime, member, context)
    if runtime.settings("distribution").mode == "everyone":
        await distributors.ensure(runtime, member.id, "everyone")


@hookimpl
async def order_paid(runtime, order):
    """Commissions are written in the payment's transaction: all or nothing with it."""
    await commissions.create_for_order(runtime, order)
    await distributors.qualify_by_spend(runtime, order.member_id)


@hookimpl
async def order_refunded(runtime, order, refund):
    await settlement.reverse_for_refund(runtime, order, refund)


@hookimpl
async def after_sales_closed(runtime, order):
    await settlement.settle_order(runtime, order)


@hookimpl
async def member_share_code(runtime, member):
    """The member's referral code while they are an active distributor (in everyone mode the
    code is created on first use, as the share page does); ``None`` otherwise."""
    row = await distributors.get(member.id)
    if row is None and runtime.settings("distribution").mode == "everyone" and member.is_active:
        row = await distributors.ensure(runtime, member.id, "everyone")
    return row.code if row is not None and row.status == DistributorStatus.ACTIVE else None


@hookimpl
async def storefront_slot(runtime, name, request, context):
    from . import slots

    if name == "product.below":
        return await slots.calculator(runtime, request, context)
    if name == "member.dashboard":
        return await slots.dashboard(request)
    return None


@hookimpl
async def nav_items(runtime, request):
    from . import slots

    return slots.nav(runtime, request)


@hookimpl
def console_pages():
    from .console import pages

    return pages()


@hookimpl
async def seed_demo(runtime, demo):
    from .service import demo as seed

    await seed.seed(runtime, demo)
