"""The host workbench in the console: a host signs in, creates a room, schedules and starts a
session, pushes a product, opens a live sale, moderates comments and reads the live figures;
every write is audited and other hosts' sessions are out of reach."""

import re
from datetime import timedelta

from qunshang.console.models import AuditEntry
from qunshang.localtime import input_value, zone
from qunshang.members.passwords import hash_password
from qunshang.plugins.livestream.models import Comment, LiveCoupon, LiveSale, LiveSession, Mute, Room
from qunshang.testing import make_member

from .support import API, live_session, product, viewer

PASSWORD = "correct horse 42"


def typed(moment):
    """How a host in the default time zone (Asia/Shanghai) types ``moment`` into the form."""
    return input_value(moment, zone("Asia/Shanghai"))


async def _signed_in_host(client, login="host@example.com"):
    member = await make_member(login, roles=["host"], password_hash=await hash_password(PASSWORD))
    page = await client.get("/console/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    r = await client.post("/console/login", data={"_csrf_token": token, "login": login, "password": PASSWORD,
                                                  "next": "/console"})
    assert r.status_code == 303, r.text
    return member


async def _post(client, url, data=None):
    headers = await client.form_headers()
    return await client.post(url, data={"_csrf_token": headers["x-csrftoken"], **(data or {})})


async def test_host_runs_a_session_from_the_workbench(make_app, clock):
    async with make_app(enabled=["livestream"], settings={"livestream": {"comment_interval_seconds": 0}}) as client:
        host = await _signed_in_host(client)
        sku = await product(stock=30)
        home = await client.get("/console/livestream", headers={"Accept-Language": "en"})
        assert home.status_code == 200 and "Live workbench" in home.text
        assert (await _post(client, "/console/livestream/rooms", {"title": "茶茶直播间"})).status_code == 303
        room = await Room.get(host_id=host.id)
        begins = clock() + timedelta(hours=1)
        made = await _post(client, f"/console/livestream/rooms/{room.id}/sessions", {
            "title": "品鉴", "starts_at": typed(begins),
            "ends_at": typed(begins + timedelta(hours=1))})
        assert made.status_code == 303
        session = await LiveSession.get(room_id=room.id)
        assert session.scheduled_start == begins.replace(second=0, microsecond=0)  # typed local, stored UTC
        base = f"/console/livestream/sessions/{session.id}"
        assert made.headers["location"] == base
        assert (await _post(client, f"{base}/state", {"action": "start"})).status_code == 303
        assert (await _post(client, f"{base}/push", {"product_id": str(sku.product_id)})).status_code == 303
        opened = await _post(client, f"{base}/sales", {
            "sku_id": str(sku.id), "live_price": "6.50", "cap": "10", "per_member_limit": "1",
            "ends_at": typed(clock() + timedelta(minutes=20))})
        assert opened.status_code == 303, opened.text
        sale = await LiveSale.get(session_id=session.id)
        assert (sale.live_price, sale.cap) == (650, 10)
        pushed = await _post(client, f"{base}/coupons", {"amount": "3.50", "min_spend": "20", "quantity": "50",
                                                         "valid_until": ""})
        assert pushed.status_code == 303, pushed.text
        coupon = await LiveCoupon.get(session_id=session.id)
        assert (coupon.amount, coupon.min_spend, coupon.quantity, coupon.valid_until) == (350, 2000, 50, None)
        negative = await _post(client, f"{base}/coupons", {"amount": "-1", "quantity": "5"})
        assert negative.status_code == 400 and await LiveCoupon.filter(session_id=session.id).count() == 1
        troll, troll_headers = await viewer()
        await client.post(f"{API}/sessions/{session.id}/comments", json={"text": "<b>spam</b>"}, headers=troll_headers)
        page = await client.get(base, headers={"Accept-Language": "en"})
        assert page.status_code == 200 and "Viewers now" in page.text and "&lt;b&gt;spam&lt;/b&gt;" in page.text
        assert "0 of 50 claimed, 0 used" in page.text and "until the session ends" in page.text
        comment = await Comment.get(session_id=session.id)
        assert (await _post(client, f"{base}/comments/{comment.id}/delete")).status_code == 303
        assert (await Comment.get(id=comment.id)).deleted
        assert (await _post(client, f"{base}/mutes", {"comment_id": str(comment.id)})).status_code == 303
        assert await Mute.exists(room_id=room.id, member_id=troll.id)
        assert (await _post(client, f"{base}/sales/{sale.id}/close")).status_code == 303
        assert (await _post(client, f"{base}/state", {"action": "end"})).status_code == 303
        summary = await client.get(f"{base}/summary", headers={"Accept-Language": "en"})
        assert summary.status_code == 200 and "Funnel" in summary.text and "Replay" in summary.text
        actions = set(await AuditEntry.all().values_list("action", flat=True))
        assert {"livestream.room", "livestream.schedule", "livestream.start", "livestream.push", "livestream.sale_open",
                "livestream.coupon", "livestream.comment_delete", "livestream.mute", "livestream.sale_close", "livestream.end"} <= actions


async def test_another_hosts_session_is_not_found_and_bad_input_is_refused(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        from qunshang.testing import bearer

        owner = await make_member("first-host@example.com", roles=["host"])
        session = await live_session(client, clock, await bearer(owner))
        await _signed_in_host(client)
        assert (await client.get(f"/console/livestream/sessions/{session['id']}")).status_code == 404
        assert (await _post(client, f"/console/livestream/sessions/{session['id']}/state", {"action": "end"})).status_code == 404
        assert (await LiveSession.get(id=session["id"])).status == "live"
        await _post(client, "/console/livestream/rooms", {"title": "mine"})
        room = await Room.get(title="mine")
        bad = await _post(client, f"/console/livestream/rooms/{room.id}/sessions", {"title": "x", "starts_at": "soon",
                                                                                    "ends_at": "later"})
        assert bad.status_code == 400
        assert await LiveSession.filter(room_id=room.id).count() == 0
