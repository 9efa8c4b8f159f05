"""A guarantee the code relies on did not hold: a bug in the gateway, never a client's mistake
(the edge answers it as an internal error). Raised where `assert` once stood, since
`python -O` removes asserts."""

from __future__ import annotations


class BrokenInvariant(RuntimeError):
    """What was expected, in the code's own words."""
