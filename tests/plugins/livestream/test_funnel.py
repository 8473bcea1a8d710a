"""Public → private: the share link carries the sharer's code into registration, the group QR
card's joins are recorded with via=livestream, and the funnel counts each step."""

from datetime import timedelta
from urllib.parse import urlsplit

from qunshang.groups import service as groups
from qunshang.groups.models import GroupMembership, JoinPolicy
from qunshang.hookspecs import hookimpl
from qunshang.testing import bearer, make_member

from .support import API, host, product, pushed_sale, buy_body, viewer

PASSWORD = "correct horse battery"


class Sharer:
    """Stands in for distribution (which this plugin may not import): codes and registrations."""

    def __init__(self):
        self.contexts = []

    @hookimpl
    def member_share_code(self, member):
        return f"CODE{member.id}"

    @hookimpl
    def member_registered(self, member, context):
        self.contexts.append(context)


async def _form(client, path, data):
    if "qunshang_csrf" not in client.cookies:
        await client.get("/healthz")
    return await client.post(path, data={**data, "_csrf_token": client.cookies.get("qunshang_csrf", "")})


async def test_share_link_brings_source_and_referral_code_to_registration(make_app, clock):
    sharer = Sharer()
    async with make_app(enabled=["livestream"], extra_plugins=[sharer]) as client:
        _, headers = await host()
        fan, fan_headers = await viewer("fan@example.com")
        sku = await product()
        session_id, _ = await pushed_sale(client, clock, headers, sku)
        link = (await client.get(f"{API}/sessions/{session_id}/share", headers=fan_headers)).json()["url"]
        assert link.endswith(f"/live/{session_id}?ref=CODE{fan.id}&src=livestream")
        parts = urlsplit(link)
        page = await client.get(f"{parts.path}?{parts.query}")
        assert page.status_code == 200
        registered = await _form(client, "/register", {"login": "new@example.com", "password": PASSWORD,
                                                       "display_name": "新人", "next": "/me"})
        assert registered.status_code == 303, registered.text
        assert sharer.contexts[-1] == {"source": "livestream", "referral_code": f"CODE{fan.id}",
                                       "channel": f"livestream:{session_id}"}
        summary = (await client.get(f"{API}/sessions/{session_id}/summary", headers=headers)).json()
        assert summary["registrations"] == 1 and summary["viewers"] == 1


