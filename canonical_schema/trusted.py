"""Trusted construction: a canonical model from values already checked, without checking them
again (docs/adr/0092-trusted-construction.md).

Validation belongs at the boundary, once: a platform's JSON is checked by its connector's
mapping, and a merged customer takes every value from records that were. Validating the same
values again as they pass from one model to the next was most of the CPU a live page spent on
its 100 customers (issue 22); pydantic's own `model_construct` fills defaults and sets fields
one by one, and measured slower than validating.

`trusted(cls, values)` is for a caller that has made every check the model would make; it
needs every field, and refuses (`BrokenInvariant`) a set of names that is not exactly the
model's, so a field added to a model cannot be left unset on the fast path. Tests compare
what it builds with what validation builds (tests/canonical_schema/test_trusted.py).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from canonical_schema.invariants import BrokenInvariant

M = TypeVar("M", bound=BaseModel)
_FIELDS: dict[type[BaseModel], frozenset[str]] = {}


def trusted(cls: type[M], values: dict[str, Any]) -> M:
    """An instance of `cls` holding `values` (every field, already valid), unvalidated."""
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = frozenset(cls.model_fields)
    if len(values) != len(names) or not names.issuperset(values):
        raise BrokenInvariant(f"{cls.__name__} needs exactly {sorted(names)}: {sorted(values)}")
    instance = cls.__new__(cls)
    object.__setattr__(instance, "__dict__", values)
    object.__setattr__(instance, "__pydantic_fields_set__", set(values))
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance
