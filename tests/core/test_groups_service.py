"""Group services: creation, join policies, invitations, moderation, counters, announcements."""

import asyncio
from datetime import timedelta

import pytest

from qunshang import hookimpl
from qunshang.errors import InvalidInput, NotFound, PermissionDenied
from qunshang.groups import service
from qunshang.groups.models import Announcement, Group, GroupInvite, GroupMembership, GroupRole, JoinPolicy
from qunshang.testing import make_member


class Recorder:
    """A test plugin recording the group hooks."""

    def __init__(self):
        self.created, self.joined, self.left = [], [], []

    @hookimpl
    def group_created(self, group):
        self.created.append((group.id, group.member_count))

    @hookimpl
    def group_member_joined(self, group, member, via):
        self.joined.append((group.id, member.id, via, group.member_count))

    @hookimpl
    def group_member_left(self, group, member):
        self.left.append((group.id, member.id, group.member_count))


@pytest.fixture
async def app(make_app):
    recorder = Recorder()
    async with make_app(extra_plugins=[recorder]) as client:
        client.recorder = recorder
        yield client


async def count_is_exact(group_id):
    """member_count equals the number of active memberships; returns it."""
    group = await Group.get(id=group_id)
    active = await GroupMembership.filter(group_id=group_id, status="active").count()
    assert group.member_count == active
    return active


async def status_of(group_id, member):
    return (await GroupMembership.get(group_id=group_id, member_id=member.id)).status


async def new_group(app, policy=JoinPolicy.OPEN, owner=None, name="茶友会"):
    owner = owner or await make_member(f"owner{await Group.all().count()}@example.com")
    return owner, await service.create_group(app.runtime, owner, name, "喝茶聊天", policy)


# --------------------------------------------------------------------------- creation


async def test_create_group_makes_the_owner_its_first_member(app):
    owner, group = await new_group(app)
    assert group.member_count == 1 and group.owner_id == owner.id
    membership = await GroupMembership.get(group_id=group.id, member_id=owner.id)
    assert (membership.role, membership.status, membership.via) == ("owner", "active", "owner")
    assert app.recorder.created == [(group.id, 1)]
    assert app.recorder.joined == []
    assert await count_is_exact(group.id) == 1


@pytest.mark.parametrize(
    "name, description, policy",
    [("", "", "open"), ("   ", "", "open"), ("x" * 65, "", "open"), ("ok", "x" * 2001, "open"),
     ("ok", "", "secret"), ("bad\x00name", "", "open"), ("ok", "nul\x00", "open")],
)
async def test_create_group_refuses_bad_input_and_writes_nothing(app, name, description, policy):
    owner = await make_member("owner@example.com")
    with pytest.raises(InvalidInput):
        await service.create_group(app.runtime, owner, name, description, policy)
    assert not await Group.exists() and not await GroupMembership.exists()
    assert app.recorder.created == []


async def test_script_in_a_description_is_stored_as_text(app):
    owner = await make_member("owner@example.com")
    script = '<script>alert("x")</script>\n第二行'
    group = await service.create_group(app.runtime, owner, "<b>群</b>", script)
    stored = await Group.get(id=group.id)
    assert stored.description == script and stored.name == "<b>群</b>"


async def test_who_may_create_groups(app):
    buyer = await make_member("buyer@example.com")
    sales = await make_member("sales@example.com", roles=["salesperson"])
    host = await make_member("host@example.com", roles=["host"])
    operator = await make_member("op@example.com", roles=["operator"])
    with pytest.raises(PermissionDenied):
        await service.authorize_creation(app.runtime, buyer, None)
    assert (await service.authorize_creation(app.runtime, sales, None)).id == sales.id
    assert (await service.authorize_creation(app.runtime, host, host.id)).id == host.id
    with pytest.raises(PermissionDenied):
        await service.authorize_creation(app.runtime, sales, buyer.id)
    assert (await service.authorize_creation(app.runtime, operator, buyer.id)).id == buyer.id
    with pytest.raises(NotFound):
        await service.authorize_creation(app.runtime, operator, 999_999)


# --------------------------------------------------------------------------- join policies


