"""Bad input is answered wholly in the caller's language.

``InvalidInput``'s ``detail`` is a msgid of its own whose values (field names, numbers) are
params, so a zh-CN caller reads Chinese from start to end and an en caller reads English.
"""

import ast
import string
from pathlib import Path
from typing import Annotated

import msgspec
import pytest

from qunshang import i18n
from qunshang.errors import InvalidInput
from qunshang.validation import _PROBLEMS, invalid_body
from qunshang.members.service import NAME_MAX

from .test_orders_support import buyer, order_body, sku

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ("crm", "distribution", "livestream", "member_price")
SOURCES = ("core", *(f"plugins/{name}" for name in PLUGINS))
# The only non-literal details: the msgspec mapper and Litestar's own 4xx, which are translated where they are built.
DYNAMIC = {("core/validation.py", "detail"), ("core/validation.py", "text"), ("core/web/errors.py", "str(exc.detail)")}


def _details() -> tuple[dict[str, list[str]], list[str]]:
    """Every ``InvalidInput(detail=...)`` in the sources: literal msgids, and anything else found."""
    literal: dict[str, list[str]] = {}
    other = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            where = str(path.relative_to(ROOT))
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                name = getattr(node, "func", None)
                if not isinstance(node, ast.Call) or getattr(name, "id", getattr(name, "attr", None)) != "InvalidInput":
                    continue
                for kw in node.keywords:
                    if kw.arg != "detail":
                        continue
                    if isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                        literal.setdefault(kw.value.value, []).append(f"{where}:{node.lineno}")
                    elif (where, ast.unparse(kw.value)) not in DYNAMIC:
                        other.append(f"{where}:{node.lineno}: {ast.unparse(kw.value)}")
    for _pattern, detail in _PROBLEMS:
        literal.setdefault(detail, []).append("core/validation.py")
    return literal, other


def _placeholders(text: str) -> set[str]:
    return {field for _lit, field, _spec, _conv in string.Formatter().parse(text) if field is not None}


class _Body(msgspec.Struct, forbid_unknown_fields=True):
    sku_id: Annotated[int, msgspec.Meta(ge=1)]
    name: Annotated[str, msgspec.Meta(max_length=8)] = ""


def _zh():
    plugins = tuple(ROOT / "plugins" / name / "locale" for name in PLUGINS)
    return i18n.translations("zh_CN", plugins)


def test_every_detail_is_a_literal_msgid():
    literal, other = _details()
    assert len(literal) > 60
    assert other == [], "build the detail from a msgid and params, not an f-string or str()"


def test_every_detail_has_a_zh_cn_translation_keeping_its_placeholders():
    literal, _other = _details()
    zh = _zh()
    untranslated = [f"{msgid!r} ({places[0]})" for msgid, places in literal.items() if zh.gettext(msgid) == msgid]
    assert untranslated == []
    changed = [msgid for msgid in literal if _placeholders(zh.gettext(msgid)) != _placeholders(msgid)]
    assert changed == []


def test_detail_is_translated_then_formatted_with_its_params():
    exc = InvalidInput(detail="{field} must be at most {max_length} characters", field="title", max_length=100)
    assert str(exc) == "The request is not valid: title must be at most 100 characters"
    assert exc.render(_zh().gettext) == "请求无效：title 不能超过 100 个字符"
    assert exc.code == "invalid_input" and exc.status_code == 400


def test_values_are_not_formatted_twice():
    exc = InvalidInput(detail="{field} is required", field="{detail}{0}")
    assert exc.render(_zh().gettext) == "请求无效：{detail}{0} 为必填项"


def test_a_detail_without_params_still_works():
    assert InvalidInput(detail="price must not be negative").render(_zh().gettext) == "请求无效：价格不能为负数"
    assert str(InvalidInput(detail="{not a placeholder")) == "The request is not valid: {not a placeholder"
    assert InvalidInput(detail="no msgid for this").render(_zh().gettext) == "请求无效：no msgid for this"


@pytest.mark.parametrize(("raw", "zh"), [
    ({"sku_id": "1"}, "请求无效：body.sku_id：应为 int 类型，实际为 str"),
    ({"sku_id": 1, "extra": 1}, "请求无效：未知字段 body.extra"),
    ({}, "请求无效：body.sku_id 为必填项"),
    ({"sku_id": 0}, "请求无效：body.sku_id 不能小于 1"),
    ({"sku_id": 1, "name": "x" * 9}, "请求无效：body.name：长度不能超过 8"),
])
def test_msgspec_errors_become_translatable_details(raw, zh):
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.convert(raw, _Body, strict=True)
    assert invalid_body(caught.value, "body").render(_zh().gettext) == zh


def test_a_body_that_is_not_json_is_said_so():
    with pytest.raises(msgspec.DecodeError) as caught:
        msgspec.json.decode(b"{", type=_Body)
    assert invalid_body(caught.value).render(_zh().gettext) == "请求无效：请求内容不是有效的 JSON"


async def test_api_answers_bad_input_in_chinese_or_english(client):
    headers = await buyer()
    body = {"display_name": "x" * (NAME_MAX + 1)}
    zh = await client.patch("/api/me", json=body, headers={**headers, "Accept-Language": "zh-CN"})
    assert zh.status_code == 400
    assert zh.json()["error"] == {"code": "invalid_input",
                                  "message": f"请求无效：display_name 的长度必须为 1 到 {NAME_MAX} 个字符"}
    en = await client.patch("/api/me", json=body, headers={**headers, "Accept-Language": "en"})
    assert en.json()["error"] == {"code": "invalid_input",
                                  "message": f"The request is not valid: display_name must be 1 to {NAME_MAX} characters long"}


async def test_order_limits_are_explained_in_the_callers_language(make_app):
    async with make_app(config={"orders": {"max_quantity": 5}}) as client:
        tea = await sku(stock=20)
        headers = await buyer()
        zh = await client.post("/api/orders", json=order_body((tea.id, 6)), headers={**headers, "Accept-Language": "zh-CN"})
        assert (zh.status_code, zh.json()["error"]) == (
            400, {"code": "invalid_input", "message": "请求无效：数量必须是 1 到 5 之间的整数"})
        en = await client.post("/api/orders", json=order_body((tea.id, 6)), headers={**headers, "Accept-Language": "en"})
        assert en.json()["error"]["message"] == "The request is not valid: quantity must be an integer from 1 to 5"


async def test_litestar_validation_errors_are_translated_too(client):
    zh = await client.get("/api/products?limit=0", headers={"Accept-Language": "zh-CN"})
    assert (zh.status_code, zh.json()["error"]["code"]) == (400, "invalid_input")
    assert zh.json()["error"]["message"] == "请求无效：limit 不能小于 1"
    en = await client.get("/api/products?limit=0", headers={"Accept-Language": "en"})
    assert en.json()["error"]["message"] == "The request is not valid: limit must be at least 1"


def test_a_subclass_with_its_own_message_keeps_its_params():
    class OutOfRange(InvalidInput):
        code = "out_of_range"
        message = "Withdraw from {low} to {high}."

    assert OutOfRange(low="¥1.00", high="¥50,000.00").render() == "Withdraw from ¥1.00 to ¥50,000.00."
