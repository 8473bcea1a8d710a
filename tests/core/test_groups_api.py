"""Groups over HTTP: permissions, status codes, visibility, invitations, QR codes, announcements."""

import pytest
from argon2 import PasswordHasher

from qunshang import i18n
from qunshang.errors import QunshangError
from qunshang.groups import service
from qunshang.groups.models import Group, GroupMembership
from qunshang.members import passwords
from qunshang.testing import bearer, make_member


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


async def person(login, roles=()):
    member = await make_member(login, roles=roles)
    return member, await bearer(member)


async def create(client, auth, **body):
    body = {"name": "茶友会", "description": "喝茶", "join_policy": "open", **body}
    return await client.post("/api/groups", json=body, headers=auth)


async def test_creating_groups_needs_the_permission(client):
    _, buyer = await person("buyer@example.com")
    sales_member, sales = await person("sales@example.com", ["salesperson"])
    _, operator = await person("op@example.com", ["operator"])
    target, _ = await person("target@example.com")

    r = await create(client, buyer)
    assert r.status_code == 403 and r.json()["error"]["code"] == "permission_denied"
    r = await create(client, sales)
    assert r.status_code == 201, r.text
    assert r.json()["owner_id"] == sales_member.id and r.json()["member_count"] == 1
    assert (await create(client, sales, owner_id=target.id)).status_code == 403
    r = await create(client, operator, owner_id=target.id)
    assert r.status_code == 201 and r.json()["owner_id"] == target.id
    r = await client.post("/api/groups", json={"name": "x"}, headers=await client.form_headers())
    assert r.status_code == 401
    for bad in ({"name": ""}, {"join_policy": "secret"}, {"member_count": 99}, {"name": "x" * 65}):
        assert (await create(client, sales, **bad)).status_code == 400, bad
    assert await Group.all().count() == 2


async def test_script_in_user_content_round_trips_as_inert_json(client):
    _, sales = await person("sales@example.com", ["salesperson"])
    script = "<script>alert('群')</script>"
    r = await create(client, sales, name="<img src=x onerror=alert(1)>", description=script)
    group_id = r.json()["id"]
    detail = await client.get(f"/api/groups/{group_id}")
    assert detail.headers["content-type"].startswith("application/json")
    assert detail.json()["description"] == script
    assert detail.json()["name"] == "<img src=x onerror=alert(1)>"
    r = await client.post(f"/api/groups/{group_id}/announcements", json={"title": script, "body": script}, headers=sales)
    assert r.status_code == 201
    listed = await client.get(f"/api/groups/{group_id}/announcements")
    assert listed.headers["content-type"].startswith("application/json")
    assert listed.json()["items"][0]["title"] == script and listed.json()["items"][0]["body"] == script


async def test_join_leave_and_my_groups(client):
    owner_member, owner = await person("owner@example.com", ["host"])
    li_member, li = await person("li@example.com")
    group_id = (await create(client, owner)).json()["id"]
    r = await client.post(f"/api/groups/{group_id}/join", json={"via": "livestream"}, headers=li)
    assert r.status_code == 200
    assert r.json() | {"joined_at": None} == {
        "group_id": group_id, "member_id": li_member.id, "role": "member", "status": "active", "via": "livestream",
        "joined_at": None,
    }
    assert (await client.post(f"/api/groups/{group_id}/join", json={}, headers=li)).json()["status"] == "active"
    assert (await client.get(f"/api/groups/{group_id}")).json()["member_count"] == 2
    r = await client.post(f"/api/groups/{group_id}/join", json={"via": "telepathy"}, headers=li)
    assert r.status_code == 400
    mine = await client.get("/api/me/groups", headers=li)
    assert [(g["id"], g["membership"]["role"]) for g in mine.json()] == [(group_id, "member")]
    assert (await client.post(f"/api/groups/{group_id}/leave", headers=li)).status_code == 204
    assert (await client.get("/api/me/groups", headers=li)).json() == []
    r = await client.post(f"/api/groups/{group_id}/leave", headers=owner)
    assert r.status_code == 409 and r.json()["error"]["code"] == "owner_cannot_leave"
    assert (await client.get(f"/api/groups/{group_id}")).json()["member_count"] == 1
    assert (await client.post("/api/groups/999999/join", json={}, headers=li)).status_code == 404
    assert (await client.get("/api/me/groups")).status_code == 401