async def test_open_groups_admit_at_once_and_joining_again_changes_nothing(app):
    _, group = await new_group(app)
    li = await make_member("li@example.com")
    membership = await service.join(app.runtime, group.id, li)
    assert (membership.status, membership.role, membership.via) == ("active", "member", "open")
    assert membership.joined_at == app.runtime.now()
    again = await service.join(app.runtime, group.id, li, via="livestream")
    assert again.id == membership.id and again.via == "open"
    assert app.recorder.joined == [(group.id, li.id, "open", 2)]
    assert await count_is_exact(group.id) == 2


async def test_the_callers_via_is_recorded_and_restricted(app):
    _, group = await new_group(app)
    li = await make_member("li@example.com")
    with pytest.raises(InvalidInput):
        await service.join(app.runtime, group.id, li, via="hacked")
    assert not await GroupMembership.exists(member_id=li.id)
    membership = await service.join(app.runtime, group.id, li, via="livestream")
    assert membership.via == "livestream"
    assert app.recorder.joined == [(group.id, li.id, "livestream", 2)]


async def test_unknown_groups_are_not_found(app):
    li = await make_member("li@example.com")
    with pytest.raises(NotFound):
        await service.join(app.runtime, 999_999, li)


async def test_approval_groups_hold_requests_until_approved(app):
    owner, group = await new_group(app, JoinPolicy.APPROVAL)
    li = await make_member("li@example.com")
    pending = await service.join(app.runtime, group.id, li, via="salesperson")
    assert pending.status == "pending" and pending.joined_at is None
    assert (await service.join(app.runtime, group.id, li)).id == pending.id
    assert app.recorder.joined == [] and await count_is_exact(group.id) == 1

    approved = await service.approve(app.runtime, owner, group.id, li.id)
    assert approved.status == "active" and approved.joined_at is not None
    assert app.recorder.joined == [(group.id, li.id, "salesperson", 2)]
    with pytest.raises(service.NotPending):
        await service.approve(app.runtime, owner, group.id, li.id)
    assert await count_is_exact(group.id) == 2


async def test_requests_without_a_via_are_recorded_as_approval(app):
    owner, group = await new_group(app, JoinPolicy.APPROVAL)
    li = await make_member("li@example.com")
    await service.join(app.runtime, group.id, li)
    await service.approve(app.runtime, owner, group.id, li.id)
    assert app.recorder.joined == [(group.id, li.id, "approval", 2)]


async def test_rejected_requests_do_not_count_and_may_ask_again(app):
    owner, group = await new_group(app, JoinPolicy.APPROVAL)
    li = await make_member("li@example.com")
    await service.join(app.runtime, group.id, li)
    await service.reject(app.runtime, owner, group.id, li.id)
    assert await status_of(group.id, li) == "rejected"
    with pytest.raises(service.NotPending):
        await service.reject(app.runtime, owner, group.id, li.id)
    with pytest.raises(service.NotPending):
        await service.approve(app.runtime, owner, group.id, li.id)
    assert (await service.join(app.runtime, group.id, li)).status == "pending"
    assert await count_is_exact(group.id) == 1 and app.recorder.joined == []


async def test_only_group_admins_or_staff_decide_requests(app):
    owner, group = await new_group(app, JoinPolicy.APPROVAL)
    li, wang = await make_member("li@example.com"), await make_member("wang@example.com")
    staff = await make_member("op@example.com", roles=["operator"])
    await service.join(app.runtime, group.id, li)
    await service.join(app.runtime, group.id, wang)
    with pytest.raises(service.GroupAdminRequired):
        await service.approve(app.runtime, wang, group.id, li.id)
    with pytest.raises(service.GroupAdminRequired):
        await service.reject(app.runtime, wang, group.id, li.id)
    await service.approve(app.runtime, staff, group.id, li.id)
    with pytest.raises(service.GroupAdminRequired):
        await service.approve(app.runtime, li, group.id, wang.id)  # a plain member
    await service.set_member_role(app.runtime, owner, group.id, li.id, "admin")
    await service.approve(app.runtime, li, group.id, wang.id)
    assert await count_is_exact(group.id) == 3
    with pytest.raises(NotFound):
        await service.approve(app.runtime, owner, group.id, 999_999)


