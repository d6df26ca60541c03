"""The claims.json contract (v2): verdicts are exactly lo <= measured <= hi (a null bound open, NaN failing); every
row carries its interval, n, kind and status; a withdrawn claim counts neither as pass nor as fail; the README
blocks are generated and a stale one is caught."""

import json

import pytest

from replications.core.claims import (
    Claim,
    Estimate,
    claims_document,
    claims_markdown,
    publish,
    read_claims,
    readme_block,
    readme_block_in,
    refresh_readme,
    verdict,
    write_claims,
)

ROW_KEYS = {"id", "source", "statement", "expected", "measured", "lo", "hi", "passed", "figure"}
ROW_KEYS_V2 = ROW_KEYS | {"ci", "n", "kind", "status", "reason"}


def _claim(claim_id="g.x", value=1.0, lo=None, hi=None, kind="evidence", **extra) -> Claim:
    return Claim(
        claim_id, "src", "a statement", None, Estimate(value, *extra.pop("ci_n", ())), lo, hi, "fig", kind=kind, **extra
    )


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
    assert _claim(value=measured, lo=lo, hi=hi).passed is expected


def test_claims_json_matches_contract(tmp_path):
    claims = [
        _claim("g.pass", 1.05, 0.9, 1.1, ci_n=((1.0, 1.1), 4)),
        _claim("g.nan", float("nan"), None, 0.2),
        _claim("g.exact", 20.0, 20.0, 20.0, kind="check"),
    ]
    path = tmp_path / "claims.json"
    write_claims(path, "g", "smoke", claims)
    text = path.read_text()
    assert "NaN" not in text  # strict JSON
    doc = json.loads(text)
    assert doc["group"] == "g" and doc["profile"] == "smoke"
    for row in doc["claims"]:
        assert set(row) == ROW_KEYS_V2
        assert row["status"] == "registered" and row["reason"] is None
    first, nan, exact = doc["claims"]
    assert first["passed"] is True and first["ci"] == [1.0, 1.1] and first["n"] == 4 and first["kind"] == "evidence"
    assert nan["measured"] is None and nan["passed"] is False
    assert exact["ci"] is None and exact["n"] is None and exact["kind"] == "check"
    assert read_claims(path) == doc


def test_kind_and_estimate_are_checked():
    with pytest.raises(ValueError, match="kind"):
        _claim(kind="proof")
    with pytest.raises(TypeError, match="Estimate"):
        Claim("g.x", "s", "s", None, 1.0, None, None, "f", kind="check")


def test_withdrawn_claim_counts_neither_as_pass_nor_fail():
    failing = _claim("g.withdrawn", 5.0, None, 1.0, withdrawn="registered with the wrong rate")
    passing = _claim("g.pass", 0.5, None, 1.0)
    check = _claim("g.check", 1.0, 1.0, 1.0, kind="check")
    assert failing.passed is None
    doc = claims_document("g", "default", [failing, passing, check])
    row = doc["claims"][0]
    assert row["status"] == "withdrawn" and row["reason"] == "registered with the wrong rate"
    assert row["passed"] is None and row["measured"] == 5.0  # the last measurement is kept
    table = claims_markdown([doc])
    assert "evidence: 1 of 1 pass; checks: 1 of 1 pass; 1 withdrawn" in table
    assert "**FAIL**" not in table
    assert "| withdrawn |" in table and "registered with the wrong rate" in table


def test_duplicate_ids_are_rejected():
    claim = _claim("g.same")
    with pytest.raises(ValueError, match="duplicate"):
        claims_document("g", "default", [claim, claim])


def test_markdown_table_lists_every_claim_interval_and_verdict():
    docs = [
        claims_document("a", "default", [_claim("a.one", 2.1, 2.0, 3.0, ci_n=((2.0, 2.2), 8))]),
        claims_document("b", "default", [_claim("b.two", 9.0, None, 1.0, kind="check")]),
    ]
    table = claims_markdown(docs)
    assert "evidence: 1 of 1 pass; checks: 0 of 1 pass" in table
    assert "`a.one`" in table and "`b.two`" in table
    assert "| [2, 2.2] | 8 |" in table
    assert "**FAIL**" in table and "| pass |" in table


def test_statement_pipes_do_not_break_the_table():
    doc = claims_document(
        "a", "default", [Claim("a.p", "P", "x | y", None, Estimate(1.0), None, None, "f", kind="check")]
    )
    assert "x \\| y" in claims_markdown([doc])


def _readme(tmp_path, group="g"):
    path = tmp_path / "README.md"
    empty = readme_block({"group": group, "profile": "default", "claims": []})
    path.write_text(f"# Title\n\nText before.\n\n{empty}\n\nText after.\n")
    return path


def test_readme_block_is_refreshed_and_stale_blocks_are_seen(tmp_path):
    readme = _readme(tmp_path)
    doc = claims_document("g", "default", [_claim("g.one", 0.25, 0.0, 1.0, ci_n=((0.2, 0.3), 4))])
    assert refresh_readme(readme, doc) is True
    text = readme.read_text()
    assert text.startswith("# Title\n\nText before.\n\n") and text.endswith("\n\nText after.\n")
    assert readme_block_in(text, "g") == readme_block(doc)
    assert "| `g.one` | evidence |  | 0.25 | [0.2, 0.3] | 4 | 0 | 1 | pass |" in text
    assert refresh_readme(readme, doc) is False  # up to date: untouched
    newer = claims_document("g", "default", [_claim("g.one", 0.5, 0.0, 1.0, ci_n=((0.4, 0.6), 4))])
    assert readme_block_in(text, "g") != readme_block(newer)  # what the staleness test of the READMEs checks


def test_publish_refreshes_the_readme_for_the_default_profile_only(tmp_path):
    readme = _readme(tmp_path)
    before = readme.read_text()
    publish(tmp_path / "smoke.json", "g", "smoke", [_claim("g.one", 0.25)], readme)
    assert readme.read_text() == before
    publish(tmp_path / "default.json", "g", "default", [_claim("g.one", 0.25)], readme)
    assert "`g.one`" in readme.read_text()


def test_readme_without_block_is_an_error(tmp_path):
    path = tmp_path / "README.md"
    path.write_text("# no block\n")
    with pytest.raises(ValueError, match="no generated claims block"):
        refresh_readme(path, claims_document("g", "default", [_claim()]))
