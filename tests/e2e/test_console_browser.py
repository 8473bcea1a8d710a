"""The operator console in headless Chromium against the real app (``qunshang demo`` in a
subprocess): sign in → create a product → it is in the storefront → a buyer orders it through
the JSON API → confirm the offline payment, ship and refund in the console."""

from __future__ import annotations

import os
import re

import httpx
import pytest

from .conftest import ARTIFACTS, running_demo

pytestmark = pytest.mark.browser
OWNER, PASSWORD = "owner@demo.qunshang", "demo12345"
LAPTOP = {"viewport": {"width": 1280, "height": 800}}


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    with running_demo(tmp_path_factory.mktemp("e2e-console")) as base:
        yield base


@pytest.fixture
def console(pages, demo_server):
    return pages(demo_server, **LAPTOP)


def _buyer_orders(base: str, sku_id: int) -> int:
    with httpx.Client(base_url=base) as buyer:
        buyer.get("/healthz")
        csrf = {"x-csrftoken": buyer.cookies.get("qunshang_csrf", "")}
        r = buyer.post("/api/auth/register", json={"login": "13700000099", "password": "buyer-pass-1", "display_name": "E2E 买家"},
                       headers=csrf)
        assert r.status_code in (200, 201), r.text
        csrf = {"x-csrftoken": buyer.cookies.get("qunshang_csrf", "")}
        r = buyer.post("/api/orders", headers=csrf, json={
            "lines": [{"sku_id": sku_id, "quantity": 2}],
            "address": {"name": "赵先生", "phone": "13700000099", "region": "浙江省 杭州市", "detail": "龙井路 8 号"}})
        assert r.status_code == 201, r.text
        return r.json()["id"]


def test_create_product_order_ship_and_refund_in_the_console(console, demo_server):
    page = console
    page.goto("/console/products")
    page.wait_for_url(re.compile(r"/console/login\?next="))
    page.get_by_label("手机号或邮箱").fill(OWNER)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/console/products$"))

    page.get_by_role("link", name="新建商品").click()
    page.get_by_label("标题").fill("E2E 安吉白茶")
    page.get_by_label("状态").select_option("published")
    page.get_by_label("规格编码").fill("E2E-BAICHA")
    page.get_by_label("价格（元）").fill("88.00")
    page.get_by_label("库存").fill("10")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/console/products/\d+$"))
    assert page.get_by_text("商品已创建。").is_visible()
    product_id = int(page.url.rsplit("/", 1)[1])

    shop = httpx.get(f"{demo_server}/p/{product_id}")
    assert shop.status_code == 200 and "E2E 安吉白茶" in shop.text
    sku_id = httpx.get(f"{demo_server}/api/products/{product_id}").json()["skus"][0]["id"]
    order_id = _buyer_orders(demo_server, sku_id)

    page.goto(f"/console/orders/{order_id}")
    page.get_by_label("付款凭证号").fill("BANK-E2E-1")
    page.get_by_role("button", name="确认线下收款").click()
    page.get_by_label("快递公司").fill("顺丰")
    page.get_by_label("快递单号").fill("SF1234567890")
    page.get_by_role("button", name="标记发货").click()
    page.wait_for_selector("text=顺丰 SF1234567890")
    page.locator("input[name^=qty_]").fill("1")
    page.get_by_label("原因").fill("破损")
    page.get_by_role("button", name="按所选数量退款").click()
    page.wait_for_selector(".timeline")
    assert "¥88.00" in page.locator("tfoot").inner_text()  # refunded half of ¥176.00
    assert page.locator(".timeline li").count() >= 3

    page.goto("/console/audit")
    for action in ("product.create", "order.confirm_payment", "order.ship", "order.refund"):
        assert page.get_by_text(action, exact=True).count() >= 1
    if os.environ.get("QUNSHANG_E2E_SCREENSHOTS"):
        ARTIFACTS.mkdir(exist_ok=True)
        page.goto("/console/")
        page.screenshot(path=str(ARTIFACTS / "console-dashboard.png"), full_page=True)
        page.goto(f"/console/orders/{order_id}")
        page.screenshot(path=str(ARTIFACTS / "console-order.png"), full_page=True)
        page.set_viewport_size({"width": 820, "height": 1180})
        page.screenshot(path=str(ARTIFACTS / "console-order-tablet.png"), full_page=True)
