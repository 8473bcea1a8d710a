"""Storefront journeys over plain HTTP: register by referral, cart, checkout, pay, groups."""

from qunshang.groups.models import GroupMembership
from qunshang.hookspecs import hookimpl
from qunshang.members.models import Member
from qunshang.orders.models import Order

from .shop import ADDRESS, PASSWORD, log_in, post_form, seed


class Registrations:
    def __init__(self):
        self.contexts = []

    @hookimpl
    def member_registered(self, member, context):
        self.contexts.append((member.login, context))


async def _register(client, login="buyer@example.com", name="新茶友", next_="/me"):
    return await post_form(client, "/register", {"login": login, "password": PASSWORD, "display_name": name, "next": next_})


async def test_referral_code_is_kept_through_registration(make_app):
    seen = Registrations()
    async with make_app(extra_plugins=[seen]) as client:
        await seed(client.runtime)
        assert (await client.get("/p/1?ref=FRIEND42")).status_code in (200, 404)
        await client.get("/")  # browsing on keeps it
        page = await client.get("/register", headers={"Accept-Language": "en"})
        assert "FRIEND42" in page.text
        r = await _register(client)
        assert r.status_code == 303 and r.headers["location"] == "/me"
        assert seen.contexts[-1] == ("buyer@example.com", {"source": "link", "referral_code": "FRIEND42"})
        me = await client.get("/me", headers={"Accept-Language": "en"})
        assert "Hello, 新茶友" in me.text


async def test_invite_link_joins_after_registration(make_app):
    seen = Registrations()
    async with make_app(extra_plugins=[seen]) as client:
        shop = await seed(client.runtime)
        landing = await client.get(f"/g/{shop.invite.code}?src=qr", headers={"Accept-Language": "en"})
        assert "Register to join" in landing.text and f"/g/{shop.invite.code}/qr.svg" in landing.text
        r = await _register(client, next_=f"/g/{shop.invite.code}")
        assert r.headers["location"] == f"/g/{shop.invite.code}"
        assert seen.contexts[-1][1] == {"source": "group_qr", "invite_code": shop.invite.code}
        joined = await post_form(client, f"/g/{shop.invite.code}/join")
        assert joined.status_code == 303 and joined.headers["location"] == f"/groups/{shop.group.id}"
        member = await Member.get(login="buyer@example.com")
        assert await GroupMembership.filter(group_id=shop.group.id, member_id=member.id, status="active").exists()
        group = await client.get(f"/groups/{shop.group.id}", headers={"Accept-Language": "en"})
        assert "You are a member of this group." in group.text and "周末品茶" in group.text


async def test_invite_qr_code_is_an_inert_svg(make_app):
    async with make_app() as client:
        shop = await seed(client.runtime)
        r = await client.get(f"/g/{shop.invite.code}/qr.svg")
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
        assert r.text.lstrip().startswith(("<?xml", "<svg")) and "<script" not in r.text
        assert "default-src 'none'" in r.headers["content-security-policy"]
        assert (await client.get("/g/nope/qr.svg")).status_code == 404


async def test_registration_errors_are_inline_and_keep_what_was_typed(make_app):
    async with make_app() as client:
        await seed(client.runtime)
        r = await post_form(client, "/register", {"login": "not-a-phone", "password": PASSWORD, "display_name": "小李"},
                            headers={"Accept-Language": "zh-CN"})
        assert r.status_code == 400
        assert "请输入" in r.text or "手机号" in r.text
        assert 'value="not-a-phone"' in r.text and 'value="小李"' in r.text
        assert PASSWORD not in r.text  # passwords are never echoed back
        taken = await post_form(client, "/register", {"login": "13900000000", "password": PASSWORD, "display_name": "x"},
                                headers={"Accept-Language": "en"})
        assert taken.status_code == 400 and "already registered" in taken.text


