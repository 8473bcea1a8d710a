"""Member-supplied text renders inert: names, group descriptions, announcements, codes in links."""

import pytest

from .shop import XSS, log_in, seed

ACTIVE = ("<script>alert", "<svg onload", 'href="javascript:', "<image")


def assert_inert(html: str, where: str) -> None:
    for payload in ACTIVE:
        assert payload not in html, (where, payload)


@pytest.mark.parametrize("theme", ["default", "chayou"])
async def test_user_text_is_escaped_on_every_page(make_app, theme):
    async with make_app(config={"theme": {"name": theme}}) as client:
        shop = await seed(client.runtime, evil=XSS)
        await log_in(client)
        pages = ["/", "/c/green-tea", "/search?q=" + XSS, f"/p/{shop.product.id}", "/me", "/groups",
                 f"/groups/{shop.group.id}", f"/g/{shop.invite.code}", f"/orders/{shop.order.id}", "/orders"]
        for path in pages:
            r = await client.get(path)
            assert r.status_code == 200, path
            assert_inert(r.text, path)
        group = await client.get(f"/groups/{shop.group.id}")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;a href=&#34;javascript:alert(3)&#34;&gt;" in group.text
        assert "&lt;svg onload=alert(2)&gt;&lt;image href=&#34;javascript:alert(4)&#34;/&gt;" in group.text
        me = await client.get("/me")
        assert "你好，&lt;script&gt;" in me.text


async def test_codes_from_links_are_escaped(make_app):
    async with make_app() as client:
        await seed(client.runtime)
        await client.get("/?ref=" + "%22%3E%3Cscript%3Ealert(1)%3C/script%3E")
        r = await client.get("/register", headers={"Accept-Language": "en"})
        assert "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
        assert_inert(r.text, "register")
        nxt = await client.get("/login?next=%22%3E%3Cscript%3Ealert(1)%3C/script%3E")
        assert_inert(nxt.text, "login next")


async def test_pages_forbid_inline_scripts(client):
    r = await client.get("/")
    policy = r.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "object-src 'none'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "<script>" not in r.text  # the page itself needs no inline script
    assert r.headers["cache-control"] == "private, no-cache" and r.headers["vary"] == "Accept-Language, Cookie"
