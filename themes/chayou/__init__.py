"""茶友会 (chayou): a tea community theme built on default (a package so a wheel ships its files)."""
