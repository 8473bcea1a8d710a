from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('catalog', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Revision',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('value', fields.BigIntField(default=0)),
            ],
            options={'table': 'catalog_revision', 'app': 'catalog', 'pk_attr': 'id', 'table_description': "The catalog's revision: one row whose value goes up in the transaction of every change a"},
            bases=['Model'],
        ),
    ]
