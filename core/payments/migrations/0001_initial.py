from tortoise import migrations
from tortoise.migrations import operations as ops
from qunshang.payments.models import PaymentStatus
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('orders', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Payment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('orders.Order', source_field='order_id', db_index=True, db_constraint=True, to_field='id', related_name='payments', on_delete=OnDelete.CASCADE)),
                ('provider', fields.CharField(max_length=32)),
                ('intent_id', fields.CharField(unique=True, max_length=64)),
                ('amount', fields.BigIntField()),
                ('status', fields.CharEnumField(default=PaymentStatus.PENDING, description='PENDING: pending\nSUCCEEDED: succeeded\nTO_REFUND: to_refund', enum_type=PaymentStatus, max_length=9)),
                ('transaction_id', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('succeeded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'payments_payment', 'app': 'payments', 'unique_together': (('provider', 'transaction_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
