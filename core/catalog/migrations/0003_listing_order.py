"""The storefront's default listing order as indexes, so a page of products (all of them, or one
category's) is read in order instead of sorting every published product on each view. Raw SQL
because a model's ``Meta.indexes`` cannot say ``DESC``; the statements are the same on SQLite
and PostgreSQL."""

from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('catalog', '0002_revision')]

    initial = False

    operations = [
        ops.RunSQL(
            'CREATE INDEX "catalog_product_listing" ON "catalog_product" ("status", "position", "id" DESC)',
            reverse_sql='DROP INDEX "catalog_product_listing"',
        ),
        ops.RunSQL(
            'CREATE INDEX "catalog_product_category_listing" ON "catalog_product" '
            '("category_id", "status", "position", "id" DESC)',
            reverse_sql='DROP INDEX "catalog_product_category_listing"',
        ),
    ]
