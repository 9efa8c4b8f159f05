"""A guarantee the simulator relies on did not hold: a bug in the simulator (raised where
`assert` once stood, since `python -O` removes asserts)."""

from __future__ import annotations


class BrokenInvariant(RuntimeError):
    """What was expected, in the code's own words."""
