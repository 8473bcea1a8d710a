from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('actor_id', fields.IntField(null=True, db_index=True)),
                ('actor_login', fields.CharField(default='', max_length=128)),
                ('action', fields.CharField(db_index=True, description='e.g. product.update', max_length=64)),
                ('target_type', fields.CharField(db_index=True, max_length=32)),
                ('target_id', fields.CharField(default='', max_length=64)),
                ('before', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('after', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('ip', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'console_auditentry', 'app': 'console', 'pk_attr': 'id', 'table_description': 'Who did what to which record, with the record before and after, when and from where.'},
            bases=['Model'],
        ),
    ]
