"""Who is calling: a session cookie (storefront, console) or an API token (integrators).

``Authorization: Bearer <token>`` authenticates by token only, and such requests skip CSRF
checks; everything else authenticates by the session. Anonymous requests cost no query.
"""

from __future__ import annotations

import hashlib

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


class AuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        if "authorization" in connection.headers:
            token = bearer_token(connection)
            if token is None:
                raise NotAuthenticated("The Authorization header must be 'Bearer <token>'.")
            row = await ApiToken.filter(token_hash=token_digest(token), revoked_at=None).select_related("member").first()
            if row is None or not row.member.is_active:
                raise NotAuthenticated("This API token is not valid.")
            return AuthenticationResult(user=row.member, auth="token")
        member_id = connection.scope.get("session", {}).get(SESSION_MEMBER) if connection.scope.get("session") else None
        if member_id is None:
            return AuthenticationResult(user=None, auth=None)
        member = await Member.get_or_none(id=member_id, is_active=True)
        return AuthenticationResult(user=member, auth="session" if member else None)
