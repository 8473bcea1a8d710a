"""Payments: intents, signed sandbox callbacks, replays, amounts, offline confirmation."""

import asyncio

from qunshang import hookimpl
from qunshang.ledger import service as ledger
from qunshang.ledger.models import Posting
from qunshang.orders.models import OrderEvent
from qunshang.payments.models import Payment
from qunshang.payments.providers.sandbox import sign

from .test_orders_support import Recorder, buyer, callback, pay, place, sku, staff, status_of


async def _intent(client, headers, order_id, provider="sandbox"):
    r = await client.post(f"/api/orders/{order_id}/pay", json={"provider": provider}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def _placed(client, price=5000, stock=5):
    tea = await sku(price=price, stock=stock)
    headers = await buyer()
    return headers, await place(client, headers, tea.id)


def _now(clock) -> int:
    return int(clock().timestamp())


async def test_providers_are_listed_as_configured(make_app):
    async with make_app(config={"payments": {"providers": ["offline"]}}) as client:
        assert (await client.get("/api/payments/providers")).json() == [
            {"name": "offline", "title": "Bank transfer or cash, confirmed by staff"}
        ]
        headers, order = await _placed(client)
        r = await client.post(f"/api/orders/{order['id']}/pay", json={"provider": "sandbox"}, headers=headers)
        assert r.status_code == 404
        r = await client.post("/api/payments/sandbox/callback", content=b"{}")
        assert r.status_code == 404


async def test_a_sandbox_intent_tells_the_client_how_to_pay(client):
    headers, order = await _placed(client)
    intent = await _intent(client, headers, order["id"])
    assert intent["amount"] == order["total"] == 6000 and intent["status"] == "pending"
    assert intent["complete_url"] == f"/api/payments/sandbox/{intent['intent_id']}/complete"
    assert (await client.post(f"/api/orders/{order['id']}/pay", json={"provider": "nope"}, headers=headers)).status_code == 404


async def test_a_signed_callback_pays_the_order_and_posts_to_the_ledger(make_app, clock):
    recorder = Recorder()
    async with make_app(extra_plugins=[recorder]) as client:
        headers, order = await _placed(client)
        intent = await _intent(client, headers, order["id"])
        r = await callback(client, intent["intent_id"], "tx-1", 6000, _now(clock))
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "succeeded" and r.json()["transaction_id"] == "tx-1"
        assert await status_of(order["id"]) == "paid"
        assert await ledger.balance("platform:cash:sandbox") == -6000
        assert await ledger.balance("platform:sales") == 6000
        assert await Posting.filter(key="payment:sandbox:tx-1", ref=f"order:{order['id']}").count() == 1
        assert recorder.of("order_paid") == [(order["id"], "tx-1")]
        assert await ledger.check() == []


async def test_a_replayed_callback_is_processed_once(make_app, clock):
    recorder = Recorder()
    async with make_app(extra_plugins=[recorder]) as client:
        headers, order = await _placed(client)
        intent = await _intent(client, headers, order["id"])
        first = await callback(client, intent["intent_id"], "tx-1", 6000, _now(clock))
        clock.advance(seconds=30)
        again = await callback(client, intent["intent_id"], "tx-1", 6000, _now(clock))
        assert first.status_code == again.status_code == 200 and first.json() == again.json()
        assert await Posting.all().count() == 1 and len(recorder.of("order_paid")) == 1
        assert await OrderEvent.filter(order_id=order["id"], status="paid").count() == 1
        other = await callback(client, intent["intent_id"], "tx-2", 6000, _now(clock))
        assert other.status_code == 409 and other.json()["error"]["code"] == "payment_already_confirmed"


async def test_concurrent_replays_are_processed_once(make_app, clock):
    recorder = Recorder()
    async with make_app(extra_plugins=[recorder]) as client:
        headers, order = await _placed(client)
        intent = await _intent(client, headers, order["id"])
        responses = await asyncio.gather(*[callback(client, intent["intent_id"], "tx-1", 6000, _now(clock)) for _ in range(6)])
        assert [r.status_code for r in responses] == [200] * 6
        assert await Posting.all().count() == 1 and len(recorder.of("order_paid")) == 1
        assert await ledger.balance("platform:sales") == 6000


async def test_a_bad_signature_is_refused_with_nothing_written(client, clock):
    headers, order = await _placed(client)
    intent = await _intent(client, headers, order["id"])
    body = f'{{"intent_id":"{intent["intent_id"]}","transaction_id":"tx-1","amount":6000}}'.encode()
    ts = _now(clock)
    cases = [
        {"x-sandbox-timestamp": str(ts), "x-sandbox-signature": sign("wrong-secret", body, ts)},
        {"x-sandbox-timestamp": str(ts + 1), "x-sandbox-signature": sign("sandbox-test-secret", body, ts)},
        {"x-sandbox-timestamp": str(ts)},
        {"x-sandbox-timestamp": "soon", "x-sandbox-signature": sign("sandbox-test-secret", body, "soon")},
        {},
    ]
    for case in cases:
        r = await client.post("/api/payments/sandbox/callback", content=body, headers=case)
        assert r.status_code == 400 and r.json()["error"]["code"] == "bad_signature", (case, r.text)
    tampered = body.replace(b"6000", b"1")
    good_for_original = {"x-sandbox-timestamp": str(ts), "x-sandbox-signature": sign("sandbox-test-secret", body, ts)}
    r = await client.post("/api/payments/sandbox/callback", content=tampered, headers=good_for_original)
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_signature"
    assert await status_of(order["id"]) == "placed" and await Posting.all().count() == 0
    assert (await Payment.get(intent_id=intent["intent_id"])).status == "pending"


async def test_stale_or_future_timestamps_are_refused(client, clock):
    headers, order = await _placed(client)
    intent = await _intent(client, headers, order["id"])
    for offset in (-301, 301):
        r = await callback(client, intent["intent_id"], "tx-1", 6000, _now(clock) + offset)
        assert r.status_code == 400 and r.json()["error"]["code"] == "callback_expired"
    r = await callback(client, intent["intent_id"], "tx-1", 6000, _now(clock) - 299)
    assert r.status_code == 200


async def test_a_signed_but_malformed_body_is_invalid_input(client, clock):
    for body in (b"not json", b'{"intent_id":"x","transaction_id":"t","amount":"6000"}', b'{"intent_id":"x"}'):
        ts = _now(clock)
        headers = {"x-sandbox-timestamp": str(ts), "x-sandbox-signature": sign("sandbox-test-secret", body, ts)}
        r = await client.post("/api/payments/sandbox/callback", content=body, headers=headers)
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_input", r.text


async def test_an_amount_mismatch_is_refused_with_nothing_written(client, clock):
    headers, order = await _placed(client)
    intent = await _intent(client, headers, order["id"])
    for amount in (5999, 6001, 0):
        r = await callback(client, intent["intent_id"], "tx-1", amount, _now(clock))
        assert r.status_code == 409 and r.json()["error"]["code"] == "amount_mismatch"
    assert await status_of(order["id"]) == "placed" and await Posting.all().count() == 0
    assert (await Payment.get(intent_id=intent["intent_id"])).transaction_id is None


async def test_unknown_intents_and_providers_are_404(client, clock):
    assert (await callback(client, "pi_unknown", "tx-1", 1, _now(clock))).status_code == 404
    assert (await client.post("/api/payments/nope/callback", content=b"{}")).status_code == 404
    assert (await client.post("/api/payments/offline/callback", content=b"{}")).status_code == 404


class FailingOnce:
    def __init__(self):
        self.failures = 1

    @hookimpl
    def order_paid(self, order, payment):
        if self.failures:
            self.failures -= 1
            raise RuntimeError("commission service down")


async def test_a_failing_order_paid_hook_rolls_the_payment_back(make_app, clock):
    async with make_app(extra_plugins=[FailingOnce()]) as client:
        headers, order = await _placed(client)
        intent = await _intent(client, headers, order["id"])
        r = await callback(client, intent["intent_id"], "tx-1", 6000, _now(clock))
        assert r.status_code == 500
        assert await status_of(order["id"]) == "placed" and await Posting.all().count() == 0
        payment = await Payment.get(intent_id=intent["intent_id"])
        assert payment.status == "pending" and payment.transaction_id is None
        retry = await callback(client, intent["intent_id"], "tx-1", 6000, _now(clock))
        assert retry.status_code == 200 and await status_of(order["id"]) == "paid"
        assert await ledger.balance("platform:sales") == 6000


async def test_money_for_a_cancelled_order_is_held_for_refund_not_lost(client, clock):
    headers, order = await _placed(client)
    intent = await _intent(client, headers, order["id"])
    assert (await client.post(f"/api/orders/{order['id']}/cancel", headers=headers)).status_code == 200
    r = await callback(client, intent["intent_id"], "tx-1", 6000, _now(clock))
    assert r.status_code == 200  # the provider has the money: it must stop retrying
    assert (await Payment.get(intent_id=intent["intent_id"])).status == "to_refund"
    assert await status_of(order["id"]) == "cancelled"
    assert await ledger.balance("platform:refunds_due") == 6000 and await ledger.balance("platform:sales") == 0
    replay = await callback(client, intent["intent_id"], "tx-1", 6000, _now(clock))
    assert replay.status_code == 200 and await Posting.all().count() == 1
    assert await ledger.check() == []
    r = await client.post(f"/api/orders/{order['id']}/pay", json={"provider": "sandbox"}, headers=headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "order_not_payable"


async def test_an_expired_unpaid_order_gets_no_new_intent(client, clock):
    headers, order = await _placed(client)
    clock.advance(minutes=31)
    r = await client.post(f"/api/orders/{order['id']}/pay", json={"provider": "sandbox"}, headers=headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "order_not_payable"


async def test_a_transaction_id_pays_one_payment_only(client, clock):
    tea = await sku(price=5000, stock=5)
    headers = await buyer()
    first, second = [await place(client, headers, tea.id) for _ in range(2)]
    a, b = [await _intent(client, headers, o["id"]) for o in (first, second)]
    assert (await callback(client, a["intent_id"], "tx-same", 6000, _now(clock))).status_code == 200
    r = await callback(client, b["intent_id"], "tx-same", 6000, _now(clock))
    assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate_transaction"
    assert await status_of(second["id"]) == "placed" and await Posting.all().count() == 1


async def test_the_demo_button_pays_only_the_buyers_own_intent(client):
    headers, order = await _placed(client)
    intent = await _intent(client, headers, order["id"])
    other = await buyer("other@x.cn")
    assert (await client.post(f"/api/payments/sandbox/{intent['intent_id']}/complete", headers=other)).status_code == 404
    done = await client.post(f"/api/payments/sandbox/{intent['intent_id']}/complete", headers=headers)
    assert done.status_code == 200 and done.json()["status"] == "succeeded"
    again = await client.post(f"/api/payments/sandbox/{intent['intent_id']}/complete", headers=headers)
    assert again.status_code == 200 and await Posting.all().count() == 1


async def test_staff_confirm_offline_payments_through_the_same_path(make_app):
    recorder = Recorder()
    async with make_app(extra_plugins=[recorder]) as client:
        headers, order = await _placed(client)
        intent = await _intent(client, headers, order["id"], "offline")
        assert intent["reference"] == order["number"] and intent["provider"] == "offline"
        url = f"/api/orders/{order['id']}/confirm-payment"
        body = {"reference": "BANK-0001", "amount": 6000}
        assert (await client.post(url, json=body, headers=headers)).status_code == 403
        finance = await staff("finance")
        for amount in (5000, "6000", 6000.0):
            r = await client.post(url, json=body | {"amount": amount}, headers=finance)
            assert r.status_code in (400, 409) and r.json()["error"]["code"] in ("amount_mismatch", "invalid_input")
        assert await status_of(order["id"]) == "placed"
        r = await client.post(url, json=body, headers=finance)
        assert r.status_code == 200 and r.json()["intent_id"] == intent["intent_id"]
        assert await status_of(order["id"]) == "paid" and await ledger.balance("platform:cash:offline") == -6000
        assert (await client.post(url, json=body, headers=finance)).status_code == 200
        r = await client.post(url, json=body | {"reference": "BANK-0002"}, headers=finance)
        assert r.status_code == 409 and r.json()["error"]["code"] == "payment_already_confirmed"
        assert len(recorder.of("order_paid")) == 1 and await Posting.all().count() == 1
        paid_event = await OrderEvent.get(order_id=order["id"], status="paid")
        assert paid_event.actor_id is not None


async def test_staff_can_confirm_without_a_buyer_intent(client):
    _headers, order = await _placed(client)
    r = await client.post(f"/api/orders/{order['id']}/confirm-payment", json={"reference": "CASH-1", "amount": 6000},
                          headers=await staff("owner"))
    assert r.status_code == 200 and await status_of(order["id"]) == "paid"


async def test_errors_speak_chinese(client, clock):
    headers, order = await _placed(client)
    intent = await _intent(client, headers, order["id"])
    r = await callback(client, intent["intent_id"], "tx-1", 1, _now(clock))
    assert r.json()["error"]["message"] == "支付金额与订单应付金额不符。"


async def test_paying_through_the_demo_helper(client):
    headers, order = await _placed(client)
    assert (await pay(client, headers, order["id"]))["status"] == "succeeded"
