"""``qunshang demo`` seeds a believable distribution setup through the public services."""

from qunshang import demo
from qunshang.plugins.distribution.models import Commission, CommissionStatus, Withdrawal, WithdrawalStatus
from qunshang.plugins.distribution.service import team, tree


async def test_demo_seeds_a_chain_with_commissions_in_several_states(make_app):
    async with make_app(enabled=["distribution"]) as client:
        seeded = await demo.seed(client.runtime)
        top, leader, *friends = seeded["distribution"]["chain"]
        assert [await tree.uplines(f.id) for f in friends] == [[leader.id, top.id]] * 2
        assert (await team.summary(top.id))["team_size"] == 3
        states = set(await Commission.filter(earner_id__in=[top.id, leader.id]).values_list("status", flat=True))
        assert states == {CommissionStatus.PENDING, CommissionStatus.AVAILABLE}
        rates = await Commission.filter(earner_id=leader.id).values_list("explanation", flat=True)
        assert rates and all(r["rate_source"] == "grade" for r in rates)
        assert (await Withdrawal.get(member_id=leader.id)).status == WithdrawalStatus.PENDING
