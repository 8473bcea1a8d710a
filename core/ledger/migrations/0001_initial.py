from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Account',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, description='e.g. member:42:available', max_length=128)),
                ('member_id', fields.IntField(null=True, db_index=True)),
                ('balance', fields.BigIntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'ledger_account', 'app': 'ledger', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Posting',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, description='idempotency key', max_length=191)),
                ('kind', fields.CharField(max_length=48)),
                ('memo', fields.CharField(default='', max_length=200)),
                ('ref', fields.CharField(default='', db_index=True, description='e.g. order:12', max_length=64)),
                ('reverses', fields.ForeignKeyField('ledger.Posting', source_field='reverses_id', null=True, db_constraint=True, to_field='id', related_name='reversals', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ledger_posting', 'app': 'ledger', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Entry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('posting', fields.ForeignKeyField('ledger.Posting', source_field='posting_id', db_index=True, db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.CASCADE)),
                ('account', fields.ForeignKeyField('ledger.Account', source_field='account_id', db_index=True, db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.CASCADE)),
                ('amount', fields.BigIntField(description="signed, and a posting's amounts sum to zero")),
            ],
            options={'table': 'ledger_entry', 'app': 'ledger', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
