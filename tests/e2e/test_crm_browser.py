"""The CRM in headless Chromium against the real app (``qunshang demo`` in a subprocess): a
salesperson opens the phone view at phone width (one column, no sideways scrolling), a visitor
on a phone registers through their invite link and appears in their customers."""

from __future__ import annotations

import re

import pytest

from .conftest import PHONE, playwright_api, running_demo

expect = playwright_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SALES, PASSWORD = "sales@demo.qunshang", "demo12345"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    with running_demo(tmp_path_factory.mktemp("e2e-crm")) as base:
        yield base


@pytest.fixture
def phones(pages, demo_server):
    return lambda: pages(demo_server, **PHONE)


def test_phone_view_and_a_customer_arriving_by_the_invite_link(phones):
    seller = phones()
    seller.goto("/console/crm/m")
    seller.wait_for_url(re.compile(r"/console/login\?next="))
    seller.get_by_label("手机号或邮箱").fill(SALES)
    seller.get_by_label("密码").fill(PASSWORD)
    seller.get_by_role("button", name="登录").click()
    seller.wait_for_url(re.compile(r"/console/crm/m$"))
    expect(seller.get_by_role("heading", name="我今天的客户")).to_be_visible()
    assert seller.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    seller.get_by_text("我的邀请链接").click()
    expect(seller.locator(".crm-qr svg")).to_be_visible()
    link = seller.locator(".crm-phone code").inner_text()
    assert "/crm/i/" in link

    visitor = phones()
    visitor.goto(link[link.index("/crm/i/"):])
    visitor.wait_for_url(re.compile(r"/register$"))
    visitor.get_by_label("手机号或邮箱").fill("13700000123")
    visitor.get_by_label("昵称").fill("E2E 新客")
    visitor.get_by_label(re.compile("密码")).fill("visitor-pass-1")
    visitor.get_by_role("button", name="注册").click()
    visitor.wait_for_url(re.compile(r"/me$"))

    seller.goto("/console/crm/customers")
    expect(seller.get_by_role("link", name="E2E 新客")).to_be_visible()