async def test_invite_only_groups_refuse_without_a_valid_invitation(app):
    owner, group = await new_group(app, JoinPolicy.INVITE)
    other_owner, other = await new_group(app, JoinPolicy.INVITE)
    li = await make_member("li@example.com")
    with pytest.raises(service.InviteRequired) as err:
        await service.join(app.runtime, group.id, li)
    assert err.value.status_code == 403 and err.value.code == "invite_required"
    with pytest.raises(service.InviteInvalid) as err:
        await service.join(app.runtime, group.id, li, invite_code="nonsense")
    assert err.value.code == "invite_invalid"
    foreign = await service.create_invite(app.runtime, other_owner, other.id)
    with pytest.raises(service.InviteInvalid):
        await service.join(app.runtime, group.id, li, invite_code=foreign.code)
    assert not await GroupMembership.exists(member_id=li.id)

    invite = await service.create_invite(app.runtime, owner, group.id, via="group_qr")
    membership = await service.join(app.runtime, group.id, li, invite_code=invite.code, via="link")
    assert (membership.status, membership.via, membership.invite_id) == ("active", "group_qr", invite.id)
    assert app.recorder.joined == [(group.id, li.id, "group_qr", 2)]
    assert (await GroupInvite.get(id=invite.id)).uses == 1


async def test_a_valid_invitation_skips_approval_and_an_invalid_one_falls_back(app, clock):
    owner, group = await new_group(app, JoinPolicy.APPROVAL)
    li, wang = await make_member("li@example.com"), await make_member("wang@example.com")
    invite = await service.create_invite(app.runtime, owner, group.id, expires_in_hours=24)
    assert (await service.join(app.runtime, group.id, li, invite_code=invite.code)).status == "active"
    clock.advance(hours=25)
    assert (await service.join(app.runtime, group.id, wang, invite_code=invite.code)).status == "pending"
    assert (await GroupInvite.get(id=invite.id)).uses == 1


async def test_expired_revoked_and_used_up_invitations_do_not_admit(app, clock):
    owner, group = await new_group(app, JoinPolicy.INVITE)
    members = [await make_member(f"m{i}@example.com") for i in range(4)]
    expiring = await service.create_invite(app.runtime, owner, group.id, expires_in_hours=2)
    once = await service.create_invite(app.runtime, owner, group.id, max_uses=1)
    revoked = await service.create_invite(app.runtime, owner, group.id)
    await service.revoke_invite(app.runtime, owner, group.id, revoked.id)

    with pytest.raises(service.InviteInvalid):
        await service.join(app.runtime, group.id, members[0], invite_code=revoked.code)
    await service.join(app.runtime, group.id, members[0], invite_code=once.code)
    with pytest.raises(service.InviteInvalid):
        await service.join(app.runtime, group.id, members[1], invite_code=once.code)
    clock.advance(hours=1, minutes=59)
    await service.join(app.runtime, group.id, members[1], invite_code=expiring.code)
    clock.advance(minutes=1)
    with pytest.raises(service.InviteInvalid):
        await service.join(app.runtime, group.id, members[2], invite_code=expiring.code)
    assert [i.uses for i in await GroupInvite.filter(group_id=group.id).order_by("id")] == [1, 1, 0]
    assert await count_is_exact(group.id) == 3


async def test_joining_again_does_not_spend_an_invitation(app):
    owner, group = await new_group(app, JoinPolicy.INVITE)
    li = await make_member("li@example.com")
    invite = await service.create_invite(app.runtime, owner, group.id, max_uses=2)
    for _ in range(3):
        await service.join(app.runtime, group.id, li, invite_code=invite.code)
    assert (await GroupInvite.get(id=invite.id)).uses == 1
    assert len(app.recorder.joined) == 1


