"""``[plugins.crm]`` in ``qunshang.toml``, validated once at startup."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Thresholds(BaseModel):
    """Lifecycle stages from behaviour (RFM). Bounds are inclusive."""

    model_config = ConfigDict(extra="forbid")

    fan_min_orders: int = Field(default=2, ge=1, le=10_000, description="paid orders that make a fan")
    fan_min_groups: int = Field(default=2, ge=1, le=10_000, description="groups joined that make a fan")
    loyal_recency_days: int = Field(default=30, ge=1, le=3650, description="a loyal fan ordered within this many days")
    loyal_min_orders: int = Field(default=5, ge=1, le=10_000, description="a loyal fan has at least this many paid orders")
    loyal_min_spend: int = Field(default=100_000, ge=0, le=10**12, description="a loyal fan spent at least this much (fen)")


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    protection_days: int = Field(default=30, ge=1, le=3650, description="days an owner keeps a customer without follow-up")
    release_to_pool: bool = Field(default=True, description="lapsed customers return to the pool (job crm.release)")
    strategy: Literal["least_loaded", "round_robin", "pool"] = Field(
        default="least_loaded", description="how inbound customers without a valid invite are assigned"
    )
    default_capacity: int | None = Field(default=500, ge=0, le=10**7, description="customers per salesperson, none for no cap")
    pool_visible: bool = Field(default=True, description="salespeople may see and claim the shared pool")
    thresholds: Thresholds = Thresholds()
    manage_levels: bool = Field(default=True, description="set member levels from the lifecycle stage")
    dormant_days: int = Field(default=60, ge=1, le=3650, description="no order in this many days makes a customer dormant")
