"""The console's audit log: one row per write action, written in the action's transaction."""

from tortoise import fields
from tortoise.models import Model


class AuditEntry(Model):
    """Who did what to which record, with the record before and after, when and from where."""

    id = fields.IntField(primary_key=True)
    actor_id = fields.IntField(null=True, db_index=True)
    actor_login = fields.CharField(max_length=128, default="")
    action = fields.CharField(max_length=64, db_index=True, description="e.g. product.update")
    target_type = fields.CharField(max_length=32, db_index=True)
    target_id = fields.CharField(max_length=64, default="")
    before = fields.JSONField(null=True)
    after = fields.JSONField(null=True)
    at = fields.DatetimeField(db_index=True)
    ip = fields.CharField(max_length=64, default="")

    class Meta:
        ordering = ["-id"]


__models__ = [AuditEntry]
