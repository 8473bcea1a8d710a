"""Every message of the plugin (templates, errors) has a zh-CN translation, served in the
caller's language."""

import inspect
import re
from pathlib import Path

from qunshang.errors import QunshangError
from qunshang.plugins import livestream
from qunshang.plugins.livestream import errors

from .support import API, host, live_session

TEMPLATES = Path(livestream.__file__).parent / "templates" / "livestream"


async def test_every_message_is_translated(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        zh = client.runtime.translations("zh_CN")
        messages = [cls.message for _, cls in inspect.getmembers(errors, inspect.isclass)
                    if issubclass(cls, QunshangError) and cls.__module__ == errors.__name__]
        for template in TEMPLATES.glob("*.html"):
            messages += [m.group(2) for m in re.finditer(r"""_\(\s*(["'])(.*?)\1""", template.read_text())]
        untranslated = [m for m in messages if zh.gettext(m) == m]
        assert len(messages) > 80 and not untranslated
        _, headers = await host()
        session = await live_session(client, clock, headers, start=False)
        r = await client.post(f"{API}/sessions/{session['id']}/push", json={"product_id": 1},
                              headers={**headers, "Accept-Language": "zh-CN"})
        assert r.json()["error"] == {"code": "live_session_state", "message": "直播场次处于未开播状态，无法进行此操作。"}
