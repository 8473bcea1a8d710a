"""Who is calling: a session cookie (storefront, console) or an API token (integrators).

``Authorization: Bearer <token>`` authenticates by token only, and such requests skip CSRF
checks; everything else authenticates by the session. Anonymous requests cost no query; the
others cost one, checked on every request (no cache: a revoked token or a disabled member
stops working at once). A token's ``last_used_at`` is written in the background
(:class:`TokenUse`), never on the request path.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from datetime import datetime

from litestar.connection import ASGIConnection
from litestar.middleware.authentication import AbstractAuthenticationMiddleware, AuthenticationResult
from pypika_tortoise import Query
from pypika_tortoise.queries import QueryBuilder

from ..errors import NotAuthenticated
from ..members.models import ApiToken, Member
from ..prepared import Statement, table

log = logging.getLogger("qunshang.auth")

SESSION_MEMBER = "member_id"
#: how often recorded token use is written (and once more at shutdown)
TOKEN_USE_FLUSH_SECONDS = 30.0
TOKEN_USE_BATCH = 1000


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(connection: ASGIConnection) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _member_by_token(query: type[Query], digest: str, active: bool) -> QueryBuilder:
    member, token = table(Member), table(ApiToken)
    return (
        query.from_(member).join(token).on(token.member_id == member.id)
        .select(member.star, token.id.as_("api_token_id"))
        .where((token.token_hash == digest) & token.revoked_at.isnull() & (member.is_active == active))
    )


def _member_by_id(query: type[Query], member_id: int, active: bool) -> QueryBuilder:
    member = table(Member)
    return query.from_(member).select(member.star).where((member.id == member_id) & (member.is_active == active))


MEMBER_BY_TOKEN = Statement(Member, _member_by_token)
MEMBER_BY_ID = Statement(Member, _member_by_id)


class TokenUse:
    """When each API token was last used, kept in memory until :meth:`flush` writes it.

    One UPDATE per flush (per thousand tokens) for all the tokens seen since the last one,
    stamped with the latest use among them, instead of a write per request. The app's lifespan
    flushes every :data:`TOKEN_USE_FLUSH_SECONDS` and at shutdown, in every process:
    ``last_used_at`` is accurate to that interval. What cannot be written is kept for the next.
    """

    def __init__(self) -> None:
        self._seen: dict[int, datetime] = {}

    def record(self, token_id: int, at: datetime) -> None:
        self._seen[token_id] = at

    async def flush(self) -> None:
        seen, self._seen = self._seen, {}
        if not seen:
            return
        ids, at = list(seen), max(seen.values())
        try:
            for start in range(0, len(ids), TOKEN_USE_BATCH):  # within every backend's limit on parameters
                await ApiToken.filter(id__in=ids[start:start + TOKEN_USE_BATCH]).update(last_used_at=at)
        except Exception:
            log.exception("could not record the use of %d API token(s); retrying at the next flush", len(seen))
            for token_id, used in seen.items():
                self._seen[token_id] = max(used, self._seen.get(token_id, used))

    async def flush_until(self, stop: asyncio.Event, every: float = TOKEN_USE_FLUSH_SECONDS) -> None:
        """Flush every ``every`` seconds until ``stop`` is set, then once more."""
        while not stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
            await self.flush()


class AuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        if "authorization" in connection.headers:
            token = bearer_token(connection)
            if token is None:
                raise NotAuthenticated("The Authorization header must be 'Bearer <token>'.")
            rows = await MEMBER_BY_TOKEN.rows(token_digest(token), True)
            if not rows:
                raise NotAuthenticated("This API token is not valid.")
            runtime = connection.app.state.runtime
            runtime.state["token_use"].record(rows[0]["api_token_id"], runtime.now())
            return AuthenticationResult(user=Member._init_from_db(**rows[0]), auth="token")
        session = connection.scope.get("session")
        member_id = session.get(SESSION_MEMBER) if session else None
        if member_id is None:
            return AuthenticationResult(user=None, auth=None)
        rows = await MEMBER_BY_ID.rows(member_id, True)
        member = Member._init_from_db(**rows[0]) if rows else None
        return AuthenticationResult(user=member, auth="session" if member else None)
