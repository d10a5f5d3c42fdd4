"""Demo data of this app (see vanguard/core/demo.py)."""


def build(ctx):
    """Nothing yet: this room is being built."""
