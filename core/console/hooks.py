"""The console's part of the core, registered as a plugin: its table, routes, permissions and
the core pages (declared through ``console_pages`` like a plugin's)."""

from ..hookspecs import hookimpl

STAFF_ROLES = ("owner", "operator", "salesperson", "host", "finance")


@hookimpl
def register_models():
    return {"console": "qunshang.console.models"}


@hookimpl
def register_permissions():
    return {
        **{role: ["console.view"] for role in STAFF_ROLES},
        "owner": ["*"],
        "operator": ["console.view", "console.audit"],
    }


@hookimpl
def register_routes(runtime):
    from .web import build_router, static_router

    pages = [page for _plugin, declared in runtime.call_setup("console_pages") for page in declared]
    runtime.state["console.pages"] = tuple(pages)
    return [build_router(pages), static_router()]


@hookimpl(trylast=True)
def console_pages():
    from . import members, orders, products, system
    from .access import STAFF
    from .pages import ConsolePage

    return [
        ConsolePage("dashboard", "Dashboard", "/", STAFF, position=0),
        ConsolePage("catalog", "Products", "/products", "catalog.view", products.HANDLERS),
        ConsolePage("orders", "Orders", "/orders", "orders.view", orders.HANDLERS),
        ConsolePage("members", "Members", "/members", "members.view", members.MEMBER_HANDLERS),
        ConsolePage("groups", "Groups", "/groups", "groups.manage", members.GROUP_HANDLERS),
        ConsolePage("ledger", "Ledger", "/ledger", "ledger.view", (system.ledger_view, system.ledger_check)),
        ConsolePage("plugins", "Plugins", "/plugins", "plugins.view", (system.plugin_list,)),
        ConsolePage("audit", "Audit log", "/audit", "console.audit", (system.audit_log,)),
    ]
