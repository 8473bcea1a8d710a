"""The workbench's figures follow the orders live: placing, paying or cancelling an order from a
room sends an ``orders`` event (no figures in it: viewers share the channel), and the
workbench reads the orders, GMV and coupon figures from a host-only JSON route."""

import asyncio
import json

from qunshang.orders import service as orders
from qunshang.plugins.livestream import realtime
from qunshang.testing import bearer, make_member

from .support import API, buy_body, product, pushed_sale, viewer
from .test_console import _signed_in_host


async def _next(conn, kind, timeout=3.0):
    while True:
        event = json.loads(await asyncio.wait_for(conn.queue.get(), timeout))
        if event["type"] == kind:
            return event


async def test_orders_from_the_room_refresh_the_workbench_figures(make_app, clock):
    async with make_app(enabled=["livestream"], settings={"livestream": {"stats_seconds": 0.05}}) as client:
        host = await _signed_in_host(client)
        sku = await product(stock=20)
        session_id, _sale = await pushed_sale(client, clock, await bearer(host), sku, live_price=600)
        figures_url = f"/console/livestream/sessions/{session_id}/figures"
        assert (await client.get(figures_url)).json()["orders"] == 0
        buyer_member, buyer = await viewer()
        async with realtime.hub(client.runtime).connect(session_id) as conn:
            bought = await client.post(f"{API}/sessions/{session_id}/orders", json=buy_body(sku.id), headers=buyer)
            assert bought.status_code == 201
            assert await _next(conn, "orders") == {"type": "orders"}
            figures = (await client.get(figures_url)).json()
            assert (figures["orders"], figures["gmv"]) == (1, 0), "GMV counts paid orders"
            intent = await client.post(f"/api/orders/{bought.json()['id']}/pay", json={"provider": "sandbox"}, headers=buyer)
            await client.post(f"/api/payments/sandbox/{intent.json()['intent_id']}/complete", headers=buyer)
            await _next(conn, "orders")
            figures = (await client.get(figures_url)).json()
            assert figures["gmv"] == bought.json()["total"] and figures["gmv_text"].endswith(f"{figures['gmv'] / 100:.2f}")
            second = await client.post(f"{API}/sessions/{session_id}/orders", json=buy_body(sku.id), headers=buyer)
            await _next(conn, "orders")
            await orders.cancel(client.runtime, second.json()["id"], reason="buyer", actor_id=buyer_member.id)
            await _next(conn, "orders")
            assert (await client.get(figures_url)).json()["orders"] == 1
        page = await client.get(f"/console/livestream/sessions/{session_id}")
        assert f'data-figures="{figures_url}"' in page.text


async def test_the_figures_route_is_for_the_sessions_host(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        owner = await make_member("first-host@example.com", roles=["host"])
        session_id, _ = await pushed_sale(client, clock, await bearer(owner), await product())
        await _signed_in_host(client)
        assert (await client.get(f"/console/livestream/sessions/{session_id}/figures")).status_code == 404
