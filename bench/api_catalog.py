"""Requests/s of ``GET /api/products?limit=24``: Qunshang against a minimal Litestar + Tortoise app.

A: bench/minimal_catalog.py — one query, no middleware, no auth, no plugins.
B: the real app (``qunshang.app:create_app``): sessions, auth by a fan's bearer token, CSRF,
   error handling, the ``member_price`` plugin enabled and the ``price_adjustments`` hook run.
Both read the same seeded SQLite database and return the same 24 rows. Target: B/A >= 0.8.

    .venv/bin/python bench/api_catalog.py [--workers 1] [--duration 10] [--rounds 3]
"""

from _common import BENCH, Target, compare, fetch_items, options, qunshang_env, run, seed, serve, workspace

TARGET = 0.8


def main() -> None:
    args = options(__doc__)
    with workspace() as folder:
        seeded = seed(folder, args.products)
        auth = {"Authorization": f"Bearer {seeded.token}"}
        with (
            serve("minimal", "minimal_catalog:create_app", env={"BENCH_DATABASE_URL": seeded.url}, cwd=folder,
                  workers=args.workers, app_dir=BENCH) as minimal,
            serve("qunshang", "qunshang.app:create_app", env=qunshang_env(seeded.url, ["member_price"]), cwd=folder,
                  workers=args.workers) as real,
        ):
            a = Target("minimal Litestar + Tortoise", minimal, auth)
            b = Target("qunshang, member_price, fan's token", real, auth)
            baseline, priced = fetch_items(a), fetch_items(b)
            assert [i["id"] for i in baseline] == [i["id"] for i in priced] and len(priced) == 24, "different rows"
            assert all(i["final_price"] < i["price"] for i in priced), "member price not applied: not authenticated?"
            compare(a, b, args, target_ratio=TARGET)


if __name__ == "__main__":
    run(main)
