"""Plugins add console pages, permissions and dashboard widgets through the hooks."""

from qunshang.console.models import AuditEntry

from . import reports_plugin
from .conftest import post_form, sign_in, staff


async def test_a_plugin_page_is_mounted_guarded_and_in_the_navigation(make_app):
    async with make_app(extra_plugins=[reports_plugin]) as client:
        await staff("op@example.com", roles=["operator"])
        await sign_in(client, "op@example.com")
        home = (await client.get("/console/")).text
        assert 'href="/console/reports"' in home
        page = await client.get("/console/reports")
        assert page.status_code == 200 and "weekly numbers" in page.text
        assert (await post_form(client, "/console/reports/run")).status_code == 403  # reports.run: finance only


async def test_a_plugin_action_with_its_own_permission(make_app):
    async with make_app(extra_plugins=[reports_plugin]) as client:
        await staff("fin@example.com", roles=["finance"])
        await sign_in(client, "fin@example.com")
        r = await post_form(client, "/console/reports/run")
        assert r.status_code == 303
        assert await AuditEntry.filter(action="reports.run", actor_login="fin@example.com").exists()


async def test_plugin_page_is_hidden_from_roles_without_its_permission(make_app):
    async with make_app(extra_plugins=[reports_plugin]) as client:
        await staff("host@example.com", roles=["host"])
        await sign_in(client, "host@example.com")
        assert 'href="/console/reports"' not in (await client.get("/console/")).text
        assert (await client.get("/console/reports")).status_code == 403


async def test_widgets_show_by_permission_and_text_is_escaped(make_app):
    async with make_app(extra_plugins=[reports_plugin]) as client:
        await staff("op@example.com", roles=["operator"])
        await staff("fin@example.com", roles=["finance"])
        await sign_in(client, "op@example.com")
        html = (await client.get("/console/")).text
        assert "<strong id='tickets'>7</strong>" in html and "Finance only" not in html
        await client.post("/console/logout", headers=await client.form_headers())
        await sign_in(client, "fin@example.com")
        html = (await client.get("/console/")).text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
