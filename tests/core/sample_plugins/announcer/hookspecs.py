from qunshang.hookspecs import spec


@spec("query")
def announcer_channels(runtime) -> str:
    """Name a channel announcements also go to."""
