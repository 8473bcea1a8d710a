"""CSRF protection for cookie-authenticated writes (double-submit cookie, Litestar's middleware).

Forms send the token as ``_csrf_token``; scripts send the ``X-CSRFToken`` header. Requests
authenticated by ``Authorization: Bearer`` carry no ambient credential and are exempt.
"""

from __future__ import annotations

from litestar.config.csrf import CSRFConfig
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import Receive, Scope, Send

COOKIE = "qunshang_csrf"
HEADER = "x-csrftoken"


class TokenAwareCSRFMiddleware(CSRFMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and any(name == b"authorization" for name, _ in scope["headers"]):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def csrf_config(secret: str, secure: bool) -> CSRFConfig:
    return CSRFConfig(
        secret=secret,
        cookie_name=COOKIE,
        header_name=HEADER,
        cookie_secure=secure,
        cookie_samesite="lax",
        exclude=["/api/payments/.*/callback"],  # providers sign their callbacks instead
    )
