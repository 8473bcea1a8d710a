"""Pages show and read times in the deployment's time zone; the database keeps UTC."""

from datetime import datetime, timezone

import pytest

from qunshang.config import load_config
from qunshang.errors import ConfigError
from qunshang.localtime import parse_local, template_filters, zone

SHANGHAI = zone("Asia/Shanghai")
UTC_EVENING = datetime(2026, 11, 29, 16, 30, tzinfo=timezone.utc)


def test_filters_show_local_time_and_date():
    f = template_filters(SHANGHAI)
    assert f["datetime"](UTC_EVENING) == "2026-11-30 00:30"
    assert f["date"](UTC_EVENING) == "2026-11-30"
    assert f["datetime"](UTC_EVENING, "%H:%M:%S") == "00:30:00"
    assert f["datetime"](UTC_EVENING.replace(tzinfo=None)) == "2026-11-30 00:30"  # naive is UTC
    assert f["datetime"](None) == "" and f["datetime_input"](UTC_EVENING) == "2026-11-30T00:30"


def test_a_typed_local_time_is_stored_as_utc():
    assert parse_local("2026-11-30T00:30", SHANGHAI) == UTC_EVENING
    for bad in ("tomorrow", "2026-11-30T00:30+08:00", ""):
        with pytest.raises(ValueError):
            parse_local(bad, SHANGHAI)


def test_an_unknown_time_zone_fails_the_configuration():
    with pytest.raises(ConfigError, match="time zone"):
        load_config(app={"timezone": "Mars/Olympus"})
    assert load_config(app={"timezone": "Europe/Berlin"}).app.timezone == "Europe/Berlin"


async def test_order_timeline_shows_local_times(make_app):
    from qunshang.orders.models import OrderEvent

    from tests.themes.shop import log_in, seed

    async with make_app() as client:
        shop = await seed(client.runtime)
        await OrderEvent.filter(order_id=shop.order.id).update(at=UTC_EVENING)
        await log_in(client)
        page = (await client.get(f"/orders/{shop.order.id}")).text
        assert "2026-11-30 00:30" in page and "2026-11-29 16:30" not in page
