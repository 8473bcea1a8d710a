"""Writes, then fails: in a notify hook (isolated) and nowhere else."""

from qunshang import hookimpl, PluginMeta
from qunshang.members.models import MemberTag

from . import calls

plugin = PluginMeta(id="faulty", title="Faulty", version="1.0")


@hookimpl
async def group_created(group):
    calls.append("faulty.group_created")
    await MemberTag.create(member_id=group.owner_id, tag="faulty")
    raise RuntimeError("faulty plugin failed")
