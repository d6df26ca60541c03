"""Argument checks shared by the core modules."""

from __future__ import annotations

import numbers


def check_positive_int(name: str, value: object) -> int:
    """`value` if it is an integer >= 1 (a Python or numpy integer, not a bool), else ValueError naming `name`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return value
