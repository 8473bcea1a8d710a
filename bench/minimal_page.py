"""The baseline of ``bench/storefront.py``: a hand-written Litestar + Tortoise + Jinja2 listing page.

It renders the same 24 products of the same SQLite database as the storefront's listing, with
a comparable template (autoescaped, prices formatted per locale), but without middleware,
sessions, authentication, plugins, slots or pricing. Served as
``uvicorn --factory minimal_page:create_app --app-dir bench`` with ``BENCH_DATABASE_URL`` set.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_currency
from jinja2 import DictLoader, Environment, select_autoescape
from litestar import Litestar, Response, get
from tortoise import fields
from tortoise.models import Model

from _minimal import minimal_app  # beside this file: uvicorn runs it with --app-dir bench

PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>Products</title>
<link rel="stylesheet" href="/static/style.css"></head><body><main><h1>全部商品</h1><ul class="grid">
{% for item in items %}<li class="card"><a href="/p/{{ item.id }}">{% if item.image %}<img src="{{ item.image }}" alt="" loading="lazy" width="320" height="320">{% endif %}
<span class="title">{{ item.title }}</span><span class="price">{{ item.price|money }}</span>
{% if not item.in_stock %}<span class="tag">已售罄</span>{% endif %}</a></li>{% endfor %}
</ul>{% if has_more %}<a href="?page=2" rel="next">下一页</a>{% endif %}</main></body></html>"""


class Product(Model):
    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    images = fields.JSONField(default=list)
    status = fields.CharField(max_length=16)
    price = fields.BigIntField()
    stock = fields.IntField()
    position = fields.IntField()

    class Meta:
        table = "catalog_product"


@lru_cache(maxsize=8192)
def money(amount: int) -> str:
    return format_currency(Decimal(amount) / 100, "CNY", locale="zh_CN")


env = Environment(loader=DictLoader({"page.html": PAGE}), autoescape=select_autoescape(default=True, default_for_string=True))
env.filters["money"] = money
template = env.get_template("page.html")


@get("/search")
async def listing() -> Response:
    rows = await (
        Product.filter(status="published").order_by("position", "-id").limit(25).values("id", "title", "images", "price", "stock")
    )
    items = [{"id": r["id"], "title": r["title"], "image": (r["images"] or [None])[0], "price": r["price"],
              "in_stock": r["stock"] > 0} for r in rows[:24]]
    return Response(template.render(items=items, has_more=len(rows) > 24), media_type="text/html")


def create_app() -> Litestar:
    return minimal_app(__name__, listing)