async def test_ten_concurrent_joins_on_a_three_use_invitation_admit_exactly_three(app):
    owner, group = await new_group(app, JoinPolicy.INVITE)
    invite = await service.create_invite(app.runtime, owner, group.id, max_uses=3)
    members = [await make_member(f"m{i}@example.com") for i in range(10)]
    results = await asyncio.gather(
        *[service.join(app.runtime, group.id, m, invite_code=invite.code) for m in members], return_exceptions=True
    )
    admitted = [r for r in results if isinstance(r, GroupMembership)]
    assert len(admitted) == 3, results
    assert all(isinstance(r, service.InviteInvalid) for r in results if not isinstance(r, GroupMembership))
    assert (await GroupInvite.get(id=invite.id)).uses == 3
    assert await count_is_exact(group.id) == 4
    assert len(app.recorder.joined) == 3


async def test_concurrent_joins_of_one_member_count_once(app):
    _, group = await new_group(app)
    li = await make_member("li@example.com")
    results = await asyncio.gather(*[service.join(app.runtime, group.id, li) for _ in range(6)])
    assert {r.status for r in results} == {"active"}
    assert await GroupMembership.filter(group_id=group.id, member_id=li.id).count() == 1
    assert await count_is_exact(group.id) == 2
    assert len(app.recorder.joined) == 1


async def test_member_count_stays_exact_under_concurrent_joins_and_leaves(app):
    _, group = await new_group(app)
    members = [await make_member(f"m{i}@example.com") for i in range(12)]
    await asyncio.gather(*[service.join(app.runtime, group.id, m) for m in members[:6]])
    operations = [service.join(app.runtime, group.id, m) for m in members[6:]]
    operations += [service.leave(app.runtime, group.id, m) for m in members[:6]]
    operations += [service.leave(app.runtime, group.id, m) for m in members[:3]]  # double leaves
    results = await asyncio.gather(*operations, return_exceptions=True)
    assert sum(isinstance(r, NotFound) for r in results) == 3
    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, NotFound)]
    assert await count_is_exact(group.id) == 7


# --------------------------------------------------------------------------- leaving and moderation


async def test_leaving_and_coming_back(app):
    owner, group = await new_group(app)
    li = await make_member("li@example.com")
    await service.join(app.runtime, group.id, li)
    await service.leave(app.runtime, group.id, li)
    assert await status_of(group.id, li) == "left" and await count_is_exact(group.id) == 1
    assert app.recorder.left == [(group.id, li.id, 1)]
    with pytest.raises(NotFound):
        await service.leave(app.runtime, group.id, li)
    again = await service.join(app.runtime, group.id, li, via="link")
    assert (again.status, again.via) == ("active", "link")
    assert await count_is_exact(group.id) == 2
    assert [j[2] for j in app.recorder.joined] == ["open", "link"]
    with pytest.raises(service.OwnerCannotLeave):
        await service.leave(app.runtime, group.id, owner)
    assert await count_is_exact(group.id) == 2


async def test_withdrawing_a_request_is_not_leaving(app):
    _, group = await new_group(app, JoinPolicy.APPROVAL)
    li = await make_member("li@example.com")
    await service.join(app.runtime, group.id, li)
    await service.leave(app.runtime, group.id, li)
    assert await status_of(group.id, li) == "left"
    assert app.recorder.left == [] and await count_is_exact(group.id) == 1


async def test_removing_members(app):
    owner, group = await new_group(app)
    admin, li, wang = [await make_member(f"{n}@example.com") for n in ("admin", "li", "wang")]
    for m in (admin, li, wang):
        await service.join(app.runtime, group.id, m)
    await service.set_member_role(app.runtime, owner, group.id, admin.id, "admin")

    with pytest.raises(service.GroupAdminRequired):
        await service.remove_member(app.runtime, li, group.id, wang.id)
    await service.remove_member(app.runtime, admin, group.id, li.id)
    assert await status_of(group.id, li) == "left"
    assert app.recorder.left == [(group.id, li.id, 3)]
    with pytest.raises(NotFound):
        await service.remove_member(app.runtime, admin, group.id, li.id)
    with pytest.raises(service.CannotRemoveOwner):
        await service.remove_member(app.runtime, admin, group.id, owner.id)
    second_admin = wang
    await service.set_member_role(app.runtime, owner, group.id, second_admin.id, "admin")
    with pytest.raises(service.GroupOwnerRequired):
        await service.remove_member(app.runtime, admin, group.id, second_admin.id)
    await service.remove_member(app.runtime, owner, group.id, second_admin.id)
    assert await count_is_exact(group.id) == 2


