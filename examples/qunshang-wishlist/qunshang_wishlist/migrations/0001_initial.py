from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('catalog', '0001_initial'), ('members', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='WishlistItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('members.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='wishlist_items', on_delete=OnDelete.CASCADE)),
                ('product', fields.ForeignKeyField('catalog.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='wishlist_items', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(description='when it was added, from the runtime clock', auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'wishlist_wishlistitem', 'app': 'wishlist', 'unique_together': (('member', 'product'),), 'pk_attr': 'id', 'table_description': 'A product a member wants to buy later.'},
            bases=['Model'],
        ),
    ]
