"""Bundled sample site (data only)."""
