from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from qunshang.members.models import Level
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Member',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('login', fields.CharField(unique=True, description='phone or e-mail, normalised', max_length=128)),
                ('password_hash', fields.CharField(max_length=256)),
                ('display_name', fields.CharField(max_length=64)),
                ('locale', fields.CharField(null=True, max_length=8)),
                ('level', fields.CharEnumField(default=Level.USER, description='USER: user\nMEMBER: member\nFAN: fan\nLOYAL_FAN: loyal_fan', enum_type=Level, max_length=9)),
                ('is_active', fields.BooleanField(default=True)),
                ('registered_via', fields.JSONField(default=dict, description='registration context: source, codes', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_login_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'members_member', 'app': 'members', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApiToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('members.Member', source_field='member_id', db_index=True, db_constraint=True, to_field='id', related_name='api_tokens', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=64)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('prefix', fields.CharField(max_length=12)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'members_apitoken', 'app': 'members', 'pk_attr': 'id', 'table_description': 'A bearer token for integrators: only its SHA-256 is stored.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MemberRole',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('members.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='roles', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharField(max_length=32)),
            ],
            options={'table': 'members_memberrole', 'app': 'members', 'unique_together': (('member', 'role'),), 'pk_attr': 'id', 'table_description': 'A staff role held by a member: owner, operator, salesperson, host, finance…'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MemberTag',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('members.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='tags', on_delete=OnDelete.CASCADE)),
                ('tag', fields.CharField(max_length=32)),
            ],
            options={'table': 'members_membertag', 'app': 'members', 'unique_together': (('member', 'tag'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
