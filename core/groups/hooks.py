"""The groups part of the core, registered as a plugin.

Permissions of this domain: ``groups.create`` (create a group one owns: owners, operators,
salespeople and hosts) and ``groups.manage`` (staff moderation of every group, and creating
groups for other owners: operators). Inside a group, its own owner and admins moderate it.
"""

from ..hookspecs import hookimpl


@hookimpl
def register_models():
    return {"groups": "qunshang.groups.models"}


@hookimpl
def register_routes():
    from .api import GroupsController, my_groups

    return [GroupsController, my_groups]


@hookimpl
def register_permissions():
    return {
        "owner": ["*"],
        "operator": ["groups.*"],
        "salesperson": ["groups.create"],
        "host": ["groups.create"],
    }