async def test_wrong_password_is_refused_inline(make_app):
    async with make_app() as client:
        await seed(client.runtime)
        r = await post_form(client, "/login", {"login": "13900000000", "password": "wrong password"},
                            headers={"Accept-Language": "en"})
        assert r.status_code == 401 and 'role="alert"' in r.text and 'value="13900000000"' in r.text
        assert "member_id" not in str(client.cookies)


async def test_login_redirect_never_leaves_the_site(make_app):
    async with make_app() as client:
        await seed(client.runtime)
        for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)", "/\\evil.example"):
            await client.get("/login")
            r = await post_form(client, "/login", {"login": "13900000000", "password": PASSWORD, "next": target})
            assert r.headers["location"] == "/me", target
            await post_form(client, "/logout")


async def test_pages_for_members_send_visitors_to_login(client):
    for path in ("/me", "/orders", "/checkout", "/orders/1"):
        r = await client.get(path)
        assert r.status_code == 303 and r.headers["location"] == f"/login?next={path}"


async def test_cart_checkout_and_sandbox_payment(make_app):
    async with make_app() as client:
        shop = await seed(client.runtime)
        skus = await shop.product.skus.all()
        await post_form(client, "/cart/add", {"sku_id": skus[0].id, "quantity": 2})
        await post_form(client, "/cart/add", {"sku_id": skus[1].id})
        cart = await client.get("/cart", headers={"Accept-Language": "zh-CN"})
        assert "¥5,097.00" in cart.text  # 2 × 1,299 + 2,499, free shipping
        await post_form(client, "/cart/update", {"sku_id": skus[1].id, "quantity": 0})
        assert "¥2,598.00" in (await client.get("/cart")).text
        assert (await client.get("/checkout")).headers["location"] == "/login?next=/checkout"
        await log_in(client)
        form = await client.get("/checkout", headers={"Accept-Language": "en"})
        assert form.status_code == 200 and "Sandbox (demo payments)" in form.text
        key = form.text.split('name="idempotency_key" value="')[1].split('"')[0]
        bad = await post_form(client, "/checkout", {**ADDRESS, "phone": "abc", "provider": "sandbox", "idempotency_key": key},
                              headers={"Accept-Language": "en"})
        assert bad.status_code == 400 and "Enter a phone number" in bad.text and 'value="龙井路 1 号"' in bad.text
        placed = await post_form(client, "/checkout", {**ADDRESS, "provider": "sandbox", "idempotency_key": key})
        assert placed.status_code == 303
        order = await Order.filter(member_id=shop.member.id).order_by("-id").first()
        assert order.total == 259800 and placed.headers["location"].startswith(f"/orders/{order.id}/pay/pi_")
        assert "badge" not in (await client.get("/cart")).text  # the cart is empty again
        paid = await post_form(client, placed.headers["location"])
        assert paid.headers["location"] == f"/orders/{order.id}?paid=1"
        page = await client.get(paid.headers["location"], headers={"Accept-Language": "en"})
        assert "Thank you! Your payment was received." in page.text
        assert page.text.index("Awaiting payment") < page.text.rindex("Paid")  # the timeline
        await order.refresh_from_db()
        assert order.status == "paid"


async def test_checkout_replay_places_one_order(make_app):
    async with make_app() as client:
        shop = await seed(client.runtime)
        sku = (await shop.product.skus.all())[0]
        await log_in(client)
        await post_form(client, "/cart/add", {"sku_id": sku.id})
        before = await Order.all().count()
        data = {**ADDRESS, "provider": "offline", "idempotency_key": "same-form-twice"}
        first = await post_form(client, "/checkout", data)
        assert first.status_code == 303
        await post_form(client, "/cart/add", {"sku_id": sku.id})
        second = await post_form(client, "/checkout", data)
        assert second.headers["location"] == first.headers["location"]
        assert await Order.all().count() == before + 1


