"""The page cache: storefront pages for anonymous visitors, served from process memory.

A visitor with no session cookie and no ``Authorization`` header sees the same home page and
listings as every other such visitor in their language, so those pages are rendered once and
then copied. Handlers opt in with ``opt={"page_cache": True}``. An entry is keyed by path,
query string and language, and is valid while the catalog
:mod:`~qunshang.catalog.revision` it was rendered under is current: one single-row read per
request, which sees every committed change from any process at once. Responses that set a
session (a ``?ref=`` arrival) or fail are passed through and not kept; cookies are never
stored. Signed-in members always get a fresh page.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from .. import i18n
from ..catalog import revision
from . import sessions
from .locale import COOKIE as LANGUAGE_COOKIE

MAX_PAGES = 512
MAX_PAGE_BYTES = 512 * 1024
#: a request with a session cookie or a token is personal; a ``?ref=`` arrival starts a session
SESSION_COOKIE = f"{sessions.COOKIE}="
ARRIVAL_PARAMETER = b"ref="


@dataclass(slots=True, frozen=True)
class Page:
    revision: int
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class PageStore:
    """The cached pages of one process: at most ``MAX_PAGES``, least recently used first out."""

    def __init__(self, size: int = MAX_PAGES) -> None:
        self.size = size
        #: the newest catalog revision a request in this process has read: other caches of
        #: catalog data in the process (the category bar) are stale when it moves
        self.seen = 0
        self._pages: OrderedDict[tuple[str, bytes, str], Page] = OrderedDict()

    def get(self, key: tuple[str, bytes, str], current: int) -> Page | None:
        if current != self.seen:
            self.seen = current
            self._pages.clear()  # rendered under an older revision: never valid again
            return None
        page = self._pages.get(key)
        if page is None or page.revision != current:
            return None
        self._pages.move_to_end(key)
        return page

    def put(self, key: tuple[str, bytes, str], page: Page) -> None:
        self._pages[key] = page
        self._pages.move_to_end(key)
        while len(self._pages) > self.size:
            self._pages.popitem(last=False)

    def __len__(self) -> int:
        return len(self._pages)


def _anonymous_language(scope: Scope, default: str) -> str | None:
    """The visitor's language, or ``None`` when the request is personal (signed in, token)."""
    cookie = accept = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            return None
        if name == b"cookie":
            cookie = value.decode("latin-1")
            if SESSION_COOKIE in cookie:
                return None
        elif name == b"accept-language":
            accept = value.decode("latin-1")
    return _language(_cookie_value(cookie, LANGUAGE_COOKIE), accept, default)


@lru_cache(maxsize=1024)
def _language(preferred: str | None, accept_language: str | None, default: str) -> str:
    return i18n.negotiate(preferred, accept_language, default)


def _cookie_value(header: str | None, name: str) -> str | None:
    if not header:
        return None
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


class PageCacheMiddleware:
    """ASGI middleware, outermost, after routing (it reads the route handler's ``opt``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler")
        if (
            scope["type"] != "http" or scope["method"] != "GET" or handler is None
            or not handler.opt.get("page_cache")
            or ARRIVAL_PARAMETER in scope["query_string"]
        ):
            await self.app(scope, receive, send)
            return
        runtime = scope["app"].state.runtime
        language = _anonymous_language(scope, runtime.config.app.default_locale)
        if language is None:
            await self.app(scope, receive, send)
            return
        store: PageStore = runtime.state["page_cache"]
        key = (scope["path"], scope["query_string"], language)
        current = await revision.current()
        page = store.get(key, current)
        if page is not None:
            await _replay(page, send)
            return
        await self.app(scope, receive, _Recorder(send, store, key, current))


async def _replay(page: Page, send: Send) -> None:
    await send({"type": "http.response.start", "status": page.status,
                "headers": [*page.headers, (b"x-page-cache", b"hit")]})
    await send({"type": "http.response.body", "body": page.body})


class _Recorder:
    """Passes a response through and keeps a copy of it if it is a complete, cookie-free 200
    (a ``Set-Cookie`` for the CSRF token is dropped from the copy; one for a session is not
    cacheable at all)."""

    __slots__ = ("send", "store", "key", "revision", "status", "headers", "chunks", "size", "keep")

    def __init__(self, send: Send, store: PageStore, key: tuple[str, bytes, str], current: int) -> None:
        self.send, self.store, self.key, self.revision = send, store, key, current
        self.status, self.headers, self.chunks, self.size, self.keep = 0, [], [], 0, True

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.keep = self.status == 200
            for name, value in message.get("headers", ()):
                if name.lower() == b"set-cookie":
                    self.keep = self.keep and not value.startswith(SESSION_COOKIE.encode())
                else:
                    self.headers.append((name, value))
            message = {**message, "headers": [*message.get("headers", ()), (b"x-page-cache", b"miss")]}
        elif message["type"] == "http.response.body" and self.keep:
            body = message.get("body", b"")
            self.size += len(body)
            self.keep = self.size <= MAX_PAGE_BYTES
            if self.keep:
                self.chunks.append(body)
            if self.keep and not message.get("more_body", False):
                self.store.put(self.key, Page(self.revision, self.status, self.headers, b"".join(self.chunks)))
        await self.send(message)
