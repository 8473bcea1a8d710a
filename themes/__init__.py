"""Storefront themes shipped with Qunshang."""
