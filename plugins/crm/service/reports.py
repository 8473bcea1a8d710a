"""Performance of salespeople and teams over a date range, with grouped aggregate SQL: six
queries whatever the number of orders or salespeople, no loop over orders in Python.

Per salesperson: new customers (distinct customers they received in the range, by invite,
rule, claim or manager), follow-ups done, overdue follow-ups (follow-ups they scheduled whose
business day ended in the range, up to now, with no follow-up on the customer by then),
orders and GMV (orders paid in the range, credited to whoever owned the buyer at payment,
so later reassignments do not rewrite past ranges; GMV is the order totals paid less what
was refunded of them since), and conversion (customers registered in the range whom they were the first to own,
and how many of them have placed a first paid order since). Teams add up their salespeople.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from qunshang.console.csvio import escape_cell
from qunshang.members.models import Member

from ..errors import BadRange
from ..models import Assignment, AssignKind, Customer, FollowUp, Sale, Salesperson, Team
from . import sql
from .access import Scope

METRICS = ("new_customers", "follow_ups", "overdue", "orders", "gmv", "registered", "converted")
COLUMNS = ("salesperson_id", "name", "team", *METRICS, "conversion_percent")


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    first_day: date
    last_day: date


def period(runtime: Any, first_day: date, last_day: date) -> Period:
    """The business days ``first_day``…``last_day`` (inclusive) in the deployment's time zone."""
    if last_day < first_day:
        raise BadRange()
    zone = runtime.tz
    try:
        start = datetime.combine(first_day, time(), tzinfo=zone).astimezone(timezone.utc)
        end = datetime.combine(last_day + timedelta(days=1), time(), tzinfo=zone).astimezone(timezone.utc)
    except OverflowError:  # the first or last days of the calendar
        raise BadRange() from None
    return Period(start, end, first_day, last_day)


def _owners_sql(column: str, scope: Scope) -> tuple[str, list[Any]]:
    if scope.owners is None:
        return "", []
    ids = sorted(scope.owners)
    return f" AND {column} IN ({', '.join('?' * len(ids))})", ids


async def performance(runtime: Any, scope: Scope, p: Period) -> dict[str, Any]:
    """``{"salespeople": [...], "teams": [...], "totals": {...}}`` for the viewer's scope."""
    overdue_at = min(p.end, runtime.now())
    where, ids = _owners_sql("s.member_id", scope)
    people = await sql.rows(Salesperson, f"""
        SELECT s.member_id, s.team_id, m.display_name, t.name AS team FROM {sql.table(Salesperson)} s
        JOIN {sql.table(Member)} m ON m.id = s.member_id LEFT JOIN {sql.table(Team)} t ON t.id = s.team_id
        WHERE 1 = 1{where} ORDER BY s.member_id""", ids)
    rows = {r["member_id"]: {"salesperson_id": r["member_id"], "name": r["display_name"], "team_id": r["team_id"],
                             "team": r["team"] or "", **{m: 0 for m in METRICS}} for r in people}

    async def fill(model, query: str, params: list[Any], column: str) -> None:
        owner_where, owner_ids = _owners_sql(column, scope)
        for r in await sql.rows(model, query.format(owners=owner_where), [*params, *owner_ids]):
            if r["sp"] in rows:
                rows[r["sp"]].update({k: int(v or 0) for k, v in r.items() if k != "sp"})

    await fill(Assignment, f"""SELECT a.to_owner_id AS sp, COUNT(DISTINCT a.customer_id) AS new_customers
        FROM {sql.table(Assignment)} a WHERE a.at >= ? AND a.at < ? AND a.kind <> ? AND a.to_owner_id IS NOT NULL{{owners}}
        GROUP BY a.to_owner_id""", [p.start, p.end, AssignKind.RELEASE.value], "a.to_owner_id")
    await fill(FollowUp, f"""SELECT f.salesperson_id AS sp, COUNT(*) AS follow_ups FROM {sql.table(FollowUp)} f
        WHERE f.at >= ? AND f.at < ?{{owners}} GROUP BY f.salesperson_id""", [p.start, p.end], "f.salesperson_id")
    await fill(FollowUp, f"""SELECT f.salesperson_id AS sp, COUNT(*) AS overdue FROM {sql.table(FollowUp)} f
        WHERE f.due_by > ? AND f.due_by <= ?{{owners}} AND NOT EXISTS (SELECT 1 FROM {sql.table(FollowUp)} g
            WHERE g.customer_id = f.customer_id AND g.id > f.id AND g.at < f.due_by)
        GROUP BY f.salesperson_id""", [p.start, overdue_at], "f.salesperson_id")
    await fill(Sale, f"""SELECT s.owner_id AS sp, COUNT(*) AS orders, SUM(s.total - s.refunded) AS gmv FROM {sql.table(Sale)} s
        WHERE s.paid_at >= ? AND s.paid_at < ? AND s.owner_id IS NOT NULL{{owners}} GROUP BY s.owner_id""",
               [p.start, p.end], "s.owner_id")
    await fill(Customer, f"""SELECT c.first_owner_id AS sp, COUNT(*) AS registered, COUNT(c.first_order_at) AS converted
        FROM {sql.table(Customer)} c WHERE c.registered_at >= ? AND c.registered_at < ? AND c.first_owner_id IS NOT NULL{{owners}}
        GROUP BY c.first_owner_id""", [p.start, p.end], "c.first_owner_id")
    people_rows = [_with_rate(r) for r in rows.values()]
    teams: dict[Any, dict[str, Any]] = {}
    for r in people_rows:
        if r["team_id"] is not None:
            team = teams.setdefault(r["team_id"], {"team_id": r["team_id"], "name": r["team"], **{m: 0 for m in METRICS}})
            for m in METRICS:
                team[m] += r[m]
    totals = {m: sum(r[m] for r in people_rows) for m in METRICS}
    return {"start": p.first_day, "end": p.last_day, "salespeople": people_rows,
            "teams": [_with_rate(t) for t in teams.values()], "totals": _with_rate(totals)}


def _with_rate(row: dict[str, Any]) -> dict[str, Any]:
    """Conversion in whole percent, rounded half up (integers only)."""
    registered = row["registered"]
    row["conversion_percent"] = (row["converted"] * 200 + registered) // (2 * registered) if registered else 0
    return row


class _Sink:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text


async def csv_rows(report: dict[str, Any], batch: int = 500) -> AsyncIterator[bytes]:
    """The report as CSV, a batch of rows at a time; text cells are escaped against formulas."""
    sink = _Sink()
    writer = csv.writer(sink)
    writer.writerow(COLUMNS)
    yield codecs.BOM_UTF8 + sink.text.encode()
    rows = report["salespeople"]
    for i in range(0, len(rows), batch):
        sink.text = ""
        for r in rows[i:i + batch]:
            writer.writerow([r["salesperson_id"], escape_cell(r["name"]), escape_cell(r["team"]),
                             *(r[m] for m in METRICS), r["conversion_percent"]])
        yield sink.text.encode()
