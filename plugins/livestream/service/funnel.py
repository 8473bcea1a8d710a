"""Public → private funnel per session: viewers → group joins → registrations → orders → GMV
(with the live coupons claimed and used), and the server-side SVG chart of it."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from tortoise.functions import Sum

from qunshang.groups.models import GroupMembership, MembershipStatus
from qunshang.orders.models import Order, OrderStatus

from ..models import Arrival, LiveOrder, LiveSession, Viewer
from . import coupons

UNPAID = (OrderStatus.PLACED, OrderStatus.CANCELLED)


async def record_view(session_id: int, visitor: str) -> None:
    """Count a distinct visitor of the session's page (idempotent)."""
    await Viewer.bulk_create([Viewer(session_id=session_id, visitor=visitor[:64])], ignore_conflicts=True)


async def record_arrival(member_id: int, context: dict[str, Any]) -> None:
    """A registration whose arrival ``channel`` names a session (``livestream:<id>``, kept in the
    visitor's session by the room page)."""
    prefix, _, session = str(context.get("channel") or "").partition(":")
    if prefix == "livestream" and session.isdigit() and await LiveSession.exists(id=int(session)):
        referral = str(context.get("referral_code") or "")[:64]
        await Arrival.bulk_create([Arrival(session_id=int(session), member_id=member_id, referral_code=referral)],
                                  ignore_conflicts=True)


async def figures(session: LiveSession) -> dict[str, int]:
    joins = 0
    if session.group_invite_code:
        joins = await GroupMembership.filter(invite__code=session.group_invite_code, status=MembershipStatus.ACTIVE).count()
    order_ids = await LiveOrder.filter(session_id=session.id).values_list("order_id", flat=True)
    placed = Order.filter(id__in=order_ids).exclude(status=OrderStatus.CANCELLED)
    paid = Order.filter(id__in=order_ids).exclude(status__in=list(UNPAID))
    gmv = await paid.annotate(total_sum=Sum("total")).first().values_list("total_sum", flat=True) if order_ids else 0
    return {
        "viewers": await Viewer.filter(session_id=session.id).count(),
        "peak_viewers": session.peak_viewers,
        "likes": session.likes,
        "group_joins": joins,
        "registrations": await Arrival.filter(session_id=session.id).count(),
        "orders": await placed.count() if order_ids else 0,
        "paid_orders": await paid.count() if order_ids else 0,
        "gmv": int(gmv or 0),
        **await coupons.figures(session.id),
    }


STAGES = ("viewers", "group_joins", "registrations", "orders")
WIDTH, BAR, GAP, LABEL = 480, 28, 10, 120


def chart(figures: dict[str, int], labels: dict[str, str]) -> Markup:
    """Horizontal funnel bars scaled to the viewers, as inline SVG (text escaped)."""
    top = max(figures["viewers"], 1)
    height = len(STAGES) * (BAR + GAP)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="funnel" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" role="img" aria-label="{escape(labels["title"])}">']
    for i, stage in enumerate(STAGES):
        y, value = i * (BAR + GAP), figures[stage]
        width = round((WIDTH - LABEL - 60) * min(value, top) / top)
        parts.append(
            f'<text x="0" y="{y + BAR * 0.7:.0f}" font-size="13">{escape(labels[stage])}</text>'
            f'<rect x="{LABEL}" y="{y}" width="{max(width, 1)}" height="{BAR}" fill="#c0392b" opacity="{1 - i * 0.18:.2f}"/>'
            f'<text x="{LABEL + max(width, 1) + 6}" y="{y + BAR * 0.7:.0f}" font-size="13">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
