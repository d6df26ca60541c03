"""The claims.json contract (v2): each paper's claim, our measurement with its interval, the pre-registered bounds,
the verdict, and whether the claim is evidence or a check.

`figures/<group>/claims.json` is `{"group", "profile", "claims": [row, ...]}`, each row
`{"id", "source", "statement", "expected", "measured", "lo", "hi", "passed", "figure", "ci", "n", "kind", "status",
"reason"}`:
- `passed` is exactly `lo <= measured <= hi`; a null bound is open; a null or NaN measurement fails. A withdrawn
  claim keeps its row and last measurement, and its `passed` is null: it counts neither as a pass nor as a fail.
- `ci` is the 95 % interval of `measured` ([low, high]) and `n` the seeds or draws it rests on (see
  `replications.core.stats` for which interval when); `ci` is null only where the measurement is exact, or where
  the statement says why no interval can be had.
- `kind` is `evidence` (a measured statement about the world that could have come out otherwise) or `check` (a
  computation verified against a known answer).
- `status` is `registered` or `withdrawn`; a withdrawn claim has a `reason`. Only the issue filer withdraws.
- `expected` is what the paper reports or the theory predicts, never a bound.
Bounds are fixed by the issue that registered the claim, before any run, and are never loosened.

Each group README holds a block generated from its claims.json (`readme_block`), between `BLOCK_BEGIN` and
`BLOCK_END`; the default profile's claims rule refreshes it and a test fails when it is stale.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import KW_ONLY, dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple

from replications.core.provenance import atomic_write

KINDS = ("evidence", "check")
BLOCK_BEGIN = "<!-- claims:begin (generated from figures/{group}/claims.json by the claims rule; do not edit) -->"
BLOCK_END = "<!-- claims:end -->"


class Estimate(NamedTuple):
    """A measured value, its 95 % interval and the number of seeds or draws behind it (None, None: exact)."""

    value: float | None
    ci: tuple[float, float] | None = None
    n: int | None = None


@dataclass(frozen=True)
class Claim:
    """One registered claim and our measurement of it (`kind` and `withdrawn` by keyword only)."""

    id: str
    source: str
    statement: str
    expected: float | None
    measured: Estimate
    lo: float | None
    hi: float | None
    figure: str
    _: KW_ONLY
    kind: Literal["evidence", "check"]
    withdrawn: str | None = None  # the reason, for a claim its filer withdrew

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.id}: kind must be one of {KINDS}, not {self.kind!r}")
        if not isinstance(self.measured, Estimate):
            raise TypeError(f"{self.id}: measured must be an Estimate, not {type(self.measured).__name__}")

    @property
    def passed(self) -> bool | None:
        """`lo <= measured <= hi` with open null bounds; a missing or NaN measurement fails; None if withdrawn."""
        if self.withdrawn is not None:
            return None
        return verdict(self.measured.value, self.lo, self.hi)


def verdict(measured: float | None, lo: float | None, hi: float | None) -> bool:
    """`lo <= measured <= hi`, a null bound open; a null or NaN measurement fails."""
    if measured is None or math.isnan(measured):
        return False
    return bool((lo is None or lo <= measured) and (hi is None or measured <= hi))


def _number(value: float | None) -> float | None:
    """JSON has no NaN: a NaN measurement is written as null (and fails)."""
    if value is None or math.isnan(value):
        return None
    return float(value)


def _interval(ci: tuple[float, float] | None) -> list[float] | None:
    if ci is None or not all(math.isfinite(v) for v in ci):
        return None
    return [float(ci[0]), float(ci[1])]


def claim_row(claim: Claim) -> dict[str, Any]:
    """One claim as its claims.json row."""
    return {
        "id": claim.id,
        "source": claim.source,
        "statement": claim.statement,
        "expected": _number(claim.expected),
        "measured": _number(claim.measured.value),
        "lo": claim.lo,
        "hi": claim.hi,
        "passed": claim.passed,
        "figure": claim.figure,
        "ci": _interval(claim.measured.ci),
        "n": claim.measured.n,
        "kind": claim.kind,
        "status": "registered" if claim.withdrawn is None else "withdrawn",
        "reason": claim.withdrawn,
    }


def claims_document(group: str, profile: str, claims: Sequence[Claim]) -> dict[str, Any]:
    """The claims.json document for one group."""
    ids = [c.id for c in claims]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate claim ids in {group}: {ids}")
    return {"group": group, "profile": profile, "claims": [claim_row(c) for c in claims]}


def write_claims(path: str | os.PathLike, group: str, profile: str, claims: Sequence[Claim]) -> dict[str, Any]:
    """Write claims.json atomically (strict JSON: no NaN); return the document."""
    document = claims_document(group, profile, claims)
    text = json.dumps(document, indent=2, allow_nan=False) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(text))
    return document


def read_claims(path: str | os.PathLike) -> dict[str, Any]:
    """Read a claims.json document."""
    return json.loads(Path(path).read_text())


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def _fmt_ci(ci: list[float] | None) -> str:
    return "" if ci is None else f"[{ci[0]:.3g}, {ci[1]:.3g}]"


def _verdict_cell(row: dict[str, Any]) -> str:
    if row["status"] == "withdrawn":
        return "withdrawn"
    return "pass" if row["passed"] else "**FAIL**"


def tally(rows: Iterable[dict[str, Any]]) -> str:
    """'evidence: 30 of 32 pass; checks: 5 of 5 pass; 2 withdrawn (neither)': registered claims by kind."""
    rows = list(rows)
    parts = []
    for kind, label in (("evidence", "evidence"), ("check", "checks")):
        judged = [r for r in rows if r["kind"] == kind and r["status"] == "registered"]
        parts.append(f"{label}: {sum(bool(r['passed']) for r in judged)} of {len(judged)} pass")
    withdrawn = sum(r["status"] == "withdrawn" for r in rows)
    return "; ".join(parts) + (f"; {withdrawn} withdrawn (counted neither way)" if withdrawn else "")


def _withdrawals(rows: Iterable[tuple[str, dict[str, Any]]]) -> list[str]:
    lines = [f"- `{row['id']}` ({group}): {row['reason']}" for group, row in rows if row["status"] == "withdrawn"]
    return ["", "Withdrawn claims (kept with their last measurement; counted neither as pass nor fail):", *lines] * (
        bool(lines)
    )


def claims_markdown(documents: Iterable[dict[str, Any]]) -> str:
    """One markdown table of every claim of every group (figures/CLAIMS.md)."""
    documents = list(documents)
    rows = [(doc["group"], row) for doc in documents for row in doc["claims"]]
    lines = [
        "# Claims",
        "",
        "Every claim of every group: the paper's value, ours with its 95 % interval and the seeds or draws (n) behind",
        "it, the bounds fixed before the run, and the verdict. `evidence`: a measurement that could have come out",
        "otherwise; `check`: a computation verified against a known answer. Generated by the pipeline from",
        f"`figures/*/claims.json`. {tally(row for _, row in rows)}.",
        "",
        "| group | id | kind | source | statement | paper | ours | 95 % CI | n | lo | hi | verdict | figure |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for doc in documents:
        for c in doc["claims"]:
            cells = [
                f"{doc['group']} ({doc['profile']})",
                f"`{c['id']}`",
                c["kind"],
                c["source"],
                c["statement"].replace("|", "\\|"),
                _fmt(c["expected"]),
                _fmt(c["measured"]),
                _fmt_ci(c["ci"]),
                "" if c["n"] is None else str(c["n"]),
                _fmt(c["lo"]),
                _fmt(c["hi"]),
                _verdict_cell(c),
                f"[{c['figure']}]({doc['group']}/{c['figure']}.png)" if c["figure"] else "",
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines + _withdrawals(rows)) + "\n"


def readme_block(document: dict[str, Any]) -> str:
    """The generated claims block of a group README, markers included."""
    group = document["group"]
    lines = [
        BLOCK_BEGIN.format(group=group),
        f"Measured by the `{document['profile']}` profile ({tally(document['claims'])}):",
        "",
        "| id | kind | paper | ours | 95 % CI | n | lo | hi | verdict |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for c in document["claims"]:
        cells = [f"`{c['id']}`", c["kind"], _fmt(c["expected"]), _fmt(c["measured"]), _fmt_ci(c["ci"])]
        cells += ["" if c["n"] is None else str(c["n"]), _fmt(c["lo"]), _fmt(c["hi"]), _verdict_cell(c)]
        lines.append("| " + " | ".join(cells) + " |")
    lines += _withdrawals((group, c) for c in document["claims"])
    return "\n".join([*lines, "", "Each claim's full statement is in figures/CLAIMS.md.", BLOCK_END])


def _block_pattern(group: str) -> re.Pattern[str]:
    return re.compile(re.escape(BLOCK_BEGIN.format(group=group)) + ".*?" + re.escape(BLOCK_END), re.DOTALL)


def readme_block_in(text: str, group: str) -> str:
    """The claims block a README holds (markers included); ValueError when it has none."""
    found = _block_pattern(group).search(text)
    if found is None:
        raise ValueError(f"no generated claims block for {group} (markers {BLOCK_BEGIN.format(group=group)!r} ...)")
    return found.group(0)


def refresh_readme(readme: str | os.PathLike, document: dict[str, Any]) -> bool:
    """Replace the README's claims block with one generated from `document`; True if the text changed."""
    path = Path(readme)
    text = path.read_text()
    current = readme_block_in(text, document["group"])
    fresh = readme_block(document)
    if current == fresh:
        return False
    updated = text.replace(current, fresh)
    atomic_write(path, lambda tmp: tmp.write_text(updated))
    return True


def publish(
    path: str | os.PathLike, group: str, profile: str, claims: Sequence[Claim], readme: str | os.PathLike
) -> None:
    """Write claims.json; for the default profile (the one whose figures/ are committed) refresh the README block."""
    document = write_claims(path, group, profile, claims)
    if profile == "default":
        refresh_readme(readme, document)
