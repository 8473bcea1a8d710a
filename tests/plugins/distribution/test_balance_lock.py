"""The withdrawal balance lock against refunds: withdrawal requests race a refund that takes
back the same member's settled commissions. A request checks the available balance while its
ledger row is locked, so a reversal lands wholly before the check (the request then sees the
lower balance) or wholly after the hold (the balance may then go negative, legitimately) —
never in between; and no money is created or lost."""

import asyncio

from qunshang.errors import QunshangError
from qunshang.ledger import service as ledger
from qunshang.orders import refunds
from qunshang.orders.models import Order, OrderLine, OrderStatus
from qunshang.plugins.distribution.models import Commission, Withdrawal
from qunshang.plugins.distribution.service import settlement, withdrawals

from .support import buy, chain, settings, sku

#: free: both start together; reversal first: the requests start once the reversal is posted
#: (its transaction kept open a while: a request must wait for it, not read the balance before
#: it); withdrawal first: the refund starts once a hold is posted
ROUNDS = ("free", "reversal first", "withdrawal first") * 2


class Watched:
    """The ledger as ``withdrawals`` sees it: before each hold, wait a little (widening the
    window between the balance check and the hold) and note the balance the hold is taken
    from, inside the request's transaction; after it, tell the test."""

    def __init__(self) -> None:
        self.holds: list[tuple[int, int]] = []
        self.held = asyncio.Event()

    def __getattr__(self, name):
        return getattr(ledger, name)

    async def post(self, key, kind, entries, **kwargs):
        if not key.endswith(":hold"):
            return await ledger.post(key, kind, entries, **kwargs)
        await asyncio.sleep(0.02)
        [(code, amount)] = [(c, -a) for c, a in entries if c.endswith(":available")]
        self.holds.append((await ledger.balance(code), amount))
        posted = await ledger.post(key, kind, entries, **kwargs)
        self.held.set()
        return posted


async def _settled_order(client, buyer, tea) -> int:
    """An order of 5 × ¥100 settled early (still refundable): B earns 10000 available."""
    order = await buy(client, buyer, tea.id, 5)
    await Order.filter(id=order["id"]).update(status=OrderStatus.PAID)
    await settlement.settle_order(client.runtime, await Order.get(id=order["id"]))
    return order["id"]


async def test_withdrawals_racing_a_refund_reversal_take_no_more_than_the_balance(make_app, monkeypatch):
    watched = Watched()
    reversal_posted = asyncio.Event()
    reverse = settlement.reverse_for_refund

    async def reverse_and_tell(*args):  # and keep the refund's transaction open a little longer
        done = await reverse(*args)
        reversal_posted.set()
        await asyncio.sleep(0.05)
        return done

    monkeypatch.setattr(withdrawals, "ledger", watched)
    monkeypatch.setattr(settlement, "reverse_for_refund", reverse_and_tell)
    async with make_app(enabled=["distribution"], settings=settings(withdrawal_min=1)) as client:
        a, b, c = await chain(client.runtime)
        tea = await sku(price=10000, stock=1000)
        taken = reversed_ = earned = 0
        for round_, mode in enumerate(ROUNDS):
            order_id = await _settled_order(client, c, tea)
            earned += 10000
            before = (await ledger.wallet(b.id))["available"]
            line = await OrderLine.get(order_id=order_id)
            watched.held.clear()
            reversal_posted.clear()

            async def refund():  # takes back 4000 of B's
                if mode == "withdrawal first":
                    await asyncio.wait_for(watched.held.wait(), 30)
                return await refunds.refund(client.runtime, order_id, key=f"r{round_}",
                                            lines=[{"line_id": line.id, "quantity": 2}])

            async def request():  # asks for 3000 less than the balance before the refund
                if mode == "reversal first":
                    await asyncio.wait_for(reversal_posted.wait(), 30)
                return await withdrawals.request(client.runtime, b.id, before - 3000)

            refunded, *results = await asyncio.gather(refund(), *[request() for _ in range(10)],
                                                      return_exceptions=True)
            assert not isinstance(refunded, BaseException), refunded
            assert all(isinstance(r, (Withdrawal, QunshangError)) for r in results), results
            accepted = [r for r in results if isinstance(r, Withdrawal)]
            assert len(accepted) <= 1
            after = (await ledger.wallet(b.id))["available"]
            reversed_ += 4000
            if accepted:  # taken before the reversal: the reversal alone makes the balance negative
                assert mode != "reversal first"
                taken += accepted[0].amount
                assert after == before - accepted[0].amount - 4000 == -1000
                await withdrawals.approve(client.runtime, accepted[0].id, reviewer_id=a.id)
            else:  # reversed first: less is left than was asked
                assert mode != "withdrawal first"
                assert after == before - 4000
            # the hold never came out of a balance that could not cover it
            assert all(balance >= amount for balance, amount in watched.holds), (mode, watched.holds)
            watched.holds.clear()
            # no money created or lost: the wallet is what the commissions still hold
            net = sum(amount - back for amount, back in
                      await Commission.filter(earner_id=b.id).values_list("amount", "reversed_amount"))
            balances = await withdrawals.balances(b.id)
            assert net == earned - reversed_ == sum(balances.values())
            assert balances["withdrawn"] == taken and balances["withdrawing"] == 0
            assert await ledger.check() == []
