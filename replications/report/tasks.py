"""Report tasks: `python -m replications report claims --in GROUP=claims.json ... --out table=CLAIMS.md`, and
`python -m replications report benchmarks ... --out table=BENCHMARKS.md` (`replications/report/benchmarks.py`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from replications.core.claims import claims_markdown, read_claims
from replications.core.provenance import atomic_write


def claims(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Write the markdown table of every claim of every group, in the order the inputs are given."""
    text = claims_markdown(read_claims(path) for path in inputs.values())
    atomic_write(outputs["table"], lambda tmp: tmp.write_text(text))


TASKS = {"claims": claims, "benchmarks": "benchmarks:write"}
