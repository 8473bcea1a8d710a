"""Connection settings: SQLite pragmas, and asyncpg's pool without its per-checkout reset query."""

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
