"""A guard that writes, then refuses: the whole change must roll back."""

from qunshang import Conflict, PluginMeta, hookimpl
from qunshang.members.models import MemberTag

from . import calls

plugin = PluginMeta(id="refuser", title="Refuser", version="1.0")


@hookimpl
async def order_paid(order):
    calls.append("refuser.order_paid")
    await MemberTag.create(member_id=order.member_id, tag="refuser")
    raise Conflict("Refused by a guard.")
