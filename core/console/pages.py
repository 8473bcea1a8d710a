"""What plugins (and the core) hand the console: pages with their navigation entry, and
dashboard widgets. See the ``console_pages`` and ``console_widgets`` hooks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ConsolePage:
    """A navigation entry and the route handlers behind it.

    ``path`` is the entry's link relative to ``/console`` (``"/distribution"``); handlers use
    paths relative to ``/console`` too. A handler whose ``opt`` sets ``"permission"`` keeps it
    (an action needing more than viewing); every other handler needs ``permission``.
    """

    section: str
    title: str
    path: str
    permission: str
    handlers: tuple[Any, ...] = ()
    position: int = 100


@dataclass(frozen=True)
class ConsoleWidget:
    """A dashboard card: ``body`` is ``Markup`` (inserted as is) or text (escaped)."""

    title: str
    body: Any
    permission: str = "console.view"
    position: int = 100
