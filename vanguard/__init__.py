"""Vanguard (先锋岗): window party-building for government service centres."""

__version__ = "0.1.0"
