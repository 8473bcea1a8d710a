"""The language of a request: the member's preference, then ``Accept-Language``."""

from __future__ import annotations

from litestar.connection import ASGIConnection

from .. import i18n

COOKIE = "qunshang_lang"


def request_locale(connection: ASGIConnection) -> str:
    cached = connection.scope.get("qunshang.locale")
    if cached:
        return cached
    user = connection.scope.get("user")
    preferred = getattr(user, "locale", None) or connection.cookies.get(COOKIE)
    default = connection.app.state.runtime.config.app.default_locale
    locale = i18n.negotiate(preferred, connection.headers.get("accept-language"), default)
    connection.scope["qunshang.locale"] = locale  # type: ignore[typeddict-unknown-key]
    return locale


def gettext_for(connection: ASGIConnection):
    return connection.app.state.runtime.translations(request_locale(connection)).gettext
