"""Members and groups in the console, the plugins page, the ledger, the audit log and the dashboard."""

import re
from datetime import timedelta

from qunshang.console.models import AuditEntry
from qunshang.groups import service as groups
from qunshang.groups.models import Announcement, GroupMembership
from qunshang.ledger.models import Account
from qunshang.members.models import Member, MemberRole
from qunshang.orders.models import Order
from qunshang.testing import make_member

from .conftest import post_form, sign_in, staff
from .test_console_orders import _order, _paid


async def test_member_search_profile_tags_level_and_disable(owner_client):
    m = await make_member("13900000001", display_name="小红")
    await make_member("13900000002", display_name="小明")
    html = (await owner_client.get("/console/members?q=小红")).text
    assert "小红" in html and "小明" not in html
    await post_form(owner_client, f"/console/members/{m.id}/tags", {"tag": "VIP"})
    assert "vip" in (await owner_client.get("/console/members?tag=vip")).text
    await post_form(owner_client, f"/console/members/{m.id}/level", {"level": "fan", "reason": "active buyer"})
    assert (await Member.get(id=m.id)).level == "fan"
    assert (await post_form(owner_client, f"/console/members/{m.id}/level", {"level": "king"})).status_code == 400
    await post_form(owner_client, f"/console/members/{m.id}/active", {"active": "0"})
    assert (await Member.get(id=m.id)).is_active is False
    actions = set(await AuditEntry.filter(target_type="member", target_id=str(m.id)).values_list("action", flat=True))
    assert actions == {"member.tags", "member.level", "member.disable"}
    page = (await owner_client.get(f"/console/members/{m.id}")).text
    assert "vip" in page


async def test_roles_are_set_through_the_members_service(owner_client):
    m = await make_member("staff@example.com")
    r = await post_form(owner_client, f"/console/members/{m.id}/roles", {"roles": ["operator", "host"]})
    assert r.status_code == 303
    assert sorted(await MemberRole.filter(member_id=m.id).values_list("role", flat=True)) == ["host", "operator"]
    assert (await post_form(owner_client, f"/console/members/{m.id}/roles", {"roles": ["emperor"]})).status_code == 400
    entry = await AuditEntry.get(action="member.roles")
    assert entry.before == {"roles": []} and entry.after == {"roles": ["host", "operator"]}


async def test_operator_cannot_change_roles_or_disable_the_owner(make_app):
    async with make_app() as client:
        owner = await staff("owner@example.com", roles=["owner"])
        await staff("op@example.com", roles=["operator"])
        await sign_in(client, "op@example.com")
        assert (await post_form(client, f"/console/members/{owner.id}/roles", {"roles": []})).status_code == 403
        assert (await post_form(client, f"/console/members/{owner.id}/active", {"active": "0"})).status_code == 403
        assert (await Member.get(id=owner.id)).is_active


async def test_groups_list_approve_and_announce(owner_client):
    runtime = owner_client.runtime
    leader = await make_member("leader@example.com")
    group = await groups.create_group(runtime, leader, "杭州茶友", join_policy="approval")
    applicant = await make_member("fan@example.com", display_name="Applicant")
    await groups.join(runtime, group.id, applicant)
    html = (await owner_client.get("/console/groups")).text
    assert "杭州茶友" in html
    html = (await owner_client.get(f"/console/groups/{group.id}")).text
    assert "Applicant" in html
    r = await post_form(owner_client, f"/console/groups/{group.id}/requests/{applicant.id}", {"decision": "approve"})
    assert r.status_code == 303
    assert (await GroupMembership.get(group_id=group.id, member_id=applicant.id)).status == "active"
    r = await post_form(owner_client, f"/console/groups/{group.id}/announcements", {"title": "Tasting", "body": "<b>Sat</b>"})
    assert r.status_code == 303 and await Announcement.filter(group_id=group.id).count() == 1
    html = (await owner_client.get(f"/console/groups/{group.id}")).text
    assert "&lt;b&gt;Sat&lt;/b&gt;" in html
    assert {"group.approve", "group.announce"} <= set(await AuditEntry.all().values_list("action", flat=True))


