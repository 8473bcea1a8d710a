"""The members part of the core, registered as a plugin.

Staff roles of the core (a member may hold several; plugins may add roles by granting them
permissions through ``register_permissions``):

``owner``        runs the platform: every permission (``"*"``); the only role that can grant or
                 revoke ``owner``, and the last active owner cannot be removed.
``operator``     day-to-day operations: catalog, members (incl. granting non-owner roles), groups.
``salesperson``  grows customers: sees members, creates groups.
``host``         livestream host: sees the catalog, creates groups.
``finance``      money: refunds, settlements and the ledger (granted by those domains).

Permissions of this domain: ``members.view`` (search and read members), ``members.manage``
(tags, levels, disabling accounts), ``members.roles`` (grant and revoke staff roles).
"""

from ..hookspecs import hookimpl


@hookimpl
def register_models():
    return {"members": "qunshang.members.models"}


@hookimpl
def register_routes():
    from .api import AuthController, MeController, MembersController

    return [AuthController, MeController, MembersController]


@hookimpl
def register_permissions():
    return {
        "owner": ["*"],
        "operator": ["members.*"],
        "salesperson": ["members.view"],
    }
