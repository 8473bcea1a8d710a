"""Distribution in headless Chromium against the real app (``qunshang demo`` in a subprocess):
a distributor opens the share page; a new visitor on a phone arrives by the shared link,
registers, and shows up on the distributor's team page."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from .conftest import PHONE, playwright_api, running_demo

expect = playwright_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LEADER, PASSWORD = "13800000002", "demo12345"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    with running_demo(tmp_path_factory.mktemp("e2e-distribution")) as base:
        yield base


@pytest.fixture
def contexts(pages, demo_server):
    return lambda **options: pages(demo_server, **options)


def test_a_visitor_registers_by_the_share_link_and_joins_the_team(contexts):
    leader = contexts()
    leader.goto("/login?next=/distribution/share")
    leader.fill("input[name=login]", LEADER)
    leader.fill("input[name=password]", PASSWORD)
    leader.locator("form[action='/login'] button[type=submit]").click()
    expect(leader).to_have_url(re.compile(r"/distribution/share$"))
    link = leader.locator("#share-link").input_value()
    assert "ref=" in link
    qr = leader.locator("img.qr")
    expect(qr).to_be_visible()
    assert leader.evaluate("document.querySelector('img.qr').naturalWidth") > 0  # the SVG QR code loaded
    shared = urlsplit(link)

    visitor = contexts(**PHONE)
    visitor.goto(f"{shared.path}?{shared.query}")
    visitor.goto("/register")
    expect(visitor.locator("form[action='/register']")).to_be_visible()
    visitor.fill("input[name=login]", "13912345678")
    visitor.fill("input[name=display_name]", "新茶友 小周")
    visitor.fill("input[name=password]", "a good long password")
    visitor.locator("form[action='/register'] button[type=submit]").click()
    expect(visitor).to_have_url(re.compile(r"/me$"))

    leader.goto("/distribution/team")
    expect(leader.locator(".team-name", has_text="新茶友 小周")).to_be_visible()
