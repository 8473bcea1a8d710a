from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from qunshang.catalog.models import ProductStatus
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Category',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=64)),
                ('slug', fields.CharField(unique=True, max_length=64)),
                ('position', fields.IntField(default=0)),
                ('parent', fields.ForeignKeyField('catalog.Category', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'catalog_category', 'app': 'catalog', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Product',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('images', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharEnumField(default=ProductStatus.DRAFT, db_index=True, description='DRAFT: draft\nPUBLISHED: published\nARCHIVED: archived', enum_type=ProductStatus, max_length=9)),
                ('category', fields.ForeignKeyField('catalog.Category', source_field='category_id', null=True, db_constraint=True, to_field='id', related_name='products', on_delete=OnDelete.CASCADE)),
                ('price', fields.BigIntField(default=0, description='lowest SKU price and total stock, kept by the service so a listing is one query')),
                ('stock', fields.IntField(default=0)),
                ('position', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'catalog_product', 'app': 'catalog', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Sku',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('product', fields.ForeignKeyField('catalog.Product', source_field='product_id', db_index=True, db_constraint=True, to_field='id', related_name='skus', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(default='', max_length=100)),
                ('price', fields.BigIntField(description='list price, minor units')),
                ('stock', fields.IntField(default=0)),
                ('sold', fields.IntField(default=0)),
                ('active', fields.BooleanField(default=True)),
            ],
            options={'table': 'catalog_sku', 'app': 'catalog', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
