"""Dashboard figures: GMV, orders, new members and active groups for today, 7 and 30 days, and a
30-day daily GMV chart. Every figure is one aggregate query; days are the deployment's local days."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.functions import Count, Sum

from ..groups.models import GroupMembership
from ..localtime import day_start, to_local
from ..members.models import Member
from ..orders.models import Order, OrderStatus
from .access import allows, request_grants
from .pages import ConsoleWidget

PERIODS = (("today", 0), ("7d", 6), ("30d", 29))
CHART_DAYS = 30
UNPAID = (OrderStatus.PLACED, OrderStatus.CANCELLED)


def _day_start(now: datetime, days_back: int, tz: ZoneInfo) -> datetime:
    """The start, as a UTC instant, of the local day ``days_back`` days before ``now``'s."""
    return day_start(to_local(now, tz).date() - timedelta(days=days_back), tz)


async def figures(since: datetime) -> dict[str, int]:
    sales = await Order.filter(paid_at__gte=since).annotate(gmv=Sum("total"), n=Count("id")).first().values("gmv", "n")
    new_members = await Member.filter(created_at__gte=since).count()
    groups = await GroupMembership.filter(joined_at__gte=since).annotate(n=Count("group_id", distinct=True)).first().values("n")
    return {
        "gmv": int((sales or {}).get("gmv") or 0), "orders": int((sales or {}).get("n") or 0),
        "new_members": new_members, "active_groups": int((groups or {}).get("n") or 0),
    }


async def daily_gmv(now: datetime, tz: ZoneInfo) -> list[dict[str, Any]]:
    """GMV of each of the last :data:`CHART_DAYS` local days, zero-filled. The database sums by
    UTC hour (at most 720 rows, the same SQL on both backends); the hours fall into local days here."""
    since = _day_start(now, CHART_DAYS - 1, tz)
    connection = Order._meta.db
    table = Order._meta.db_table
    if connection.capabilities.dialect == "postgres":
        hour, mark = "to_char(paid_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')", "$1"
    else:
        hour, mark = "substr(paid_at, 1, 13)", "?"
    sql = f"SELECT {hour} AS hour, SUM(total) AS gmv FROM {table} WHERE paid_at >= {mark} GROUP BY {hour}"  # noqa: S608 - no user input
    totals: dict[str, int] = {}
    for row in await connection.execute_query_dict(sql, [since]):
        utc_hour = datetime.strptime(row["hour"].replace("T", " "), "%Y-%m-%d %H")
        day = to_local(utc_hour, tz).strftime("%Y-%m-%d")
        totals[day] = totals.get(day, 0) + int(row["gmv"] or 0)
    first = to_local(since, tz)
    days = [(first + timedelta(days=i)).strftime("%Y-%m-%d") for i in range(CHART_DAYS)]
    return [{"day": d, "gmv": totals.get(d, 0)} for d in days]


def bars(series: list[dict[str, Any]], width: int = 600, height: int = 160) -> list[dict[str, Any]]:
    """Bar geometry for the SVG chart (heights scaled to the largest day)."""
    peak = max((point["gmv"] for point in series), default=0) or 1
    step = width / max(len(series), 1)
    return [
        {**point, "x": round(i * step + 1, 1), "w": round(step - 2, 1),
         "h": round(point["gmv"] / peak * (height - 20), 1), "y": round(height - point["gmv"] / peak * (height - 20), 1)}
        for i, point in enumerate(series)
    ]


async def view(runtime: Any, request: Any) -> dict[str, Any]:
    now = runtime.now()
    periods = [{"name": name, **await figures(_day_start(now, back, runtime.tz))} for name, back in PERIODS]
    grants = request_grants(request)
    widgets = [w for result in await runtime.call("console_widgets", request=request) for w in result]
    widgets = sorted((w for w in widgets if isinstance(w, ConsoleWidget) and allows(grants, w.permission)), key=lambda w: w.position)
    return {"periods": periods, "chart": bars(await daily_gmv(now, runtime.tz)), "widgets": widgets}
