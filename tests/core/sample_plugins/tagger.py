"""Tags the member involved: a well-behaved notify and guard implementation."""

from qunshang import PluginMeta, hookimpl
from qunshang.members.models import MemberTag

from . import calls

plugin = PluginMeta(id="tagger", title="Tagger", version="1.0")


@hookimpl
async def group_created(group):
    calls.append("tagger.group_created")
    await MemberTag.create(member_id=group.owner_id, tag="tagger")
    return "tagged"


@hookimpl
def order_paid(order):
    calls.append("tagger.order_paid")
