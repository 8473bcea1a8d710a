"""Languages: zh-CN and en. Catalogs are gettext ``.po`` files under ``locale/`` (Babel),
read at startup; the language is the member's preference, then ``Accept-Language``.

Each ``locale/<lang>/LC_MESSAGES/`` folder may hold several ``.po`` files (one per core
domain: ``errors.po``, ``orders.po``…); they are merged in name order. English msgids are the
source text, so ``en`` needs no catalog entries of its own.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = ("zh_CN", "en")
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"


@lru_cache(maxsize=None)
def translations(locale: str, extra_dirs: tuple[Path, ...] = ()) -> NullTranslations:
    """Merged catalogs for ``locale``: the core's, then each of ``extra_dirs`` (plugins, themes)."""
    merged: Translations | None = None
    for folder in (LOCALE_DIR, *extra_dirs):
        for po in sorted((folder / locale / "LC_MESSAGES").glob("*.po")):
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=locale)
            buf = io.BytesIO()
            write_mo(buf, catalog)
            buf.seek(0)
            loaded = Translations(buf, domain=DOMAIN)
            merged = loaded if merged is None else merged.merge(loaded)
    return merged or NullTranslations()


def gettext(locale: str, message: str) -> str:
    return translations(locale).gettext(message)


@lru_cache(maxsize=512)
def normalize(tag: str | None) -> str | None:
    """Map ``zh``, ``zh-CN``, ``zh_Hans_CN``, ``en-US``… to a supported locale, else ``None``."""
    if not tag:
        return None
    try:
        parsed = Locale.parse(tag.strip().replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None
    if parsed.language == "zh":
        return "zh_CN"
    if parsed.language == "en":
        return "en"
    return None


def negotiate(preferred: str | None, accept_language: str | None, default: str) -> str:
    """The member's preference, then the best ``Accept-Language`` match, then ``default``."""
    if chosen := normalize(preferred):
        return chosen
    for tag, _q in sorted(_parse_accept(accept_language or ""), key=lambda item: -item[1]):
        if chosen := normalize(tag):
            return chosen
    return default


def _parse_accept(header: str) -> list[tuple[str, float]]:
    out = []
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag and tag != "*":
            out.append((tag, q))
    return out
