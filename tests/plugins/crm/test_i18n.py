"""Every English msgid the CRM shows has a zh-CN translation in its catalog."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

import qunshang.plugins.crm as crm
from qunshang.errors import QunshangError
from qunshang.plugins.crm import console, errors
from qunshang.plugins.crm.models import FollowUpKind, RouteMatch, TagRuleKind
from qunshang.plugins.crm.service import dormant
from qunshang.plugins.crm.settings import Settings

HERE = Path(crm.__file__).parent
CALL = re.compile(r"""_\((?:"([^"]+)"|'([^']+)')""")


def catalog() -> dict[str, str]:
    with (HERE / "locale/zh_CN/LC_MESSAGES/crm.po").open("rb") as fh:
        return {m.id: m.string for m in read_po(fh, locale="zh_CN") if m.id}


def shown_msgids() -> set[str]:
    ids = set()
    for template in (HERE / "templates/crm").iterdir():
        ids.update(a or b for a, b in CALL.findall(template.read_text(encoding="utf-8")))
    ids.update(cls.message for cls in vars(errors).values()
               if isinstance(cls, type) and issubclass(cls, QunshangError) and cls.__module__ == errors.__name__)
    ids.update(page.title for page in console.PAGES)
    ids.update(dormant.ACTIONS.values())
    for enum in (FollowUpKind, RouteMatch, TagRuleKind):
        ids.update(e.value for e in enum)
    ids.update(Settings.model_fields["strategy"].annotation.__args__)
    return ids


def test_every_msgid_has_a_translation():
    translated = catalog()
    missing = sorted(m for m in shown_msgids() if not translated.get(m))
    assert missing == []


def test_placeholders_survive_translation():
    for msgid, text in catalog().items():
        assert sorted(re.findall(r"\{\w+\}|%\(\w+\)s", msgid)) == sorted(re.findall(r"\{\w+\}|%\(\w+\)s", text)), msgid


async def test_console_pages_in_chinese(make_app):
    from tests.core.console.conftest import sign_in, staff

    async with make_app(enabled=["crm"]) as client:
        await staff("ops@example.com", roles=["operator"])
        await sign_in(client, "ops@example.com")
        page = await client.get("/console/crm/rules", headers={"Accept-Language": "zh-CN"})
        assert "分配规则" in page.text and "路由规则" in page.text and "最少负载" in page.text
