"""Reference replications of infinite-width deep-learning theory (Neal, NNGP, NTK, mean field, muP)."""

# The groups, in the order of the pipeline, the report and CLAIMS.md: each a subpackage whose tasks.py declares
# its GRAPH (replications/core/graph.py). The one list: the Snakefile, the CLI and the tests read it.
GROUPS = ("neal", "nngp", "ntk", "meanfield", "mup")
