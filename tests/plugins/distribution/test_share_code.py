"""``member_share_code``: other plugins' share links carry the member's referral code while
they are an active distributor, and nothing otherwise."""

from qunshang.plugins.distribution.models import Distributor, DistributorStatus
from qunshang.plugins.distribution.service import distributors
from qunshang.testing import bearer, make_member

from .support import settings


async def share_code(runtime, member):
    answers = [a for a in await runtime.call("member_share_code", member=member) if a is not None]
    return answers[0] if answers else None


async def test_active_distributors_share_their_code_frozen_and_disabled_do_not(make_app):
    async with make_app(enabled=["distribution"], settings=settings(mode="application")) as client:
        runtime = client.runtime
        member = await make_member("m@example.com")
        assert await share_code(runtime, member) is None  # not a distributor (and not created in this mode)
        assert not await Distributor.exists(member_id=member.id)
        row = await distributors.designate(runtime, member.id)
        assert await share_code(runtime, member) == row.code
        for status in (DistributorStatus.FROZEN, DistributorStatus.DISABLED):
            await distributors.update(member.id, status=status)
            assert await share_code(runtime, member) is None, status
        await distributors.update(member.id, status=DistributorStatus.ACTIVE)
        assert await share_code(runtime, member) == row.code


async def test_frozen_distributors_get_no_share_link_or_qr_from_the_api_either(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        member = await make_member("m@example.com")
        await distributors.designate(client.runtime, member.id)
        await distributors.update(member.id, status=DistributorStatus.FROZEN)
        headers = await bearer(member)
        for path in ("/api/distribution/share", "/api/distribution/share/qr.svg"):
            r = await client.get(path, headers=headers)
            assert r.status_code == 403 and r.json()["error"]["code"] == "not_a_distributor", path


async def test_everyone_mode_gives_a_code_on_first_use(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        member = await make_member("m@example.com")
        code = await share_code(client.runtime, member)
        assert code == (await Distributor.get(member_id=member.id)).code
        assert await share_code(client.runtime, member) == code  # the same code every time
        disabled = await make_member("d@example.com", is_active=False)
        assert await share_code(client.runtime, disabled) is None


async def test_registering_through_a_shared_code_binds_under_the_sharer(make_app):
    from qunshang.members import service as members
    from qunshang.plugins.distribution.service import tree

    async with make_app(enabled=["distribution"], settings=settings()) as client:
        sharer = await make_member("s@example.com")
        code = await share_code(client.runtime, sharer)
        newcomer = await members.register(client.runtime, login="13900000005", password="correct horse battery",
                                          display_name="新人", context={"source": "livestream", "referral_code": code})
        assert await tree.uplines(newcomer.id) == [sharer.id]