async def test_plugins_page_shows_status_settings_and_errors(make_app):
    async with make_app(enabled=["distribution"], settings={"distribution": {}}) as client:
        await staff("owner@example.com", roles=["owner"])
        await sign_in(client, "owner@example.com")
        html = (await client.get("/console/plugins")).text
        assert "distribution" in html and "已启用" in html


async def test_plugins_page_shows_an_invalid_block_of_a_disabled_plugin():
    from qunshang.app import build_runtime
    from qunshang.config import Config
    from qunshang.console.system import plugin_rows

    runtime = build_runtime(Config(database={"url": "sqlite:///tmp/unused.db"},
                                   plugins={"enabled": [], "distribution": {"levels": "many"}}))
    [row] = [r for r in plugin_rows(runtime) if r["id"] == "distribution"]
    assert row["status"] == "disabled" and row["error"].startswith("[plugins.distribution]")


async def test_ledger_page_filters_and_check(owner_client):
    order = await _paid(owner_client, await _order(owner_client.runtime))
    html = (await owner_client.get(f"/console/ledger?ref=order:{order.id}")).text
    assert f"order:{order.id}" in html
    html = (await owner_client.get("/console/ledger?ref=order:0")).text
    assert "<td class=\"num\">" not in html.split("<h2>")[2]
    html = (await owner_client.get("/console/ledger/check")).text
    assert 'class="flash ok"' in html
    await Account.filter(code="platform:cash:offline").update(balance=1)
    html = (await owner_client.get("/console/ledger/check")).text
    assert 'class="flash error"' in html and "account_balance" in html


async def test_audit_log_filters(owner_client):
    a = await make_member("a@example.com")
    await post_form(owner_client, f"/console/members/{a.id}/tags", {"tag": "x"})
    await post_form(owner_client, "/console/lang", {"locale": "en"})
    html = (await owner_client.get("/console/audit?action=member.tags")).text
    assert "member.tags" in html and "member.locale" not in html
    html = (await owner_client.get(f"/console/audit?target_type=member&target_id={a.id}")).text
    assert "member.tags" in html
    html = (await owner_client.get("/console/audit?actor_id=999")).text
    assert "member.tags" not in html


async def test_dashboard_figures_and_svg_chart(owner_client, clock):
    runtime = owner_client.runtime
    order = await _paid(owner_client, await _order(runtime))
    old = await _order(runtime, title="Old")
    await Order.filter(id=old.id).update(status="paid", paid_at=clock() - timedelta(days=10))
    await post_form(owner_client, "/console/lang", {"locale": "en"})
    html = (await owner_client.get("/console/")).text
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    today, week, month = rows
    assert "¥100.00" in today and "¥100.00" in week and "¥200.00" in month
    assert "<svg" in html and html.count("<rect ") == 30
    assert order.total == 10000


async def test_dashboard_days_are_the_deployments_local_days(owner_client, clock):
    """The clock reads 08:00 UTC, 16:00 in Asia/Shanghai (the default ``[app] timezone``)."""
    runtime = owner_client.runtime
    after_local_midnight = await _order(runtime, title="Early")
    before_local_midnight = await _order(runtime, title="Late")
    await Order.filter(id=after_local_midnight.id).update(status="paid", paid_at=clock() - timedelta(hours=15))
    await Order.filter(id=before_local_midnight.id).update(status="paid", paid_at=clock() - timedelta(hours=17))
    await post_form(owner_client, "/console/lang", {"locale": "en"})
    html = (await owner_client.get("/console/")).text
    today, week, _month = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert "¥100.00" in today and "¥200.00" in week  # 01:00 local today counts, 23:00 yesterday does not
    bars = dict(title.split(": ") for title in re.findall(r"<title>(\d{4}-\d\d-\d\d: [^<]*)</title>", html))
    assert bars["2026-01-05"].endswith("¥100.00") and bars["2026-01-04"].endswith("¥100.00")
