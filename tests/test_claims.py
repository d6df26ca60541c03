"""The claims.json contract: verdicts are exactly lo <= measured <= hi; a null bound is open; NaN fails."""

import json

import pytest

from replications.core.claims import Claim, claims_document, claims_markdown, read_claims, verdict, write_claims


@pytest.mark.parametrize(
    ("measured", "lo", "hi", "expected"),
    [
        (1.0, 0.0, 2.0, True),
        (0.0, 0.0, 2.0, True),  # bounds are inclusive
        (2.0, 0.0, 2.0, True),
        (-1e-12, 0.0, 2.0, False),
        (2.0 + 1e-12, 0.0, 2.0, False),
        (5.0, None, 2.0, False),
        (-5.0, None, 2.0, True),  # null lo is open
        (1e9, 0.0, None, True),  # null hi is open
        (1.0, None, None, True),
        (float("nan"), None, None, False),  # NaN fails
        (float("nan"), 0.0, 2.0, False),
        (None, 0.0, 2.0, False),  # a missing measurement fails
        (float("inf"), 0.0, None, True),
        (float("inf"), 0.0, 1.0, False),
    ],
)
def test_verdict_is_exactly_lo_le_measured_le_hi(measured, lo, hi, expected):
    assert verdict(measured, lo, hi) is expected
    assert Claim("g.x", "src", "s", None, measured, lo, hi, "fig").passed is expected


def test_claims_json_matches_contract(tmp_path):
    claims = [
        Claim("g.pass", "Paper 1", "a statement", 1.0, 1.05, 0.9, 1.1, "fig_a"),
        Claim("g.nan", "Paper 1", "not measured", None, float("nan"), None, 0.2, "fig_b"),
    ]
    path = tmp_path / "claims.json"
    write_claims(path, "g", "smoke", claims)
    text = path.read_text()
    assert "NaN" not in text  # strict JSON
    doc = json.loads(text)
    assert doc["group"] == "g" and doc["profile"] == "smoke"
    keys = {"id", "source", "statement", "expected", "measured", "lo", "hi", "passed", "figure"}
    for row in doc["claims"]:
        assert set(row) == keys
    assert doc["claims"][0]["passed"] is True
    assert doc["claims"][1]["measured"] is None and doc["claims"][1]["passed"] is False
    assert read_claims(path) == doc


def test_duplicate_ids_are_rejected():
    claim = Claim("g.same", "s", "s", None, 1.0, None, None, "f")
    with pytest.raises(ValueError, match="duplicate"):
        claims_document("g", "default", [claim, claim])


def test_markdown_table_lists_every_claim_and_verdict():
    docs = [
        claims_document("a", "default", [Claim("a.one", "P", "x | y", 2.0, 2.1, 2.0, 3.0, "fig1")]),
        claims_document("b", "default", [Claim("b.two", "Q", "z", None, 9.0, None, 1.0, "fig2")]),
    ]
    table = claims_markdown(docs)
    assert "1 of 2 claims pass" in table
    assert "`a.one`" in table and "`b.two`" in table
    assert "x \\| y" in table  # a pipe in a statement does not break the table
    assert "**FAIL**" in table and "| pass |" in table
