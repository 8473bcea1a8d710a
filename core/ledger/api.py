"""Ledger JSON API: a member's own wallet, and the books for staff with ``ledger.view``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import Parameter
from tortoise.expressions import Subquery

from ..web.guards import login_required, permission
from . import service
from .models import Account, Entry, Posting

Limit = Annotated[int, Parameter(ge=1, le=200)]
Offset = Annotated[int, Parameter(ge=0, le=1_000_000)]
Code = Annotated[str | None, Parameter(min_length=1, max_length=128)]


class LedgerController(Controller):
    path = "/api"
    tags = ["ledger"]

    @get("/me/wallet", guards=[login_required], summary="The caller's pending and available balances")
    async def wallet(self, request: Request) -> dict[str, int]:
        return await service.wallet(request.user.id)

    @get("/ledger/accounts", guards=[permission("ledger.view")], summary="Accounts and their balances")
    async def accounts(self, prefix: Code = None, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
        query = Account.all().order_by("code")
        if prefix:
            query = query.filter(code__startswith=prefix)
        rows = await query.offset(offset).limit(limit + 1).values("id", "code", "member_id", "balance")
        return _page(rows, limit, offset)

    @get("/ledger/postings", guards=[permission("ledger.view")], summary="Postings with their entries, newest first")
    async def postings(
        self,
        account: Code = None,
        ref: Annotated[str | None, Parameter(min_length=1, max_length=64)] = None,
        kind: Annotated[str | None, Parameter(min_length=1, max_length=48)] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        query = Posting.all().order_by("-id")
        if account:
            query = query.filter(id__in=Subquery(Entry.filter(account__code=account).values("posting_id")))
        if ref:
            query = query.filter(ref=ref)
        if kind:
            query = query.filter(kind=kind)
        page = _page(
            await query.offset(offset).limit(limit + 1).values("id", "key", "kind", "memo", "ref", "reverses_id", "created_at"),
            limit, offset,
        )
        entries: dict[int, list[dict[str, Any]]] = {p["id"]: [] for p in page["items"]}
        for e in await Entry.filter(posting_id__in=list(entries)).order_by("id").values("posting_id", "account__code", "amount"):
            entries[e["posting_id"]].append({"account": e["account__code"], "amount": e["amount"]})
        for p in page["items"]:
            p["entries"] = entries[p["id"]]
        return page

    @get("/ledger/check", guards=[permission("ledger.view")], summary="Recompute balances from postings")
    async def check(self) -> dict[str, Any]:
        mismatches = await service.check()
        return {"ok": not mismatches, "mismatches": [asdict(m) for m in mismatches]}


def _page(rows: list[dict[str, Any]], limit: int, offset: int) -> dict[str, Any]:
    return {"items": rows[:limit], "limit": limit, "offset": offset, "has_more": len(rows) > limit}
