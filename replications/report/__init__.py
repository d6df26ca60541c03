"""Cross-group outputs: the table of every claim (figures/CLAIMS.md) and of every compute job's cost
(figures/BENCHMARKS.md)."""
