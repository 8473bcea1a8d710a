"""Catalog: categories, products and their SKUs. Stock changes only through ``db.take``/``db.give``."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model



class ProductStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Category(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64)
    slug = fields.CharField(max_length=64, unique=True)
    position = fields.IntField(default=0)
    parent = fields.ForeignKeyField("catalog.Category", related_name="children", null=True)

    class Meta:
        ordering = ["position", "id"]


class Product(Model):
    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    images = fields.JSONField(default=list)
    status = fields.CharEnumField(ProductStatus, default=ProductStatus.DRAFT, db_index=True)
    category = fields.ForeignKeyField("catalog.Category", related_name="products", null=True)
    #: lowest SKU price and total stock, kept by the service so a listing is one query
    price = fields.BigIntField(default=0)
    stock = fields.IntField(default=0)
    position = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        ordering = ["position", "-id"]


class Sku(Model):
    id = fields.IntField(primary_key=True)
    product = fields.ForeignKeyField("catalog.Product", related_name="skus", db_index=True)
    code = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=100, default="")
    price = fields.BigIntField(description="list price, minor units")
    stock = fields.IntField(default=0)
    sold = fields.IntField(default=0)
    active = fields.BooleanField(default=True)

    class Meta:
        ordering = ["id"]


class Revision(Model):
    """The catalog's revision: one row whose value goes up in the transaction of every change a
    cached storefront page could show (products, prices, categories, a product selling out or
    coming back). Pages cached for anonymous visitors are valid while it stays the same."""

    id = fields.IntField(primary_key=True)
    value = fields.BigIntField(default=0)


__models__ = [Category, Product, Sku, Revision]
