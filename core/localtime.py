"""Times as people read and type them: in the deployment's time zone (``[app] timezone``,
``Asia/Shanghai`` by default). The database and the code keep UTC; only pages convert."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@lru_cache(maxsize=16)
def zone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` of ``name``; raises ``ValueError`` for an unknown zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as Asia/Shanghai)") from None


def to_local(moment: datetime, tz: ZoneInfo) -> datetime:
    """``moment`` in ``tz``; a naive value is taken as UTC (how the database returns it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(tz)


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which local ``day`` begins in ``tz``."""
    return datetime.combine(day, time(), tzinfo=tz).astimezone(timezone.utc)


def parse_local(text: str, tz: ZoneInfo) -> datetime:
    """A ``<input type="datetime-local">`` value (``2026-11-29T20:00``) typed in ``tz``, as an
    aware UTC datetime. Raises ``ValueError`` for anything else."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is not None:
        raise ValueError("expected a local date and time without an offset")
    return value.replace(tzinfo=tz).astimezone(timezone.utc)


def input_value(moment: datetime, tz: ZoneInfo) -> str:
    """The value of a ``datetime-local`` input showing ``moment``."""
    return to_local(moment, tz).strftime("%Y-%m-%dT%H:%M")


def template_filters(tz: ZoneInfo) -> dict[str, object]:
    """``|datetime`` (2026-11-29 20:00, or ``|datetime("%H:%M:%S")``), ``|date`` and
    ``|datetime_input`` (for a form's ``datetime-local`` value), all in ``tz``; ``None`` shows
    as nothing."""
    return {
        "datetime": lambda moment, fmt="%Y-%m-%d %H:%M": to_local(moment, tz).strftime(fmt) if moment else "",
        "date": lambda moment: to_local(moment, tz).strftime("%Y-%m-%d") if moment else "",
        "datetime_input": lambda moment: input_value(moment, tz) if moment else "",
    }
