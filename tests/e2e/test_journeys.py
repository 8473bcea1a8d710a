"""A buyer's journeys on a phone: referral link → register → browse → cart → checkout → pay →
the order; joining a group by invite link; switching the language."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "e2e-password-1"


def _db(server_log_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(server_log_dir / "demo.sqlite3")


def _register(page, login: str, name: str) -> None:
    page.get_by_label("手机号或邮箱").fill(login)
    page.get_by_label("昵称").fill(name)
    page.get_by_label("密码（至少 8 位）").fill(PASSWORD)
    page.get_by_role("button", name="注册").click()


def _invite_code(server: str) -> str:
    """An invitation to the demo's invite-only group, made by its owner through the API."""
    with httpx.Client(base_url=server) as api:
        api.get("/healthz")
        headers = {"x-csrftoken": api.cookies.get("qunshang_csrf", "")}
        assert api.post("/api/auth/login", json={"login": "host@demo.qunshang", "password": "demo12345"},
                        headers=headers).status_code == 200
        group = next(g for g in api.get("/api/me/groups").json() if g["join_policy"] == "invite")
        r = api.post(f"/api/groups/{group['id']}/invites", json={}, headers=headers)
        assert r.status_code == 201, r.text
        return r.json()["code"]


def test_referral_register_browse_buy_and_pay(phone, server, shots, tmp_path_factory):
    page = phone
    page.goto("/?ref=E2E-FRIEND")
    shots(page, "home")
    page.get_by_role("link", name="登录").first.click()
    page.get_by_role("link", name="注册").click()
    assert page.get_by_text("好友邀请你来（邀请码 E2E-FRIEND）。").is_visible()
    _register(page, "13700000001", "新茶友 小赵")
    page.wait_for_url(f"{server}/")  # back where they were
    page.get_by_role("link", name="新茶友 小赵").click()
    assert page.get_by_role("heading", name="你好，新茶友 小赵").is_visible()

    page.goto("/")
    page.locator(".grid .card a").first.click()
    page.wait_for_url(re.compile(r"/p/\d+$"))
    shots(page, "product")
    page.get_by_role("button", name="加入购物车").click()
    page.wait_for_url(re.compile(r"/cart$"))
    shots(page, "cart")
    page.get_by_role("link", name="去结算").click()
    page.get_by_label("收货人").fill("赵先生")
    page.get_by_label("手机号").fill("13700000001")
    page.get_by_label("省 / 市 / 区").fill("浙江省 杭州市 西湖区")
    page.get_by_label("详细地址").fill("龙井路 8 号")
    page.get_by_label("沙盒支付（演示）").check()
    shots(page, "checkout")
    page.get_by_role("button", name="提交订单并支付").click()
    page.wait_for_url(re.compile(r"/orders/\d+/pay/pi_"))
    page.get_by_role("button", name=re.compile("^支付")).click()
    page.wait_for_url(re.compile(r"/orders/\d+\?paid=1$"))
    assert page.get_by_text("谢谢！已收到你的付款。").is_visible()
    assert page.locator(".timeline li").count() == 2
    shots(page, "order")
    page.get_by_role("link", name="全部订单").click()
    assert page.locator(".orders li").count() == 1

    registered = [p for p in Path(tmp_path_factory.getbasetemp()).glob("e2e-*/demo.sqlite3")]
    contexts = []
    for path in registered:
        with sqlite3.connect(path) as db:
            contexts += [json.loads(r[0]) for r in db.execute(
                "SELECT registered_via FROM members_member WHERE login = '13700000001'")]
    assert {"referral_code": "E2E-FRIEND", "source": "link"} in contexts


def test_join_a_group_by_invite_link(phone, server, shots):
    code = _invite_code(server)
    page = phone
    page.goto(f"/g/{code}")
    assert page.get_by_role("heading", name="茶茶直播粉丝群").is_visible()
    assert page.locator(f'img[src="/g/{code}/qr.svg"]').evaluate("img => img.naturalWidth") > 0
    shots(page, "invite")
    page.get_by_role("link", name="注册并加入").click()
    assert page.get_by_text("注册后即可加入邀请你的社群。").is_visible()
    _register(page, "13700000002", "粉丝 小钱")
    page.wait_for_url(re.compile(rf"/g/{code}$"))
    page.get_by_role("button", name="加入社群").click()
    page.wait_for_url(re.compile(r"/groups/\d+$"))
    assert page.get_by_text("你已是本群成员。").is_visible()
    assert page.get_by_text("欢迎 Welcome").is_visible()  # announcements are for members
    shots(page, "group")


def test_switch_language(phone, server, shots):
    page = phone
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Cart").is_visible()
    page.get_by_role("link", name="中文").click()
    assert page.get_by_role("link", name="购物车").is_visible()


def test_phone_layout_has_no_horizontal_scroll(phone, server, shots):
    page = phone
    for path in ("/", "/groups", "/login", "/cart"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
