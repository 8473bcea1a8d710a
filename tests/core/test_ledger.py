"""The ledger: balanced, immutable, idempotent postings; reversals; the consistency check; API."""

import asyncio
from datetime import datetime, timezone

import pytest
from tortoise.transactions import in_transaction

from qunshang.errors import NotFound
from qunshang.ledger import service as ledger
from qunshang.ledger.models import Account, Entry, Posting
from qunshang.testing import bearer, make_member

from .test_orders_support import buyer, pay, place, sku, staff

AT = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)
SALE = [("platform:cash:sandbox", -1000), ("platform:sales", 1000)]


async def test_a_posting_moves_balances(client):
    posting = await ledger.post("sale:1", "payment", SALE, at=AT, ref="order:1", memo="order 1")
    assert (posting.key, posting.kind, posting.ref, posting.memo) == ("sale:1", "payment", "order:1", "order 1")
    assert await ledger.balance("platform:cash:sandbox") == -1000
    assert await ledger.balance("platform:sales") == 1000
    assert await Entry.filter(posting_id=posting.id).count() == 2


async def test_member_accounts_and_the_wallet(client):
    member = await make_member()
    await ledger.post("c:1", "commission", [("platform:sales", -300), (ledger.member_account(member.id, "pending"), 300)], at=AT)
    await ledger.post("s:1", "settle", [(f"member:{member.id}:pending", -100), (f"member:{member.id}:available", 100)], at=AT)
    assert await ledger.wallet(member.id) == {"pending": 200, "available": 100}
    assert await ledger.wallet(member.id + 1) == {"pending": 0, "available": 0}
    account = await Account.get(code=f"member:{member.id}:pending")
    assert account.member_id == member.id
    assert (await Account.get(code="platform:sales")).member_id is None


@pytest.mark.parametrize("entries, error", [
    ([], ValueError),
    ([("a", 100), ("b", -99)], ValueError),
    ([("a", 0), ("b", 0)], ValueError),
    ([("a", 1.0), ("b", -1.0)], TypeError),
    ([("a", True), ("b", -1)], TypeError),
    ([("a", 1), ("b", "-1")], TypeError),
    ([["a", 1], ["b", -1]], TypeError),
    ([("", 1), ("b", -1)], ValueError),
    ([("x" * 129, 1), ("b", -1)], ValueError),
])
async def test_malformed_postings_are_programming_errors(client, entries, error):
    with pytest.raises(error):
        await ledger.post("bad", "test", entries, at=AT)
    assert await Posting.all().count() == 0 and await Account.all().count() == 0


async def test_a_repeated_key_returns_the_first_posting(client):
    first = await ledger.post("sale:1", "payment", SALE, at=AT)
    again = await ledger.post("sale:1", "payment", list(reversed(SALE)), at=AT)
    assert again.id == first.id
    assert await ledger.balance("platform:sales") == 1000 and await Posting.all().count() == 1
    with pytest.raises(ledger.PostingConflict):
        await ledger.post("sale:1", "payment", [("platform:cash:sandbox", -999), ("platform:sales", 999)], at=AT)
    with pytest.raises(ledger.PostingConflict):
        await ledger.post("sale:1", "other", SALE, at=AT)
    assert await ledger.balance("platform:sales") == 1000


async def test_concurrent_postings_with_one_key_post_once(client):
    results = await asyncio.gather(*[ledger.post("sale:1", "payment", SALE, at=AT) for _ in range(10)])
    assert len({p.id for p in results}) == 1
    assert await Posting.all().count() == 1 and await ledger.balance("platform:sales") == 1000


async def test_concurrent_postings_share_new_accounts(client):
    await asyncio.gather(*[
        ledger.post(f"sale:{i}", "payment", [("platform:cash:new", -i), ("platform:sales", i)], at=AT)
        for i in range(1, 11)
    ])
    assert await Account.filter(code="platform:cash:new").count() == 1
    assert await ledger.balance("platform:sales") == 55 and await ledger.check() == []


async def test_a_posting_is_part_of_the_callers_transaction(client):
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await ledger.post("sale:1", "payment", SALE, at=AT)
            raise RuntimeError("the order failed")
    assert await Posting.all().count() == 0 and await ledger.balance("platform:sales") == 0


async def test_a_duplicate_key_inside_a_transaction_does_not_abort_it(client):
    await ledger.post("sale:1", "payment", SALE, at=AT)
    async with in_transaction():
        await ledger.post("sale:1", "payment", SALE, at=AT)
        await ledger.post("sale:2", "payment", SALE, at=AT)
    assert await ledger.balance("platform:sales") == 2000


