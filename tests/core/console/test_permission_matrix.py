"""Every console route, as every role: allowed or denied exactly as its declared permission says.

The route list comes from the application itself, with every first-party plugin enabled, so a
new console route — the core's or a plugin's — is walked too; a route that declares no
permission is refused to everyone (and fails this test)."""

import re

import pytest

from qunshang.console.access import PUBLIC, STAFF, allows
from qunshang.plugin_manager import discover

from .conftest import PASSWORD, STAFF_ROLES, sign_in, staff

ROLES = (*STAFF_ROLES, "member", "anonymous")
MISSING = "999999"
PLUGINS = sorted(name for name, ep in discover().items() if ep.value.startswith("qunshang.plugins."))


def console_routes(app):
    """``(method, path, permission)`` for every console handler; the path's ids are made up."""
    routes = []
    for route in app.routes:
        if not route.path.startswith("/console"):
            continue
        for handler in getattr(route, "route_handlers", ()):
            for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                path = re.sub(r"\{[^}]+\}", MISSING, route.path)
                routes.append((method, path, handler.opt.get("permission")))
    return sorted(routes, key=lambda r: (r[1] == "/console/logout", r[0], r[1]))  # logout last


async def test_every_console_route_declares_a_permission(make_app):
    async with make_app(enabled=PLUGINS) as client:
        undeclared = [(m, p) for m, p, perm in console_routes(client.app) if not perm]
        assert undeclared == []
        assert {"/console/crm/customers", "/console/livestream"} <= {p for _m, p, _perm in console_routes(client.app)}


@pytest.mark.parametrize("role", ROLES)
async def test_permission_matrix(make_app, role):
    async with make_app(enabled=PLUGINS) as client:
        runtime = client.runtime
        grants = set()
        if role != "anonymous":
            await staff("someone@example.com", roles=[] if role == "member" else [role])
            if role == "member":  # signed in to the shop, not allowed in the console
                r = await client.post("/api/auth/login", json={"login": "someone@example.com", "password": PASSWORD},
                                      headers=await client.form_headers())
                assert r.status_code == 200
            else:
                assert (await sign_in(client, "someone@example.com")).status_code == 303
            grants = set().union(*(runtime.state["permissions"].get(r, set()) for r in ([role] if role != "member" else [])))
        routes = [r for r in console_routes(client.app) if not r[1].startswith("/console/static")]
        assert len(routes) > 30
        wrong = []
        for method, path, permission in routes:
            headers = await client.form_headers() if method == "POST" else {}
            r = await client.request(method, path, headers=headers, data={"_csrf_token": headers.get("x-csrftoken", "")} if method == "POST" else None)
            if permission == PUBLIC:
                ok = r.status_code < 500 and r.status_code != 403
            elif role == "anonymous":
                ok = r.status_code == 303 and r.headers["location"].startswith("/console/login")
            elif allows(grants, STAFF) and allows(grants, permission):
                ok = r.status_code not in (401, 403) and r.status_code < 500
            else:
                ok = r.status_code == 403
            if not ok:
                wrong.append((method, path, permission, r.status_code))
        assert wrong == []
