from tortoise import migrations
from tortoise.migrations import operations as ops
from qunshang.payments.models import PaymentStatus
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('orders', '0001_initial'), ('payments', '0001_initial')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Payment',
            name='status',
            field=fields.CharEnumField(default=PaymentStatus.PENDING, description='PENDING: pending\nSUCCEEDED: succeeded\nTO_REFUND: to_refund', enum_type=PaymentStatus, max_length=9),
        ),
    ]
