"""Server-side sessions whose id is replaced at login (against session fixation).

Litestar 2.x keeps the incoming session id when a handler writes the session;
:func:`rotate_session` makes the next write use a fresh id and delete the old one. Visitors
whose session stays empty get no session at all (listing pages stay write-free).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection, Request
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig

COOKIE = "qunshang_session"
_ROTATE = "qunshang.session.rotate"


def rotate_session(request: Request) -> None:
    request.scope[_ROTATE] = secrets.token_hex(32)  # type: ignore[typeddict-unknown-key]


class RotatingSessionBackend(ServerSideSessionBackend):
    def get_session_id(self, connection: ASGIConnection) -> str:
        return connection.scope.get(_ROTATE) or super().get_session_id(connection)

    async def store_in_message(self, scope_session: Any, message: Any, connection: ASGIConnection) -> None:
        old = connection.cookies.get(self.config.key)
        if not scope_session and not old:
            return  # an anonymous visitor with nothing to remember: no store write, no cookie
        if connection.scope.get(_ROTATE) and old:
            await self.delete(old, store=self.config.get_store_from_app(connection.scope["app"]))
        await super().store_in_message(scope_session, message, connection)


@dataclass
class SessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend  # type: ignore[assignment]
