"""Errors the GraphQL edge raises itself, for input the schema's types cannot reject."""

from __future__ import annotations


class BadUserInputError(ValueError):
    """The arguments are well-typed but make no sense; reported as `BAD_USER_INPUT`."""

    code = "BAD_USER_INPUT"
