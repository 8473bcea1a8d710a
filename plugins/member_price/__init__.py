"""会员价 Member pricing: a discount per member level, through ``price_adjustments``.

The smallest complete first-party plugin: metadata, validated settings and one hot-path hook
that does no queries (the member is already loaded) and returns at once for anonymous visitors.

    [plugins]
    enabled = ["member_price"]

    [plugins.member_price]
    discount_bp = { member = 200, fan = 500, loyal_fan = 1000 }   # 2%, 5%, 10% off
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from qunshang import PluginMeta, hookimpl
from qunshang.catalog.pricing import Adjustment
from qunshang.members.models import Level
from qunshang.money import apply_rate_each


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    discount_bp: dict[Level, int] = Field(
        default={Level.MEMBER: 200, Level.FAN: 500, Level.LOYAL_FAN: 1000},
        description="discount in basis points per member level",
    )
    label: str = "会员价"

    @field_validator("discount_bp")
    @classmethod
    def _within_bounds(cls, value: dict[Level, int]) -> dict[Level, int]:
        for level, bp in value.items():
            if not 0 <= bp <= 5000:
                raise ValueError(f"discount for {level.value} must be between 0 and 5000 basis points")
        return value


plugin = PluginMeta(
    id="member_price",
    title="会员价 Member pricing",
    version="0.1.0",
    description="Discounts by member level on listings, product pages and orders.",
    settings=Settings,
)


@hookimpl
def price_adjustments(runtime, lines, member):
    if member is None:
        return None
    settings: Settings = runtime.settings("member_price")
    rate = settings.discount_bp.get(member.level, 0)
    if not rate:
        return None
    discounts = apply_rate_each([line.subtotal for line in lines], rate)
    return [Adjustment(i, -discount, settings.label, "member_price") for i, discount in enumerate(discounts)]
