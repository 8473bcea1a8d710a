"""Reading commissions: an earner's own with explanations, the operators' filtered list,
the leaderboard and the CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from tortoise.expressions import F
from tortoise.functions import Count, Sum

from qunshang.console.csvio import escape_cell

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


CSV_COLUMNS = (*FIELDS[:3], "order_number", "title", *FIELDS[3:])
CSV_BATCH = 500


async def csv_export(**filters: Any) -> AsyncIterator[bytes]:
    """The filtered commissions as CSV (UTF-8 with a BOM for spreadsheets), a batch at a time,
    oldest first. Text cells that a spreadsheet would run as a formula are neutralised."""
    sink = io.StringIO()
    writer = csv.writer(sink)
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff".encode() + sink.getvalue().encode()
    last = 0
    while True:
        rows = await _filtered(**filters).filter(id__gt=last).order_by("id").limit(CSV_BATCH).values(*FIELDS, "explanation")
        if not rows:
            return
        sink.seek(0)
        sink.truncate()
        for row in rows:
            why = row["explanation"] or {}
            cells = [row[f] for f in FIELDS[:3]] + [escape_cell(str(why.get("order_number", ""))),
                                                   escape_cell(str(why.get("title", "")))]
            cells += [row[f] for f in FIELDS[3:]]
            writer.writerow(["" if v is None else (v.isoformat() if isinstance(v, datetime) else v) for v in cells])
        yield sink.getvalue().encode()
        last = rows[-1]["id"]