async def test_only_the_owner_appoints_admins(app):
    owner, group = await new_group(app)
    li, wang = await make_member("li@example.com"), await make_member("wang@example.com")
    outsider = await make_member("out@example.com")
    await service.join(app.runtime, group.id, li)
    await service.join(app.runtime, group.id, wang)
    await service.set_member_role(app.runtime, owner, group.id, li.id, "admin")
    with pytest.raises(service.GroupOwnerRequired):
        await service.set_member_role(app.runtime, li, group.id, wang.id, "admin")
    with pytest.raises(NotFound):
        await service.set_member_role(app.runtime, owner, group.id, outsider.id, "admin")
    with pytest.raises(InvalidInput):
        await service.set_member_role(app.runtime, owner, group.id, wang.id, "owner")
    with pytest.raises(service.CannotRemoveOwner):
        await service.set_member_role(app.runtime, owner, group.id, owner.id, "member")
    await service.set_member_role(app.runtime, owner, group.id, li.id, "member")
    assert (await GroupMembership.get(group_id=group.id, member_id=li.id)).role == GroupRole.MEMBER


async def test_handing_a_group_over(app):
    owner, group = await new_group(app)
    li, outsider = await make_member("li@example.com"), await make_member("out@example.com")
    await service.join(app.runtime, group.id, li)
    with pytest.raises(service.NotActiveMember):
        await service.transfer_ownership(app.runtime, owner, group.id, outsider.id)
    with pytest.raises(service.GroupOwnerRequired):
        await service.transfer_ownership(app.runtime, li, group.id, li.id)
    group = await service.transfer_ownership(app.runtime, owner, group.id, li.id)
    assert group.owner_id == li.id
    roles = dict(await GroupMembership.filter(group_id=group.id).values_list("member_id", "role"))
    assert roles == {owner.id: "admin", li.id: "owner"}
    await service.leave(app.runtime, group.id, owner)
    with pytest.raises(service.OwnerCannotLeave):
        await service.leave(app.runtime, group.id, li)
    assert await count_is_exact(group.id) == 1


async def test_editing_a_group(app):
    owner, group = await new_group(app)
    li = await make_member("li@example.com")
    await service.join(app.runtime, group.id, li)
    with pytest.raises(service.GroupAdminRequired):
        await service.update_group(app.runtime, li, group.id, name="mine")
    updated = await service.update_group(app.runtime, owner, group.id, name=" 新名字 ", join_policy="approval")
    assert (updated.name, updated.join_policy) == ("新名字", JoinPolicy.APPROVAL)
    with pytest.raises(InvalidInput):
        await service.update_group(app.runtime, owner, group.id, member_count=1000)
    with pytest.raises(InvalidInput):
        await service.update_group(app.runtime, owner, group.id, join_policy="closed")
    assert (await Group.get(id=group.id)).member_count == 2


# --------------------------------------------------------------------------- visibility


async def test_invite_only_groups_are_invisible_to_outsiders(app):
    owner, secret = await new_group(app, JoinPolicy.INVITE, name="内部群")
    _, public = await new_group(app, JoinPolicy.APPROVAL, name="公开群")
    outsider = await make_member("out@example.com")
    staff = await make_member("op@example.com", roles=["operator"])
    listed = await service.list_groups()
    assert [g["id"] for g in listed["items"]] == [public.id]
    for viewer in (None, outsider):
        with pytest.raises(NotFound):
            await service.group_detail(app.runtime, secret.id, viewer)
    with pytest.raises(NotFound):
        await service.list_memberships(app.runtime, outsider, secret.id)
    with pytest.raises(NotFound):
        await service.create_invite(app.runtime, outsider, secret.id)
    assert (await service.group_detail(app.runtime, secret.id, staff))["name"] == "内部群"
    detail = await service.group_detail(app.runtime, secret.id, owner)
    assert detail["membership"] == {"status": "active", "role": "owner"}
    assert (await service.group_detail(app.runtime, public.id, None))["membership"] is None


