"""Withdrawals: limits, fee, one pending request, review, payout hook, concurrency."""

import asyncio

import pytest

from qunshang import hookimpl
from qunshang.errors import QunshangError
from qunshang.ledger import service as ledger
from qunshang.plugins.distribution.models import Withdrawal
from qunshang.plugins.distribution.service import withdrawals
from qunshang.testing import bearer, make_member

from .support import buy, chain, close, settings, sku


class Payouts:
    def __init__(self, fail=False):
        self.paid = []
        self.fail = fail

    @hookimpl(optionalhook=True)
    def distribution_payout(self, withdrawal, net_amount):
        if self.fail:
            raise RuntimeError("the bank is down")
        self.paid.append((withdrawal.member_id, net_amount))
        return f"wx-{withdrawal.id}"


async def _earner_with(client):
    """A → B → C; B ends up with 10000 available (20% of 5 × ¥100)."""
    a, b, c = await chain(client.runtime)
    order = await buy(client, c, (await sku(price=10000)).id, 5)
    await close(client.runtime, order["id"])
    return a, b


async def test_limits_fee_and_approval_through_the_payout_hook(make_app):
    payouts = Payouts()
    config = settings(withdrawal_min=1000, withdrawal_max=8000, withdrawal_fee_bp=60)
    async with make_app(enabled=["distribution"], settings=config, extra_plugins=[payouts]) as client:
        a, b = await _earner_with(client)  # B: 10000 available
        headers = await bearer(b)
        for amount, code in ((999, "withdrawal_out_of_range"), (8001, "withdrawal_out_of_range"),
                             ("5000", "invalid_input"), (50.5, "invalid_input"), (-5, "invalid_input"),
                             (10**20, "invalid_input")):
            r = await client.post("/api/distribution/withdrawals", json={"amount": amount}, headers=headers)
            assert r.status_code == 400 and r.json()["error"]["code"] == code, (amount, r.text)
        r = await client.post("/api/distribution/withdrawals", json={"amount": 5000}, headers=headers)
        assert r.status_code == 201, r.text
        assert (r.json()["fee"], r.json()["net"]) == (30, 4970)
        again = await client.post("/api/distribution/withdrawals", json={"amount": 1000}, headers=headers)
        assert again.status_code == 409 and again.json()["error"]["code"] == "withdrawal_pending"
        assert await withdrawals.balances(b.id) == {"pending": 0, "available": 5000, "withdrawn": 0, "withdrawing": 5000}
        # members cannot review; finance can
        assert (await client.post(f"/api/distribution/finance/withdrawals/{r.json()['id']}/approve", headers=headers)).status_code == 403
        finance = await bearer(await _staff("finance"))
        done = await client.post(f"/api/distribution/finance/withdrawals/{r.json()['id']}/approve", headers=finance)
        assert done.status_code == 200, done.text
        assert (done.json()["status"], done.json()["payout_ref"]) == ("paid", f"wx-{r.json()['id']}")
        assert payouts.paid == [(b.id, 4970)]
        assert await withdrawals.balances(b.id) == {"pending": 0, "available": 5000, "withdrawn": 4970, "withdrawing": 0}
        twice = await client.post(f"/api/distribution/finance/withdrawals/{r.json()['id']}/approve", headers=finance)
        assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_reviewed"
        assert await ledger.check() == []


async def test_rejection_returns_the_amount_and_a_failing_payout_leaves_it_pending(make_app):
    async with make_app(enabled=["distribution"], settings=settings(), extra_plugins=[Payouts(fail=True)]) as client:
        a, b = await _earner_with(client)
        w = await withdrawals.request(client.runtime, b.id, 6000)
        with pytest.raises(RuntimeError):
            await withdrawals.approve(client.runtime, w.id, reviewer_id=a.id)
        assert (await Withdrawal.get(id=w.id)).status == "pending"
        await withdrawals.reject(client.runtime, w.id, reviewer_id=a.id, reason="wrong account")
        assert await withdrawals.balances(b.id) == {"pending": 0, "available": 10000, "withdrawn": 0, "withdrawing": 0}
        assert (await withdrawals.request(client.runtime, b.id, 10000)).amount == 10000  # may ask again
        assert await ledger.check() == []


async def test_concurrent_requests_never_take_more_than_the_balance(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        a, b = await _earner_with(client)  # 10000 available
        paid = 0
        for _round in range(4):
            results = await asyncio.gather(
                *[withdrawals.request(client.runtime, b.id, 3000) for _ in range(20)], return_exceptions=True
            )
            accepted = [r for r in results if isinstance(r, Withdrawal)]
            assert len(accepted) <= 1
            assert all(isinstance(r, (Withdrawal, QunshangError)) for r in results), results
            for w in accepted:
                await withdrawals.approve(client.runtime, w.id, reviewer_id=a.id)
                paid += w.amount
            assert (await ledger.wallet(b.id))["available"] >= 0
        assert paid == 9000
        assert await withdrawals.balances(b.id) == {"pending": 0, "available": 1000, "withdrawn": 9000, "withdrawing": 0}
        assert await ledger.check() == []


async def test_concurrent_requests_through_the_api(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        a, b = await _earner_with(client)
        headers = await bearer(b)
        responses = await asyncio.gather(*[
            client.post("/api/distribution/withdrawals", json={"amount": 6000}, headers=headers) for _ in range(20)
        ])
        assert sorted(r.status_code for r in responses) == [201] + [409] * 19
        assert await withdrawals.balances(b.id) == {"pending": 0, "available": 4000, "withdrawn": 0, "withdrawing": 6000}


async def _staff(role):
    return await make_member(f"{role}@example.com", roles=[role])
