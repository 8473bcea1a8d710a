"""Reading commissions: an earner's own with explanations, the operators' filtered list,
the leaderboard and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from tortoise.expressions import F
from tortoise.functions import Count, Sum

from ..models import Commission, CommissionStatus

FIELDS = ("id", "order_id", "order_line_id", "buyer_id", "earner_id", "level", "base", "rate_bp", "amount",
          "reversed_amount", "status", "created_at", "settled_at")


def _filtered(*, earner_id: int | None = None, order_id: int | None = None, status: CommissionStatus | None = None,
              level: int | None = None, since: datetime | None = None, until: datetime | None = None):
    query = Commission.all()
    for name, value in (("earner_id", earner_id), ("order_id", order_id), ("status", status), ("level", level),
                        ("created_at__gte", since), ("created_at__lt", until)):
        if value is not None:
            query = query.filter(**{name: value})
    return query


async def list_commissions(*, limit: int, offset: int, explain: bool = False, **filters: Any) -> dict[str, Any]:
    fields = FIELDS + (("explanation",) if explain else ())
    rows = await _filtered(**filters).order_by("-id").offset(offset).limit(limit + 1).values(*fields)
    return {"items": rows[:limit], "limit": limit, "offset": offset, "has_more": len(rows) > limit}


async def leaderboard(*, since: datetime | None, limit: int) -> list[dict[str, Any]]:
    """Top earners by commission net of reversals (one grouped query)."""
    rows = await (
        _filtered(since=since).annotate(earned=Sum(F("amount") - F("reversed_amount")), n=Count("id"))
        .group_by("earner_id").order_by("-earned", "earner_id").limit(limit).values("earner_id", "earned", "n")
    )
    return [{"member_id": r["earner_id"], "earned": int(r["earned"] or 0), "commissions": int(r["n"])} for r in rows]


async def csv_export(**filters: Any) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    for row in await _filtered(**filters).order_by("id").values_list(*FIELDS):
        writer.writerow(["" if v is None else (v.isoformat() if isinstance(v, datetime) else v) for v in row])
    return out.getvalue()
