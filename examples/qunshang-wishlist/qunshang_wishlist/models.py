"""The wishlist's one table, ``wishlist_wishlistitem``."""

from tortoise import fields
from tortoise.models import Model


class WishlistItem(Model):
    """A product a member wants to buy later."""

    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("members.Member", related_name="wishlist_items")
    product = fields.ForeignKeyField("catalog.Product", related_name="wishlist_items")
    created_at = fields.DatetimeField(description="when it was added, from the runtime clock")

    class Meta:
        unique_together = (("member", "product"),)
        ordering = ["-created_at", "-id"]


__models__ = [WishlistItem]
