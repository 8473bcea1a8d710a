"""The demo seeds CRM data through the public services."""

from qunshang import demo
from qunshang.members.models import Level, Member
from qunshang.plugins.crm.models import Customer, FollowUp, Salesperson, TagRule, Team


async def test_demo_seeds_salespeople_a_team_owned_customers_and_follow_ups(make_app):
    async with make_app(enabled=["crm"]) as client:
        await demo.seed(client.runtime)
        assert await Team.all().count() == 1
        assert await Salesperson.filter(team_id__not_isnull=True).count() == 2
        owned = await Customer.filter(owner_id__not_isnull=True).values_list("member_id", flat=True)
        staff_ids = set(await Salesperson.all().values_list("member_id", flat=True))
        assert owned and not staff_ids & set(owned)
        assert await FollowUp.all().count() >= 2 and await TagRule.all().count() == 1
        assert (await Member.get(login="13800000001")).level == Level.LOYAL_FAN  # levels set by hand are kept
