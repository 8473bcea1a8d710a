"""Connection settings: SQLite pragmas, asyncpg's pool without its per-checkout reset query, and
the C datetime parser Tortoise uses on SQLite."""

from qunshang import db


def test_sqlite_waits_on_locks():
    config = db.connection_config("sqlite:///tmp/x.sqlite3")
    assert config["engine"] == "tortoise.backends.sqlite"
    assert config["credentials"]["busy_timeout"] == "10000" and config["credentials"]["journal_mode"] == "WAL"
    assert "reset" not in config["credentials"]


def test_asyncpg_pool_hands_connections_back_without_a_reset_round_trip():
    config = db.connection_config("postgres://qs@db.example:5432/shop", pool_max=7)
    assert config["engine"] == "tortoise.backends.asyncpg"
    assert config["credentials"]["reset"] is db._keep_session
    assert config["credentials"]["maxsize"] == "7" and config["credentials"]["database"] == "shop"


def test_tortoise_reads_sqlite_datetimes_with_the_c_parser():
    """``ciso8601`` is a dependency because Tortoise's pure-Python fallback cost 6% of a page."""
    from tortoise.fields import data

    assert data.parse_datetime.__module__ == "ciso8601"
