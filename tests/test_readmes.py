"""Measured numbers in the group READMEs are generated: each README's claims block is exactly what the committed
figures/<group>/claims.json gives (the default profile's claims rule refreshes it)."""

from pathlib import Path

import pytest

from replications.core.claims import read_claims, readme_block, readme_block_in

REPO = Path(__file__).resolve().parents[1]
GROUPS = ("neal", "nngp", "ntk", "meanfield", "mup")


@pytest.mark.parametrize("group", GROUPS)
def test_readme_claims_block_is_not_stale(group):
    document = read_claims(REPO / "figures" / group / "claims.json")
    readme = (REPO / "replications" / group / "README.md").read_text()
    assert readme_block_in(readme, group) == readme_block(document), (
        f"replications/{group}/README.md's claims block differs from figures/{group}/claims.json: rerun the "
        f"default profile's claims rule (snakemake {group}_claims --forcerun {group}_claims)"
    )
