"""The Django comparison of ``bench/storefront.py``: the listing page a Python shop would build with
Django — Django templates, the Django ORM (an unmanaged model over the same ``catalog_product``
table), a plain view, served by uvicorn as ASGI. It runs only in the benchmark's own virtualenv
(Django is not a Qunshang dependency). ``BENCH_DATABASE_PATH`` names the SQLite file.
"""

from __future__ import annotations

import os
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-only-secret",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["django_page"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ.get("BENCH_DATABASE_PATH", ":memory:"),
                           "CONN_MAX_AGE": None}},
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [str(Path(__file__).parent / "templates")]}],
    MIDDLEWARE=[],
    USE_TZ=True,
)
django.setup()

from babel.numbers import format_currency  # noqa: E402
from django.http import HttpResponse, JsonResponse  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.urls import path  # noqa: E402

from django_page.models import Product  # noqa: E402


@lru_cache(maxsize=8192)
def money(amount: int) -> str:
    return format_currency(Decimal(amount) / 100, "CNY", locale="zh_CN")


def listing(request) -> HttpResponse:
    rows = list(Product.objects.filter(status="published").order_by("position", "-id")
                .values("id", "title", "images", "price", "stock")[:25])
    items = [{"id": r["id"], "title": r["title"], "image": (r["images"] or [None])[0], "price": money(r["price"]),
              "in_stock": r["stock"] > 0} for r in rows[:24]]
    return render(request, "page.html", {"items": items, "has_more": len(rows) > 24})


def healthz(request) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [path("search", listing), path("healthz", healthz)]


def create_app():
    from django.core.asgi import get_asgi_application

    return get_asgi_application()
