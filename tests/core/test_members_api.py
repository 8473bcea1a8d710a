"""Staff management of members over HTTP: permissions, search, roles, tags, levels, accounts."""

import pytest

from qunshang import hookimpl, i18n
from qunshang.errors import QunshangError
from qunshang.members import api, service
from qunshang.members.models import Level, Member, MemberTag
from qunshang.testing import bearer, make_member


async def staff(role, login=None):
    member = await make_member(login or f"{role}@example.com", roles=[role])
    return member, await bearer(member)


async def test_buyers_and_anonymous_callers_are_kept_off_staff_routes(client):
    target = await make_member("target@example.com")
    buyer = await bearer(await make_member("buyer@example.com"))
    routes = [
        ("GET", "/api/members", None),
        ("GET", f"/api/members/{target.id}", None),
        ("PUT", f"/api/members/{target.id}/roles", {"roles": ["operator"]}),
        ("POST", f"/api/members/{target.id}/tags", {"tag": "vip"}),
        ("DELETE", f"/api/members/{target.id}/tags?tag=vip", None),
        ("PUT", f"/api/members/{target.id}/level", {"level": "fan", "reason": "x"}),
        ("POST", f"/api/members/{target.id}/disable", None),
        ("POST", f"/api/members/{target.id}/enable", None),
    ]
    for method, url, body in routes:
        r = await client.request(method, url, json=body, headers=buyer)
        assert r.status_code == 403, (method, url)
        assert r.json()["error"]["code"] == "permission_denied"
        r = await client.request(method, url, json=body, headers=await client.form_headers())
        assert r.status_code == 401, (method, url)
    stored = await Member.get(id=target.id)
    assert stored.level == Level.USER and stored.is_active and not await MemberTag.exists()


async def test_salespeople_see_members_but_cannot_change_them(client):
    target = await make_member("target@example.com")
    _, sales = await staff("salesperson")
    assert (await client.get("/api/members", headers=sales)).status_code == 200
    assert (await client.get(f"/api/members/{target.id}", headers=sales)).status_code == 200
    assert (await client.post(f"/api/members/{target.id}/tags", json={"tag": "vip"}, headers=sales)).status_code == 403
    assert (await client.put(f"/api/members/{target.id}/roles", json={"roles": ["host"]}, headers=sales)).status_code == 403


async def test_search_filters_and_pages(client):
    _, operator = await staff("operator")
    li = await make_member("13800138000", display_name="李雷")
    han = await make_member("han@example.com", display_name="韩梅梅", level=Level.FAN)
    await make_member("sales@example.com", roles=["salesperson"])
    await service.add_tag(li.id, "VIP")

    async def ids(query):
        r = await client.get(f"/api/members?{query}", headers=operator)
        assert r.status_code == 200, r.text
        return [m["id"] for m in r.json()["items"]]

    assert await ids("q=1380013") == [li.id]
    assert await ids("q=梅") == [han.id]
    assert await ids("q=HAN@") == [han.id]
    assert await ids("tag=vip") == [li.id]
    assert await ids("level=fan") == [han.id]
    assert len(await ids("role=salesperson")) == 1
    page = await client.get("/api/members?limit=2", headers=operator)
    assert len(page.json()["items"]) == 2 and page.json()["has_more"] is True
    last = await client.get("/api/members?limit=2&offset=2", headers=operator)
    assert len(last.json()["items"]) == 2 and last.json()["has_more"] is False
    item = next(m for m in last.json()["items"] + page.json()["items"] if m["id"] == li.id)
    assert item["tags"] == ["vip"] and item["roles"] == [] and "password_hash" not in item
    for bad in ("limit=0", "limit=201", "offset=-1", "level=king", "q=" + "x" * 101, "q=a%00b", "role=Bad%20Role"):
        r = await client.get(f"/api/members?{bad}", headers=operator)
        assert r.status_code == 400, bad


async def test_member_detail_shows_roles_tags_and_origin(client):
    _, operator = await staff("operator")
    member = await make_member("li@example.com", roles=["host"], registered_via={"source": "poster"})
    await service.add_tag(member.id, "铁粉")
    r = await client.get(f"/api/members/{member.id}", headers=operator)
    assert r.status_code == 200
    body = r.json()
    assert body["roles"] == ["host"] and body["tags"] == ["铁粉"] and body["registered_via"] == {"source": "poster"}
    assert "password_hash" not in body
    assert (await client.get("/api/members/999999", headers=operator)).status_code == 404


