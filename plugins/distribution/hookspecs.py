"""Hooks the distribution plugin declares for other plugins.

Implement them with ``@hookimpl(optionalhook=True)`` so your plugin still loads when
distribution is not enabled. Kinds follow :mod:`qunshang.hookspecs`. Each receives ``runtime``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qunshang.hookspecs import spec

if TYPE_CHECKING:  # pragma: no cover - typing only
    from qunshang.orders.models import Order, OrderLine
    from qunshang.runtime import Runtime

    from .models import Withdrawal


@spec("guard")
async def distribution_commission_eligible(runtime: Runtime, order: Order, lines: list[OrderLine]) -> bool | None:
    """May this paid order earn commissions? Called once per order inside the payment
    transaction, before any commission is written (e.g. flash-sale or livestream orders).

    Returns:
        ``False`` to pay no commission on the order; ``None`` (or ``True``) to leave it eligible.
    """


@spec("query")
async def distribution_rate_override(runtime: Runtime, order: Order, candidates: list[dict[str, Any]]) -> dict[int, int] | None:
    """Change rates of the planned commissions of one order, once per order.

    Args:
        candidates: one dict per planned commission: ``index``, ``order_line_id``,
            ``product_id``, ``sku_id``, ``level``, ``earner_id``, ``rate_bp`` (``None`` for a
            fixed amount) and ``rate_source`` (``default``, ``grade``, ``product``, ``sku``).

    Returns:
        ``{index: rate_bp}`` for the candidates to change (0 to 10000), or ``None``. Later
        plugins win over earlier ones for the same index.
    """


@spec("guard")
async def distribution_payout(runtime: Runtime, withdrawal: Withdrawal, net_amount: int) -> str | None:
    """Pay an approved withdrawal out (WeChat Pay transfer, bank…), inside the approval
    transaction: raising refuses the approval and leaves the request pending.

    Returns:
        the provider's payout reference (at most 64 characters), or ``None`` when this
        provider does not handle it. With no reference at all the payout is recorded as
        ``"manual"`` (staff pay it outside the system).
    """
