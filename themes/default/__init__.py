"""The default storefront theme: theme.toml and static/ (a package so a wheel ships its files)."""
