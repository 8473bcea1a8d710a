"""Who is calling: a session cookie (storefront, console) or an API token (integrators).

``Authorization: Bearer <token>`` authenticates by token only, and such requests skip CSRF
checks; everything else authenticates by the session. Anonymous requests cost no query.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from litestar.connection import ASGIConnection
from litestar.middleware.authentication import AbstractAuthenticationMiddleware, AuthenticationResult

from ..errors import NotAuthenticated
from ..members.models import ApiToken, Member

SESSION_MEMBER = "member_id"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(connection: ASGIConnection) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


async def _touch(connection: ASGIConnection, digest: str) -> None:
    """Record when a token was last used: at most one write per token, process and interval."""
    runtime = connection.app.state.runtime
    now = runtime.now()
    touched: dict[str, datetime] = runtime.state.setdefault("auth.token_touched", {})
    last = touched.get(digest)
    if last is None or now - last > TOKEN_TOUCH_INTERVAL:
        touched[digest] = now
        await ApiToken.filter(token_hash=digest).update(last_used_at=now)


class AuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        if "authorization" in connection.headers:
            token = bearer_token(connection)
            if token is None:
                raise NotAuthenticated("The Authorization header must be 'Bearer <token>'.")
            digest = token_digest(token)
            # one query, one model: a join on the token table costs less than select_related
            member = await Member.filter(
                api_tokens__token_hash=digest, api_tokens__revoked_at=None, is_active=True
            ).first()
            if member is None:
                raise NotAuthenticated("This API token is not valid.")
            await _touch(connection, digest)
            return AuthenticationResult(user=member, auth="token")
        member_id = connection.scope.get("session", {}).get(SESSION_MEMBER) if connection.scope.get("session") else None
        if member_id is None:
            return AuthenticationResult(user=None, auth=None)
        member = await Member.get_or_none(id=member_id, is_active=True)
        return AuthenticationResult(user=member, auth="session" if member else None)
