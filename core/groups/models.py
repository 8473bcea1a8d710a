"""Community groups (社群): owner, join policy, invites, memberships and announcements."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model



class JoinPolicy(StrEnum):
    OPEN = "open"
    APPROVAL = "approval"
    INVITE = "invite"


class GroupRole(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"


class MembershipStatus(StrEnum):
    ACTIVE = "active"
    PENDING = "pending"
    LEFT = "left"
    REJECTED = "rejected"


class Group(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64)
    description = fields.TextField(default="")
    owner = fields.ForeignKeyField("members.Member", related_name="owned_groups")
    join_policy = fields.CharEnumField(JoinPolicy, default=JoinPolicy.OPEN)
    member_count = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)


class GroupMembership(Model):
    id = fields.IntField(primary_key=True)
    group = fields.ForeignKeyField("groups.Group", related_name="memberships")
    member = fields.ForeignKeyField("members.Member", related_name="group_memberships", db_index=True)
    role = fields.CharEnumField(GroupRole, default=GroupRole.MEMBER)
    status = fields.CharEnumField(MembershipStatus, default=MembershipStatus.ACTIVE)
    via = fields.CharField(max_length=32, default="open")
    invite = fields.ForeignKeyField("groups.GroupInvite", related_name="memberships", null=True)
    joined_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        unique_together = (("group", "member"),)


class GroupInvite(Model):
    id = fields.IntField(primary_key=True)
    group = fields.ForeignKeyField("groups.Group", related_name="invites", db_index=True)
    code = fields.CharField(max_length=32, unique=True)
    created_by = fields.ForeignKeyField("members.Member", related_name="group_invites")
    via = fields.CharField(max_length=32, default="invite")
    max_uses = fields.IntField(null=True)
    uses = fields.IntField(default=0)
    expires_at = fields.DatetimeField(null=True)
    revoked = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)


class Announcement(Model):
    id = fields.IntField(primary_key=True)
    group = fields.ForeignKeyField("groups.Group", related_name="announcements", db_index=True)
    author = fields.ForeignKeyField("members.Member", related_name="announcements")
    title = fields.CharField(max_length=100)
    body = fields.TextField()
    pinned = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pinned", "-id"]


__models__ = [Group, GroupMembership, GroupInvite, Announcement]
