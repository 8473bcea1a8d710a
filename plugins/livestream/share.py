"""A viewer's personal share link and poster: the session page with their referral code, if
some plugin (distribution) answers the core ``member_share_code`` hook."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from markupsafe import escape

POSTER_WIDTH, POSTER_HEIGHT, QR_SCALE = 360, 480, 5


async def link(runtime, member, session_id: int) -> str:
    codes = [code for code in await runtime.call("member_share_code", member=member) if code]
    base = f"{runtime.config.app.base_url.rstrip('/')}/live/{session_id}"
    return f"{base}?{urlencode({'ref': codes[0], 'src': 'livestream'})}" if codes else base


def poster_svg(url: str, title: str, room: str, caption: str) -> str:
    """A share poster: the session's title and room, and the personal link as a QR code. Text is
    escaped; the QR code is segno's own markup."""
    qr = segno.make(url, error="m")
    size = qr.symbol_size(scale=QR_SCALE, border=2)[0]
    x, y = (POSTER_WIDTH - size) // 2, 150
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{POSTER_WIDTH}" height="{POSTER_HEIGHT}" '
        f'viewBox="0 0 {POSTER_WIDTH} {POSTER_HEIGHT}">'
        f'<rect width="100%" height="100%" fill="#fff8f0"/><rect width="100%" height="110" fill="#c0392b"/>'
        f'<text x="50%" y="50" text-anchor="middle" font-size="22" fill="#fff">{escape(title[:40])}</text>'
        f'<text x="50%" y="85" text-anchor="middle" font-size="15" fill="#fff">{escape(room[:40])}</text>'
        f'<g transform="translate({x} {y})">{qr.svg_inline(scale=QR_SCALE, border=2)}</g>'
        f'<text x="50%" y="{y + size + 40}" text-anchor="middle" font-size="16" fill="#333">{escape(caption)}</text>'
        "</svg>"
    )
