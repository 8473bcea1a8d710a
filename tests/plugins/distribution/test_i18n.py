"""Every message of the plugin's errors has a zh-CN translation, served in the caller's language."""

import inspect

from qunshang.errors import QunshangError
from qunshang.plugins.distribution import errors
from qunshang.testing import bearer, make_member

from .support import settings


async def test_every_error_message_is_translated(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        zh = client.runtime.translations("zh_CN")
        messages = [cls.message for _, cls in inspect.getmembers(errors, inspect.isclass)
                    if issubclass(cls, QunshangError) and cls.__module__ == errors.__name__]
        assert messages and all(zh.gettext(m) != m for m in messages)
        member = await bearer(await make_member("m@example.com"))
        r = await client.post("/api/distribution/bind", json={"code": "NOPE2345"},
                              headers=member | {"Accept-Language": "zh-CN"})
        assert r.status_code == 404 and r.json()["error"] == {"code": "unknown_referral_code", "message": "推荐码无效。"}


async def test_every_page_text_and_console_title_is_translated(make_app):
    from pathlib import Path

    from jinja2.ext import babel_extract

    from qunshang.plugins import distribution
    from qunshang.plugins.distribution.console import pages

    templates = Path(distribution.__file__).parent / "templates"
    msgids = {"Scan to visit the shop", "Distribution centre", *(page.title for page in pages())}
    for path in templates.rglob("*.html"):
        with path.open("rb") as handle:
            for _line, _function, message, _comments in babel_extract(handle, ("_", "gettext"), [], {}):
                msgids.update(m for m in (message if isinstance(message, tuple) else (message,)) if isinstance(m, str))
    assert len(msgids) > 100
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        zh = client.runtime.translations("zh_CN")
        assert [m for m in sorted(msgids) if zh.gettext(m) == m] == []
