"""``[plugins.livestream]`` in ``qunshang.toml``, validated once at startup."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment_max_length: int = Field(default=200, ge=1, le=1000, description="characters per live comment")
    comment_interval_seconds: int = Field(default=3, ge=0, le=600, description="a member's minimum gap between comments")
    connection_queue: int = Field(
        default=64, ge=1, le=10_000, description="events buffered per viewer connection; a viewer this far behind is cut off"
    )
    heartbeat_seconds: float = Field(default=15.0, gt=0, le=300, description="idle SSE connections get a comment line this often")
    stream_seconds: float = Field(
        default=55.0, gt=0, le=3600,
        description="an event stream ends after this long and the browser reconnects, so a server stops gracefully",
    )
    streams_per_member: int = Field(default=4, ge=1, le=1000, description="open event streams per member, per process")
    streams_per_address: int = Field(
        default=32, ge=1, le=100_000,
        description="open event streams of anonymous viewers per address, per process (many phones share a NAT)",
    )
    stats_seconds: float = Field(default=2.0, gt=0, le=60, description="viewer and like counts are broadcast at most this often")
    max_duration_hours: int = Field(default=12, ge=1, le=72, description="longest session that may be scheduled")