async def test_invite_only_groups_over_http(client, clock):
    _, owner = await person("owner@example.com", ["host"])
    li_member, li = await person("li@example.com")
    _, stranger = await person("stranger@example.com")
    group_id = (await create(client, owner, join_policy="invite", name="内部群")).json()["id"]

    r = await client.post(f"/api/groups/{group_id}/join", json={}, headers=li)
    assert r.status_code == 403 and r.json()["error"]["code"] == "invite_required"
    r = await client.post(f"/api/groups/{group_id}/join", json={"invite_code": "guess"}, headers=li)
    assert r.status_code == 403 and r.json()["error"]["code"] == "invite_invalid"
    for url in (f"/api/groups/{group_id}", f"/api/groups/{group_id}/members", f"/api/groups/{group_id}/announcements"):
        assert (await client.get(url, headers=stranger)).status_code == 404, url
    assert group_id not in [g["id"] for g in (await client.get("/api/groups")).json()["items"]]

    invite = await client.post(f"/api/groups/{group_id}/invites", json={"via": "group_qr", "max_uses": 1, "expires_in_hours": 24}, headers=owner)
    assert invite.status_code == 201, invite.text
    code = invite.json()["code"]
    assert invite.json()["link"] == f"http://127.0.0.1:8000/g/{code}"
    landing = await client.get(f"/api/groups/invites/{code}")
    assert landing.status_code == 200
    assert landing.json()["group"]["name"] == "内部群" and landing.json()["usable"] is True
    qr = await client.get(f"/api/groups/invites/{code}/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in qr.content

    r = await client.post(f"/api/groups/invites/{code}/join", json={}, headers=li)
    assert r.status_code == 200 and r.json()["via"] == "group_qr" and r.json()["member_id"] == li_member.id
    assert (await client.get(f"/api/groups/{group_id}", headers=li)).json()["membership"]["status"] == "active"
    r = await client.post(f"/api/groups/invites/{code}/join", json={}, headers=stranger)
    assert r.status_code == 403 and r.json()["error"]["code"] == "invite_invalid"
    assert (await client.get(f"/api/groups/invites/{code}")).json()["usable"] is False
    assert (await client.get("/api/groups/invites/nope/qr.svg")).status_code == 404
    assert (await client.post("/api/groups/invites/nope/join", json={}, headers=li)).status_code == 404


async def test_invitation_management_is_for_group_admins(client):
    _, owner = await person("owner@example.com", ["host"])
    _, li = await person("li@example.com")
    group_id = (await create(client, owner)).json()["id"]
    await client.post(f"/api/groups/{group_id}/join", json={}, headers=li)
    r = await client.post(f"/api/groups/{group_id}/invites", json={}, headers=li)
    assert r.status_code == 403 and r.json()["error"]["code"] == "group_admin_required"
    assert (await client.get(f"/api/groups/{group_id}/invites", headers=li)).status_code == 403
    for bad in ({"max_uses": 0}, {"max_uses": 2.5}, {"max_uses": 10**12}, {"expires_in_hours": -1}, {"via": "spam"}, {"code": "mine"}):
        assert (await client.post(f"/api/groups/{group_id}/invites", json=bad, headers=owner)).status_code == 400, bad
    invite = (await client.post(f"/api/groups/{group_id}/invites", json={}, headers=owner)).json()
    listed = await client.get(f"/api/groups/{group_id}/invites", headers=owner)
    assert [i["id"] for i in listed.json()] == [invite["id"]]
    assert (await client.delete(f"/api/groups/{group_id}/invites/{invite['id']}", headers=li)).status_code == 403
    assert (await client.delete(f"/api/groups/{group_id}/invites/{invite['id']}", headers=owner)).status_code == 204
    assert (await client.get(f"/api/groups/invites/{invite['code']}")).status_code == 404


async def test_approval_requests_over_http(client):
    _, owner = await person("owner@example.com", ["host"])
    li_member, li = await person("li@example.com")
    _, wang = await person("wang@example.com")
    group_id = (await create(client, owner, join_policy="approval")).json()["id"]
    r = await client.post(f"/api/groups/{group_id}/join", json={}, headers=li)
    assert r.json()["status"] == "pending"
    for viewer in (li, wang):
        r = await client.get(f"/api/groups/{group_id}/members?status=pending", headers=viewer)
        assert r.status_code == 403 and "items" not in r.json()
        assert (await client.get(f"/api/groups/{group_id}/members", headers=viewer)).status_code == 403
    pending = await client.get(f"/api/groups/{group_id}/members?status=pending", headers=owner)
    assert [m["member_id"] for m in pending.json()["items"]] == [li_member.id]
    assert (await client.get(f"/api/groups/{group_id}/members?status=left", headers=owner)).status_code == 400
    r = await client.post(f"/api/groups/{group_id}/members/{li_member.id}/approve", headers=wang)
    assert r.status_code == 403
    r = await client.post(f"/api/groups/{group_id}/members/{li_member.id}/approve", headers=owner)
    assert r.status_code == 200 and r.json()["status"] == "active"
    r = await client.post(f"/api/groups/{group_id}/members/{li_member.id}/reject", headers=owner)
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_pending"
    assert (await client.get(f"/api/groups/{group_id}")).json()["member_count"] == 2


async def test_moderation_over_http(client):
    owner_member, owner = await person("owner@example.com", ["host"])
    li_member, li = await person("li@example.com")
    wang_member, wang = await person("wang@example.com")
    group_id = (await create(client, owner)).json()["id"]
    for auth in (li, wang):
        await client.post(f"/api/groups/{group_id}/join", json={}, headers=auth)
    r = await client.put(f"/api/groups/{group_id}/members/{li_member.id}/role", json={"role": "admin"}, headers=wang)
    assert r.status_code == 403 and r.json()["error"]["code"] == "group_owner_required"
    r = await client.put(f"/api/groups/{group_id}/members/{li_member.id}/role", json={"role": "owner"}, headers=owner)
    assert r.status_code == 400
    assert (await client.put(f"/api/groups/{group_id}/members/{li_member.id}/role", json={"role": "admin"}, headers=owner)).status_code == 204
    assert (await client.delete(f"/api/groups/{group_id}/members/{wang_member.id}", headers=li)).status_code == 204
    assert (await client.delete(f"/api/groups/{group_id}/members/{owner_member.id}", headers=li)).status_code == 409
    r = await client.patch(f"/api/groups/{group_id}", json={"description": "新简介"}, headers=li)
    assert r.status_code == 200 and r.json()["description"] == "新简介"
    r = await client.post(f"/api/groups/{group_id}/transfer", json={"member_id": li_member.id}, headers=owner)
    assert r.status_code == 200 and r.json()["owner_id"] == li_member.id
    assert (await client.post(f"/api/groups/{group_id}/leave", headers=owner)).status_code == 204
    assert await GroupMembership.filter(group_id=group_id, status="active").count() == 1
    assert (await client.get(f"/api/groups/{group_id}")).json()["member_count"] == 1


async def test_announcements_over_http(client):
    _, owner = await person("owner@example.com", ["host"])
    _, li = await person("li@example.com")
    group_id = (await create(client, owner, join_policy="approval")).json()["id"]
    r = await client.post(f"/api/groups/{group_id}/announcements", json={"title": "t", "body": "b"}, headers=li)
    assert r.status_code == 403
    for bad in ({"title": "", "body": "b"}, {"title": "t" * 101, "body": "b"}, {"title": "t", "body": "x" * 5001}, {"title": "t"}):
        assert (await client.post(f"/api/groups/{group_id}/announcements", json=bad, headers=owner)).status_code == 400, bad
    first = (await client.post(f"/api/groups/{group_id}/announcements", json={"title": "规则", "body": "友善"}, headers=owner)).json()
    second = (await client.post(f"/api/groups/{group_id}/announcements", json={"title": "活动", "body": "周五直播"}, headers=owner)).json()
    assert (await client.get(f"/api/groups/{group_id}/announcements")).status_code == 403
    assert (await client.get(f"/api/groups/{group_id}/announcements", headers=li)).status_code == 403
    assert (await client.post(f"/api/groups/{group_id}/announcements/{first['id']}/pin", json={"pinned": True}, headers=owner)).status_code == 204
    listed = await client.get(f"/api/groups/{group_id}/announcements", headers=owner)
    assert [a["id"] for a in listed.json()["items"]] == [first["id"], second["id"]]
    assert listed.json()["items"][0]["pinned"] is True
    assert (await client.delete(f"/api/groups/{group_id}/announcements/{second['id']}", headers=owner)).status_code == 204
    assert (await client.delete(f"/api/groups/{group_id}/announcements/{second['id']}", headers=owner)).status_code == 404


async def test_group_listing_pages_and_searches(client):
    _, owner = await person("owner@example.com", ["host"])
    ids = [(await create(client, owner, name=f"群{i}", join_policy="approval" if i % 2 else "open")).json()["id"] for i in range(5)]
    await create(client, owner, name="群secret", join_policy="invite")
    page = (await client.get("/api/groups?limit=2")).json()
    assert [g["id"] for g in page["items"]] == ids[::-1][:2] and page["has_more"] is True
    rest = (await client.get("/api/groups?limit=10&offset=2")).json()
    assert [g["id"] for g in rest["items"]] == ids[::-1][2:] and rest["has_more"] is False
    assert [g["name"] for g in (await client.get("/api/groups?q=群3")).json()["items"]] == ["群3"]
    assert (await client.get("/api/groups?q=secret")).json()["items"] == []
    for bad in ("limit=0", "limit=101", "offset=-1", "q=a%00"):
        assert (await client.get(f"/api/groups?{bad}")).status_code == 400, bad


async def test_cookie_authenticated_join_needs_the_csrf_header(client):
    _, owner = await person("owner@example.com", ["host"])
    group_id = (await create(client, owner)).json()["id"]
    r = await client.post(
        "/api/auth/register",
        json={"login": "li@example.com", "password": "correct horse", "display_name": "li"},
        headers=await client.form_headers(),
    )
    assert r.status_code == 201
    refused = await client.post(f"/api/groups/{group_id}/join", json={})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    assert (await client.get(f"/api/groups/{group_id}")).json()["member_count"] == 1
    joined = await client.post(f"/api/groups/{group_id}/join", json={}, headers=await client.form_headers())
    assert joined.status_code == 200 and joined.json()["status"] == "active"


async def test_group_errors_speak_chinese(client):
    _, owner = await person("owner@example.com", ["host"])
    group_id = (await create(client, owner, join_policy="invite")).json()["id"]
    _, li = await person("li@example.com")
    r = await client.post(f"/api/groups/{group_id}/join", json={}, headers={**li, "Accept-Language": "zh-CN"})
    assert r.json()["error"] == {"code": "invite_required", "message": "该群仅限受邀加入。"}


def test_every_groups_message_has_a_chinese_translation():
    classes = [
        obj for obj in vars(service).values()
        if isinstance(obj, type) and issubclass(obj, QunshangError) and obj.__module__ == service.__name__
    ]
    assert len(classes) >= 8
    for cls in classes:
        assert i18n.gettext("zh_CN", cls.message) != cls.message, cls.__name__
