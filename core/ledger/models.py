"""Double-entry ledger: accounts, immutable postings and their entries.

A posting's entries sum to zero, and an account's ``balance`` is the sum of its entries' amounts,
kept by an atomic ``UPDATE … SET balance = balance + ?`` in the posting's transaction and
recomputable by ``qunshang ledger check``.
"""

from tortoise import fields
from tortoise.models import Model



class Account(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=128, unique=True, description="e.g. member:42:available")
    member_id = fields.IntField(null=True, db_index=True)
    balance = fields.BigIntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)


class Posting(Model):
    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=191, unique=True, description="idempotency key")
    kind = fields.CharField(max_length=48)
    memo = fields.CharField(max_length=200, default="")
    ref = fields.CharField(max_length=64, default="", db_index=True, description="e.g. order:12")
    reverses = fields.ForeignKeyField("ledger.Posting", related_name="reversals", null=True)
    created_at = fields.DatetimeField()


class Entry(Model):
    id = fields.IntField(primary_key=True)
    posting = fields.ForeignKeyField("ledger.Posting", related_name="entries", db_index=True)
    account = fields.ForeignKeyField("ledger.Account", related_name="entries", db_index=True)
    amount = fields.BigIntField(description="signed, and a posting's amounts sum to zero")


__models__ = [Account, Posting, Entry]
