"""The cost of plugins on the hot path: ``GET /api/products?limit=24`` with every built-in plugin
enabled against none, same app, same database, a fan's bearer token. Target: B/A >= 0.95.

    .venv/bin/python bench/hooks.py [--workers 1] [--duration 10] [--rounds 3]
"""

from _common import Target, builtin_plugins, compare, fetch_items, options, qunshang_env, run, seed, serve, workspace

TARGET = 0.95


def main() -> None:
    args = options(__doc__)
    plugins = builtin_plugins()
    print(f"built-in plugins: {', '.join(plugins) or 'none'}")
    with workspace() as folder:
        seeded = seed(folder, args.products)
        auth = {"Authorization": f"Bearer {seeded.token}"}
        with (
            serve("no plugins", "qunshang.app:create_app", env=qunshang_env(seeded.url, []), cwd=folder,
                  workers=args.workers) as bare,
            serve("all plugins", "qunshang.app:create_app", env=qunshang_env(seeded.url, plugins), cwd=folder,
                  workers=args.workers) as full,
        ):
            a = Target("no plugin enabled", bare, auth)
            b = Target(f"{len(plugins)} built-in plugin(s) enabled", full, auth)
            assert [i["id"] for i in fetch_items(a)] == [i["id"] for i in fetch_items(b)], "different rows"
            compare(a, b, args, target_ratio=TARGET)


if __name__ == "__main__":
    run(main)
