"""Cross-group outputs: the table of every claim (figures/CLAIMS.md)."""
