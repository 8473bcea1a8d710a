"""Server-side SVG bar charts (no JavaScript): geometry here, markup in ``crm/_bars.svg``."""

from __future__ import annotations

from typing import Any

WIDTH = 480
BAR = 20
GAP = 6
LABEL = 130


def bars(rows: list[dict[str, Any]], value: str, label: str = "name", top: int = 15) -> dict[str, Any]:
    """The ``top`` rows by ``value`` as horizontal bars scaled to the largest."""
    chosen = sorted(rows, key=lambda r: (-r[value], str(r[label])))[:top]
    peak = max((r[value] for r in chosen), default=0) or 1
    span = WIDTH - LABEL - 90
    items = [{"label": str(r[label]), "value": r[value], "y": i * (BAR + GAP),
              "width": max(1, r[value] * span // peak) if r[value] else 0} for i, r in enumerate(chosen)]
    return {"items": items, "width": WIDTH, "height": max(len(items), 1) * (BAR + GAP), "bar": BAR, "label": LABEL}
