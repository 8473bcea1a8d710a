"""Payment attempts and their confirmations from providers."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model



class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    #: the money arrived after the order was cancelled: held in ``platform:refunds_due``
    TO_REFUND = "to_refund"


class Payment(Model):
    id = fields.IntField(primary_key=True)
    order = fields.ForeignKeyField("orders.Order", related_name="payments", db_index=True)
    provider = fields.CharField(max_length=32)
    intent_id = fields.CharField(max_length=64, unique=True)
    amount = fields.BigIntField()
    status = fields.CharEnumField(PaymentStatus, default=PaymentStatus.PENDING)
    transaction_id = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField()
    succeeded_at = fields.DatetimeField(null=True)

    class Meta:
        unique_together = (("provider", "transaction_id"),)


__models__ = [Payment]
