"""Every hook of the Qunshang core.

This module is the contract plugin authors learn; ``docs/hooks.md`` is generated from it
(``qunshang hooks-doc``) and a test fails when the two disagree or a hook lacks documentation.

How hooks are called
--------------------
* An implementation may be ``def`` or ``async def``; it names only the arguments it needs.
* Every hook receives ``runtime`` (:class:`qunshang.runtime.Runtime`): configuration, the
  plugin's own validated settings (``runtime.settings("<id>")``), the clock and the hook caller.
* Implementations run in plugin order: the order of ``[plugins] enabled``, then the core's
  defaults (``trylast``). ``tryfirst``/``trylast`` work as in pluggy.
* Each spec carries a **kind**, which fixes its calling convention and failure policy:

  ``setup``   sync, called once while the app is built; results are collected.
  ``lifespan`` may be async; runs at application startup/shutdown.
  ``query``   may be async; results (non-``None``) are collected in order; errors propagate.
  ``guard``   may be async; runs *inside* the transaction of the change that triggered it; an
              exception propagates and rolls the whole change back (money, stock, validation).
  ``notify``  may be async; runs inside the triggering transaction, but each implementation is
              isolated in a savepoint: an exception is logged, its writes are undone, and the
              remaining implementations and the change itself go on.

No hook uses pluggy's ``firstresult``: callers await every result and take what they need.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import pluggy

if TYPE_CHECKING:  # pragma: no cover - typing only
    import click

    from .catalog.pricing import Adjustment, PriceLine
    from .console.pages import ConsolePage, ConsoleWidget
    from .groups.models import Group
    from .jobs import Job
    from .members.models import Member
    from .orders.models import Order, Refund
    from .payments.base import PaymentProvider
    from .runtime import Runtime

PROJECT = "qunshang"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

Kind = Literal["setup", "lifespan", "query", "guard", "notify"]


@dataclass(frozen=True)
class HookInfo:
    kind: Kind
    since: str


def spec(kind: Kind, since: str = "0.1"):
    """Declare a hookspec and record its kind and the version that introduced it."""

    def mark(fn):
        fn.qunshang_hook = HookInfo(kind, since)
        return hookspec(fn)

    return mark


# --------------------------------------------------------------------------- setup


@spec("setup")
def register_models(runtime: Runtime) -> dict[str, str]:
    """Declare Tortoise apps: ``{app_label: "package.models"}``.

    A plugin declares exactly one app, labelled with its plugin id; its tables are then named
    ``<id>_<model>`` and its migrations live in the sibling ``migrations`` package
    (``package.migrations``), applied by ``qunshang db migrate``. Set ``__models__`` in the
    models module so a model imported from the core is not claimed by the plugin.

    Returns:
        A mapping of app label to models module path.
    """


@spec("setup")
def register_routes(runtime: Runtime) -> list[Any]:
    """Add Litestar route handlers, controllers or routers.

    API paths are namespaced: ``/api/<id>/…``; storefront pages may use any path the plugin
    owns. Use the core guards (``qunshang.web.guards.permission("…")``) for access control.

    Returns:
        A list of handlers, ``Controller`` subclasses or ``Router`` objects.
    """


@spec("setup")
def register_jobs(runtime: Runtime) -> list[Job]:
    """Declare periodic jobs (:class:`qunshang.jobs.Job`).

    Jobs run in-process in the embedded shape and in ``qunshang worker`` processes when scaled
    out; a claim in the database makes each due run happen once. A job must be idempotent: it
    may be retried after a crash.

    Returns:
        A list of ``Job`` objects with names namespaced by plugin id (``"<id>.<name>"``).
    """


@spec("setup")
def register_commands(runtime: Runtime, cli: click.Group) -> None:
    """Add CLI commands to ``qunshang``: add one ``click`` group named after the plugin id
    (``@cli.group("wishlist")``), which becomes ``qunshang wishlist …``.

    Args:
        cli: a group to add to; each group added must be named after an enabled plugin and
            must not clash with a built-in command, or the CLI refuses it.
    """


@spec("setup")
def register_permissions(runtime: Runtime) -> dict[str, list[str]]:
    """Grant permissions to staff roles: ``{"host": ["livestream.push"], …}``.

    Permissions are strings ``"<area>.<action>"``; a role may also gain ``"<area>.*"``. A
    plugin may introduce a new role by granting it something. Grants are additive.

    Returns:
        A mapping of role name to permissions granted.
    """


@spec("setup")
def payment_providers(runtime: Runtime) -> list[PaymentProvider]:
    """Offer payment providers (:class:`qunshang.payments.base.PaymentProvider`).

    A provider turns an order into a payment intent and verifies the provider's callbacks:
    signature, amount, and idempotency by the provider's transaction id. Only providers named
    in ``[payments] providers`` are offered to buyers.

    Returns:
        A list of provider objects, each with a unique ``name``.
    """


@spec("setup")
def template_globals(runtime: Runtime) -> dict[str, Any]:
    """Add names to every Jinja2 template's globals (functions or constants, not per-request data).

    Returns:
        A mapping of global name (prefix it with the plugin id) to value.
    """


# --------------------------------------------------------------------------- lifespan


@spec("lifespan")
async def startup(runtime: Runtime) -> None:
    """Called once when the application starts, after the database is connected."""


@spec("lifespan")
async def shutdown(runtime: Runtime) -> None:
    """Called once when the application stops, before the database is closed."""


@spec("lifespan")
async def seed_demo(runtime: Runtime, demo: dict[str, Any]) -> None:
    """Add the plugin's demo data to ``qunshang demo`` through its public services.

    Args:
        demo: what the core seeded, by name: ``members`` (login → Member), ``products``,
            ``groups``; plugins may add their own keys for later plugins.
    """


# --------------------------------------------------------------------------- members


@spec("notify")
async def member_registered(runtime: Runtime, member: Member, context: dict[str, Any]) -> None:
    """A member has registered. Runs inside the registration transaction.

    Args:
        member: the new member.
        context: how they came, as sent by the client and **not verified**: ``source``
            (``"link"``, ``"livestream"``, ``"group_qr"``, ``"salesperson_invite"``, ``"poster"``,
            ``"direct"``), ``referral_code`` (a sharer's code, see ``member_share_code``),
            ``sales_code`` (a salesperson's invite code), ``invite_code`` (a group invite),
            ``channel``. Verify a code against your own records before acting on it.
    """


@spec("query")
async def member_share_code(runtime: Runtime, member: Member) -> str | None:
    """The referral code to put in links and posters this member shares (a live room's share
    button, a group poster), so that whoever registers through them arrives with it as
    ``referral_code`` in the ``member_registered`` context.

    Plugins that attribute registrations to sharers (distribution) answer with the member's
    code, or ``None`` when the member has none. Callers use the first answer; the member's
    links carry no code when nobody answers.
    """


@spec("notify")
async def member_level_changed(
    runtime: Runtime, member: Member, old_level: str, new_level: str, reason: str
) -> None:
    """A member's level moved (``user`` → ``member`` → ``fan`` → ``loyal_fan`` or back).

    Change levels through ``qunshang.members.service.set_level`` so this hook fires.
    """


# --------------------------------------------------------------------------- groups


@spec("notify")
async def group_created(runtime: Runtime, group: Group) -> None:
    """A community group was created; its owner is already a member."""


@spec("notify")
async def group_member_joined(runtime: Runtime, group: Group, member: Member, via: str) -> None:
    """A member became an active member of a group.

    Args:
        via: how: ``"invite"``, ``"link"``, ``"open"``, ``"approval"``, ``"livestream"``,
            ``"salesperson"`` — the ``via`` recorded on the invite or given by the caller.
    """


@spec("notify")
async def group_member_left(runtime: Runtime, group: Group, member: Member) -> None:
    """A member left a group or was removed from it."""


# --------------------------------------------------------------------------- catalog & pricing


@spec("query")
async def price_adjustments(
    runtime: Runtime, lines: list[PriceLine], member: Member | None, context: dict[str, Any]
) -> list[Adjustment]:
    """Adjust prices: member price, live price, coupon, campaign.

    Hot path: called **once per request with every line** (a whole listing page, a whole
    cart), never once per item. Do no per-line queries; fetch what you need for all lines in
    one query, and return quickly when nothing applies.

    Args:
        lines: the priced lines (``sku_id``, ``product_id``, ``quantity``, ``unit_price``).
        member: the buyer, or ``None`` for an anonymous visitor.
        context: ``{"purpose": "listing" | "order"}`` plus what the caller adds.

    Returns:
        A list of :class:`~qunshang.catalog.pricing.Adjustment` (negative ``amount`` is a
        discount on the line total). A line never drops below zero.
    """


# --------------------------------------------------------------------------- orders


@spec("guard")
async def order_validate(runtime: Runtime, draft: Any) -> None:
    """Refuse an order before it is written: raise a ``QunshangError`` subclass.

    Args:
        draft: the priced :class:`~qunshang.orders.service.OrderDraft` (member, lines with
            final prices, totals). Runs inside the placement transaction.
    """


@spec("guard")
async def order_placed(runtime: Runtime, order: Order) -> None:
    """An order was placed and its stock taken. Inside the placement transaction."""


@spec("guard")
async def order_paid(runtime: Runtime, order: Order, payment: Any) -> None:
    """An order was paid. Inside the payment transaction: write commissions, points… here;
    raising rolls the payment record back so the provider's retry can succeed later.

    Args:
        payment: the :class:`~qunshang.payments.models.Payment` record.
    """


@spec("guard")
async def order_cancelled(runtime: Runtime, order: Order, reason: str) -> None:
    """An unpaid order was cancelled (by the buyer, staff or the unpaid-timeout job); its stock
    has been returned. Inside the cancelling transaction.

    Args:
        reason: ``"buyer"``, ``"staff"`` or ``"timeout"``.
    """


@spec("notify")
async def order_shipped(runtime: Runtime, order: Order) -> None:
    """An order was shipped (``order.tracking_number`` is set)."""


@spec("guard")
async def order_completed(runtime: Runtime, order: Order) -> None:
    """The buyer received the order (or it was auto-confirmed); the after-sales window
    (``[orders] after_sales_days``) starts now."""


@spec("guard")
async def order_refunded(runtime: Runtime, order: Order, refund: Refund) -> None:
    """Money was returned for some or all of an order. Inside the refund transaction: reverse
    what you credited, in proportion to ``refund.amount`` / the lines in ``refund.lines``."""


@spec("guard")
async def after_sales_closed(runtime: Runtime, order: Order) -> None:
    """The after-sales window ended with no refund open: money tied to this order may settle.
    Inside the closing transaction."""


# --------------------------------------------------------------------------- storefront


@spec("query")
async def storefront_slot(runtime: Runtime, name: str, request: Any, context: dict[str, Any]) -> str | None:
    """Fill a named slot in a theme layout (``head``, ``nav``, ``home.sections``,
    ``product.after_price``, ``product.below``, ``member.dashboard``, ``body_end``…).

    Returns:
        ``markupsafe.Markup`` (trusted, inserted as is), a plain ``str`` (escaped), or ``None``
        to add nothing. Build markup with templates (autoescaped), never by concatenating
        user-supplied text. On the home page and listings, what you return for an anonymous
        visitor is cached with the page until the catalog revision changes (see
        ``qunshang.catalog.revision.bump``).
    """


@spec("query")
async def nav_items(runtime: Runtime, request: Any) -> list[dict[str, str]]:
    """Add storefront navigation entries: ``[{"label": …, "url": …}]``."""


# --------------------------------------------------------------------------- console


@spec("setup")
def console_pages(runtime: Runtime) -> list[ConsolePage]:
    """Add pages to the operator console (``/console``) and entries to its navigation.

    Each :class:`~qunshang.console.pages.ConsolePage` names a navigation ``section`` (an existing
    one such as ``"catalog"`` or ``"orders"``, or a new one the plugin introduces), a ``title``
    (an English msgid, translated with the console's catalogs), the ``permission`` it needs and
    its Litestar route ``handlers`` (paths relative to ``/console``, e.g.
    ``"/distribution/commissions"``). The console mounts the handlers in its router, guards
    every one with the page's permission (so the permission-matrix test covers it), shows the
    entry only to members whose roles grant it, and renders errors as console pages. Render
    with ``qunshang.console.templates.render(request, "<id>/page.html", ...)`` (templates in the
    plugin's ``templates/<id>/`` folder may extend ``console/layout.html``). Record writes with
    ``qunshang.console.audit.record`` inside the write's transaction.

    Returns:
        A list of ``ConsolePage`` objects.
    """


@spec("query")
async def console_widgets(runtime: Runtime, request: Any) -> list[ConsoleWidget]:
    """Add widgets to the console dashboard, called once per dashboard view.

    Args:
        request: the console request (``request.user`` is the signed-in staff member).

    Returns:
        A list of :class:`~qunshang.console.pages.ConsoleWidget` (``title``, ``body`` as
        ``markupsafe.Markup`` or escaped text, and the ``permission`` a viewer needs to see it;
        widgets the viewer may not see are dropped). Use aggregate queries: the dashboard is
        opened often.
    """


def hook_names() -> list[str]:
    """The names of all core hooks, in documentation order."""
    return [name for name, obj in globals().items() if hasattr(obj, "qunshang_hook")]
