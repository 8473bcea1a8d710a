from tortoise import migrations
from tortoise.migrations import operations as ops
from qunshang.groups.models import GroupRole, JoinPolicy, MembershipStatus
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('members', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Group',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=64)),
                ('description', fields.TextField(default='', unique=False)),
                ('owner', fields.ForeignKeyField('members.Member', source_field='owner_id', db_constraint=True, to_field='id', related_name='owned_groups', on_delete=OnDelete.CASCADE)),
                ('join_policy', fields.CharEnumField(default=JoinPolicy.OPEN, description='OPEN: open\nAPPROVAL: approval\nINVITE: invite', enum_type=JoinPolicy, max_length=8)),
                ('member_count', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'groups_group', 'app': 'groups', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Announcement',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('groups.Group', source_field='group_id', db_index=True, db_constraint=True, to_field='id', related_name='announcements', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('members.Member', source_field='author_id', db_constraint=True, to_field='id', related_name='announcements', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=100)),
                ('body', fields.TextField(unique=False)),
                ('pinned', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'groups_announcement', 'app': 'groups', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='GroupInvite',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('groups.Group', source_field='group_id', db_index=True, db_constraint=True, to_field='id', related_name='invites', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('created_by', fields.ForeignKeyField('members.Member', source_field='created_by_id', db_constraint=True, to_field='id', related_name='group_invites', on_delete=OnDelete.CASCADE)),
                ('via', fields.CharField(default='invite', max_length=32)),
                ('max_uses', fields.IntField(null=True)),
                ('uses', fields.IntField(default=0)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'groups_groupinvite', 'app': 'groups', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='GroupMembership',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('groups.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('members.Member', source_field='member_id', db_index=True, db_constraint=True, to_field='id', related_name='group_memberships', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(default=GroupRole.MEMBER, description='OWNER: owner\nADMIN: admin\nMEMBER: member', enum_type=GroupRole, max_length=6)),
                ('status', fields.CharEnumField(default=MembershipStatus.ACTIVE, description='ACTIVE: active\nPENDING: pending\nLEFT: left\nREJECTED: rejected', enum_type=MembershipStatus, max_length=8)),
                ('via', fields.CharField(default='open', max_length=32)),
                ('invite', fields.ForeignKeyField('groups.GroupInvite', source_field='invite_id', null=True, db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('joined_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'groups_groupmembership', 'app': 'groups', 'unique_together': (('group', 'member'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
