"""The livestream plugin's hook implementations (re-exported by the package, which pluggy registers)."""

from __future__ import annotations

from qunshang import hookimpl

from . import limits, realtime
from .service import coupons, funnel, rooms, sales


@hookimpl
def register_models():
    return {"livestream": "qunshang.plugins.livestream.models"}


@hookimpl
def register_routes():
    from .api import HostController, LiveController
    from .pages import PAGES

    return [LiveController, HostController, *PAGES]


@hookimpl
def register_jobs():
    from qunshang.jobs import Job

    return [Job("livestream.close_sales", 30.0, sales.close_expired)]


@hookimpl
def register_permissions():
    return {"host": ["livestream.host"], "operator": ["livestream.host", "livestream.manage"]}


@hookimpl
def console_pages():
    from .console import PAGES

    return PAGES


@hookimpl
async def startup(runtime):
    """Start the live-event hub (Litestar channels: in memory, or Redis when configured) and
    count this process's open event streams."""
    hub = realtime.build_hub(runtime, rooms.stats)
    await hub.start()
    runtime.state[realtime.STATE] = hub
    runtime.state[limits.STATE] = limits.StreamSlots()


@hookimpl
async def shutdown(runtime):
    runtime.state.pop(limits.STATE, None)
    hub = runtime.state.pop(realtime.STATE, None)
    if hub is not None:
        await hub.stop()


@hookimpl
async def price_adjustments(lines, context):
    """The live price first, then a live coupon off what is left."""
    live = await sales.live_adjustments(lines, context)
    return live + coupons.adjustments(lines, context, live)


@hookimpl
def order_validate(draft):
    sales.check_live_order(draft)
    coupons.check_order(draft)


@hookimpl
async def order_placed(runtime, order):
    await sales.record_order(order)
    await coupons.record_order(order)
    realtime.sold(runtime, order)


@hookimpl
async def order_paid(runtime, order):
    realtime.sold(runtime, order)


@hookimpl
async def order_cancelled(runtime, order):
    await coupons.give_back(order)
    realtime.sold(runtime, order)


@hookimpl
async def member_registered(member, context):
    await funnel.record_arrival(member.id, context)


@hookimpl
async def storefront_slot(name, request, context):
    if name != "product.below" or "product" not in context:
        return None
    clips = await rooms.clips_for_product(context["product"]["id"])
    if not clips:
        return None
    from qunshang.web.storefront.render import render_fragment

    return render_fragment(request, "livestream/clips.html", clips=clips)


@hookimpl
async def nav_items(request):
    from qunshang.web.locale import gettext_for

    return [{"label": gettext_for(request)("Live"), "url": "/live"}]


@hookimpl
async def seed_demo(runtime, demo):
    from .demo import seed

    await seed(runtime, demo)
