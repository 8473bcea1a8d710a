"""Sign-in, navigation by role, language switch, CSRF and errors rendered as pages."""

from qunshang.console.models import AuditEntry

from .conftest import csrf_of, post_form, sign_in, staff


async def test_anonymous_is_sent_to_the_login_page(client):
    r = await client.get("/console/orders")
    assert r.status_code == 303
    assert r.headers["location"] == "/console/login?next=/console/orders"


async def test_staff_signs_in_and_lands_where_they_wanted(client):
    await staff("op@example.com", roles=["operator"])
    r = await sign_in(client, "op@example.com", next_="/console/products")
    assert r.status_code == 303 and r.headers["location"] == "/console/products"
    page = await client.get("/console/products")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]


async def test_login_rotates_the_session_id(client):
    await staff("op@example.com", roles=["operator"])
    await client.get("/console/login")
    await post_form(client, "/console/lang", {"locale": "en"})  # an anonymous session
    before = client.cookies.get("qunshang_session")
    await sign_in(client, "op@example.com")
    assert client.cookies.get("qunshang_session") not in (None, before)


async def test_plain_member_cannot_sign_in(client):
    await staff("buyer@example.com")
    r = await sign_in(client, "buyer@example.com")
    assert r.status_code == 403
    assert "此账号无权使用管理后台" in r.text
    assert (await client.get("/console/")).status_code == 303


async def test_wrong_password_is_shown_on_the_form(client):
    await staff("op@example.com", roles=["operator"])
    r = await sign_in(client, "op@example.com", password="wrong password 1")
    assert r.status_code == 401 and 'role="alert"' in r.text


async def test_open_redirect_is_refused(client):
    await staff("op@example.com", roles=["operator"])
    r = await sign_in(client, "op@example.com", next_="https://evil.example/")
    assert r.headers["location"] == "/console"
    await client.post("/console/logout", headers=await client.form_headers())
    r = await sign_in(client, "op@example.com", next_="//evil.example/")
    assert r.headers["location"] == "/console"


async def test_navigation_shows_what_the_roles_permit(client):
    await staff("fin@example.com", roles=["finance"])
    await sign_in(client, "fin@example.com")
    html = (await client.get("/console/")).text
    assert 'href="/console/orders"' in html and 'href="/console/ledger"' in html
    assert 'href="/console/products"' not in html and 'href="/console/audit"' not in html
    assert 'href="/console/plugins"' not in html


async def test_owner_sees_every_section(owner_client):
    html = (await owner_client.get("/console/")).text
    for path in ("/products", "/orders", "/members", "/groups", "/ledger", "/plugins", "/audit"):
        assert f'href="/console{path}"' in html


async def test_language_switch_sets_the_members_preference_and_is_audited(owner_client):
    r = await post_form(owner_client, "/console/lang", {"locale": "en", "next": "/console/orders"})
    assert r.status_code == 303 and r.headers["location"] == "/console/orders"
    assert "Orders" in (await owner_client.get("/console/orders")).text
    await post_form(owner_client, "/console/lang", {"locale": "zh_CN"})
    html = (await owner_client.get("/console/orders")).text
    assert "订单" in html and 'lang="zh-CN"' in html
    assert await AuditEntry.filter(action="member.locale").count() == 2


async def test_a_form_without_the_csrf_token_is_refused(owner_client):
    r = await owner_client.post("/console/products/new", data={"title": "x", "sku_code": "A", "sku_price": "1"})
    assert r.status_code == 403
    assert "form expired" in r.text or "表单已过期" in r.text
    from qunshang.catalog.models import Product

    assert await Product.all().count() == 0


async def test_every_form_carries_the_csrf_token(owner_client):
    from qunshang.catalog import service as catalog

    product = await catalog.create_product(title="Tea", skus=[catalog.SkuInput("T-1", 100, 1)])
    for url in ("/console/", "/console/products/new", f"/console/products/{product.id}", "/console/products/import",
                f"/console/members/{owner_client.member.id}"):
        html = (await owner_client.get(url)).text
        forms = html.count("<form method=\"post\"")
        assert forms and html.count('name="_csrf_token"') >= forms, url


async def test_unknown_page_is_a_console_page_not_json(owner_client):
    r = await owner_client.get("/console/products/999999")
    assert r.status_code == 404 and "<html" in r.text


async def test_logout_ends_the_session(owner_client):
    r = await owner_client.post("/console/logout", headers=await owner_client.form_headers())
    assert r.status_code == 303
    assert (await owner_client.get("/console/")).status_code == 303


async def test_login_page_speaks_the_browsers_language(client):
    r = await client.get("/console/login", headers={"Accept-Language": "en-US"})
    assert "Sign in to the console" in r.text
    assert csrf_of(r.text)