async def test_reversals_undo_postings_wholly_or_in_exact_parts(client):
    split = [("platform:cash:sandbox", -1000), ("platform:sales", 667), ("member:7:pending", 333)]
    await ledger.post("sale:1", "payment", split, at=AT, ref="order:1")
    part = await ledger.reverse("sale:1", "refund:1", amount=500, at=AT)
    assert part.reverses_id == (await Posting.get(key="sale:1")).id and part.ref == "order:1"
    assert sorted(await Entry.filter(posting_id=part.id).values_list("account__code", "amount")) == [
        ("member:7:pending", -167), ("platform:cash:sandbox", 500), ("platform:sales", -333),
    ]
    assert (await ledger.reverse("sale:1", "refund:1", amount=500, at=AT)).id == part.id  # a retry
    with pytest.raises(ledger.OverReversal):
        await ledger.reverse("sale:1", "refund:2", amount=501, at=AT)
    rest = await ledger.reverse("sale:1", "refund:2", at=AT)  # all that is left
    assert await ledger.balance("platform:sales") == 0 and await ledger.balance("member:7:pending") == 0
    assert await ledger.balance("platform:cash:sandbox") == 0 and rest.kind == "reversal"
    for amount in (1, None):
        with pytest.raises(ledger.OverReversal):
            await ledger.reverse("sale:1", "refund:3", amount=amount, at=AT)
    assert await ledger.check() == []


async def test_reversal_arguments_are_checked(client):
    await ledger.post("sale:1", "payment", SALE, at=AT)
    with pytest.raises(NotFound):
        await ledger.reverse("nope", "r", at=AT)
    for amount, error in ((0, ValueError), (-5, ValueError), (1001, ledger.OverReversal), (1.5, TypeError)):
        with pytest.raises(error):
            await ledger.reverse("sale:1", "r", amount=amount, at=AT)
    full = await ledger.reverse("sale:1", "r", at=AT)
    assert await Entry.filter(posting_id=full.id).count() == 2 and await ledger.balance("platform:sales") == 0


async def test_check_finds_corrupted_balances_and_unbalanced_postings(client):
    await ledger.post("sale:1", "payment", SALE, at=AT)
    await ledger.post("sale:2", "payment", SALE, at=AT)
    assert await ledger.check() == []
    await Account.filter(code="platform:sales").update(balance=1)  # a raw UPDATE behind the ledger's back
    assert await ledger.check() == [ledger.Mismatch("account_balance", "platform:sales", 2000, 1)]
    posting = await Posting.get(key="sale:2")
    await Entry.create(posting=posting, account=await Account.get(code="platform:cash:sandbox"), amount=5)
    assert await ledger.check() == [
        ledger.Mismatch("account_balance", "platform:cash:sandbox", -1995, -2000),
        ledger.Mismatch("account_balance", "platform:sales", 2000, 1),
        ledger.Mismatch("unbalanced_posting", "sale:2", 0, 5),
    ]


async def test_the_wallet_api_shows_only_the_callers_own(client):
    member = await make_member("me@x.cn")
    await ledger.post("c:1", "commission", [("platform:sales", -300), (f"member:{member.id}:pending", 300)], at=AT)
    r = await client.get("/api/me/wallet", headers=await bearer(member))
    assert r.status_code == 200 and r.json() == {"pending": 300, "available": 0}
    assert (await client.get("/api/me/wallet", headers=await buyer("other@x.cn"))).json() == {"pending": 0, "available": 0}
    assert (await client.get("/api/me/wallet")).status_code == 401


async def test_the_books_need_ledger_view(client):
    tea = await sku(price=5000)
    headers = await buyer()
    order = await place(client, headers, tea.id)
    await pay(client, headers, order["id"])
    await ledger.post("other", "adjustment", [("platform:sales", -1), ("platform:cash:offline", 1)], at=AT)
    assert (await client.get("/api/ledger/accounts", headers=headers)).status_code == 403
    assert (await client.get("/api/ledger/postings", headers=await staff("operator"))).status_code == 403
    finance, owner = await staff("finance"), await staff("owner")
    accounts = (await client.get("/api/ledger/accounts?prefix=platform:cash", headers=finance)).json()
    assert [(a["code"], a["balance"]) for a in accounts["items"]] == [("platform:cash:offline", 1), ("platform:cash:sandbox", -6000)]
    postings = (await client.get(f"/api/ledger/postings?ref=order:{order['id']}", headers=owner)).json()["items"]
    assert [p["kind"] for p in postings] == ["payment"]
    assert sorted((e["account"], e["amount"]) for e in postings[0]["entries"]) == [("platform:cash:sandbox", -6000), ("platform:sales", 6000)]
    by_account = (await client.get("/api/ledger/postings?account=platform:cash:offline", headers=finance)).json()
    assert [p["key"] for p in by_account["items"]] == ["other"]
    by_kind = (await client.get("/api/ledger/postings?kind=payment&limit=1", headers=finance)).json()
    assert len(by_kind["items"]) == 1 and by_kind["has_more"] is False
    check = (await client.get("/api/ledger/check", headers=finance)).json()
    assert check == {"ok": True, "mismatches": []}
    await Account.filter(code="platform:sales").update(balance=0)
    check = (await client.get("/api/ledger/check", headers=finance)).json()
    assert check["ok"] is False and check["mismatches"] == [
        {"kind": "account_balance", "account_or_posting": "platform:sales", "expected": 5999, "actual": 0}
    ]
