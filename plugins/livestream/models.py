"""Live rooms, their sessions, pushed products, live flash sales, live coupons, comments and
funnel records."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model



class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    PAUSED = "paused"
    ENDED = "ended"


class SaleStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ClaimStatus(StrEnum):
    CLAIMED = "claimed"
    USED = "used"


class Room(Model):
    """A host's live room, the place viewers come back to."""

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=100)
    description = fields.TextField(default="")
    cover_url = fields.CharField(max_length=500, default="")
    host = fields.ForeignKeyField("members.Member", related_name="live_rooms", db_index=True)
    created_at = fields.DatetimeField()


class LiveSession(Model):
    """One broadcast of a room, streamed on an external platform."""

    id = fields.IntField(primary_key=True)
    room = fields.ForeignKeyField("livestream.Room", related_name="sessions", db_index=True)
    title = fields.CharField(max_length=100)
    status = fields.CharEnumField(SessionStatus, default=SessionStatus.SCHEDULED, db_index=True)
    scheduled_start = fields.DatetimeField()
    scheduled_end = fields.DatetimeField()
    stream_url = fields.CharField(max_length=500, default="", description="HLS or the platform's page")
    replay_url = fields.CharField(max_length=500, default="")
    pinned_product_id = fields.IntField(null=True)
    group_invite_code = fields.CharField(max_length=32, default="", description="a core group invite with via livestream")
    viewers = fields.IntField(default=0, description="connected viewers now, all processes")
    peak_viewers = fields.IntField(default=0)
    likes = fields.BigIntField(default=0)
    started_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)


class ShelfItem(Model):
    """A product the host pushed to the session's shelf."""

    id = fields.IntField(primary_key=True)
    session = fields.ForeignKeyField("livestream.LiveSession", related_name="shelf", db_index=True)
    product_id = fields.IntField()
    pushed_at = fields.DatetimeField()

    class Meta:
        unique_together = (("session", "product_id"),)


class LiveSale(Model):
    """A live flash sale of one SKU: ``cap`` units were taken off the SKU's stock when it opened."""

    id = fields.IntField(primary_key=True)
    session = fields.ForeignKeyField("livestream.LiveSession", related_name="sales", db_index=True)
    product_id = fields.IntField()
    sku_id = fields.IntField(db_index=True)
    live_price = fields.BigIntField(description="per unit, minor units")
    cap = fields.IntField(description="units reserved from the SKU")
    remaining = fields.IntField(description="reserved units not yet sold")
    per_member_limit = fields.IntField()
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    status = fields.CharEnumField(SaleStatus, default=SaleStatus.OPEN, db_index=True)
    returned = fields.IntField(default=0, description="unsold units given back to the SKU at close")
    closed_at = fields.DatetimeField(null=True)


class LivePurchase(Model):
    """Units one member bought in one sale (the per-member limit)."""

    id = fields.IntField(primary_key=True)
    sale = fields.ForeignKeyField("livestream.LiveSale", related_name="purchases", db_index=True)
    member_id = fields.IntField()
    remaining = fields.IntField(description="units this member may still buy")

    class Meta:
        unique_together = (("sale", "member_id"),)


class LiveCoupon(Model):
    """An amount off a live order, pushed by the host: ``quantity`` members may claim it."""

    id = fields.IntField(primary_key=True)
    session = fields.ForeignKeyField("livestream.LiveSession", related_name="coupons", db_index=True)
    amount = fields.BigIntField(description="off the order, minor units")
    min_spend = fields.BigIntField(default=0, description="the order's goods must come to at least this, minor units")
    quantity = fields.IntField(description="claims allowed in all")
    remaining = fields.IntField(description="claims left")
    valid_until = fields.DatetimeField(null=True, description="null means until the session ends")
    created_at = fields.DatetimeField()


class CouponClaim(Model):
    """One member's claim of a live coupon (one per member), then the order it was used on."""

    id = fields.IntField(primary_key=True)
    coupon = fields.ForeignKeyField("livestream.LiveCoupon", related_name="claims", db_index=True)
    member_id = fields.IntField()
    status = fields.CharEnumField(ClaimStatus, default=ClaimStatus.CLAIMED)
    order_id = fields.IntField(null=True, db_index=True)
    claimed_at = fields.DatetimeField()

    class Meta:
        unique_together = (("coupon", "member_id"),)


class Comment(Model):
    id = fields.IntField(primary_key=True)
    session = fields.ForeignKeyField("livestream.LiveSession", related_name="comments", db_index=True)
    member = fields.ForeignKeyField("members.Member", related_name="live_comments", db_index=True)
    text = fields.CharField(max_length=1000)
    created_at = fields.DatetimeField()
    deleted = fields.BooleanField(default=False)


class Mute(Model):
    """A member who may not comment in a room."""

    id = fields.IntField(primary_key=True)
    room = fields.ForeignKeyField("livestream.Room", related_name="mutes", db_index=True)
    member_id = fields.IntField()
    by_id = fields.IntField()
    created_at = fields.DatetimeField()

    class Meta:
        unique_together = (("room", "member_id"),)


class Viewer(Model):
    """A distinct visitor of a session page (a member id or an anonymous session key)."""

    id = fields.IntField(primary_key=True)
    session = fields.ForeignKeyField("livestream.LiveSession", related_name="visitors", db_index=True)
    visitor = fields.CharField(max_length=64)

    class Meta:
        unique_together = (("session", "visitor"),)


class Arrival(Model):
    """A member who registered after arriving through a session's page."""

    id = fields.IntField(primary_key=True)
    session = fields.ForeignKeyField("livestream.LiveSession", related_name="arrivals", db_index=True)
    member_id = fields.IntField(unique=True)
    referral_code = fields.CharField(max_length=64, default="")


class LiveOrder(Model):
    """An order placed from a session's room."""

    id = fields.IntField(primary_key=True)
    session = fields.ForeignKeyField("livestream.LiveSession", related_name="orders", db_index=True)
    order_id = fields.IntField(unique=True)
    sale_id = fields.IntField(null=True)


class ClipMark(Model):
    """A product's explanation segment in a session's replay, in seconds."""

    id = fields.IntField(primary_key=True)
    session = fields.ForeignKeyField("livestream.LiveSession", related_name="clips", db_index=True)
    product_id = fields.IntField(db_index=True)
    start_seconds = fields.IntField()
    end_seconds = fields.IntField()


__models__ = [
    Room, LiveSession, ShelfItem, LiveSale, LivePurchase, LiveCoupon, CouponClaim, Comment, Mute, Viewer, Arrival,
    LiveOrder, ClipMark,
]
