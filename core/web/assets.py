"""Static files of themes and plugins, with content hashes in their URLs.

``/static/themes/<theme>/<file>`` serves a theme's ``static/`` folder and
``/static/plugins/<id>/<file>`` a plugin's ``static/<id>/`` folder. Every file is read and
hashed once at startup; templates ask for URLs through ``static_url()``, which appends
``?v=<hash>``. A request carrying the current hash is cached for a year (``immutable``);
any other gets a short cache life, so a stale URL never pins an old file.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from ..errors import NotFound
from ..runtime import Runtime

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


@dataclass(frozen=True)
class Asset:
    body: bytes
    digest: str
    media_type: str


@dataclass
class AssetIndex:
    """URL path → file, plus how a bare name resolves (theme chain first, then the core)."""

    files: dict[str, Asset] = field(default_factory=dict)
    theme_prefixes: list[str] = field(default_factory=list)
    named_prefixes: dict[str, str] = field(default_factory=dict)

    def add_folder(self, prefix: str, folder: Path) -> None:
        if not folder.is_dir():
            return
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                body = path.read_bytes()
                media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                url = f"{prefix}/{path.relative_to(folder).as_posix()}"
                self.files[url] = Asset(body, hashlib.sha256(body).hexdigest()[:12], media_type)

    def url(self, name: str) -> str:
        """``"style.css"`` (the nearest theme that has it), ``"wishlist:heart.js"`` (a plugin's),
        ``"core:shop.css"`` (the core's). Unknown files raise, so a typo fails the render test."""
        owner, sep, rest = name.partition(":")
        prefixes = [self.named_prefixes[owner]] if sep and owner in self.named_prefixes else self.theme_prefixes
        path = rest if sep else name
        for prefix in prefixes:
            asset = self.files.get(f"{prefix}/{path}")
            if asset is not None:
                return f"{prefix}/{path}?v={asset.digest}"
        raise LookupError(f"static file not found: {name}")


def build_index(theme_chain, plugin_records, core_static: Path) -> AssetIndex:
    index = AssetIndex()
    for theme in theme_chain:
        prefix = f"/static/themes/{theme.name}"
        index.add_folder(prefix, theme.static)
        index.theme_prefixes.append(prefix)
        index.named_prefixes[theme.name] = prefix
    for record in plugin_records:
        prefix = f"/static/plugins/{record.id}"
        index.add_folder(prefix, Path(record.module.__file__).parent / "static" / record.id)
        index.named_prefixes[record.id] = prefix
    index.add_folder("/static/core", core_static)
    index.theme_prefixes.append("/static/core")
    index.named_prefixes["core"] = "/static/core"
    return index


def _serve(request: Request, runtime: Runtime, url: str) -> Response:
    asset = runtime.state["assets"].files.get(url)
    if asset is None:
        raise NotFound()
    headers = {
        "cache-control": IMMUTABLE if request.query_params.get("v") == asset.digest else SHORT,
        "etag": f'"{asset.digest}"',
        "x-content-type-options": "nosniff",
    }
    if asset.media_type == "image/svg+xml":
        headers["content-security-policy"] = SVG_POLICY
    if request.headers.get("if-none-match") == headers["etag"]:
        return Response(b"", status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)


_OPT = {"exclude_from_auth": True, "exclude_from_csrf": True}


@get("/static/themes/{theme:str}/{file_path:path}", include_in_schema=False, opt=_OPT, sync_to_thread=False)
def theme_static(request: Request, runtime: NamedDependency[Runtime], theme: FromPath[str], file_path: FromPath[str]) -> Response:
    return _serve(request, runtime, f"/static/themes/{theme}{file_path}")


@get("/static/plugins/{plugin_id:str}/{file_path:path}", include_in_schema=False, opt=_OPT, sync_to_thread=False)
def plugin_static(request: Request, runtime: NamedDependency[Runtime], plugin_id: FromPath[str], file_path: FromPath[str]) -> Response:
    return _serve(request, runtime, f"/static/plugins/{plugin_id}{file_path}")


ROUTES = [theme_static, plugin_static]
