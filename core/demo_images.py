"""Product pictures for the demo, drawn as SVG (no downloads): a tinted card with a tea bowl."""

from __future__ import annotations

import hashlib
from pathlib import Path
from xml.sax.saxutils import escape

PALETTE = ["#3f6e4a", "#8c3b2a", "#b07a2c", "#5b4a3b", "#6d7f57", "#2f5d6b", "#7a4b6d", "#9a6b3f"]


def product_svg(title: str, subtitle: str) -> str:
    digest = hashlib.sha256(title.encode()).digest()
    base, accent = PALETTE[digest[0] % len(PALETTE)], PALETTE[digest[1] % len(PALETTE)]
    return f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 320" width="320" height="320">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="{base}"/><stop offset="1" stop-color="{accent}"/></linearGradient></defs>
<rect width="320" height="320" fill="url(#g)"/>
<ellipse cx="160" cy="150" rx="90" ry="28" fill="#fff" fill-opacity=".85"/>
<path d="M70 150 Q160 260 250 150 Z" fill="#fff" fill-opacity=".7"/>
<ellipse cx="160" cy="150" rx="76" ry="20" fill="{base}" fill-opacity=".6"/>
<text x="160" y="265" font-family="sans-serif" font-size="28" fill="#fff" text-anchor="middle">{escape(title[:10])}</text>
<text x="160" y="295" font-family="sans-serif" font-size="14" fill="#fff" fill-opacity=".85" text-anchor="middle">{escape(subtitle[:24])}</text>
</svg>"""


def write_product_image(folder: Path, slug: str, title: str, subtitle: str) -> str:
    """Write ``<folder>/<slug>.svg`` and return its file name."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{slug}.svg"
    (folder / name).write_text(product_svg(title, subtitle), encoding="utf-8")
    return name
