"""直播带货 Livestream: live rooms, real-time interaction, live flash sales and replays."""

from qunshang import PluginMeta

plugin = PluginMeta(
    id="livestream",
    title="直播带货 Livestream",
    version="0.1.0",
    description="Live rooms, pushed products, live comments, live flash sales, replays and the public-to-private funnel.",
)
