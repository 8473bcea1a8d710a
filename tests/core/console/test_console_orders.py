"""Orders in the console: list, detail, offline payment, shipping, refunds and CSV export."""

import csv
import io

from qunshang.catalog import service as catalog
from qunshang.console.models import AuditEntry
from qunshang.ledger import service as ledger
from qunshang.orders import service as orders
from qunshang.orders.models import Order, OrderEvent, Refund
from qunshang.testing import make_member

from .conftest import ADDRESS, post_form, sign_in, staff


async def _order(runtime, quantity=2, title="Tea"):
    product = await catalog.create_product(title=title, status="published", skus=[catalog.SkuInput(f"{title}-1", 5000, 10)])
    sku = (await product.skus.all())[0]
    buyer = await make_member(f"buyer-{title.lower()}@example.com")
    placement = await orders.place_order(runtime, buyer, [{"sku_id": sku.id, "quantity": quantity}], ADDRESS)
    return placement.order


async def _paid(client, order):
    r = await post_form(client, f"/console/orders/{order.id}/confirm-payment", {"reference": "BANK-1", "amount": "100.00"})
    assert r.status_code == 303, r.text
    return await Order.get(id=order.id)


async def test_confirm_offline_payment_ship_and_timeline(owner_client):
    order = await _order(owner_client.runtime)
    page = await owner_client.get(f"/console/orders/{order.id}")
    assert "confirm-payment" in page.text
    order = await _paid(owner_client, order)
    assert order.status == "paid"
    r = await post_form(owner_client, f"/console/orders/{order.id}/ship", {"carrier": "SF", "tracking_number": "SF123"})
    assert r.status_code == 303
    order = await Order.get(id=order.id)
    assert order.status == "shipped" and order.tracking_number == "SF123"
    html = (await owner_client.get(f"/console/orders/{order.id}")).text
    assert "SF SF123" in html and html.count("<li><time>") == await OrderEvent.filter(order_id=order.id).count() >= 3
    ship = await AuditEntry.get(action="order.ship")
    assert ship.before["status"] == "paid" and ship.after["status"] == "shipped"
    assert await AuditEntry.filter(action="order.confirm_payment", target_id=str(order.id)).exists()
    assert await ledger.check() == []


async def test_wrong_amount_or_state_is_refused_without_a_write(owner_client):
    order = await _order(owner_client.runtime)
    r = await post_form(owner_client, f"/console/orders/{order.id}/confirm-payment", {"reference": "X", "amount": "1.00"})
    assert r.status_code in (400, 409)
    r = await post_form(owner_client, f"/console/orders/{order.id}/ship", {"carrier": "SF", "tracking_number": "1"})
    assert r.status_code == 409
    assert (await Order.get(id=order.id)).status == "placed"
    assert await AuditEntry.all().count() == 0


async def test_partial_then_full_refund_through_the_refunds_service(owner_client):
    order = await _paid(owner_client, await _order(owner_client.runtime))
    line = (await order.lines.all())[0]
    page = (await owner_client.get(f"/console/orders/{order.id}")).text
    key = page.split('name="key" value="')[1].split('"')[0]
    form = {"key": key, "full": "0", f"qty_{line.id}": "1", "reason": "damaged", "restock": "1"}
    assert (await post_form(owner_client, f"/console/orders/{order.id}/refund", form)).status_code == 303
    assert (await post_form(owner_client, f"/console/orders/{order.id}/refund", form)).status_code == 303  # a double submit replays
    order = await Order.get(id=order.id)
    assert order.refunded_amount == 5000 and await Refund.filter(order_id=order.id).count() == 1
    assert await AuditEntry.filter(action="order.refund").count() == 1
    r = await post_form(owner_client, f"/console/orders/{order.id}/refund", {"key": "k2", "full": "1"})
    assert r.status_code == 303
    order = await Order.get(id=order.id)
    assert order.refunded_amount == 10000 and order.status == "refunded"
    entry = await AuditEntry.filter(action="order.refund").order_by("-id").first()
    assert entry.before["refunded_amount"] == 5000 and entry.after["refunded_amount"] == 10000
    assert await ledger.check() == []


async def test_refund_of_more_than_was_bought_is_refused(owner_client):
    order = await _paid(owner_client, await _order(owner_client.runtime))
    line = (await order.lines.all())[0]
    for qty in ("3", "-1", "x"):
        r = await post_form(owner_client, f"/console/orders/{order.id}/refund", {"key": f"k{qty}", f"qty_{line.id}": qty})
        assert r.status_code in (400, 409), qty
    assert (await post_form(owner_client, f"/console/orders/{order.id}/refund", {"key": "none"})).status_code == 400
    assert (await Order.get(id=order.id)).refunded_amount == 0


async def test_finance_refunds_but_cannot_ship(make_app):
    async with make_app() as client:
        await staff("fin@example.com", roles=["finance"])
        await sign_in(client, "fin@example.com")
        order = await _paid(client, await _order(client.runtime))
        assert (await post_form(client, f"/console/orders/{order.id}/ship", {"carrier": "SF", "tracking_number": "1"})).status_code == 403
        assert (await post_form(client, f"/console/orders/{order.id}/refund", {"key": "a", "full": "1"})).status_code == 303


async def test_list_filters_and_csv_export_escapes_formulas(owner_client):
    a = await _order(owner_client.runtime, title="Tea")
    b = await _order(owner_client.runtime, title="Cup")
    await _paid(owner_client, a)
    html = (await owner_client.get("/console/orders?status=placed")).text
    assert b.number in html and a.number not in html
    assert ">buyer-cup</a>" in html  # the buyer by name, not only by id
    html = (await owner_client.get(f"/console/orders?number={a.number}")).text
    assert a.number in html and b.number not in html
    await Order.filter(id=b.id).update(address={**ADDRESS, "city": "=HYPERLINK(\"http://evil\")"})
    r = await owner_client.get("/console/orders/export.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][0] == "number" and {row[0] for row in rows[1:]} == {a.number, b.number}
    assert any(row[-1] == "'=HYPERLINK(\"http://evil\")" for row in rows)
