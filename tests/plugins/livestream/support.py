"""Helpers shared by the livestream tests (no tests here)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from qunshang.catalog import service as catalog
from qunshang.catalog.models import ProductStatus, Sku
from qunshang.testing import bearer, make_member

ADDRESS = {"name": "张三", "phone": "13800138000", "region": "浙江省杭州市西湖区", "detail": "文三路 1 号"}
API = "/api/livestream"


async def product(title: str = "龙井 Tea", price: int = 1000, stock: int = 100, code: str = "T-1",
                  status: ProductStatus = ProductStatus.PUBLISHED) -> Sku:
    made = await catalog.create_product(title=title, status=status, skus=[catalog.SkuInput(code, price, stock)])
    return (await made.skus.all())[0]


async def host(login: str = "host@example.com") -> tuple[Any, dict[str, str]]:
    member = await make_member(login, roles=["host"])
    return member, await bearer(member)


async def viewer(login: str = "viewer@example.com") -> tuple[Any, dict[str, str]]:
    member = await make_member(login)
    return member, await bearer(member)


async def live_session(client, clock, headers: dict[str, str], *, start: bool = True) -> dict[str, Any]:
    """A room of the host's with one session, started unless ``start=False``."""
    room = await client.post(f"{API}/rooms", json={"title": "茶茶直播间"}, headers=headers)
    assert room.status_code == 201, room.text
    begins = clock() + timedelta(minutes=10)
    session = await client.post(f"{API}/rooms/{room.json()['id']}/sessions", headers=headers, json={
        "title": "普洱品鉴", "starts_at": begins.isoformat(), "ends_at": (begins + timedelta(hours=2)).isoformat(),
        "stream_url": "https://live.example.com/s.m3u8"})
    assert session.status_code == 201, session.text
    if start:
        started = await client.post(f"{API}/sessions/{session.json()['id']}/state", json={"action": "start"}, headers=headers)
        assert started.status_code == 200, started.text
    return session.json()


async def pushed_sale(client, clock, headers, sku: Sku, *, cap: int = 10, limit: int = 2, live_price: int = 600,
                      minutes: int = 30) -> tuple[int, dict[str, Any]]:
    """A live session with ``sku``'s product pushed and a live sale of it open; (session id, sale)."""
    session = await live_session(client, clock, headers)
    pushed = await client.post(f"{API}/sessions/{session['id']}/push", json={"product_id": sku.product_id}, headers=headers)
    assert pushed.status_code == 200, pushed.text
    sale = await client.post(f"{API}/sessions/{session['id']}/sales", headers=headers, json={
        "sku_id": sku.id, "live_price": live_price, "cap": cap, "per_member_limit": limit,
        "ends_at": (clock() + timedelta(minutes=minutes)).isoformat()})
    assert sale.status_code == 201, sale.text
    return session["id"], sale.json()


def buy_body(sku_id: int, quantity: int = 1) -> dict[str, Any]:
    return {"sku_id": sku_id, "quantity": quantity, "address": ADDRESS}
