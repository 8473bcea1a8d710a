"""Members (buyers and staff alike), their roles, tags and API tokens."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model



class Level(StrEnum):
    """Community levels, lowest first: user → member → fan → loyal fan (铁粉)."""

    USER = "user"
    MEMBER = "member"
    FAN = "fan"
    LOYAL_FAN = "loyal_fan"


class Member(Model):
    id = fields.IntField(primary_key=True)
    login = fields.CharField(max_length=128, unique=True, description="phone or e-mail, normalised")
    password_hash = fields.CharField(max_length=256)
    display_name = fields.CharField(max_length=64)
    locale = fields.CharField(max_length=8, null=True)
    level = fields.CharEnumField(Level, default=Level.USER)
    is_active = fields.BooleanField(default=True)
    registered_via = fields.JSONField(default=dict, description="registration context: source, codes")
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    def __str__(self) -> str:
        return self.display_name


class MemberRole(Model):
    """A staff role held by a member: owner, operator, salesperson, host, finance…"""

    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("members.Member", related_name="roles")
    role = fields.CharField(max_length=32)

    class Meta:
        unique_together = (("member", "role"),)


class MemberTag(Model):
    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("members.Member", related_name="tags")
    tag = fields.CharField(max_length=32)

    class Meta:
        unique_together = (("member", "tag"),)


class ApiToken(Model):
    """A bearer token for integrators: only its SHA-256 is stored."""

    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("members.Member", related_name="api_tokens", db_index=True)
    name = fields.CharField(max_length=64)
    token_hash = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=12)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)


__models__ = [Member, MemberRole, MemberTag, ApiToken]
