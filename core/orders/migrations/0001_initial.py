from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from qunshang.orders.models import OrderStatus
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('catalog', '0001_initial'), ('members', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Order',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=32)),
                ('member', fields.ForeignKeyField('members.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='orders', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(default=OrderStatus.PLACED, db_index=True, description='PLACED: placed\nPAID: paid\nSHIPPED: shipped\nCOMPLETED: completed\nCLOSED: closed\nCANCELLED: cancelled\nREFUNDED: refunded', enum_type=OrderStatus, max_length=9)),
                ('currency', fields.CharField(default='CNY', max_length=3)),
                ('subtotal', fields.BigIntField(description='list price × quantity')),
                ('discount', fields.BigIntField(default=0, description='sum of price adjustments (≥ 0)')),
                ('shipping_fee', fields.BigIntField(default=0)),
                ('total', fields.BigIntField(description='amount to pay')),
                ('refunded_amount', fields.BigIntField(default=0)),
                ('address', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('note', fields.CharField(default='', max_length=200)),
                ('context', fields.JSONField(default=dict, description='placement context: channel, campaign…', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('idempotency_key', fields.CharField(null=True, max_length=64)),
                ('request_hash', fields.CharField(default='', max_length=64)),
                ('payment_provider', fields.CharField(null=True, max_length=32)),
                ('carrier', fields.CharField(default='', max_length=32)),
                ('tracking_number', fields.CharField(default='', max_length=64)),
                ('placed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(description='unpaid orders are cancelled after this', auto_now=False, auto_now_add=False)),
                ('paid_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('shipped_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('after_sales_ends_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('cancelled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'orders_order', 'app': 'orders', 'unique_together': (('member', 'idempotency_key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OrderEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('orders.Order', source_field='order_id', db_index=True, db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharField(max_length=16)),
                ('note', fields.CharField(default='', max_length=200)),
                ('actor_id', fields.IntField(null=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'orders_orderevent', 'app': 'orders', 'pk_attr': 'id', 'table_description': "The order's timeline: every state change, who made it and why."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OrderLine',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('orders.Order', source_field='order_id', db_index=True, db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('sku', fields.ForeignKeyField('catalog.Sku', source_field='sku_id', db_constraint=True, to_field='id', related_name='order_lines', on_delete=OnDelete.RESTRICT)),
                ('product_id', fields.IntField()),
                ('title', fields.CharField(max_length=200)),
                ('sku_name', fields.CharField(default='', max_length=100)),
                ('unit_price', fields.BigIntField(description='list price per unit at placement')),
                ('quantity', fields.IntField()),
                ('discount', fields.BigIntField(default=0)),
                ('total', fields.BigIntField(description='paid for this line: unit_price × quantity − discount')),
                ('adjustments', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('refunded_quantity', fields.IntField(default=0)),
                ('refunded_amount', fields.BigIntField(default=0)),
            ],
            options={'table': 'orders_orderline', 'app': 'orders', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Refund',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('orders.Order', source_field='order_id', db_index=True, db_constraint=True, to_field='id', related_name='refunds', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(unique=True, description='idempotency key', max_length=100)),
                ('request_hash', fields.CharField(default='', description='hash of the refund request, for replays', max_length=64)),
                ('amount', fields.BigIntField(description='total returned, shipping included')),
                ('shipping_amount', fields.BigIntField(default=0)),
                ('lines', fields.JSONField(default=list, description='[{line_id, quantity, amount}]', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('reason', fields.CharField(default='', max_length=200)),
                ('restock', fields.BooleanField(default=False)),
                ('actor_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'orders_refund', 'app': 'orders', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
