"""Orders, their lines, their timeline and refunds. Totals are computed server-side only."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model



class OrderStatus(StrEnum):
    PLACED = "placed"
    PAID = "paid"
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class Order(Model):
    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)
    member = fields.ForeignKeyField("members.Member", related_name="orders")
    status = fields.CharEnumField(OrderStatus, default=OrderStatus.PLACED, db_index=True)
    currency = fields.CharField(max_length=3, default="CNY")
    subtotal = fields.BigIntField(description="list price × quantity")
    discount = fields.BigIntField(default=0, description="sum of price adjustments (≥ 0)")
    shipping_fee = fields.BigIntField(default=0)
    total = fields.BigIntField(description="amount to pay")
    refunded_amount = fields.BigIntField(default=0)
    address = fields.JSONField(default=dict)
    note = fields.CharField(max_length=200, default="")
    context = fields.JSONField(default=dict, description="placement context: channel, campaign…")
    idempotency_key = fields.CharField(max_length=64, null=True)
    request_hash = fields.CharField(max_length=64, default="")
    payment_provider = fields.CharField(max_length=32, null=True)
    carrier = fields.CharField(max_length=32, default="")
    tracking_number = fields.CharField(max_length=64, default="")
    placed_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(description="unpaid orders are cancelled after this")
    paid_at = fields.DatetimeField(null=True)
    shipped_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)
    after_sales_ends_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    cancelled_at = fields.DatetimeField(null=True)

    class Meta:
        unique_together = (("member", "idempotency_key"),)
        ordering = ["-id"]


class OrderLine(Model):
    id = fields.IntField(primary_key=True)
    order = fields.ForeignKeyField("orders.Order", related_name="lines", db_index=True)
    sku = fields.ForeignKeyField("catalog.Sku", related_name="order_lines", on_delete=fields.RESTRICT)
    product_id = fields.IntField()
    title = fields.CharField(max_length=200)
    sku_name = fields.CharField(max_length=100, default="")
    unit_price = fields.BigIntField(description="list price per unit at placement")
    quantity = fields.IntField()
    discount = fields.BigIntField(default=0)
    total = fields.BigIntField(description="paid for this line: unit_price × quantity − discount")
    adjustments = fields.JSONField(default=list)
    refunded_quantity = fields.IntField(default=0)
    refunded_amount = fields.BigIntField(default=0)

    class Meta:
        ordering = ["id"]


class OrderEvent(Model):
    """The order's timeline: every state change, who made it and why."""

    id = fields.IntField(primary_key=True)
    order = fields.ForeignKeyField("orders.Order", related_name="events", db_index=True)
    status = fields.CharField(max_length=16)
    note = fields.CharField(max_length=200, default="")
    actor_id = fields.IntField(null=True)
    at = fields.DatetimeField()

    class Meta:
        ordering = ["id"]


class Refund(Model):
    id = fields.IntField(primary_key=True)
    order = fields.ForeignKeyField("orders.Order", related_name="refunds", db_index=True)
    key = fields.CharField(max_length=100, unique=True, description="idempotency key")
    request_hash = fields.CharField(max_length=64, default="", description="hash of the refund request, for replays")
    amount = fields.BigIntField(description="total returned, shipping included")
    shipping_amount = fields.BigIntField(default=0)
    lines = fields.JSONField(default=list, description="[{line_id, quantity, amount}]")
    reason = fields.CharField(max_length=200, default="")
    restock = fields.BooleanField(default=False)
    actor_id = fields.IntField(null=True)
    created_at = fields.DatetimeField()


__models__ = [Order, OrderLine, OrderEvent, Refund]
