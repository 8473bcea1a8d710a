"""The live room in headless Chromium against the real app (``qunshang demo`` in a subprocess):
a viewer has the room page open; the host pushes another product (then a live coupon) from the
console; the viewer's page shows it without reloading, and the signed-in viewer claims the
coupon."""

from __future__ import annotations

import re

import httpx
import pytest

from .conftest import PHONE, playwright_api, running_demo

expect = playwright_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]
HOST, BUYER, PASSWORD = "host@demo.qunshang", "buyer@demo.qunshang", "demo12345"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    with running_demo(tmp_path_factory.mktemp("e2e-live")) as base:
        yield base


@pytest.fixture
def viewer_page(pages, demo_server):
    return pages(demo_server, **PHONE)


def _signed_in_host(base: str) -> httpx.Client:
    host = httpx.Client(base_url=base)
    page = host.get("/console/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    r = host.post("/console/login", data={"_csrf_token": token, "login": HOST, "password": PASSWORD, "next": "/console"})
    assert r.status_code == 303, r.text
    return host


def test_viewer_sees_a_pushed_product_without_reloading(viewer_page, demo_server):
    session = next(s for s in httpx.get(f"{demo_server}/api/livestream/sessions").json() if s["status"] == "live")
    state = httpx.get(f"{demo_server}/api/livestream/sessions/{session['id']}").json()
    pinned = state["pinned"]["id"]
    product = next(p for p in httpx.get(f"{demo_server}/api/products?limit=10").json()["items"] if p["id"] != pinned)

    page = viewer_page
    page.goto(f"/live/{session['id']}")
    page.evaluate("window.__sameDocument = true")
    # the stream is connected once the viewer count arrives by a stats event
    expect(page.locator("[data-viewers]")).to_have_text(re.compile(r"^[1-9]\d*$"))
    assert page.locator("[data-pinned-title]").inner_text() != product["title"]

    host = _signed_in_host(demo_server)
    try:
        r = host.post(f"/console/livestream/sessions/{session['id']}/push",
                      data={"_csrf_token": host.cookies.get("qunshang_csrf", ""), "product_id": str(product["id"])})
        assert r.status_code == 303, r.text
    finally:
        host.close()

    expect(page.locator("[data-pinned-title]")).to_have_text(product["title"])
    assert page.evaluate("window.__sameDocument") is True, "updated in place, not reloaded"
    assert page.locator("[data-pinned-title]").get_attribute("href") == f"/p/{product['id']}"


def test_viewer_sees_a_pushed_coupon_without_reloading_and_claims_it(viewer_page, demo_server):
    session = next(s for s in httpx.get(f"{demo_server}/api/livestream/sessions").json() if s["status"] == "live")
    page = viewer_page
    page.goto(f"/login?next=/live/{session['id']}")
    page.get_by_label("手机号或邮箱").fill(BUYER)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(rf"/live/{session['id']}$"))
    page.evaluate("window.__sameDocument = true")
    expect(page.locator("[data-viewers]")).to_have_text(re.compile(r"^[1-9]\d*$"))

    host = _signed_in_host(demo_server)
    try:
        r = host.post(f"/console/livestream/sessions/{session['id']}/coupons", data={
            "_csrf_token": host.cookies.get("qunshang_csrf", ""), "amount": "7.50", "min_spend": "0", "quantity": "3"})
        assert r.status_code == 303, r.text
    finally:
        host.close()

    coupon = page.locator("[data-coupons] li").filter(has_text="7.50").first
    expect(coupon).to_contain_text("立减")
    expect(coupon).to_contain_text("无门槛")
    assert page.evaluate("window.__sameDocument") is True, "shown in place, not reloaded"
    coupon.get_by_role("button", name="领取").click()
    page.wait_for_url(re.compile(rf"/live/{session['id']}$"))
    expect(page.locator("[data-coupons] li").filter(has_text="7.50").first).to_contain_text("已领取")
