"""Demo data for ``qunshang demo``: the host's room with a scheduled session and a live one
showing two products, one of them in a live sale, a live coupon, and the host's fan group's QR
card."""

from __future__ import annotations

from datetime import timedelta

from .service import coupons, rooms, sales

HOST = "host@demo.qunshang"


async def seed(runtime, demo) -> None:
    host = demo["members"].get(HOST)
    if host is None or len(demo["products"]) < 2:
        return
    now = runtime.now()
    room = await rooms.create_room(runtime, host.id, title="茶茶的直播间 Chacha's tea live",
                                   description="每晚八点，一起品新茶。New teas every evening at eight.")
    await rooms.schedule(runtime, room, title="明前龙井开箱 Spring Longjing unboxing",
                         starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=2))
    live = await rooms.schedule(runtime, room, title="正在直播：普洱品鉴 Live: Pu'er tasting",
                                starts_at=now + timedelta(minutes=1), ends_at=now + timedelta(hours=3))
    live = await rooms.transition(runtime, live, "start")
    for product in demo["products"][:2]:
        await rooms.push(runtime, live, product.id)
    sku = (await demo["products"][1].skus.all())[0]
    await sales.open_sale(runtime, live, sku_id=sku.id, live_price=max(sku.price * 7 // 10, 1), cap=min(20, sku.stock),
                          per_member_limit=2, ends_at=now + timedelta(hours=2))
    await coupons.push(runtime, live, amount=500, min_spend=5000, quantity=50)
    fan_group = next((g for g in demo["groups"] if g.owner_id == host.id), None)
    if fan_group is not None:
        await rooms.attach_group(runtime, host, live, fan_group.id)
    demo["livestream"] = {"room": room, "live_session": live}