async def test_cart_refuses_unknown_and_bad_skus(make_app):
    async with make_app() as client:
        shop = await seed(client.runtime)
        sku = (await shop.product.skus.all())[0]
        for data in ({"sku_id": 999999}, {"sku_id": "x"}, {"sku_id": shop.sold_out.id * 1000}):
            r = await post_form(client, "/cart/add", data)
            assert r.status_code == 404, data
        for quantity in (0, -3, 10**9, "2.5", "many"):
            r = await post_form(client, "/cart/add", {"sku_id": sku.id, "quantity": quantity},
                                headers={"Accept-Language": "en"})
            assert r.status_code == 400 and "The request is not valid" in r.text, quantity
        assert "qunshang_session" not in client.cookies


async def test_buyers_see_only_their_own_orders(make_app):
    async with make_app() as client:
        shop = await seed(client.runtime)
        await _register(client, login="other@example.com")
        assert (await client.get(f"/orders/{shop.order.id}")).status_code == 404
        assert (await post_form(client, f"/orders/{shop.order.id}/cancel")).status_code == 404
        await post_form(client, "/logout")
        await log_in(client)
        cancelled = await post_form(client, f"/orders/{shop.order.id}/cancel")
        assert cancelled.status_code == 303
        await shop.order.refresh_from_db()
        assert shop.order.status == "cancelled"


async def test_language_switch_is_remembered_for_members(make_app):
    async with make_app() as client:
        await seed(client.runtime)
        await log_in(client)
        r = await client.get("/lang/en?next=/me")
        assert r.status_code == 303 and r.headers["location"] == "/me"
        assert (await Member.get(login="13900000000")).locale == "en"
        me = await client.get("/me", headers={"Accept-Language": "zh-CN"})
        assert 'lang="en"' in me.text and "My groups" in me.text
        assert (await client.get("/lang/en?next=https://evil.example")).headers["location"] == "/"


async def test_profile_update_shows_errors_inline(make_app):
    async with make_app() as client:
        await seed(client.runtime)
        await log_in(client)
        ok = await post_form(client, "/me", {"display_name": "老王", "locale": "zh_CN"})
        assert ok.headers["location"] == "/me?saved=1"
        assert "已保存" in (await client.get("/me?saved=1")).text
        bad = await post_form(client, "/me", {"display_name": "  ", "locale": ""}, headers={"Accept-Language": "en"})
        assert bad.status_code == 400 and 'role="alert"' in bad.text


async def test_joining_an_open_group_from_its_page(make_app):
    async with make_app() as client:
        shop = await seed(client.runtime)
        await _register(client)
        page = await client.get(f"/groups/{shop.group.id}", headers={"Accept-Language": "en"})
        assert ">Join<" in page.text
        r = await post_form(client, f"/groups/{shop.group.id}/join")
        assert r.status_code == 303
        listing = await client.get("/groups", headers={"Accept-Language": "en"})
        assert "2 members" in listing.text


async def test_buyer_confirms_receipt_of_a_shipped_order(make_app):
    from qunshang.orders import service as orders
    from qunshang.payments import service as payments

    async with make_app() as client:
        shop = await seed(client.runtime)
        intent = await payments.create_intent(client.runtime, shop.order, "sandbox")
        await payments.complete_sandbox(client.runtime, shop.member.id, intent["intent_id"])
        await orders.ship(client.runtime, shop.order.id, carrier="SF", tracking_number="SF0001", actor_id=None)
        await log_in(client)
        page = await client.get(f"/orders/{shop.order.id}", headers={"Accept-Language": "en"})
        assert "SF0001" in page.text and "I received it" in page.text
        r = await post_form(client, f"/orders/{shop.order.id}/receive")
        assert r.status_code == 303
        done = await client.get(f"/orders/{shop.order.id}", headers={"Accept-Language": "en"})
        assert done.text.count('class="status status-') == 5  # current state + four timeline steps
        again = await post_form(client, f"/orders/{shop.order.id}/receive", headers={"Accept-Language": "en"})
        assert again.status_code == 409 and "not possible while the order is completed" in again.text