async def test_member_lists_are_for_group_admins_and_staff_only(app):
    owner, group = await new_group(app, JoinPolicy.APPROVAL)
    li, wang = await make_member("li@example.com"), await make_member("wang@example.com")
    staff = await make_member("op@example.com", roles=["operator"])
    await service.join(app.runtime, group.id, wang)
    await service.approve(app.runtime, owner, group.id, wang.id)
    await service.join(app.runtime, group.id, li)
    for viewer in (li, wang):  # a pending applicant, a plain member
        with pytest.raises(service.GroupAdminRequired):
            await service.list_memberships(app.runtime, viewer, group.id)
        with pytest.raises(service.GroupAdminRequired):
            await service.list_memberships(app.runtime, viewer, group.id, status="pending")
    active = await service.list_memberships(app.runtime, owner, group.id)
    assert [m["member_id"] for m in active["items"]] == [owner.id, wang.id]
    assert "login" not in active["items"][0] and active["items"][1]["display_name"] == "wang"
    pending = await service.list_memberships(app.runtime, staff, group.id, status="pending")
    assert [m["member_id"] for m in pending["items"]] == [li.id]


async def test_my_groups_lists_active_and_pending_memberships(app):
    _, open_group = await new_group(app)
    _, approval = await new_group(app, JoinPolicy.APPROVAL)
    _, left = await new_group(app)
    li = await make_member("li@example.com")
    await service.join(app.runtime, open_group.id, li)
    await service.join(app.runtime, approval.id, li)
    await service.join(app.runtime, left.id, li)
    await service.leave(app.runtime, left.id, li)
    mine = await service.my_groups(li)
    assert [(g["id"], g["membership"]["status"]) for g in mine] == [(approval.id, "pending"), (open_group.id, "active")]


# --------------------------------------------------------------------------- invitations


async def test_invitations_are_created_by_group_admins_with_bounds(app):
    owner, group = await new_group(app)
    li = await make_member("li@example.com")
    await service.join(app.runtime, group.id, li)
    with pytest.raises(service.GroupAdminRequired):
        await service.create_invite(app.runtime, li, group.id)
    for bad in ({"via": "spam"}, {"max_uses": 0}, {"max_uses": -1}, {"max_uses": 100_001}, {"max_uses": 2.5},
                {"expires_in_hours": 0}, {"expires_in_hours": 10**6}, {"expires_in_hours": "24"}):
        with pytest.raises(InvalidInput):
            await service.create_invite(app.runtime, owner, group.id, **bad)
    invite = await service.create_invite(app.runtime, owner, group.id, via="livestream", max_uses=50, expires_in_hours=48)
    assert len(invite.code) >= 16 and invite.expires_at == app.runtime.now() + timedelta(hours=48)
    out = service.invite_out(app.runtime, invite)
    assert out["link"] == f"http://127.0.0.1:8000/g/{invite.code}" and out["usable"] is True
    listed = await service.list_invites(app.runtime, owner, group.id)
    assert [i["code"] for i in listed] == [invite.code]
    with pytest.raises(service.GroupAdminRequired):
        await service.list_invites(app.runtime, li, group.id)
    with pytest.raises(service.GroupAdminRequired):
        await service.revoke_invite(app.runtime, li, group.id, invite.id)
    other_owner, other = await new_group(app)
    with pytest.raises(NotFound):
        await service.revoke_invite(app.runtime, other_owner, other.id, invite.id)


async def test_share_links_follow_the_base_url(make_app):
    async with make_app(config={"app": {"base_url": "https://shop.example.cn/"}}) as client:
        owner = await make_member("owner@example.com")
        group = await service.create_group(client.runtime, owner, "群")
        invite = await service.create_invite(client.runtime, owner, group.id)
        assert service.invite_link(client.runtime, invite.code) == f"https://shop.example.cn/g/{invite.code}"


