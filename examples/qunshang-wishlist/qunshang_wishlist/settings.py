"""``[plugins.wishlist]`` in ``qunshang.toml``, validated once at startup."""

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_items: int = Field(default=50, ge=1, le=500, description="how many products one member may keep")
    remove_when_bought: bool = Field(default=True, description="take products off the list once an order for them is paid")