async def test_roles_over_http(client):
    owner, owner_auth = await staff("owner")
    _, operator = await staff("operator")
    target = await make_member("target@example.com")
    r = await client.put(f"/api/members/{target.id}/roles", json={"roles": ["salesperson", "host"]}, headers=operator)
    assert r.status_code == 200 and r.json() == {"roles": ["host", "salesperson"]}
    r = await client.put(f"/api/members/{target.id}/roles", json={"roles": ["wizard"]}, headers=operator)
    assert r.status_code == 400 and r.json()["error"]["code"] == "unknown_role"
    r = await client.put(f"/api/members/{target.id}/roles", json={"roles": ["owner"]}, headers=operator)
    assert r.status_code == 403 and r.json()["error"]["code"] == "owner_required"
    r = await client.put(f"/api/members/{owner.id}/roles", json={"roles": []}, headers=owner_auth)
    assert r.status_code == 409 and r.json()["error"]["code"] == "last_owner"
    r = await client.put(f"/api/members/{target.id}/roles", json={"roles": ["owner"]}, headers=owner_auth)
    assert r.status_code == 200
    assert await service.member_roles(target.id) == ["owner"]
    r = await client.put("/api/members/999999/roles", json={"roles": []}, headers=owner_auth)
    assert r.status_code == 404


async def test_granted_roles_take_effect_on_permissions(client):
    owner, owner_auth = await staff("owner")
    target = await make_member("target@example.com")
    target_auth = await bearer(target)
    assert (await client.get("/api/members", headers=target_auth)).status_code == 403
    await client.put(f"/api/members/{target.id}/roles", json={"roles": ["salesperson"]}, headers=owner_auth)
    assert (await client.get("/api/members", headers=target_auth)).status_code == 200
    await client.put(f"/api/members/{target.id}/roles", json={"roles": []}, headers=owner_auth)
    assert (await client.get("/api/members", headers=target_auth)).status_code == 403


async def test_tags_over_http(client):
    _, operator = await staff("operator")
    member = await make_member("li@example.com")
    r = await client.post(f"/api/members/{member.id}/tags", json={"tag": " Live  Buyer "}, headers=operator)
    assert r.status_code == 200 and r.json() == {"tags": ["live buyer"]}
    r = await client.post(f"/api/members/{member.id}/tags", json={"tag": "x" * 33}, headers=operator)
    assert r.status_code == 400
    r = await client.delete(f"/api/members/{member.id}/tags", params={"tag": "LIVE BUYER"}, headers=operator)
    assert r.status_code == 200 and r.json() == {"tags": []}
    assert (await client.post("/api/members/999999/tags", json={"tag": "vip"}, headers=operator)).status_code == 404


async def test_level_over_http_fires_the_hook(make_app):
    changes = []

    class Recorder:
        @hookimpl
        def member_level_changed(self, member, old_level, new_level, reason):
            changes.append((member.id, old_level, new_level, reason))

    async with make_app(extra_plugins=[Recorder()]) as client:
        _, operator = await staff("operator")
        member = await make_member("li@example.com")
        url = f"/api/members/{member.id}/level"
        r = await client.put(url, json={"level": "loyal_fan", "reason": "top buyer"}, headers=operator)
        assert r.status_code == 200 and r.json() == {"id": member.id, "level": "loyal_fan"}
        assert (await client.put(url, json={"level": "loyal_fan", "reason": "again"}, headers=operator)).status_code == 200
        assert (await client.put(url, json={"level": "king", "reason": "x"}, headers=operator)).status_code == 400
        assert (await client.put(url, json={"level": "fan"}, headers=operator)).status_code == 400
        assert changes == [(member.id, "user", "loyal_fan", "top buyer")]
        r = await client.put("/api/members/999999/level", json={"level": "fan", "reason": "x"}, headers=operator)
        assert r.status_code == 404


async def test_disabling_an_account_stops_its_tokens_until_enabled(client):
    _, operator = await staff("operator")
    owner, _ = await staff("owner")
    member = await make_member("li@example.com")
    member_auth = await bearer(member)
    r = await client.post(f"/api/members/{member.id}/disable", headers=operator)
    assert r.status_code == 200 and r.json() == {"id": member.id, "is_active": False}
    assert (await client.get("/api/me", headers=member_auth)).status_code == 401
    assert (await client.post(f"/api/members/{member.id}/enable", headers=operator)).json()["is_active"] is True
    assert (await client.get("/api/me", headers=member_auth)).status_code == 200
    r = await client.post(f"/api/members/{owner.id}/disable", headers=operator)
    assert r.status_code == 403 and r.json()["error"]["code"] == "owner_required"
    operator_id = (await client.get("/api/me", headers=operator)).json()["id"]
    r = await client.post(f"/api/members/{operator_id}/disable", headers=operator)
    assert r.status_code == 409 and r.json()["error"]["code"] == "cannot_disable_self"


def test_every_members_message_has_a_chinese_translation():
    classes = [
        obj for module in (service, api) for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, QunshangError) and obj.__module__ == module.__name__
    ]
    assert len(classes) >= 10
    for cls in classes:
        assert i18n.gettext("zh_CN", cls.message) != cls.message, cls.__name__


@pytest.mark.parametrize("role", ["owner", "operator"])
async def test_staff_with_members_permissions_can_manage(client, role):
    _, auth = await staff(role)
    member = await make_member("li@example.com")
    assert (await client.post(f"/api/members/{member.id}/tags", json={"tag": "vip"}, headers=auth)).status_code == 200