async def test_invitation_landing_and_qr(app, clock):
    owner, group = await new_group(app, JoinPolicy.INVITE, name="内部群")
    invite = await service.create_invite(app.runtime, owner, group.id, expires_in_hours=1)
    landing = await service.invite_landing(app.runtime, invite.code)
    assert landing["group"]["name"] == "内部群" and landing["usable"] is True
    assert "owner_id" not in landing["group"]
    svg = await service.invite_qr_svg(app.runtime, invite.code)
    assert b"<svg" in svg and b"<script" not in svg
    clock.advance(hours=2)
    assert (await service.invite_landing(app.runtime, invite.code))["usable"] is False
    await service.revoke_invite(app.runtime, owner, group.id, invite.id)
    for code in (invite.code, "unknown", "x" * 100):
        with pytest.raises(NotFound):
            await service.invite_landing(app.runtime, code)
        with pytest.raises(NotFound):
            await service.invite_qr_svg(app.runtime, code)


async def test_join_by_code(app):
    owner, group = await new_group(app, JoinPolicy.INVITE)
    li = await make_member("li@example.com")
    invite = await service.create_invite(app.runtime, owner, group.id, via="salesperson")
    membership = await service.join_by_code(app.runtime, invite.code, li)
    assert (membership.group_id, membership.status, membership.via) == (group.id, "active", "salesperson")
    with pytest.raises(NotFound):
        await service.join_by_code(app.runtime, "no-such-code", li)


# --------------------------------------------------------------------------- announcements


async def test_announcements(app):
    owner, group = await new_group(app)
    li = await make_member("li@example.com")
    await service.join(app.runtime, group.id, li)
    with pytest.raises(service.GroupAdminRequired):
        await service.create_announcement(app.runtime, li, group.id, "Hi", "body")
    for title, body in (("", "b"), ("x" * 101, "b"), ("t", ""), ("t", "x" * 5001)):
        with pytest.raises(InvalidInput):
            await service.create_announcement(app.runtime, owner, group.id, title, body)
    first = await service.create_announcement(app.runtime, owner, group.id, "欢迎", "<script>alert(1)</script>\n新人请看")
    second = await service.create_announcement(app.runtime, owner, group.id, "t" * 100, "x" * 5000)
    await service.pin_announcement(app.runtime, owner, group.id, first.id, True)
    listed = await service.list_announcements(app.runtime, None, group.id)
    assert [a["id"] for a in listed["items"]] == [first.id, second.id]
    assert listed["items"][0]["body"] == "<script>alert(1)</script>\n新人请看"
    assert listed["items"][0]["author"] == owner.display_name
    await service.pin_announcement(app.runtime, owner, group.id, first.id, False)
    assert [a["id"] for a in (await service.list_announcements(app.runtime, li, group.id))["items"]] == [second.id, first.id]
    with pytest.raises(service.GroupAdminRequired):
        await service.delete_announcement(app.runtime, li, group.id, first.id)
    other_owner, other = await new_group(app)
    with pytest.raises(NotFound):
        await service.delete_announcement(app.runtime, other_owner, other.id, first.id)
    with pytest.raises(NotFound):
        await service.pin_announcement(app.runtime, other_owner, other.id, first.id, True)
    await service.delete_announcement(app.runtime, owner, group.id, first.id)
    assert await Announcement.filter(group_id=group.id).count() == 1


async def test_announcements_of_closed_groups_are_for_members(app):
    owner, group = await new_group(app, JoinPolicy.APPROVAL)
    li, staff = await make_member("li@example.com"), await make_member("op@example.com", roles=["operator"])
    await service.create_announcement(app.runtime, owner, group.id, "内部", "仅成员")
    with pytest.raises(PermissionDenied):
        await service.list_announcements(app.runtime, None, group.id)
    await service.join(app.runtime, group.id, li)
    with pytest.raises(PermissionDenied):
        await service.list_announcements(app.runtime, li, group.id)  # still pending
    await service.approve(app.runtime, owner, group.id, li.id)
    assert len((await service.list_announcements(app.runtime, li, group.id))["items"]) == 1
    assert len((await service.list_announcements(app.runtime, staff, group.id))["items"]) == 1
    _, secret = await new_group(app, JoinPolicy.INVITE)
    with pytest.raises(NotFound):
        await service.list_announcements(app.runtime, li, secret.id)
