"""Distribution tables, all ``distribution_*``: distributors and grades, the referral tree
(bindings plus a closure table of ancestry), rate overrides, commissions, withdrawals and the
audit trail of upline changes. Money columns are minor units, rates basis points."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class DistributorStatus(StrEnum):
    ACTIVE = "active"
    FROZEN = "frozen"
    DISABLED = "disabled"


class ApplicationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class CommissionStatus(StrEnum):
    PENDING = "pending"
    AVAILABLE = "available"
    REVERSED = "reversed"


class WithdrawalStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    REJECTED = "rejected"


class Grade(Model):
    """A distributor grade: its own rates per level and the rules that earn it."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=32, unique=True)
    rank = fields.IntField(unique=True, description="higher ranks are better grades")
    rates_bp = fields.JSONField(default=list, description="rate per level in basis points, empty for the defaults")
    min_team_size = fields.IntField(null=True)
    min_team_sales = fields.BigIntField(null=True)
    min_own_sales = fields.BigIntField(null=True)

    class Meta:
        ordering = ["rank"]


class Distributor(Model):
    """A member who may share and earn, with a referral code."""

    id = fields.IntField(primary_key=True)
    member = fields.OneToOneField("members.Member", related_name="distributor")
    code = fields.CharField(max_length=16, unique=True)
    status = fields.CharEnumField(DistributorStatus, default=DistributorStatus.ACTIVE)
    grade = fields.ForeignKeyField("distribution.Grade", related_name="distributors", null=True)
    via = fields.CharField(max_length=16, description="everyone, application, spend_threshold or designated")
    created_at = fields.DatetimeField()


class Application(Model):
    """A member asking to become a distributor, reviewed by an operator."""

    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("members.Member", related_name="distribution_applications")
    status = fields.CharEnumField(ApplicationStatus, default=ApplicationStatus.PENDING, db_index=True)
    note = fields.CharField(max_length=200, default="")
    open_member_id = fields.IntField(null=True, unique=True, description="the member while pending, one open application each")
    reviewer_id = fields.IntField(null=True)
    reason = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField()
    reviewed_at = fields.DatetimeField(null=True)


class Binding(Model):
    """A member bound under an upline (锁粉). The open binding has no ``ended_at``."""

    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("members.Member", related_name="distribution_bindings")
    upline = fields.ForeignKeyField("members.Member", related_name="distribution_downline_bindings")
    code = fields.CharField(max_length=16, default="")
    source = fields.CharField(max_length=32, default="")
    bound_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)
    end_reason = fields.CharField(max_length=32, default="")
    open_member_id = fields.IntField(null=True, unique=True, description="the member while open, one open binding each")


class TreePath(Model):
    """Closure table: ``ancestor`` is ``depth`` levels above ``descendant`` (0 is the member itself)."""

    id = fields.IntField(primary_key=True)
    ancestor_id = fields.IntField()
    descendant_id = fields.IntField(db_index=True)
    depth = fields.IntField()

    class Meta:
        unique_together = (("ancestor_id", "descendant_id"),)
        indexes = (("ancestor_id", "depth"),)


class UplineChange(Model):
    """Audit of every change of a member's upline: who, why, from and to."""

    id = fields.IntField(primary_key=True)
    member_id = fields.IntField(db_index=True)
    old_upline_id = fields.IntField(null=True)
    new_upline_id = fields.IntField(null=True)
    reason = fields.CharField(max_length=200)
    actor_id = fields.IntField(null=True)
    at = fields.DatetimeField()


class RateOverride(Model):
    """Commission rules of one product or one SKU, replacing the defaults and grade rates."""

    id = fields.IntField(primary_key=True)
    product_id = fields.IntField(db_index=True)
    sku_id = fields.IntField(null=True, unique=True)
    rates_bp = fields.JSONField(null=True, description="rate per level in basis points")
    amounts_per_unit = fields.JSONField(null=True, description="fixed amount per unit per level")
    excluded = fields.BooleanField(default=False, description="no commission at all, e.g. flash sales")

    class Meta:
        unique_together = (("product_id", "sku_id"),)


class Settlement(Model):
    """One batch of commissions made available together."""

    id = fields.IntField(primary_key=True)
    created_at = fields.DatetimeField()
    count = fields.IntField(default=0)
    amount = fields.BigIntField(default=0)


class Commission(Model):
    """What one earner earns on one order line at one level, with its explanation."""

    # status: pending, available once settled, or reversed (terminal) once refunds took it all back

    id = fields.IntField(primary_key=True)
    order_id = fields.IntField(db_index=True)
    order_line_id = fields.IntField()
    buyer_id = fields.IntField()
    earner_id = fields.IntField(db_index=True)
    level = fields.SmallIntField()
    base = fields.BigIntField()
    rate_bp = fields.IntField(null=True)
    amount = fields.BigIntField()
    reversed_amount = fields.BigIntField(default=0)
    status = fields.CharEnumField(CommissionStatus, default=CommissionStatus.PENDING)
    due = fields.BooleanField(default=False, description="after-sales closed, waiting for the settlement sweep")
    settlement = fields.ForeignKeyField("distribution.Settlement", related_name="commissions", null=True)
    explanation = fields.JSONField()
    created_at = fields.DatetimeField()
    settled_at = fields.DatetimeField(null=True)

    class Meta:
        unique_together = (("order_line_id", "level"),)
        indexes = (("status", "due"),)


class Withdrawal(Model):
    """A member's request to be paid out of the available balance."""

    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("members.Member", related_name="distribution_withdrawals")
    amount = fields.BigIntField()
    fee = fields.BigIntField()
    status = fields.CharEnumField(WithdrawalStatus, default=WithdrawalStatus.PENDING, db_index=True)
    open_member_id = fields.IntField(null=True, unique=True, description="the member while pending, one pending request each")
    reviewer_id = fields.IntField(null=True)
    reason = fields.CharField(max_length=200, default="")
    payout_ref = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField()
    reviewed_at = fields.DatetimeField(null=True)


__models__ = [
    Grade, Distributor, Application, Binding, TreePath, UplineChange, RateOverride, Settlement, Commission, Withdrawal,
]
