"""When each periodic job runs next; claiming a run is a conditional update on this row."""

from tortoise import fields
from tortoise.models import Model



class JobSchedule(Model):
    name = fields.CharField(max_length=100, primary_key=True)
    next_run_at = fields.DatetimeField()
    claimed_by = fields.CharField(max_length=64, default="")
    runs = fields.IntField(default=0)
    last_error = fields.TextField(default="")
    last_finished_at = fields.DatetimeField(null=True)


__models__ = [JobSchedule]
