"""What a paper reports, for the groups' paper.py files: each number with where it comes from."""

from __future__ import annotations

from typing import NamedTuple


class Expected(NamedTuple):
    """A paper's number or a theory's prediction (a rate, never a bound; None where only a verdict is expected), and
    its source: the paper, section, figure or equation it comes from."""

    value: float | None
    source: str
