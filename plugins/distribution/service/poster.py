"""The share poster as a PNG: the shop's name, the sharer's QR code and, when shared from a
product page, the product's title and price. Drawn with Pillow; Chinese text needs a CJK font,
looked up among common system fonts (Pillow's built-in font is the fallback, without CJK glyphs)."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 750, 940
QR_SIZE = 420
INK, MUTED, PAPER = (40, 40, 40), (110, 110, 110), (255, 255, 255)
CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)


@lru_cache(maxsize=8)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A CJK-capable font at ``size`` pixels, or Pillow's default font when none is installed."""
    for path in CJK_FONTS:
        if Path(path).is_file():
            try:
                return ImageFont.truetype(path, size)
            except OSError:
                continue
    return ImageFont.load_default(size)


def _fit(draw: ImageDraw.ImageDraw, text: str, size: int, width: int) -> str:
    """``text`` cut (with an ellipsis) to fit ``width`` pixels."""
    face = font(size)
    if draw.textlength(text, font=face) <= width:
        return text
    while text and draw.textlength(text + "…", font=face) > width:
        text = text[:-1]
    return text + "…"


def _centred(draw: ImageDraw.ImageDraw, y: int, text: str, size: int, fill) -> None:
    text = _fit(draw, text, size, WIDTH - 80)
    x = (WIDTH - draw.textlength(text, font=font(size))) / 2
    draw.text((x, y), text, font=font(size), fill=fill)


def render_png(*, brand: str, link: str, caption: str, title: str | None = None, price: str | None = None,
               accent: str = "#2e7d32") -> bytes:
    """The poster: brand band, optional product title and price, the QR code, a caption.
    ``accent`` is a ``#rrggbb`` colour (the theme's, validated when the theme is activated)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 160), fill=accent)
    _centred(draw, 50, brand, 56, PAPER)
    y = 210
    if title:
        _centred(draw, y, title, 44, INK)
        y += 70
    if price:
        _centred(draw, y, price, 52, accent)
        y += 80
    qr = segno.make(link, error="m", micro=False)
    out = io.BytesIO()
    qr.save(out, kind="png", scale=max(1, QR_SIZE // qr.symbol_size(border=2)[0]), border=2)
    code = Image.open(io.BytesIO(out.getvalue())).convert("RGB").resize((QR_SIZE, QR_SIZE), Image.NEAREST)
    image.paste(code, ((WIDTH - QR_SIZE) // 2, max(y, 380)))
    _centred(draw, max(y, 380) + QR_SIZE + 40, caption, 32, MUTED)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
