"""A theme package as a third party would ship it (entry point group ``qunshang.themes``)."""
