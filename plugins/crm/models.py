"""CRM tables, all ``crm_*``: salespeople and teams, customers (one row per member with its
owner and behaviour counters), assignment history, follow-ups, paid orders credited to the
owner of the time, tags, tag rules and routing rules. Staff and customers are referred to by
member id."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class AssignKind(StrEnum):
    INVITE = "invite"
    RULE = "rule"
    CLAIM = "claim"
    MANUAL = "manual"
    RELEASE = "release"


class FollowUpKind(StrEnum):
    VISIT = "visit"
    CALL = "call"
    CHAT = "chat"
    NOTE = "note"


class TagRuleKind(StrEnum):
    BOUGHT_CATEGORY = "bought_category"
    JOINED_GROUP = "joined_group"
    NO_ORDER_DAYS = "no_order_days"


class RouteMatch(StrEnum):
    TAG = "tag"
    REGION = "region"
    SOURCE = "source"


class Team(Model):
    """A sales team: a manager (role sales_manager) and the salespeople in it."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    manager_id = fields.IntField(db_index=True, description="the manager's member id")
    created_at = fields.DatetimeField()


class Salesperson(Model):
    """A member with the salesperson role taking part in the CRM: invite code, cap, load."""

    id = fields.IntField(primary_key=True)
    member_id = fields.IntField(unique=True)
    code = fields.CharField(max_length=16, unique=True, description="invite code in the salesperson's link")
    team = fields.ForeignKeyField("crm.Team", related_name="salespeople", null=True, db_index=True)
    region = fields.CharField(max_length=32, default="")
    capacity = fields.IntField(null=True, description="customers at most, none for the deployment default")
    load = fields.IntField(default=0, description="customers owned now, changed by conditional updates")
    last_assignment_id = fields.IntField(default=0, description="latest assignment received, for round-robin")
    disabled = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()

    class Meta:
        indexes = (("load", "last_assignment_id"),)


class Customer(Model):
    """A member seen by the CRM: owner, protection, stage inputs and follow-up state."""

    id = fields.IntField(primary_key=True)
    member_id = fields.IntField(unique=True)
    owner_id = fields.IntField(null=True, db_index=True, description="the owning salesperson's member id")
    first_owner_id = fields.IntField(null=True, db_index=True, description="the first salesperson to own them (conversion)")
    owned_at = fields.DatetimeField(null=True)
    protected_until = fields.DatetimeField(null=True, db_index=True)
    source = fields.CharField(max_length=32, default="")
    region = fields.CharField(max_length=32, default="")
    registered_at = fields.DatetimeField(db_index=True)
    orders_count = fields.IntField(default=0, description="paid orders")
    paid_total = fields.BigIntField(default=0, description="paid order totals in fen")
    first_order_at = fields.DatetimeField(null=True)
    last_order_at = fields.DatetimeField(null=True, db_index=True)
    groups_joined = fields.IntField(default=0)
    last_follow_up_at = fields.DatetimeField(null=True)
    next_follow_up_at = fields.DatetimeField(null=True, db_index=True)


class Assignment(Model):
    """History of every ownership change: who got whom, how, why and by whom."""

    id = fields.IntField(primary_key=True)
    customer_id = fields.IntField(db_index=True, description="the customer's member id")
    from_owner_id = fields.IntField(null=True)
    to_owner_id = fields.IntField(null=True, db_index=True)
    kind = fields.CharEnumField(AssignKind)
    reason = fields.CharField(max_length=200, default="")
    actor_id = fields.IntField(null=True)
    at = fields.DatetimeField(db_index=True)


class FollowUp(Model):
    """A visit, call, chat or note by a salesperson, with the next follow-up date."""

    id = fields.IntField(primary_key=True)
    customer_id = fields.IntField(db_index=True, description="the customer's member id")
    salesperson_id = fields.IntField(db_index=True, description="the author's member id")
    kind = fields.CharEnumField(FollowUpKind)
    note = fields.CharField(max_length=500, default="")
    next_at = fields.DatetimeField(null=True)
    due_by = fields.DatetimeField(null=True, db_index=True, description="end of the business day of next_at")
    at = fields.DatetimeField(db_index=True)


class Sale(Model):
    """A paid order credited to the salesperson who owned the buyer when it was paid (none: the pool)."""

    id = fields.IntField(primary_key=True)
    order_id = fields.IntField(unique=True)
    customer_id = fields.IntField(db_index=True, description="the buyer's member id")
    owner_id = fields.IntField(null=True, db_index=True)
    total = fields.BigIntField(description="fen")
    refunded = fields.BigIntField(default=0, description="fen returned since, by order_refunded")
    paid_at = fields.DatetimeField(db_index=True)


class CustomerTag(Model):
    """A tag on a customer, set by hand or by a tag rule."""

    id = fields.IntField(primary_key=True)
    customer_id = fields.IntField(description="the customer's member id")
    tag = fields.CharField(max_length=32, db_index=True)
    rule_id = fields.IntField(null=True, description="the rule that set it, none when manual")
    at = fields.DatetimeField()

    class Meta:
        unique_together = (("customer_id", "tag"),)


class TagRule(Model):
    """An automatic tag: bought a category (slug), joined a group (id), or no order in N days."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(TagRuleKind)
    value = fields.CharField(max_length=64)
    tag = fields.CharField(max_length=32)

    class Meta:
        unique_together = (("kind", "value", "tag"),)


class Route(Model):
    """An assignment rule: customers matching (tag, region or source) go to these salespeople."""

    id = fields.IntField(primary_key=True)
    match = fields.CharEnumField(RouteMatch)
    value = fields.CharField(max_length=64)
    salesperson_ids = fields.JSONField(default=list, description="member ids of the salespeople")
    position = fields.IntField(default=0, description="rules are tried by position, then id")


__models__ = [Team, Salesperson, Customer, Assignment, FollowUp, Sale, CustomerTag, TagRule, Route]
