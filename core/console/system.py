"""Console pages about the deployment: installed plugins and their settings (read-only), the
ledger with its consistency check, and the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.params import FromQuery, Parameter
from pydantic import ValidationError

from ..config import first_error
from ..ledger import service as ledger
from ..ledger.models import Account, Entry
from . import audit
from .templates import render

PAGE = 50
SECRET_WORDS = ("secret", "password", "token", "key")


def _masked(values: dict[str, Any]) -> dict[str, Any]:
    return {k: ("••••••" if any(w in k.lower() for w in SECRET_WORDS) and v else v) for k, v in values.items()}


def plugin_rows(runtime: Any) -> list[dict[str, Any]]:
    """Every discovered plugin with its status and settings; a settings block in the config that
    does not validate (only possible for a disabled plugin: an enabled one stops startup) is
    shown with its error."""
    blocks = runtime.config.plugins.model_extra or {}
    rows = []
    for record in sorted(runtime.plugins.records.values(), key=lambda r: r.id):
        meta, error, settings = record.meta, record.unavailable, None
        if record.settings is not None:
            settings = _masked(record.settings.model_dump(mode="json"))
        elif meta and meta.settings and record.id in blocks:
            try:
                settings = _masked(meta.settings.model_validate(blocks[record.id]).model_dump(mode="json"))
            except ValidationError as exc:
                error = f"[plugins.{record.id}] {first_error(exc)}"
        rows.append({"id": record.id, "title": meta.title if meta else record.id, "version": meta.version if meta else "",
                     "description": meta.description if meta else "", "status": record.status, "error": error,
                     "settings": settings})
    return rows


@get("/plugins")
async def plugin_list(request: Request) -> Response:
    return render(request, "console/plugins.html", plugins=plugin_rows(request.app.state.runtime))


@get("/ledger")
async def ledger_view(
    request: Request, account: FromQuery[str | None] = None, ref: FromQuery[str | None] = None, kind: FromQuery[str | None] = None,
    offset: Annotated[int, Parameter(ge=0, le=10**9)] = 0,
) -> Response:
    accounts = await Account.all().order_by("code").limit(200).values("id", "code", "balance", "member_id")
    query = Entry.all()
    if account:
        query = query.filter(account__code=account.strip())
    if ref:
        query = query.filter(posting__ref=ref.strip())
    if kind:
        query = query.filter(posting__kind=kind.strip())
    entries = await query.order_by("-id").offset(offset).limit(PAGE + 1).values(
        "id", "amount", "account__code", "posting__key", "posting__kind", "posting__ref", "posting__memo", "posting__created_at")
    return render(request, "console/ledger.html", accounts=accounts, entries=entries[:PAGE], has_more=len(entries) > PAGE,
                  offset=offset, account=account or "", ref=ref or "", kind=kind or "", mismatches=None)


@get("/ledger/check", opt={"permission": "ledger.view"})
async def ledger_check(request: Request) -> Response:
    mismatches = await ledger.check()
    return render(request, "console/ledger_check.html", mismatches=mismatches)


@get("/audit")
async def audit_log(
    request: Request, action: FromQuery[str | None] = None, target_type: FromQuery[str | None] = None, target_id: FromQuery[str | None] = None,
    actor_id: Annotated[int | None, Parameter(ge=1, le=2**31)] = None,
    offset: Annotated[int, Parameter(ge=0, le=10**9)] = 0,
) -> Response:
    page = await audit.search(action=action, target_type=target_type, target_id=target_id, actor_id=actor_id, limit=PAGE, offset=offset)
    return render(request, "console/audit.html", page=page, action=action or "", target_type=target_type or "",
                  target_id=target_id or "", actor_id=actor_id or "")
