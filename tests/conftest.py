pytest_plugins = ["qunshang.testing"]
