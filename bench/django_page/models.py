"""One unmanaged model over Qunshang's product table."""

from django.db import models


class Product(models.Model):
    title = models.CharField(max_length=200)
    images = models.JSONField(default=list)
    status = models.CharField(max_length=16)
    price = models.BigIntegerField()
    stock = models.IntegerField()
    position = models.IntegerField()

    class Meta:
        db_table = "catalog_product"
        managed = False