async def test_share_link_without_a_code_when_no_plugin_answers(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        _, fan_headers = await viewer("fan@example.com")
        sku = await product()
        session_id, _ = await pushed_sale(client, clock, headers, sku)
        link = (await client.get(f"{API}/sessions/{session_id}/share", headers=fan_headers)).json()["url"]
        assert link.endswith(f"/live/{session_id}")
        assert (await client.get(f"{API}/sessions/999999/share", headers=fan_headers)).status_code == 404


async def test_share_poster_is_an_inert_svg_with_the_personal_link(make_app, clock):
    async with make_app(enabled=["livestream"], extra_plugins=[Sharer()]) as client:
        _, headers = await host()
        _, fan_headers = await viewer("fan@example.com")
        room = (await client.post(f"{API}/rooms", json={"title": "<script>x</script>"}, headers=headers)).json()
        begins = clock() + timedelta(hours=1)
        session = (await client.post(f"{API}/rooms/{room['id']}/sessions", headers=headers, json={
            "title": "品鉴 & 试饮", "starts_at": begins.isoformat(),
            "ends_at": (begins + timedelta(hours=1)).isoformat()})).json()
        poster = await client.get(f"/live/{session['id']}/poster.svg", headers={**fan_headers, "Accept-Language": "zh-CN"})
        assert poster.status_code == 200 and poster.headers["content-type"].startswith("image/svg+xml")
        assert poster.headers["content-security-policy"].startswith("default-src 'none'")
        assert "品鉴 &amp; 试饮" in poster.text and "&lt;script&gt;" in poster.text and "<script>" not in poster.text
        assert "扫码看直播" in poster.text and 'class="segno"' in poster.text
        anonymous = await client.get(f"/live/{session['id']}/poster.svg")
        assert anonymous.status_code in (302, 303, 401)


async def test_group_card_joins_via_livestream_and_the_funnel_counts_every_step(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        host_member, headers = await host()
        sku = await product()
        session_id, _ = await pushed_sale(client, clock, headers, sku)
        group = await groups.create_group(client.runtime, host_member, "粉丝群", "", JoinPolicy.INVITE)
        someone_elses = await groups.create_group(client.runtime, await make_member("o@example.com"), "别人的群", "", JoinPolicy.INVITE)
        refused = await client.post(f"{API}/sessions/{session_id}/group", json={"group_id": someone_elses.id}, headers=headers)
        assert refused.status_code in (403, 404)
        card = (await client.post(f"{API}/sessions/{session_id}/group", json={"group_id": group.id}, headers=headers)).json()
        assert f"/g/{card['invite_code']}/qr.svg" in (await client.get(f"/live/{session_id}")).text
        joiner = await make_member("joiner@example.com")
        await groups.join_by_code(client.runtime, card["invite_code"], joiner)
        membership = await GroupMembership.get(group_id=group.id, member_id=joiner.id)
        assert membership.via == "livestream"
        buyer = await bearer(joiner)
        order = (await client.post(f"{API}/sessions/{session_id}/orders", json=buy_body(sku.id), headers=buyer)).json()
        intent = await client.post(f"/api/orders/{order['id']}/pay", json={"provider": "sandbox"}, headers=buyer)
        await client.post(f"/api/payments/sandbox/{intent.json()['intent_id']}/complete", headers=buyer)
        summary = (await client.get(f"{API}/sessions/{session_id}/summary", headers=headers)).json()
        assert summary["group_joins"] == 1 and summary["orders"] == 1 and summary["paid_orders"] == 1
        assert summary["gmv"] == order["total"]
        console = await client.get(f"/console/livestream/sessions/{session_id}/summary", headers=headers)
        assert console.status_code == 200 and "<svg" in console.text and 'class="funnel"' in console.text


async def test_clip_marks_appear_on_the_product_page_after_the_session(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        sku = await product()
        session_id, _ = await pushed_sale(client, clock, headers, sku)
        clip = {"product_id": sku.product_id, "start_seconds": 65, "end_seconds": 190}
        live = await client.post(f"{API}/sessions/{session_id}/clips", json=clip, headers=headers)
        assert live.status_code == 409, "clips are marked after the session"
        await client.post(f"{API}/sessions/{session_id}/state", json={"action": "end"}, headers=headers)
        bad = await client.post(f"{API}/sessions/{session_id}/clips", json={**clip, "end_seconds": 10}, headers=headers)
        assert bad.status_code == 400
        assert (await client.post(f"{API}/sessions/{session_id}/clips", json=clip, headers=headers)).status_code == 201
        assert "Explained live" not in (await client.get(f"/p/{sku.product_id}", headers={"Accept-Language": "en"})).text
        bad_url = await client.post(f"{API}/sessions/{session_id}/replay", json={"replay_url": "javascript:x"}, headers=headers)
        assert bad_url.status_code == 400
        replay = "https://vod.example.com/r.mp4"
        assert (await client.post(f"{API}/sessions/{session_id}/replay", json={"replay_url": replay},
                                  headers=headers)).status_code == 204
        page = await client.get(f"/p/{sku.product_id}", headers={"Accept-Language": "en"})
        assert "Explained live" in page.text and f"{replay}#t=65,190" in page.text and "1:05–3:10" in page.text


async def test_an_order_claiming_a_session_in_its_context_does_not_count(make_app, clock):
    """Only orders placed from the room count: an order's context is the client's word."""
    async with make_app(enabled=["livestream"]) as client:
        _host, headers = await host()
        sku = await product()
        session_id, _ = await pushed_sale(client, clock, headers, sku)
        buyer = await bearer(await make_member("claimer@example.com"))
        forged = await client.post("/api/orders", headers=buyer, json={
            "lines": [{"sku_id": sku.id, "quantity": 1}], "address": buy_body(sku.id)["address"],
            "context": {"channel": "livestream", "live_session": str(session_id)}})
        assert forged.status_code == 201, forged.text
        assert (await client.post(f"{API}/sessions/{session_id}/orders", json=buy_body(sku.id), headers=buyer)).status_code == 201
        summary = (await client.get(f"{API}/sessions/{session_id}/summary", headers=headers)).json()
        assert summary["orders"] == 1
