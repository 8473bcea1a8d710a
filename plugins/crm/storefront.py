"""The salesperson's invite link on the storefront: ``/crm/i/<code>`` remembers the code and
sends the visitor to registration; the code is verified at ``member_registered``."""

from __future__ import annotations

import io
from typing import Annotated

import segno
from litestar import Request, Response, get
from litestar.params import FromPath, Parameter

from qunshang.web.storefront.render import remember_arrival, see_other

Code = Annotated[str, Parameter(max_length=16, pattern=r"^[A-Za-z0-9]+$")]


def invite_path(code: str) -> str:
    return f"/crm/i/{code}"


def invite_link(runtime, code: str) -> str:
    """The full invite link, on the deployment's public address."""
    return runtime.config.app.base_url.rstrip("/") + invite_path(code)


def qr_svg(link: str, scale: int = 4) -> str:
    """The link as a standalone SVG QR code (segno, error correction M)."""
    out = io.BytesIO()
    segno.make(link, error="m", micro=False).save(out, kind="svg", scale=scale, xmldecl=False, title="QR")
    return out.getvalue().decode()


@get("/crm/i/{code:str}", name="crm:invite", include_in_schema=False)
async def invite(request: Request, code: FromPath[Code]) -> Response:
    if request.user is None:
        remember_arrival(request, sales_code=code.upper(), source="salesperson_invite")
    return see_other("/register" if request.user is None else "/")
