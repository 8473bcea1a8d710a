"""Product image uploads: the type is read from the file's first bytes (not its name), the size
is capped while reading, and the stored name is random."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from ..errors import InvalidInput

MAX_BYTES = 5 * 1024 * 1024
CHUNK = 64 * 1024
FOLDER = "products"


def image_type(head: bytes) -> str | None:
    """The extension for a JPEG, PNG, GIF or WebP header, else ``None``."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


async def save_image(runtime: Any, upload: Any) -> str:
    """Store the upload under ``[app] media_dir``/products; return its ``/media/…`` URL."""
    head = await upload.read(CHUNK)
    kind = image_type(head)
    if kind is None:
        raise InvalidInput(detail="the file is not a JPEG, PNG, GIF or WebP image")
    folder = Path(runtime.config.app.media_dir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{kind}"
    target = folder / name
    size = 0
    try:
        with target.open("wb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > MAX_BYTES:
                    raise InvalidInput(detail="the image must be at most {size} MB", size=MAX_BYTES // (1024 * 1024))
                out.write(chunk)
                chunk = await upload.read(CHUNK)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return f"/media/{FOLDER}/{name}"
