"""``[plugins.distribution]`` in ``qunshang.toml``, validated once at startup.

Commission levels are capped at 3 whatever the profile (Chinese anti-pyramid rules treat
deeper chains as illegal), and the compliance profile narrows that further: ``cn-wechat``
allows 2 paid levels *counting* the buyer's own self-purchase level, ``cn-law`` allows 3.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

HARD_CAP = 3
PROFILE_CAPS = {"cn-wechat": 2, "cn-law": 3}
MAX_BP = 10_000


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    levels: int = Field(default=2, description="commission levels, 1 to 3")
    compliance: Literal["cn-wechat", "cn-law"] = Field(
        default="cn-wechat", description="cn-wechat: at most 2 levels counting self-purchase, cn-law: at most 3"
    )
    rates_bp: list[int] = Field(default=[1000, 500], description="default rate per level, basis points")
    base: Literal["paid", "list"] = Field(
        default="paid", description="paid: what was paid for the line after discounts, excluding shipping; list: list price x quantity"
    )
    self_purchase: bool = Field(default=False, description="a distributor buying for themselves earns level 1")
    differential: bool = Field(default=False, description="级差: each upper tier earns its rate minus the rate paid below")
    binding: Literal["permanent", "valid_days", "last_touch"] = "permanent"
    binding_days: int = Field(default=30, ge=1, le=3650, description="how long a binding lasts with binding = valid_days")
    scope: Literal["new_members_only", "any_without_upline"] = "new_members_only"
    mode: Literal["everyone", "application", "spend_threshold", "designated"] = Field(
        default="everyone", description="who may distribute"
    )
    spend_threshold: int = Field(default=0, ge=0, le=10**12, description="cumulative paid spend that qualifies (inclusive)")
    withdrawal_min: int = Field(default=100, ge=1, le=10**10)
    withdrawal_max: int = Field(default=5_000_000, ge=1, le=10**10)
    withdrawal_fee_bp: int = Field(default=0, ge=0, le=MAX_BP)
    settle_batch: int = Field(default=5000, ge=1, le=100_000, description="commissions per settlement batch")

    @field_validator("levels")
    @classmethod
    def _hard_cap(cls, value: int) -> int:
        if not 1 <= value <= HARD_CAP:
            raise ValueError(
                f"levels must be 1 to {HARD_CAP}: deeper commission chains are illegal under Chinese anti-pyramid rules"
            )
        return value

    @field_validator("rates_bp")
    @classmethod
    def _rates(cls, value: list[int]) -> list[int]:
        if any(not 0 <= r <= MAX_BP for r in value):
            raise ValueError(f"rates must be 0 to {MAX_BP} basis points")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        cap = PROFILE_CAPS[self.compliance]
        if self.levels > cap:
            raise ValueError(
                f"levels = {self.levels} breaks the {self.compliance} compliance profile (at most {cap} levels, "
                f"counting self-purchase); lower levels or choose compliance = \"cn-law\""
            )
        if len(self.rates_bp) != self.levels:
            raise ValueError(f"rates_bp needs one rate per level ({self.levels})")
        if sum(self.rates_bp) > MAX_BP:
            raise ValueError("rates_bp must not add up to more than 10000 basis points")
        if self.withdrawal_min > self.withdrawal_max:
            raise ValueError("withdrawal_min must not exceed withdrawal_max")
        return self
